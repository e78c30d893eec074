"""Forms of the care-team pages (inputs and CSRF); the rules are checked by :mod:`.members`,
:mod:`.service_records` and :mod:`.commendations` (so the selects do not check their choices:
the service names the field and the reason)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, DecimalField, SelectField, StringField, TextAreaField
from wtforms.validators import Optional

from ..core.forms import TEL_INPUT, CheckboxesField, choices
from .commendations import AWARD, NOT_AWARD
from .models import (
    WEEKDAY_LABELS,
    CommendationCategory,
    CommendationStatus,
    Engagement,
    MemberKind,
    ServiceKind,
)


def _optional_int(value):
    return int(value) if value not in (None, "") else None


def _blank_and(enum_class, blank=_l("请选择")):
    return choices([("", blank)] + [(member.value, member.label) for member in enum_class])


#: The roster's "active" filter (value → label).
ACTIVE_FILTERS = {"1": _l("在队"), "0": _l("已离队"), "all": _l("全部")}


class MemberForm(FlaskForm):
    #: Checked by the service against the units where the actor manages the team.
    unit = SelectField(_l("服务的单位"), coerce=_optional_int, validate_choice=False,
                       description=_l("成员为该单位及其下属单位的职工家庭服务"))
    kind = SelectField(_l("成员类别"), choices=_blank_and(MemberKind), validate_choice=False)
    engagement = SelectField(_l("社会工作者的用工方式"),
                             choices=_blank_and(Engagement, _l("（非社会工作者不选）")),
                             validate_choice=False)
    provider = StringField(_l("所属机构（选填）"),
                           description=_l("购买服务的社会工作者须填写服务机构；志愿者可填写所属志愿服务队"))
    name = StringField(_l("姓名"))
    employee_number = StringField(_l("本公司职工的工号（选填）"),
                                  description=_l("成员是本公司职工时填写，关联到职工档案"))
    phone = StringField(_l("电话（选填）"), render_kw=TEL_INPUT)
    specialties = StringField(_l("专长（选填）"),
                              description=_l("如：心理辅导、课业辅导、法律咨询"))
    available_days = CheckboxesField(_l("通常有空的日子（选填）"), coerce=int,
                                     choices=choices(WEEKDAY_LABELS.items()),
                                     validate_choice=False)
    availability_note = StringField(_l("可服务时间说明（选填）"), description=_l("如：周末、晚上"))
    joined_on = DateField(_l("加入日期"), validators=[Optional()])
    left_on = DateField(_l("离队日期（选填）"), validators=[Optional()],
                        description=_l("填写后成员自该日起不再在队"))


class TrainingForm(FlaskForm):
    title = StringField(_l("培训名称"))
    held_on = DateField(_l("培训日期"), validators=[Optional()])
    hours = DecimalField(_l("时长（小时）"), places=1, validators=[Optional()],
                         render_kw={"inputmode": "decimal"})
    provider = StringField(_l("培训单位（选填）"), description=_l("如：市妇联、某社会工作服务中心"))


class ServiceForm(FlaskForm):
    kind = SelectField(_l("服务类别"), choices=_blank_and(ServiceKind), validate_choice=False)
    occurred_on = DateField(_l("服务日期"), validators=[Optional()])
    #: Choices are the members serving the worker's unit; checked again by the service.
    members = CheckboxesField(_l("提供服务的队伍成员"), coerce=int, validate_choice=False)
    #: Choices are the worker's children; checked again by the service.
    children = CheckboxesField(_l("服务的孩子（选填）"), coerce=int, validate_choice=False)
    description = TextAreaField(_l("服务内容"), render_kw={"rows": 4},
                                description=_l("仅有服务登记权限的人可见，查看会被记录。"))
    outcome = TextAreaField(_l("服务成效（选填）"), render_kw={"rows": 3})
    follow_up_on = DateField(_l("跟进日期（选填）"), validators=[Optional()])


class NominationForm(FlaskForm):
    category = SelectField(_l("表彰类别"), choices=_blank_and(CommendationCategory),
                           validate_choice=False)
    employee_number = StringField(_l("职工工号（监护职责模范）"))
    #: Checked by the service against the members of the actor's scope.
    member = SelectField(_l("队伍成员（优秀志愿者）"), coerce=_optional_int, validate_choice=False)
    #: Checked by the service against the units of the actor's scope.
    unit = SelectField(_l("单位（先进集体）"), coerce=_optional_int, validate_choice=False)
    collective_name = StringField(_l("集体名称（选填）"),
                                  description=_l("表彰单位内的一支队伍时填写，如：青年志愿服务队；不填即表彰该单位"))
    awarding_body = StringField(_l("授予单位"), description=_l("如：集团工会、市妇联"))
    nominated_on = DateField(_l("推荐日期"), validators=[Optional()])
    reason = TextAreaField(_l("推荐理由"), render_kw={"rows": 4},
                           description=_l("授予后写入职工诚信档案，职工本人可以看到"))


#: The decision form's outcomes.
OUTCOME_CHOICES = choices([("", _l("请选择")), (AWARD, _l("授予")),
                           (NOT_AWARD, _l("未获评"))])


class DecisionForm(FlaskForm):
    outcome = SelectField(_l("评定结果"), choices=OUTCOME_CHOICES, validate_choice=False)
    awarded_on = DateField(_l("授予日期"), validators=[Optional()])
    note = TextAreaField(_l("说明（未获评时必填）"), render_kw={"rows": 2})


#: The commendations list's filters.
CATEGORY_FILTERS = {member.value: member.label for member in CommendationCategory}
STATUS_FILTERS = {member.value: member.label for member in CommendationStatus}
