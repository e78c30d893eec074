from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, PasswordField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

#: A cheap phone in WeChat's browser: the numeric keypad, no autocorrect, nothing to remember.
_NUMBER = {"autocomplete": "username", "autocapitalize": "off", "autocorrect": "off",
           "spellcheck": "false"}
_DIGITS = {"inputmode": "numeric", "pattern": "[0-9]*", "autocapitalize": "off",
           "autocorrect": "off"}


class WorkerSignInForm(FlaskForm):
    employee_number = StringField(_l("工号"), validators=[DataRequired(), Length(max=64)],
                                  render_kw=_NUMBER)
    pin = PasswordField(_l("个人密码（6 位数字）"), validators=[DataRequired(), Length(max=16)],
                        render_kw={**_DIGITS, "autocomplete": "current-password", "maxlength": 6,
                                   "size": 8})


class WorkerActivationForm(FlaskForm):
    employee_number = StringField(_l("工号"), validators=[DataRequired(), Length(max=64)],
                                  render_kw=_NUMBER)
    code = StringField(_l("激活码或短信验证码"), validators=[DataRequired(), Length(max=16)],
                       render_kw={**_DIGITS, "autocomplete": "one-time-code", "maxlength": 8,
                                  "size": 10})
    pin = PasswordField(_l("设置个人密码（6 位数字）"), validators=[DataRequired(), Length(max=16)],
                        render_kw={**_DIGITS, "autocomplete": "new-password", "maxlength": 6,
                                   "size": 8})
    pin_again = PasswordField(_l("再输入一次个人密码"), validators=[DataRequired(), Length(max=16)],
                              render_kw={**_DIGITS, "autocomplete": "new-password", "maxlength": 6,
                                         "size": 8})


class SendCodeForm(FlaskForm):
    employee_number = StringField(_l("工号"), validators=[DataRequired(), Length(max=64)],
                                  render_kw=_NUMBER)


class RevokePhonesForm(FlaskForm):
    """Revoke one remembered phone (``device_id``) or all of them."""

    device_id = HiddenField(validators=[Optional()])
    clear_pin = BooleanField(_l("同时清除个人密码（职工须凭新的激活码重新登录）"))


class PhoneConsentForm(FlaskForm):
    """A guardian (the worker) consenting on their phone after reading the notice."""

    agree = BooleanField(_l("我已阅读上面的告知书，同意按告知书处理孩子的个人信息"),
                         validators=[DataRequired(message=_l("请先勾选同意"))])


class PhoneWithdrawForm(FlaskForm):
    reason = TextAreaField(_l("撤回原因（可不填）"), validators=[Optional(), Length(max=300)])
