"""Forms of the officers' reunion pages. They render inputs, carry the CSRF token and turn text
into values (yuan into integer fen); the rules are checked by :mod:`plugin.reunions.services`."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Length, Optional

from ..core.forms import DIGITS_INPUT, CheckboxesField, choices
from ..core.money import YuanField
from .models import (
    CampaignKind,
    Eligibility,
    SubsidyKind,
    TravelMode,
)

#: Labels of :attr:`Application.priority_reasons` codes (:func:`.rules.priority_of`).
PRIORITY_REASON_LABELS = {
    "difficulty": _l("有困境儿童"),
    "unsupported": _l("有事实无人抚养儿童"),
    "left_behind": _l("有留守儿童"),
    "three_areas": _l("三区三州户籍"),
    "long_away": _l("一年以上未随活动返乡"),
}
#: Labels of the steps of an application's history (:class:`.models.ApplicationEvent` actions).
HISTORY_ACTION_LABELS = {
    "applied": _l("提交申请"),
    "approved": _l("批准"),
    "waitlisted": _l("列入候补"),
    "rejected": _l("不予通过"),
    "cancelled": _l("取消"),
    "offered": _l("候补递补"),
    "offer_accepted": _l("确认递补名额"),
    "offer_declined": _l("放弃递补名额"),
    "offer_lapsed": _l("递补过期"),
    "booked": _l("出票"),
    "travelled": _l("已出行"),
    "no_show": _l("未出行"),
}
BAND_LABELS = {1: _l("第一优先"), 2: _l("第二优先"), 3: _l("一般")}

def _enum_choices(enum, *, blank: bool = False):
    pairs = [(member.value, member.label) for member in enum]
    return choices(([("", "—")] if blank else []) + pairs)


class CampaignForm(FlaskForm):
    """A new campaign. The unit is chosen first (in the URL); the places per unit are inputs
    named ``quota-<unit id>`` the view reads."""

    name = StringField(_l("活动名称"), validators=[Length(max=200)])
    kind = SelectField(_l("活动类型"), choices=_enum_choices(CampaignKind, blank=True))
    applications_open_on = DateField(_l("申请开始日期"), validators=[Optional()])
    applications_close_on = DateField(_l("申请截止日期"), validators=[Optional()])
    travel_from = DateField(_l("出行开始日期"), validators=[Optional()])
    travel_until = DateField(_l("出行结束日期"), validators=[Optional()])
    budget_fen = YuanField(_l("活动预算（元）"),
                           description=_l("到分为止，例如 300000 或 125000.50"))
    household_limit = IntegerField(_l("每户最多出行人数"), default=4, validators=[Optional()],
                                   render_kw=DIGITS_INPUT)
    eligibility = SelectField(_l("申请条件"), choices=_enum_choices(Eligibility),
                              default=Eligibility.ALL_WORKERS.value)
    subsidy_kind = SelectField(_l("补贴方式"), choices=_enum_choices(SubsidyKind),
                               default=SubsidyKind.FULL.value)
    subsidy_percent = IntegerField(_l("补贴比例（%）"), validators=[Optional()],
                                   description=_l("按比例补贴时填写"), render_kw=DIGITS_INPUT)
    subsidy_amount_fen = YuanField(_l("每人补贴金额或上限（元）"),
                                   description=_l("按比例补贴时为每人上限，定额补贴时为每人金额"))
    travel_modes = CheckboxesField(_l("出行方式"), choices=_enum_choices(TravelMode),
                                   default=[TravelMode.TRAIN.value, TravelMode.COACH.value])
    offer_hours = IntegerField(_l("候补递补确认时限（小时）"), default=48, validators=[Optional()],
                               render_kw=DIGITS_INPUT)

    def enum_value(self, name: str, enum):
        value = self[name].data
        return enum(value) if value in {member.value for member in enum} else None


class QuotaForm(FlaskForm):
    unit_id = HiddenField()
    places = IntegerField(_l("名额"), validators=[Optional()], render_kw=DIGITS_INPUT)


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("原因"), validators=[Length(max=300)], render_kw={"rows": 2})


class PriorityForm(FlaskForm):
    band = SelectField(_l("优先级"), coerce=int, choices=choices(BAND_LABELS.items()))
    reason = TextAreaField(_l("调整原因"), validators=[Length(max=300)], render_kw={"rows": 2})


class RelativeForm(Form):
    name = StringField(_l("姓名"), validators=[Length(max=100)])
    relation = StringField(_l("关系"), validators=[Length(max=32)],
                           description=_l("例如：配偶、祖父母"))


class ApplyForm(FlaskForm):
    """An officer applies for a worker's household (the worker named by employee number)."""

    employee_number = HiddenField()
    worker_travels = BooleanField(_l("职工本人出行"))
    children = CheckboxesField(_l("出行的子女"), coerce=int, validate_choice=False)
    relatives = FieldList(FormField(RelativeForm), label=_l("其他同行家庭成员"), min_entries=3,
                          max_entries=6)
    from_place = StringField(_l("出发地"), validators=[Length(max=200)])
    to_place = StringField(_l("目的地"), validators=[Length(max=200)])
    depart_on = DateField(_l("出发日期"), validators=[Optional()])
    return_on = DateField(_l("返程日期（选填）"), validators=[Optional()])
    travel_mode = SelectField(_l("出行方式"), validate_choice=False)
    estimated_fare_fen = YuanField(_l("每人预计票价（元）"))
