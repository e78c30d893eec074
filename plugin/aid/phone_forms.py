"""The worker's hardship-aid forms on a phone (``/w/aid/``): the application (the officers' form
in the worker's words, without the review date only officers set) and withdrawing one.

The forms only read what was typed: the amount in yuan into integer fen, the last month of
monthly aid (``2027-06`` or ``2027年6月``), the files chosen. Everything else is checked by
:mod:`plugin.aid.services`, whose errors come back to the field they name.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import BooleanField, RadioField, StringField, TextAreaField
from wtforms.validators import Length

from ..core.forms import CheckboxesField, MonthField
from ..core.money import YuanField
from ..core.uploads import EVIDENCE
from .forms import AidApplicationForm, enum_choices
from .models import AidReason, HelpKind, PaymentMethod


class PhoneApplicationForm(AidApplicationForm):
    """The officers' application form, with radio buttons (a phone's select is hard to use)
    and the worker's words."""

    reason = RadioField(_l("遇到了什么困难"), choices=enum_choices(AidReason),
                        validate_choice=False)
    circumstances = TextAreaField(_l("请说说家里的情况"),
                                  render_kw={"rows": 5, "maxlength": 2000,
                                             "placeholder": _l("如：孩子生病住院，需要多少钱，"
                                                               "家里还有什么困难")})
    help_kind = RadioField(_l("需要哪种帮助"), choices=enum_choices(HelpKind),
                           default=HelpKind.CASH.value, validate_choice=False)
    amount = YuanField(_l("需要多少钱（元）"),
                       description=_l("按月领取时填每个月的金额"),
                       render_kw={"inputmode": "decimal", "autocomplete": "off",
                                  "placeholder": _l("例如 2000")})
    in_kind_description = StringField(_l("需要什么东西（实物帮助时填写）"),
                                      validators=[Length(max=300)],
                                      render_kw={"maxlength": 300,
                                                 "placeholder": _l("如：冬衣、学习用品")})
    monthly = BooleanField(_l("每月领取（长期困难）"))
    recurring_until = MonthField(_l("每月领取到哪个月"),
                                 render_kw={"placeholder": _l("例如 2027-06")})
    #: Officers set a review date; the family says until when.
    review_on = None
    payment_method = RadioField(_l("怎么领钱"), choices=enum_choices(PaymentMethod),
                                validate_choice=False)
    account_holder = StringField(_l("收款人姓名"), render_kw={"maxlength": 100})
    bank_name = StringField(_l("开户银行（银行转账时填写）"),
                            render_kw={"maxlength": 100, "placeholder": _l("如：农业银行南充支行")})
    account_number = StringField(_l("收款账号（银行卡号、微信号或支付宝账号）"),
                                 render_kw={"maxlength": 64, "autocomplete": "off",
                                            "inputmode": "text"})
    children = CheckboxesField(_l("为哪个孩子申请"), coerce=int, validate_choice=False)
    evidence = MultipleFileField(_l("证明材料（拍照或 PDF）"),
                                 render_kw={"accept": EVIDENCE.accept},
                                 description=_l("诊断书、缴费单、受灾照片等，可以选多张"))


class WithdrawForm(FlaskForm):
    """The worker withdraws their own application (before it is paid)."""

    reason = TextAreaField(_l("撤回的原因"), validators=[Length(max=300)],
                           render_kw={"rows": 2, "maxlength": 300,
                                      "placeholder": _l("如：困难已经解决")})
