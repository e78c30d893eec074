"""Forms of the reports pages (field names match the services' ``field`` names)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Optional

from ..core.forms import choices
from .periods import PeriodKind


class NewReportForm(FlaskForm):
    template = SelectField(_l("报表模板"), coerce=int, validators=[InputRequired()])
    unit = SelectField(_l("报告单位（含下级）"), coerce=int, validators=[InputRequired()])
    period_kind = SelectField(_l("报告期"), choices=choices((kind.value, kind.label)
                                                           for kind in PeriodKind))
    year = IntegerField(_l("年份"), validators=[Optional()])
    number = IntegerField(_l("第几期（月、季、半年）"), validators=[Optional()])
    start = DateField(_l("起始日期"), validators=[Optional()])
    end = DateField(_l("截止日期"), validators=[Optional()])


class TemplateForm(FlaskForm):
    name = StringField(_l("模板名称"), validators=[InputRequired()])
    schedule = SelectField(_l("定期生成草稿"), choices=choices([("", _l("不定期生成"))] + [
        (kind.value, kind.label) for kind in PeriodKind if kind is not PeriodKind.CUSTOM]))
    unit = SelectField(_l("报告单位（含下级）"), coerce=int)


class FileForm(FlaskForm):
    reason = TextAreaField(_l("更正原因"), validators=[Optional()])


class ConfirmForm(FlaskForm):
    note = TextAreaField(_l("说明（可不填）"), validators=[Optional()])
