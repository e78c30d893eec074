from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.validators import Length, Optional


class AuditFilterForm(FlaskForm):
    """Search form for the audit log (GET, so no CSRF token)."""

    class Meta:
        csrf = False

    action = SelectField(_l("操作"), validators=[Optional()], choices=[])
    actor = StringField(_l("操作人"), validators=[Optional(), Length(max=200)])
    target_type = SelectField(_l("对象类型"), validators=[Optional()], choices=[])
    target_id = StringField(_l("对象编号"), validators=[Optional(), Length(max=64)])
    since = DateField(_l("起始日期"), validators=[Optional()])
    until = DateField(_l("截止日期"), validators=[Optional()])
