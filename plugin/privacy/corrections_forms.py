"""Forms of correction requests: the worker's (phone) and the officer's answers. They render
inputs and carry the CSRF token; the rules (required, lengths) are :mod:`.corrections`'."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField

from .corrections import ANSWER_MAX, RECORD_MAX, TEXT_MAX


class CorrectionForm(FlaskForm):
    record = StringField(_l("哪一项信息"), render_kw={"maxlength": RECORD_MAX},
                         description=_l("例如：大女儿的学校、我的手机号码"))
    wrong = TextAreaField(_l("现在登记的哪里不对"), render_kw={"rows": 3, "maxlength": TEXT_MAX})
    right = TextAreaField(_l("正确的应该是"), render_kw={"rows": 3, "maxlength": TEXT_MAX})


class MadeForm(FlaskForm):
    changed = TextAreaField(_l("更正了什么"), render_kw={"rows": 3, "maxlength": ANSWER_MAX},
                            description=_l("请先在职工或儿童的页面上改好，再在这里说明改了什么；"
                                           "职工会在手机上看到这段话"))


class RefuseForm(FlaskForm):
    reason = TextAreaField(_l("不予更正的原因"), render_kw={"rows": 3, "maxlength": ANSWER_MAX},
                           description=_l("职工会在手机上看到这个原因"))
