"""Forms of the campaign pages and the phone's checklist. They render inputs and carry the CSRF
token; the rules are checked by :mod:`.campaigns` (and the lectures feature's services for the
lecture), whose errors name these fields."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    DateTimeLocalField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Length, Optional

from ..core.forms import CheckboxesField, choices
from ..lectures.labels import FORMAT_LABELS, TOPIC_LABELS
from .models import HOLIDAY_KIND_LABELS, TRAVEL_PLAN_LABELS

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def _options(labels: dict, *, blank=None):
    pairs = [(member.value, label) for member, label in labels.items()]
    return choices([("", blank), *pairs] if blank is not None else pairs)


class LectureForm(FlaskForm):
    """The campaign's lecture, pre-filled from the campaign (the site is the campaign's)."""

    title = StringField(_l("宣讲标题"), validators=[Length(max=200)])
    format = SelectField(_l("宣讲形式"), choices=_options(FORMAT_LABELS, blank="—"),
                         validate_choice=False)
    topics = CheckboxesField(_l("宣讲主题"), choices=_options(TOPIC_LABELS),
                             validate_choice=False)
    venue = StringField(_l("地点"), validators=[Length(max=200)])
    starts_at = DateTimeLocalField(_l("开始时间"), format=DATETIME_FORMAT, validators=[Optional()])
    ends_at = DateTimeLocalField(_l("结束时间"), format=DATETIME_FORMAT, validators=[Optional()])
    description = TextAreaField(_l("内容简介"), validators=[Optional(), Length(max=5000)])


class DatesForm(FlaskForm):
    kind = SelectField(_l("假期"), choices=_options(HOLIDAY_KIND_LABELS, blank="—"),
                       validate_choice=False)
    year = IntegerField(_l("年份"), validators=[Optional()])
    starts_on = DateField(_l("假期第一天"), validators=[Optional()])


class ChecklistForm(FlaskForm):
    """The worker's checklist on the phone (radio buttons: a phone's select is hard to use)."""

    carer = TextAreaField(_l("假期里谁照看孩子？"),
                          render_kw={"rows": 2, "maxlength": 200,
                                     "placeholder": _l("如：爷爷奶奶在老家照看；大女儿跟外婆住")})
    swimming_rules_explained = RadioField(
        _l("您是否已经给孩子讲过防溺水“六不”？"),
        choices=choices([("yes", _l("讲过了")), ("no", _l("还没有"))]), validate_choice=False,
        description=_l("不私自下水游泳；不擅自与他人结伴游泳；不在无家长或教师带领的情况下游泳；"
                       "不到无安全设施、无救援人员的水域游泳；不到不熟悉的水域游泳；不熟悉水性的"
                       "学生不擅自下水施救。"))
    travel_plan = RadioField(_l("假期怎么安排？"), choices=_options(TRAVEL_PLAN_LABELS),
                             validate_choice=False)
    travel_note = TextAreaField(_l("出行说明（选填）"),
                                render_kw={"rows": 2, "maxlength": 300,
                                           "placeholder": _l("如：1月20日坐火车回家；孩子7月10日"
                                                             "跟外婆来工地")})
