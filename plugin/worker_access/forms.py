from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length


class WorkerSignInForm(FlaskForm):
    employee_number = StringField(_l("工号"), validators=[DataRequired(), Length(max=64)],
                                  render_kw={"autocomplete": "username", "autocapitalize": "off"})
    last_digits = StringField(_l("手机号或身份证号后 4 位"), validators=[DataRequired(), Length(max=8)],
                              render_kw={"autocomplete": "off", "maxlength": 4, "size": 6})
