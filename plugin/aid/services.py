"""Hardship-aid applications: applying (from the phone or by a care worker for the family),
the approval chain, payment and the end of a case. Each service checks everything first, then
changes, flushes, audits and notifies; the caller commits.

Money moves only through :mod:`plugin.aid.ledger`. Decisions on one application are taken one at
a time (its row is locked first), so two approvers pressing at once cannot both decide a step;
the decision table's unique keys say the same in the database.
"""
from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from flask import current_app
from sqlalchemy.exc import IntegrityError

from ..access.checks import grants_of
from ..audit.services import record_event
from ..core.clock import local_today, utcnow
from ..core.db import lock_rows, session
from ..core.errors import ErrorList, InputInvalid, ValidationError
from ..core.host import Actor
from ..core.i18n import N_
from ..core.money import MAX_FEN, format_yuan
from ..core.settings import setting
from ..core.text import clean_code, clean_free_text, clean_person_name
from ..core.uploads import EVIDENCE, check_upload
from ..notifications.services import notify
from ..org.queries import get_root_unit
from ..registry.models import Child, Worker
from ..registry.queries import children_of
from ..registry.regions import is_three_areas_three_prefectures
from ..signals import open_concerns_asked
from . import chains, ledger, notices, queries, rules
from .models import (
    CANCELLABLE_STATUSES,
    AidApplication,
    AidFund,
    AidReason,
    ApplicationChild,
    ApplicationStatus,
    ApprovalTier,
    Decision,
    DecisionOutcome,
    Evidence,
    HelpKind,
    Payment,
    PaymentMethod,
)

CIRCUMSTANCES_MAX = 2000
COMMENT_MAX = 500
IN_KIND_MAX = 300
EVIDENCE_FILES_MAX = 10

NEED_CIRCUMSTANCES = N_("请说明家庭困难情况")
NEED_AMOUNT = N_("请填写申请金额（大于 0 元）")
NEED_IN_KIND = N_("请写明需要什么实物帮助")
NEED_METHOD = N_("请选择领取方式")
NEED_ACCOUNT = N_("请填写收款账号和户名")
MONTHLY_NEEDS_END = N_("按月救助请填写截止月份或复核日期")
END_BEFORE_START = N_("截止月份不能早于本月")
CHILD_NOT_THEIRS = N_("所选子女不是该职工登记的子女")
TOO_MANY_FILES = N_("最多上传 %(count)s 个证明材料")
NO_TIER = N_("没有适用于 %(amount)s 元的审批流程，请联系管理员设置审批流程")
NOT_IN_REVIEW = N_("这份申请现在不在审批中（%(status)s）")
STALE_STEP = N_("这一步已经有人处理了，请刷新页面查看最新进度")
NOT_YOUR_STEP = N_("这一步（%(step)s）需要由%(role)s审批，您没有这一权限")
OWN_APPLICATION = N_("不能审批自己的救助申请")
FILED_BY_YOU = N_("这份申请是您代为提交的，不能由您审批")
ALREADY_DECIDED = N_("您已经在这份申请的审批流程中签过意见，同一人不能审批两次")
NEED_COMMENT = N_("不同意或退回时请写明原因")
NEED_FUND = N_("请选择从哪个基金发放")
NOT_SENT_BACK = N_("只有退回补充的申请可以重新提交")
NOT_PAYABLE = N_("这份申请现在不能发放（%(status)s）")
RECURRING_PAID_BY_JOB = N_("按月救助由系统每月自动发放，不能手工登记")
NOT_CANCELLABLE = N_("已发放或已结束的申请不能撤销")
NOT_CLOSABLE = N_("只有按月发放中的救助可以结案")
NEED_REASON = N_("请写明原因")
PAID_ON_FUTURE = N_("发放日期不能晚于今天")

#: Why a decision is refused, by the rule it would break (:func:`rules.conflict_of_interest`).
CONFLICT_MESSAGES = {
    rules.OWN_APPLICATION: OWN_APPLICATION,
    rules.FILED_BY_THEM: FILED_BY_YOU,
    rules.ALREADY_DECIDED: ALREADY_DECIDED,
}

@dataclass
class ApplicationInput:
    """What a family (or a care worker for it) fills in. Amounts in fen."""

    reason: AidReason | None
    circumstances: str | None
    help_kind: HelpKind = HelpKind.CASH
    amount_fen: int | None = None
    in_kind_description: str | None = None
    monthly: bool = False
    recurring_until: date | None = None
    review_on: date | None = None
    payment_method: PaymentMethod | None = None
    account_holder: str | None = None
    bank_name: str | None = None
    account_number: str | None = None
    child_ids: Sequence[int] = ()
    #: (filename, content type, bytes) of each evidence file.
    evidence: Sequence[tuple[str | None, str | None, bytes]] = field(default_factory=tuple)


# --- applying -----------------------------------------------------------------------------------

def apply(worker: Worker, data: ApplicationInput, actor: Actor) -> AidApplication:
    """A new application for ``worker``'s family, filed by ``actor`` (the worker on their phone,
    or a care worker on the family's behalf), entering the chain of its amount's tier."""
    checked = _check_input(worker, data)
    tier, chain = _route(checked, actor)
    children = checked.pop("children")
    files = checked.pop("files")
    application = AidApplication(
        worker_id=worker.id, org_unit_id=worker.org_unit_id, status=ApplicationStatus.IN_REVIEW,
        tier_id=tier.id, chain=json.dumps([step.as_dict() for step in chain],
                                          ensure_ascii=False),
        applied_by=actor.key, applied_by_name=actor.name[:100], submitted_at=utcnow(),
        **checked, **_priority(worker, children))
    session.add(application)
    session.flush()
    session.add_all(ApplicationChild(application_id=application.id, child_id=child.id)
                    for child in children)
    _add_evidence(application, files, actor)
    session.flush()
    record_event("aid.applied", actor, target_type="aid_application", target_id=application.id,
                 org_unit_id=application.org_unit_id,
                 details={"aid_reason": application.reason.value,
                          "aid_amount_fen": application.amount_fen,
                          "aid_monthly": application.monthly_fen is not None,
                          "aid_on_behalf": not actor.key.startswith("worker:")})
    _notify_step(application)
    return application


def resubmit(application: AidApplication, data: ApplicationInput, actor: Actor) -> None:
    """Complete an application that was sent back: it goes through its chain again from the
    first step (a new round: those who decided before may decide again)."""
    lock_rows(AidApplication, [application.id])
    session.refresh(application)
    if application.status != ApplicationStatus.SENT_BACK:
        raise ValidationError(NOT_SENT_BACK)
    checked = _check_input(application.worker, data)
    tier, chain = _route(checked, actor)
    children = checked.pop("children")
    files = checked.pop("files")
    for name, value in checked.items():
        setattr(application, name, value)
    application.tier_id = tier.id
    application.chain = json.dumps([step.as_dict() for step in chain], ensure_ascii=False)
    application.round += 1
    application.current_step = 0
    application.status = ApplicationStatus.IN_REVIEW
    for name, value in _priority(application.worker, children).items():
        setattr(application, name, value)
    session.execute(ApplicationChild.__table__.delete().where(
        ApplicationChild.application_id == application.id))
    session.add_all(ApplicationChild(application_id=application.id, child_id=child.id)
                    for child in children)
    _add_evidence(application, files, actor)
    session.flush()
    record_event("aid.resubmitted", actor, target_type="aid_application",
                 target_id=application.id, org_unit_id=application.org_unit_id,
                 details={"aid_round": application.round,
                          "aid_amount_fen": application.amount_fen})
    _notify_step(application)


def _check_input(worker: Worker, data: ApplicationInput) -> dict:
    """Every field checked, every problem reported at once; the columns to set."""
    errors = ErrorList()
    today = local_today()
    if data.reason is None:
        errors.add(ValidationError(N_("请选择困难原因"), field="reason"))
    circumstances = errors.collect(lambda: clean_free_text(
        data.circumstances, max_length=CIRCUMSTANCES_MAX, field="circumstances",
        multiline=True))
    if not circumstances and not _has(errors, "circumstances"):
        errors.add(ValidationError(NEED_CIRCUMSTANCES, field="circumstances"))
    amount_fen = data.amount_fen or 0
    in_kind = None
    monthly_fen = until = review_on = None
    method = holder = bank = account = None
    if data.help_kind == HelpKind.IN_KIND:
        in_kind = errors.collect(lambda: clean_free_text(
            data.in_kind_description, max_length=IN_KIND_MAX, field="in_kind_description"))
        if not in_kind and not _has(errors, "in_kind_description"):
            errors.add(ValidationError(NEED_IN_KIND, field="in_kind_description"))
    else:
        if amount_fen <= 0 or amount_fen > MAX_FEN:
            errors.add(ValidationError(NEED_AMOUNT, field="amount"))
        if data.monthly:
            monthly_fen = amount_fen or None
            until, review_on = data.recurring_until, data.review_on
            if until is None and review_on is None:
                errors.add(ValidationError(MONTHLY_NEEDS_END, field="recurring_until"))
            if until is not None and rules.first_of_month(until) < rules.first_of_month(today):
                errors.add(ValidationError(END_BEFORE_START, field="recurring_until"))
        method = data.payment_method
        if method is None:
            errors.add(ValidationError(NEED_METHOD, field="payment_method"))
        elif method != PaymentMethod.CASH:
            holder = errors.collect(lambda: clean_person_name(
                data.account_holder, max_length=100, field="account_holder"))
            bank = errors.collect(lambda: clean_free_text(
                data.bank_name, max_length=100, field="bank_name"))
            account = errors.collect(lambda: clean_code(
                data.account_number, max_length=64, field="account_number"))
            if not (holder and account):
                errors.add(ValidationError(NEED_ACCOUNT, field="account_number"))
    theirs = {child.id: child for child in children_of(worker)}
    children: list[Child] = []
    for child_id in dict.fromkeys(data.child_ids):
        if child_id not in theirs:
            errors.add(ValidationError(CHILD_NOT_THEIRS, field="children"))
            break
        children.append(theirs[child_id])
    files = []
    if len(data.evidence) > EVIDENCE_FILES_MAX:
        errors.add(ValidationError(TOO_MANY_FILES, field="evidence", count=EVIDENCE_FILES_MAX))
    else:
        for filename, declared_type, content in data.evidence:
            file_type = errors.collect(functools.partial(
                check_upload, content, EVIDENCE,
                max_bytes=setting("CAREBRIDGE_AID_EVIDENCE_MAX_BYTES"), filename=filename,
                declared_type=declared_type, field="evidence"))
            if file_type is not None:
                files.append((filename or "evidence", file_type.content_type, content))
    InputInvalid.raise_if_any(errors)
    return {"reason": data.reason, "circumstances": circumstances, "help_kind": data.help_kind,
            "amount_fen": amount_fen, "in_kind_description": in_kind, "monthly_fen": monthly_fen,
            "recurring_until": until, "review_on": review_on, "payment_method": method,
            "account_holder": holder, "bank_name": bank, "account_number": account,
            "children": children, "files": files}


def _has(errors: ErrorList, field_name: str) -> bool:
    return any(error.field == field_name for error in errors)


def _route(checked: dict, actor: Actor) -> tuple[ApprovalTier, list[rules.ChainStep]]:
    today = local_today()
    amount = rules.routed_amount(checked["amount_fen"], checked["monthly_fen"], today,
                                 checked["recurring_until"] or checked["review_on"])
    tier = rules.tier_for(chains.ensure_default_tiers(actor), amount)
    if tier is None:
        raise ValidationError(NO_TIER, field="amount", amount=format_yuan(amount))
    return tier, [rules.ChainStep(step.role, step.company_level, step.name)
                  for step in tier.steps]


def _priority(worker: Worker, children: Sequence[Child]) -> dict:
    """Priority from the family's registry facts now (all the worker's children, not only those
    named in the application: a family with a child in difficulty comes first)."""
    region = worker.hukou_region_code
    facts = [rules.ChildFacts(child.in_difficulty, child.de_facto_unsupported,
                              child.in_three_areas) for child in children_of(worker)]
    band, reasons = rules.priority_of(
        facts, worker_in_three_areas=bool(region and is_three_areas_three_prefectures(region)),
        open_risk_report=worker.id in workers_with_open_concerns([worker.id]))
    return {"priority": band, "priority_reasons": ",".join(reasons)}


def workers_with_open_concerns(worker_ids: Sequence[int]) -> set[int]:
    """Those of ``worker_ids`` with an open child-protection case, as the features keeping such
    cases answer :data:`plugin.signals.open_concerns_asked`."""
    flagged: set[int] = set()
    for _receiver, answer in open_concerns_asked.send(current_app._get_current_object(),
                                                      worker_ids=list(worker_ids)):
        flagged |= set(answer or ())
    return flagged


def _add_evidence(application: AidApplication, files, actor: Actor) -> None:
    session.add_all(Evidence(application_id=application.id, filename=(name or "")[:200],
                             content_type=content_type, size=len(content), content=content,
                             uploaded_by=actor.key) for name, content_type, content in files)


# --- deciding -----------------------------------------------------------------------------------

def decide(application: AidApplication, actor: Actor, outcome: DecisionOutcome, *,
           step: int, comment: str | None = None, fund: AidFund | None = None,
           actor_employee_number: str | None = None) -> Decision:
    """``actor`` decides step ``step`` (the step their page showed: a decision taken meanwhile
    makes theirs stale). The last approval reserves the amount in ``fund``."""
    lock_rows(AidApplication, [application.id])
    session.refresh(application)
    if application.status != ApplicationStatus.IN_REVIEW:
        raise ValidationError(NOT_IN_REVIEW, status=application.status.label)
    if step != application.current_step:
        raise ValidationError(STALE_STEP)
    chain = rules.chain_of(application)
    current = chain[application.current_step]
    root = get_root_unit()
    if not rules.may_decide(current, [(role.value if hasattr(role, "value") else role, path)
                                      for role, path in grants_of(actor.key)],
                            application.org_unit.path, root.path if root else ""):
        raise ValidationError(NOT_YOUR_STEP, step=current.name, role=_role_label(current.role))
    decided_by = queries.deciders(application.id, application.round)
    conflict = rules.conflict_of_interest(actor.key, actor_employee_number, application,
                                          application.worker.employee_number, decided_by)
    if conflict is not None:
        raise ValidationError(CONFLICT_MESSAGES[conflict])
    comment = clean_free_text(comment, max_length=COMMENT_MAX, field="comment", multiline=True)
    if outcome != DecisionOutcome.APPROVED and not comment:
        raise ValidationError(NEED_COMMENT, field="comment")
    last = application.current_step == len(chain) - 1
    reserving = (outcome == DecisionOutcome.APPROVED and last
                 and application.help_kind == HelpKind.CASH)
    if reserving:
        _check_fund(application, fund)
    decision = Decision(application_id=application.id, round=application.round,
                        step=application.current_step, step_name=current.name, outcome=outcome,
                        comment=comment, actor_key=actor.key, actor_name=actor.name[:100])
    try:
        with session.begin_nested():
            session.add(decision)
            session.flush()
    except IntegrityError:  # the database's twin of the checks above
        raise ValidationError(ALREADY_DECIDED) from None
    if outcome == DecisionOutcome.APPROVED and not last:
        application.current_step += 1
    elif outcome == DecisionOutcome.APPROVED:
        if reserving:
            ledger.reserve(fund, rules.purposes_for(application.reason),
                           application.monthly_fen or application.amount_fen,
                           booked_on=local_today(), actor=actor,
                           application_id=application.id)
            application.fund_id = fund.id
        application.status = ApplicationStatus.APPROVED
        application.approved_at = utcnow()
    elif outcome == DecisionOutcome.REJECTED:
        application.status = ApplicationStatus.REJECTED
        application.ended_at = utcnow()
    else:
        application.status = ApplicationStatus.SENT_BACK
    session.flush()
    record_event(f"aid.{outcome.value}", actor, target_type="aid_application",
                 target_id=application.id, org_unit_id=application.org_unit_id,
                 details={"aid_step": current.name, "aid_round": application.round,
                          "aid_comment": comment,
                          **({"aid_fund": fund.name} if reserving else {})})
    _notify_after(application, decision, actor)
    return decision


def _check_fund(application: AidApplication, fund: AidFund | None) -> None:
    """A fund that cannot pay for the application's unit is refused as if none were chosen:
    the answer tells nothing about funds elsewhere."""
    if fund is None or not application.org_unit.path.startswith(fund.org_unit.path):
        raise ValidationError(NEED_FUND, field="fund")


def _role_label(role: str):
    from ..core.roles import ROLE_LABELS, Role

    try:
        return ROLE_LABELS[Role(role)]
    except ValueError:
        return role


# --- paying and ending --------------------------------------------------------------------------

def pay(application: AidApplication, actor: Actor, *, paid_on: date,
        reference: str | None = None) -> Payment | None:
    """Pay approved one-off aid (cash from its reservation), or record in-kind help handed
    over. Recurring aid is paid by the monthly job (:func:`pay_due_months`)."""
    lock_rows(AidApplication, [application.id])
    session.refresh(application)
    if application.status != ApplicationStatus.APPROVED:
        raise ValidationError(NOT_PAYABLE, status=application.status.label)
    if application.monthly_fen is not None:
        raise ValidationError(RECURRING_PAID_BY_JOB)
    if paid_on > local_today():
        raise ValidationError(PAID_ON_FUTURE, field="paid_on")
    reference = clean_free_text(reference, max_length=100, field="reference")
    payment = None
    if application.help_kind == HelpKind.CASH:
        reservation = queries.open_reservation(application.id)
        payment = Payment(application_id=application.id, month=rules.first_of_month(paid_on),
                          amount_fen=application.amount_fen, paid_on=paid_on,
                          reference=reference, paid_by=actor.key)
        session.add(payment)
        session.flush()
        ledger.pay_reserved(reservation, application.amount_fen, booked_on=paid_on,
                            actor=actor, payment_id=payment.id)
    application.status = ApplicationStatus.PAID
    application.paid_at = utcnow()
    application.ended_at = application.paid_at
    session.flush()
    record_event("aid.paid", actor, target_type="aid_application", target_id=application.id,
                 org_unit_id=application.org_unit_id,
                 details={"aid_amount_fen": application.amount_fen, "aid_reference": reference})
    notices.tell_family(application, actor)
    return payment


def cancel(application: AidApplication, actor: Actor, *, reason: str | None) -> None:
    """Withdraw (the family) or cancel (an officer) an application not yet paid; money it held
    goes back to the fund."""
    lock_rows(AidApplication, [application.id])
    session.refresh(application)
    if application.status not in CANCELLABLE_STATUSES:
        raise ValidationError(NOT_CANCELLABLE)
    reason = clean_free_text(reason, max_length=300, field="reason")
    if not reason:
        raise ValidationError(NEED_REASON, field="reason")
    _release_held(application, actor, reason)
    application.status = ApplicationStatus.CANCELLED
    application.ended_at = utcnow()
    application.end_reason = reason
    session.flush()
    record_event("aid.cancelled", actor, target_type="aid_application", target_id=application.id,
                 org_unit_id=application.org_unit_id, details={"aid_reason_text": reason})


def close_case(application: AidApplication, actor: Actor, *, reason: str | None) -> None:
    """End recurring aid (the family's situation improved, a review decided so)."""
    lock_rows(AidApplication, [application.id])
    session.refresh(application)
    if application.monthly_fen is None or application.status not in (
            ApplicationStatus.APPROVED, ApplicationStatus.PAYING):
        raise ValidationError(NOT_CLOSABLE)
    reason = clean_free_text(reason, max_length=300, field="reason")
    if not reason:
        raise ValidationError(NEED_REASON, field="reason")
    end_recurring(application, actor, reason)


def end_recurring(application: AidApplication, actor: Actor, reason: str) -> None:
    _release_held(application, actor, reason)
    application.status = ApplicationStatus.CLOSED
    application.ended_at = utcnow()
    application.end_reason = reason[:300]
    session.flush()
    record_event("aid.closed", actor, target_type="aid_application", target_id=application.id,
                 org_unit_id=application.org_unit_id, details={"aid_reason_text": reason})


def _release_held(application: AidApplication, actor: Actor, note: str) -> None:
    reservation = queries.open_reservation(application.id)
    if reservation is not None:
        held = queries.held_by(reservation)
        if held:
            ledger.release(reservation, held, booked_on=local_today(), actor=actor,
                           note=note[:300])


# --- reading sensitive fields -------------------------------------------------------------------

def reveal_account_number(application: AidApplication, actor: Actor) -> str | None:
    """The full account number, for the person paying; every reveal is audited."""
    record_event("aid.account_revealed", actor, target_type="aid_application",
                 target_id=application.id, org_unit_id=application.org_unit_id)
    return application.account_number


def read_application(application: AidApplication, actor: Actor) -> None:
    """Audit that ``actor`` opened the application (it holds children's and health data)."""
    record_event("aid.application_viewed", actor, target_type="aid_application",
                 target_id=application.id, org_unit_id=application.org_unit_id)


def evidence_content(evidence: Evidence, application: AidApplication, actor: Actor) -> bytes:
    record_event("aid.evidence_viewed", actor, target_type="aid_application",
                 target_id=application.id, org_unit_id=application.org_unit_id,
                 details={"aid_evidence": evidence.filename})
    return evidence.content


# --- notifications ------------------------------------------------------------------------------

def _notify_step(application: AidApplication) -> None:
    step = rules.chain_of(application)[application.current_step]
    keys = [key for key in queries.step_holders(step, application.org_unit)
            if key != application.applied_by]
    notify(keys, N_("%(worker)s家的困难帮扶申请待您审批（%(step)s）"),
           params={"worker": application.worker.name, "step": step.name},
           link=("carebridge.aid.application", {"application_id": application.id}),
           category="aid")


def _notify_after(application: AidApplication, decision: Decision, actor: Actor) -> None:
    if application.status == ApplicationStatus.IN_REVIEW:
        _notify_step(application)
        return
    notices.tell_family(application, actor)
    from ..access.queries import holders_of
    from .permissions import AID_PAY

    if application.status == ApplicationStatus.APPROVED:
        keys = holders_of(AID_PAY, application.org_unit)
        title = N_("%(worker)s家的困难帮扶申请已批准，待发放")
    else:
        keys = [application.applied_by] if not application.applied_by.startswith("worker:") \
            else []
        title = (N_("%(worker)s家的困难帮扶申请未通过") if decision.outcome ==
                 DecisionOutcome.REJECTED else N_("%(worker)s家的困难帮扶申请被退回补充"))
    notify(keys, title, params={"worker": application.worker.name},
           link=("carebridge.aid.application", {"application_id": application.id}),
           category="aid")
