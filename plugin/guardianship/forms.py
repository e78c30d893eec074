"""Forms of guardianship pages. They parse types only; the rules are in the services."""
from __future__ import annotations

from collections.abc import Callable

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..core.forms import ID_NUMBER_INPUT, TEL_INPUT, choices
from ..core.uploads import SCAN, megabytes
from .labels import INTEGRITY_LABELS
from .models import AgreementSigning, ContactKind, ContactParty, IntegrityKind
from .services import MAX_SCAN_BYTES, AgreementDraft
from .texts import CURRENT_DECLARATION_VERSION, DECLARATIONS, DEFAULT_DUTIES


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class AgreementForm(FlaskForm):
    children = MultiCheckboxField(_l("委托照护的子女"), coerce=int, validate_choice=False)
    other_parent = SelectField(_l("另一方家长（本单位职工）"), validate_choice=False,
                               description=_l("另一方家长也是本单位职工时选择；否则在下面填写姓名。"))
    other_parent_name = StringField(_l("另一方家长姓名（非本单位职工）"),
                                    validators=[Optional(), Length(max=100)])
    carer_name = StringField(_l("受托人姓名"), validators=[Length(max=100)])
    carer_relation = StringField(_l("受托人与儿童的关系"), validators=[Length(max=32)],
                                 description=_l("例如：祖母、外祖父、姑姑"))
    carer_phone = StringField(_l("受托人联系电话"), validators=[Length(max=30)],
                              render_kw=TEL_INPUT)
    carer_id_number = StringField(_l("受托人身份证号码（选填）"), validators=[Length(max=30)],
                                  render_kw=ID_NUMBER_INPUT,
                                  description=_l("填写后核对受托人已满 18 周岁；"
                                                 "页面上只显示部分号码。"))
    carer_birth_date = DateField(_l("受托人出生日期（选填）"), validators=[Optional()])
    carer_address = StringField(_l("受托人住址"), validators=[Length(max=200)])
    carer_capable_adult = BooleanField(_l("家长确认：受托人是具有照护能力的完全民事行为能力人"
                                          "（已满 18 周岁）"))
    no_bars_declared = BooleanField(DECLARATIONS[CURRENT_DECLARATION_VERSION])
    duties = TextAreaField(_l("受托人的照护职责"), default=DEFAULT_DUTIES, render_kw={"rows": 5})
    child_contacts_per_week = IntegerField(_l("家长每周与孩子联系次数"), default=1,
                                           validators=[Optional(), NumberRange(min=0, max=99)])
    carer_contacts_per_week = IntegerField(_l("家长每周与受托人联系次数"), default=1,
                                           validators=[Optional(), NumberRange(min=0, max=99)])
    starts_on = DateField(_l("委托起始日期"), validators=[Optional()])
    ends_on = DateField(_l("委托截止日期"), validators=[Optional()])
    method = RadioField(_l("签署方式"), default=AgreementSigning.PAPER.value, choices=choices(
        (method.value, method.label) for method in AgreementSigning))
    witness = StringField(_l("见证人（人力资源专员）"), validators=[Length(max=100)],
                          description=_l("纸质签署时填写"))
    signed_on = DateField(_l("签署日期"), validators=[Optional()], description=_l("纸质签署时填写"))
    scan = FileField(_l("签字页扫描件或照片"), render_kw={"accept": SCAN.accept},
                     description=_l("纸质签署时上传：%(types)s，最大 %(megabytes)s MB",
                                    types=SCAN.types_label, megabytes=megabytes(MAX_SCAN_BYTES)))


    def draft(self) -> AgreementDraft:
        other = self.other_parent.data or ""
        return AgreementDraft(
            child_ids=self.children.data or [],
            other_parent_worker_id=int(other) if other.isdigit() else None,
            method=AgreementSigning(self.method.data),
            # One byte more than allowed is enough to refuse a scan too big, without reading it all.
            scan=self.scan.data.read(MAX_SCAN_BYTES + 1) if self.scan.data else None,
            scan_declared_type=self.scan.data.mimetype if self.scan.data else None,
            scan_filename=self.scan.data.filename if self.scan.data else None,
            **{name: self[name].data for name in DRAFT_FIELDS})


#: Fields of :class:`AgreementForm` passed to the service as they are.
DRAFT_FIELDS = ("other_parent_name", "carer_name", "carer_relation", "carer_phone",
                "carer_id_number", "carer_birth_date", "carer_address", "carer_capable_adult",
                "no_bars_declared", "duties", "child_contacts_per_week", "carer_contacts_per_week",
                "starts_on", "ends_on", "witness", "signed_on")


def carer_source(children):
    """The child whose recorded carer pre-fills a new agreement (the first left-behind one)."""
    chosen = [child for child in children if child.left_behind] or children
    return chosen[0] if chosen else None


def agreement_form(worker, children, today, *, submitted: bool,
                   sees: Callable[[object], bool]) -> AgreementForm:
    """The form for a new agreement of ``worker``: their children to choose from, the children's
    other parents who are workers here (named only when ``sees(other)``: a parent outside the
    user's scope is offered without name or number), and (before submission) sensible defaults.
    The pre-filled carer is read from :func:`carer_source`'s child: the view audits that read."""
    defaults = None
    if not submitted:
        chosen = [child for child in children if child.left_behind] or children
        first = carer_source(children)
        defaults = {"children": [child.id for child in chosen], "starts_on": today,
                    "signed_on": today, "carer_name": first.carer_name if first else None,
                    "carer_relation": first.carer_relation if first else None,
                    "carer_phone": first.carer_phone if first else None}
    form = AgreementForm(data=defaults)
    form.children.choices = choices((child.id, child.name) for child in children)
    others = {link.worker_id: link.worker for child in children for link in child.parent_links
              if link.worker_id != worker.id}
    form.other_parent.choices = choices([("", "—")] + [
        (str(other.id), f"{other.name}（{other.employee_number}）" if sees(other)
         else _l("另一方家长（其他单位的职工）")) for other in others.values()])
    return form


class CloseAgreementForm(FlaskForm):
    reason = TextAreaField(_l("原因"), validators=[DataRequired(), Length(max=300)],
                           render_kw={"rows": 2})


class ContactForm(FlaskForm):
    """One contact; ``who`` is ``child-<id>`` or ``carer-<id>`` (the carer of that child)."""

    who = SelectField(_l("联系了谁"), validate_choice=False)
    kind = RadioField(_l("联系方式"), default="call", choices=choices(
        (kind.value, kind.label) for kind in ContactKind))
    contact_on = DateField(_l("日期"), validators=[DataRequired()])
    note = TextAreaField(_l("备注（选填）"), validators=[Optional(), Length(max=500)],
                         render_kw={"rows": 2})

    def party_and_child(self) -> tuple[str | None, int | None]:
        party, _, child_id = (self.who.data or "").partition("-")
        return party or None, int(child_id) if child_id.isdigit() else None


def who_choices(children, carers: dict[int, str]) -> list:
    """Options of :class:`ContactForm`'s ``who``: each child, then each child's carer."""
    options = [(f"{ContactParty.CHILD.value}-{child.id}",
                f"{ContactParty.CHILD.label}：{child.name}") for child in children]
    options += [(f"{ContactParty.CARER.value}-{child.id}",
                 f"{ContactParty.CARER.label}：{carers[child.id]}（{child.name}）")
                for child in children if carers.get(child.id)]
    return choices(options)


class IntegrityForm(FlaskForm):
    kind = SelectField(_l("类别"), choices=choices([
        (kind.value, INTEGRITY_LABELS[kind])
        for kind in (IntegrityKind.COMMENDATION, IntegrityKind.ADMONITION)]))
    occurred_on = DateField(_l("日期"), validators=[DataRequired()])
    reason = TextAreaField(_l("原因"), validators=[DataRequired(), Length(max=1000)],
                           render_kw={"rows": 3})


class SignForm(FlaskForm):
    signature = HiddenField(_l("您的签名"))
    confirmed = BooleanField(_l("我已阅读以上协议内容，同意签署"))
