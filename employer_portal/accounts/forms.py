from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import BooleanField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from plugin.access.roles import Role
from plugin.core.forms import choices


class LoginForm(FlaskForm):
    username = StringField(_l("用户名"), validators=[DataRequired(), Length(max=64)],
                           render_kw={"autocomplete": "username", "autofocus": True})
    password = PasswordField(_l("密码"), validators=[DataRequired(), Length(max=200)],
                             render_kw={"autocomplete": "current-password"})


class PasswordFields:
    password = PasswordField(_l("密码"), validators=[DataRequired(), Length(max=200)],
                             render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("确认密码"), validators=[
        DataRequired(), EqualTo("password", message=_l("两次输入的密码不一致"))],
        render_kw={"autocomplete": "new-password"})


def role_choices():
    """The roles, after an empty first choice: nobody is given a role by leaving the default."""
    return choices([("", _l("请选择角色")), *((role.value, role.label) for role in Role)])


def role_descriptions() -> Markup:
    """One line per role, shown under the role select."""
    return Markup('<ul class="mb-0 ps-3" id="role-descriptions">{}</ul>').format(Markup("").join(
        Markup('<li data-role="{}"><strong>{}</strong>：{}</li>').format(
            role.value, escape(role.label), escape(role.description)) for role in Role))


class GrantForm(FlaskForm):
    role = SelectField(_l("角色"), default="",
                       validators=[DataRequired(message=_l("请选择要授予的角色"))])
    unit = SelectField(_l("授权范围（单位及其下级）"), coerce=int, validators=[DataRequired()])

    def set_units(self, units, labels) -> None:
        self.role.choices = role_choices()
        self.role.description = role_descriptions()
        self.unit.choices = choices((unit.id,
                                     "　" * unit.depth + unit.name + f"（{labels[unit.kind]}）")
                                    for unit in units)


def employee_number_field():
    """The account's employee number (工号): optional, checked and cleaned by the service."""
    return StringField(_l("工号"), validators=[Optional(), Length(max=100)],
                       description=_l("本人也在职工花名册上时填写，与花名册上的工号一致；"
                                      "困难帮扶审批据此回避：不能审批本人的申请"))


class NewUserForm(GrantForm, PasswordFields):
    username = StringField(_l("用户名"), validators=[DataRequired(), Length(min=3, max=64)])
    display_name = StringField(_l("姓名"), validators=[DataRequired(), Length(max=100)])
    employee_number = employee_number_field()

    field_order = ("username", "display_name", "employee_number", "password", "confirm", "role",
                   "unit")

    def __iter__(self):
        return iter([self[name] for name in ("csrf_token", *self.field_order) if name in self])


class EditUserForm(FlaskForm):
    display_name = StringField(_l("姓名"), validators=[DataRequired(), Length(max=100)])
    employee_number = employee_number_field()
    active = BooleanField(_l("启用"))


class SetPasswordForm(FlaskForm, PasswordFields):
    pass
