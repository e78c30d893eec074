"""Forms of the pairing-aid and union-visit pages (inputs, CSRF, yuan into fen); the rules are
checked by :mod:`plugin.aid.pairing` and :mod:`plugin.aid.visits`."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import Optional

from ..core.forms import DIGITS_INPUT, TEL_INPUT, choices
from ..core.money import YuanField
from ..core.uploads import PHOTO
from .models import ContactKind, HelperKind
from .pairing import RUNNING, PairingStatus
from .visits import PHOTOS_MAX

#: The pairings list's filters (value → label).
LIST_FILTERS = {
    RUNNING: _l("进行中（含逾期）"),
    PairingStatus.OVERDUE.value: PairingStatus.OVERDUE.label,
    PairingStatus.ACTIVE.value: PairingStatus.ACTIVE.label,
    PairingStatus.ENDED.value: PairingStatus.ENDED.label,
}


def _optional_int(value):
    return int(value) if value not in (None, "") else None


def _blank_and(enum_class):
    return choices([("", _l("请选择"))] + [(member.value, member.label) for member in enum_class])


class PairingForm(FlaskForm):
    helper_name = StringField(_l("帮扶人姓名"))
    helper_kind = SelectField(_l("帮扶人身份"), choices=_blank_and(HelperKind))
    helper_phone = StringField(_l("帮扶人电话"), render_kw=TEL_INPUT)
    #: Checked by the service (who holds the pairing permission over the worker's unit).
    helper_user_key = SelectField(_l("帮扶人的系统账号（选填）"), validate_choice=False,
                                  description=_l("选择后，逾期未联系时系统会提醒帮扶人本人"))
    starts_on = DateField(_l("开始日期"), validators=[Optional()])
    ends_on = DateField(_l("结束日期"), validators=[Optional()])
    contact_every_days = IntegerField(_l("每隔多少天至少联系一次"), default=30,
                                      validators=[Optional()], render_kw=DIGITS_INPUT,
                                      description=_l("走访或电话都算一次联系"))


class ContactForm(FlaskForm):
    kind = SelectField(_l("联系方式"), choices=_blank_and(ContactKind))
    contacted_on = DateField(_l("联系日期"), validators=[Optional()])
    notes = TextAreaField(_l("情况记录（选填）"), render_kw={"rows": 4},
                          description=_l("家庭近况、孩子的情况、需要的帮助。仅有结对帮扶权限的人可见，查看会被记录。"))


class EndPairingForm(FlaskForm):
    reason = TextAreaField(_l("结束原因"), render_kw={"rows": 2})


class VisitForm(FlaskForm):
    visited_on = DateField(_l("慰问日期"), validators=[Optional()])
    visitors = StringField(_l("慰问人员"), description=_l("如：工会主席张华、项目经理李强"))
    cash = YuanField(_l("慰问金（元，选填）"), description=_l("从所选基金的不限用途资金中支出"))
    #: Checked by the service against the funds of the worker's unit and the units above it.
    fund = SelectField(_l("慰问金从哪个基金支出"), coerce=_optional_int, validate_choice=False)
    goods = StringField(_l("慰问品（选填）"), description=_l("如：米 2 袋、油 1 桶、书包 2 个"))
    goods_value = YuanField(_l("慰问品价值（元，选填）"))
    notes = TextAreaField(_l("情况记录（选填）"), render_kw={"rows": 4})
    photos = MultipleFileField(_l("照片（选填）"), render_kw={"accept": PHOTO.accept},
                               description=_l("JPG 或 PNG，最多 %(count)s 张", count=PHOTOS_MAX))
