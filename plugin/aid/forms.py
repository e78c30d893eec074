"""Forms of the officers' hardship-aid pages. They render inputs, carry the CSRF token and turn
text into values (yuan into integer fen, a typed month into a date); the rules are checked by
:mod:`plugin.aid.services`, whose errors come back to the field they name."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Length, Optional

from ..core.forms import CheckboxesField, MonthField, choices
from ..core.money import YuanField
from ..core.uploads import EVIDENCE
from ..privacy.masking import MASK
from .models import AidReason, DecisionOutcome, HelpKind, PaymentMethod
from .services import ApplicationInput

#: Labels of :attr:`AidApplication.priority_reasons` codes (:func:`.rules.priority_of`).
PRIORITY_REASON_LABELS = {
    "difficulty": _l("有困境儿童"),
    "unsupported": _l("有事实无人抚养儿童"),
    "risk": _l("有未结的风险报告"),
    "three_areas": _l("三区三州户籍"),
}
BAND_LABELS = {1: _l("第一优先"), 2: _l("第二优先"), 3: _l("一般")}

def mask_account(number: str | None) -> str:
    """An account number as pages show it: its last four characters."""
    if not number:
        return ""
    return MASK * 4 + " " + number[-4:] if len(number) > 4 else MASK * len(number)


def enum_choices(enum, *, blank: bool = False):
    pairs = [(member.value, member.label) for member in enum]
    return choices(([("", "—")] if blank else []) + pairs)


def enum_value(value, enum):
    return enum(value) if value in {member.value for member in enum} else None


class AidApplicationForm(FlaskForm):
    """An application for a worker's family. The children's choices are the worker's children
    from the registry (set by the view); the service checks they are theirs."""

    reason = SelectField(_l("困难原因"), choices=enum_choices(AidReason, blank=True))
    circumstances = TextAreaField(_l("家庭困难情况"), render_kw={"rows": 5, "maxlength": 2000})
    help_kind = RadioField(_l("救助方式"), choices=enum_choices(HelpKind),
                           default=HelpKind.CASH.value, validate_choice=False)
    amount = YuanField(_l("申请金额（元）"),
                       description=_l("按月发放时填写每月金额；实物帮扶可填写物品价值"),
                       render_kw={"inputmode": "decimal", "autocomplete": "off"})
    in_kind_description = StringField(_l("需要的实物帮助"), validators=[Length(max=300)],
                                      render_kw={"maxlength": 300})
    monthly = BooleanField(_l("按月发放（长期困难）"))
    recurring_until = MonthField(_l("按月发放到（月份）"),
                                 render_kw={"placeholder": "2027-06"})
    review_on = DateField(_l("复核日期（选填）"), validators=[Optional()])
    payment_method = SelectField(_l("领取方式"), choices=enum_choices(PaymentMethod, blank=True))
    account_holder = StringField(_l("收款人姓名"), render_kw={"maxlength": 100})
    bank_name = StringField(_l("开户行（银行转账时填写）"), render_kw={"maxlength": 100})
    account_number = StringField(_l("收款账号"),
                                 render_kw={"maxlength": 64, "autocomplete": "off"})
    children = CheckboxesField(_l("为哪些子女申请"), coerce=int, validate_choice=False)
    evidence = MultipleFileField(_l("证明材料（诊断书、缴费单、受灾照片等）"),
                                 render_kw={"accept": EVIDENCE.accept},
                                 description=_l("PDF、JPG 或 PNG，可选多个文件"))

    def application_input(self, *, max_bytes: int,
                          account_number: str | None = None) -> ApplicationInput:
        """What was typed, for the service; evidence read up to ``max_bytes + 1`` bytes each
        (the service refuses a file larger than that). ``account_number``: the number kept
        when the field was left empty (a resubmission)."""
        review = getattr(self, "review_on", None)
        return ApplicationInput(
            reason=enum_value(self.reason.data, AidReason),
            circumstances=self.circumstances.data,
            help_kind=enum_value(self.help_kind.data, HelpKind) or HelpKind.CASH,
            amount_fen=self.amount.data, in_kind_description=self.in_kind_description.data,
            monthly=bool(self.monthly.data), recurring_until=self.recurring_until.data,
            review_on=review.data if review is not None else None,
            payment_method=enum_value(self.payment_method.data, PaymentMethod),
            account_holder=self.account_holder.data, bank_name=self.bank_name.data,
            account_number=(self.account_number.data or "").strip() or account_number,
            child_ids=list(self.children.data or ()),
            evidence=uploaded_files(self.evidence.data, max_bytes))


def uploaded_files(storages, max_bytes: int) -> list[tuple[str | None, str | None, bytes]]:
    """(name, declared type, bytes) of each file chosen; an input left empty sends a part with
    no name and no bytes, which is not a file."""
    files = []
    for storage in storages or ():
        if storage is None or isinstance(storage, str):
            continue
        content = storage.stream.read(max_bytes + 1)
        if not storage.filename and not content:
            continue
        files.append((storage.filename, storage.mimetype, content))
    return files


def application_defaults(application, child_ids) -> dict:
    """The form filled in from an application that was sent back (the account number is not:
    left empty, the one on file is kept)."""
    return {"reason": application.reason.value, "circumstances": application.circumstances,
            "help_kind": application.help_kind.value,
            "amount": application.monthly_fen or application.amount_fen or None,
            "in_kind_description": application.in_kind_description,
            "monthly": application.monthly_fen is not None,
            "recurring_until": application.recurring_until, "review_on": application.review_on,
            "payment_method": application.payment_method.value
            if application.payment_method else "",
            "account_holder": application.account_holder, "bank_name": application.bank_name,
            "children": list(child_ids)}


class DecisionForm(FlaskForm):
    """A decision on the step the page showed (``step``): the button pressed is the outcome."""

    step = HiddenField()
    outcome = HiddenField()
    comment = TextAreaField(_l("审批意见"), render_kw={"rows": 3, "maxlength": 500},
                            description=_l("不同意或退回时必须写明原因；意见会显示给申请的家庭"))
    fund = SelectField(_l("从哪个基金发放"), validate_choice=False,
                       description=_l("只列出职工所在单位及上级单位的基金"))

    def fund_id(self) -> int | None:
        text = (self.fund.data or "").strip()
        return int(text) if text.isdigit() and len(text) < 10 else None

    def outcome_value(self) -> DecisionOutcome | None:
        return enum_value(self.outcome.data, DecisionOutcome)

    def step_value(self) -> int | None:
        text = (self.step.data or "").strip()
        return int(text) if text.isdigit() and len(text) < 4 else None


class PayForm(FlaskForm):
    paid_on = DateField(_l("发放日期"), validators=[Optional()])
    reference = StringField(_l("转账流水号或签收人"), render_kw={"maxlength": 100})


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("原因"), validators=[Length(max=300)],
                           render_kw={"rows": 2, "maxlength": 300})


#: Rows for steps in each tier, and blank tiers after the configured ones (no JavaScript adds
#: rows: an empty row is ignored).
STEP_ROWS = 4
BLANK_TIERS = 1


class StepRow(Form):
    role = SelectField(_l("审批角色"), validate_choice=False)
    company_level = BooleanField(_l("公司层面"))
    name = StringField(_l("步骤名称"), render_kw={"maxlength": 50})

    def is_blank(self) -> bool:
        return not (self.role.data or "").strip() and not (self.name.data or "").strip()


class TierRow(Form):
    max_fen = YuanField(_l("金额上限（元）"),
                        description=_l("留空表示不设上限（最后一档）"),
                        render_kw={"inputmode": "decimal", "autocomplete": "off"})
    steps = FieldList(FormField(StepRow), min_entries=STEP_ROWS, max_entries=STEP_ROWS + 4)

    def is_blank(self) -> bool:
        return self.max_fen.data is None and all(entry.form.is_blank()
                                                 for entry in self.steps.entries)


class ChainForm(FlaskForm):
    tiers = FieldList(FormField(TierRow), min_entries=1, max_entries=12)
    #: Never an input: carries the errors about the tiers as a whole.
    chain = HiddenField()

    def set_role_choices(self, pairs) -> None:
        for tier in self.tiers.entries:
            for step in tier.form.steps.entries:
                step.form.role.choices = choices([("", "—"), *pairs])
