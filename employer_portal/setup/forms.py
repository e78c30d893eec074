from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from ..accounts.forms import PasswordFields


class SetupForm(FlaskForm, PasswordFields):
    company_name = StringField(_l("公司名称"), validators=[DataRequired(), Length(max=200)],
                               description=_l("例如：某某建设集团有限公司"))
    username = StringField(_l("管理员用户名"), validators=[DataRequired(), Length(min=3, max=64)])
    display_name = StringField(_l("管理员姓名"), validators=[DataRequired(), Length(max=100)])

    def __iter__(self):
        order = ("csrf_token", "company_name", "username", "display_name", "password", "confirm")
        return iter([self[name] for name in order])
