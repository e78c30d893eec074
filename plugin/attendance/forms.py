from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField, TimeField
from wtforms.validators import DataRequired, Length, Optional


class ManualEntryForm(FlaskForm):
    """Check in one worker the officer found by name or employee number."""

    worker_id = HiddenField(validators=[DataRequired()])


class PaperSheetForm(FlaskForm):
    default_time = TimeField(_l("统一签到时间"), validators=[Optional()],
                             description=_l("行内没有写时间的，按这个时间登记"))
    lines = TextAreaField(_l("签到表上的工号"), validators=[DataRequired(), Length(max=20_000)],
                          render_kw={"rows": 8, "placeholder": "E1001 19:05\nE1002"},
                          description=_l("每行一个工号，可在后面写签到时间（如 19:05）"))


class AnnulForm(FlaskForm):
    reason = StringField(_l("作废原因"), validators=[DataRequired(), Length(max=300)])
