"""Forms of the lecture pages. They render inputs and carry the CSRF token; the rules are checked
by :mod:`.services`, whose errors name these fields."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional

from ..core.forms import TEL_INPUT, CheckboxesField, choices
from .labels import FORMAT_LABELS, LECTURER_KIND_LABELS, STATUS_LABELS, TOPIC_LABELS

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def _options(labels: dict, *, blank=None):
    """Choices from an enum → label table, optionally after an empty choice."""
    pairs = [(member.value, label) for member, label in labels.items()]
    return choices([("", blank), *pairs] if blank is not None else pairs)


def _optional_int(value):
    return int(value) if value not in (None, "") else None



class SessionForm(FlaskForm):
    title = StringField(_l("宣讲标题"), validators=[Length(max=200)])
    format = SelectField(_l("宣讲形式"), choices=_options(FORMAT_LABELS, blank="—"),
                         validate_choice=False)
    topics = CheckboxesField(_l("宣讲主题"), choices=_options(TOPIC_LABELS), validate_choice=False)
    unit = SelectField(_l("举办单位（面向该单位及下级单位的职工）"), coerce=_optional_int,
                       validate_choice=False)
    venue = StringField(_l("地点"), validators=[Length(max=200)])
    starts_at = DateTimeLocalField(_l("开始时间"), format=DATETIME_FORMAT, validators=[Optional()])
    ends_at = DateTimeLocalField(_l("结束时间"), format=DATETIME_FORMAT, validators=[Optional()])
    check_in_opens_minutes = IntegerField(_l("签到提前开放（分钟）"), default=30,
                                          validators=[InputRequired()])
    check_in_closes_minutes = IntegerField(_l("结束后签到截止（分钟）"), default=30,
                                           validators=[InputRequired()])
    lecturers = CheckboxesField(_l("宣讲员"), coerce=int, validate_choice=False,
                                description=_l("可选多人"))
    brochures_handed_out = IntegerField(_l("发放宣传册（份）"), default=0,
                                        validators=[InputRequired()])
    description = TextAreaField(_l("内容简介"), validators=[Optional(), Length(max=5000)])


class EditSessionForm(SessionForm):
    """Times change by rescheduling only (with a reason and a notice)."""

    starts_at = None
    ends_at = None


class CancelForm(FlaskForm):
    reason = TextAreaField(_l("取消原因"), validators=[Length(max=300)])


class RescheduleForm(FlaskForm):
    starts_at = DateTimeLocalField(_l("新的开始时间"), format=DATETIME_FORMAT,
                                   validators=[Optional()])
    ends_at = DateTimeLocalField(_l("新的结束时间"), format=DATETIME_FORMAT,
                                 validators=[Optional()])
    reason = TextAreaField(_l("改期原因"), validators=[Length(max=300)])


class LecturerForm(FlaskForm):
    name = StringField(_l("姓名"), validators=[Length(max=100)])
    kind = SelectField(_l("类别"), choices=_options(LECTURER_KIND_LABELS, blank="—"),
                       validate_choice=False)
    unit = SelectField(_l("所属单位（为该单位及下级单位宣讲）"), coerce=_optional_int,
                       validate_choice=False)
    affiliation = StringField(_l("工作单位或部门"), validators=[Length(max=200)])
    phone = StringField(_l("联系电话"), validators=[Length(max=20)], render_kw=TEL_INPUT)
    active = BooleanField(_l("在宣讲团中（取消勾选即停用）"), default=True)


class NewLecturerForm(LecturerForm):
    """A new team member is active."""

    active = None


class SessionFilterForm(FlaskForm):
    """Filters of the session list (GET, no CSRF token)."""

    class Meta:
        csrf = False

    unit = SelectField(_l("单位"), validators=[Optional()], coerce=_optional_int,
                       validate_choice=False)
    start = DateField(_l("起始日期"), validators=[Optional()])
    end = DateField(_l("截止日期"), validators=[Optional()])
    status = SelectField(_l("状态"), validators=[Optional()], validate_choice=False,
                         choices=_options(STATUS_LABELS, blank=_l("全部")))


class StatisticsFilterForm(FlaskForm):
    class Meta:
        csrf = False

    unit = SelectField(_l("单位"), validators=[Optional()], coerce=_optional_int,
                       validate_choice=False)
    start = DateField(_l("起始日期"), validators=[Optional()])
    end = DateField(_l("截止日期"), validators=[Optional()])
