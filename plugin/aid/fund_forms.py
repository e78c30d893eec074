"""Forms of the fund pages. They render inputs, carry the CSRF token and turn text into values
(yuan into integer fen); the rules are checked by :mod:`plugin.aid.funds` (so select fields do
not check their choices: the service names what is missing in its own words)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from ..core.forms import choices
from ..core.money import YuanField
from .funds import PURPOSES, purpose_label
from .ledger import INCOME_KINDS
from .models import FundKind


def enum_value(field, enum):
    """The enum member a select field holds, None when it holds nothing valid."""
    return enum(field.data) if field.data in {member.value for member in enum} else None


class FundForm(FlaskForm):
    """A new fund; the unit's choices (those where the user keeps funds) are set by the view."""

    unit = SelectField(_l("所属单位"), choices=[], validate_choice=False,
                       description=_l("该单位及其下级单位职工的救助可以从这个基金发放"))
    name = StringField(_l("基金名称"), validators=[Length(max=100)],
                       description=_l("例如：困难职工帮扶专项基金"))
    kind = SelectField(_l("基金类型"), validate_choice=False, choices=choices(
        [("", "—")] + [(kind.value, kind.label) for kind in FundKind]))
    keeper = StringField(_l("管理人"), validators=[Length(max=100)],
                         description=_l("负责记账的人或部门，显示在对账单上"))


class IncomeForm(FlaskForm):
    """An allocation or a donation into a fund."""

    kind = SelectField(_l("收入类型"), validate_choice=False, choices=choices(
        [(kind.value, kind.label) for kind in INCOME_KINDS]))
    amount_fen = YuanField(_l("金额（元）"), description=_l("到分为止，例如 50000 或 1200.50"))
    booked_on = DateField(_l("入账日期"), validators=[Optional()],
                          description=_l("收到款项的日期（捐赠为收据日期）"))
    purpose = SelectField(_l("资金用途"), validate_choice=False, choices=choices(
        [(purpose, purpose_label(purpose)) for purpose in PURPOSES]),
        description=_l("指定用途的捐赠只能用于该类原因的救助"))
    donor = StringField(_l("捐赠人"), validators=[Length(max=100)],
                        description=_l("捐赠必填：个人姓名或单位名称"))
    receipt_number = StringField(_l("收据编号"), validators=[Length(max=64)],
                                 description=_l("捐赠必填：开给捐赠人的收据编号；拨款可填凭证号"))
    note = TextAreaField(_l("摘要"), validators=[Length(max=300)], render_kw={"rows": 2})


class ReverseForm(FlaskForm):
    reason = TextAreaField(_l("冲正原因"), validators=[Length(max=300)], render_kw={"rows": 3},
                           description=_l("例如：金额录入错误，已按正确金额重新登记"))


class CloseFundForm(FlaskForm):
    reason = TextAreaField(_l("关闭原因"), validators=[Length(max=300)], render_kw={"rows": 3})


class StatementForm(FlaskForm):
    """The statement's period (GET, so no CSRF token)."""

    class Meta:
        csrf = False

    start = DateField(_l("开始日期"), validators=[Optional()])
    end = DateField(_l("结束日期"), validators=[Optional()])
