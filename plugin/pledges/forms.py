"""Forms of the pledge pages. They render inputs and carry the CSRF token; the rules are checked
by :mod:`plugin.pledges.services`."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length

from ..core.forms import CheckboxesField, choices
from ..core.uploads import SCAN
from .models import BatchStatus
from .rules import PledgeStatus

BATCH_STATUS_LABELS = {
    BatchStatus.QUEUED: _l("排队中"),
    BatchStatus.RUNNING: _l("生成中"),
    BatchStatus.DONE: _l("已完成"),
    BatchStatus.FAILED: _l("失败"),
}
FILTER_STATUSES = [(status.value, status.label) for status in PledgeStatus]



def child_choices(children, *, with_birth_date: bool = True):
    return choices((child.id, f"{child.name}（{child.birth_date.isoformat()}）"
                    if with_birth_date and child.birth_date else child.name) for child in children)


class PaperPledgeForm(FlaskForm):
    children = CheckboxesField(_l("承诺书涵盖的子女"), coerce=int)
    template_id = SelectField(_l("纸面上的文本版本"), coerce=int)
    signed_on = DateField(_l("签署日期"), validators=[DataRequired(message=_l("请填写签署日期"))])
    witness = StringField(_l("见证人"),
                          validators=[DataRequired(message=_l("请填写见证人")), Length(max=100)],
                          description=_l("在场见证签字的人力资源专员"))
    scan = FileField(_l("签字页扫描件"),
                     validators=[FileRequired(message=_l("请上传签字页的扫描件或照片"))],
                     render_kw={"accept": SCAN.accept})


class PhonePledgeForm(FlaskForm):
    #: The version shown on the page; signing is refused if the text changed in the meantime.
    template_id = HiddenField()
    children = CheckboxesField(_l("这份承诺书涵盖的子女"), coerce=int)
    signature = HiddenField(_l("您的签名"))
    agree = BooleanField(_l("我已认真阅读，自愿作出以上承诺"),
                         validators=[DataRequired(message=_l("请先勾选同意"))])


class RevokeForm(FlaskForm):
    reason = TextAreaField(_l("撤销原因"), validators=[DataRequired(message=_l("请填写撤销原因")),
                                                     Length(max=300)])


class TemplateForm(FlaskForm):
    title_zh = StringField(_l("标题（中文）"), validators=[DataRequired(), Length(max=200)])
    body_zh = TextAreaField(_l("正文（中文，签署的文本）"), validators=[DataRequired()],
                            render_kw={"rows": 14},
                            description=_l("每行一段。保存后成为新版本，已签署的承诺书仍保留签署时的文本。"))
    title_en = StringField(_l("标题（英文译文）"), validators=[DataRequired(), Length(max=200)])
    body_en = TextAreaField(_l("正文（英文译文）"), validators=[DataRequired()],
                            render_kw={"rows": 14})


class BatchForm(FlaskForm):
    #: Checked against the user's permissions by the view (403), not against the choices.
    unit = SelectField(_l("项目部/厂区"), coerce=int, validate_choice=False,
                       validators=[DataRequired()])
    scope = RadioField(_l("包含"), default="valid", choices=choices([
        ("valid", _l("今天有效的承诺书")), ("all", _l("全部承诺书（含已过期、已撤销）"))]))
