"""Recording, signing, ending and revoking entrusted-guardianship agreements (MPL Art. 22–23).

An agreement is refused unless the parent confirmed that the carer is a capable adult and declared
that none of Art. 22's bars applies; a carer whose ID number or birth date shows them under 18 is
refused too. Every change is audited and lands in the parents' integrity records.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..audit.services import record_event
from ..core.clock import utcnow
from ..core.db import lock_rows, session, violated_constraint
from ..core.errors import ErrorList, InputInvalid, ValidationError
from ..core.host import Actor
from ..core.signatures import decode_signature
from ..core.text import clean_free_text, clean_person_name
from ..core.uploads import SCAN, check_upload
from ..registry.categories import age_on
from ..registry.idnumber import parse_id_number
from ..registry.models import Worker
from ..registry.queries import children_of
from ..registry.values import parse_phone
from ..worker_access.services import worker_actor
from .integrity import add_entry
from .models import (
    ONE_OPEN_PER_PERIOD,
    OPEN_STATUSES,
    AgreementSigning,
    AgreementStatus,
    EntrustmentAgreement,
    EntrustmentChild,
    IntegrityKind,
)
from .rules import may_end, may_revoke
from .texts import CURRENT_DECLARATION_VERSION

ADULT_AGE = 18
MAX_CONTACTS_PER_WEEK = 21
#: Largest scan accepted (a phone photo of a signed page is 2–5 MB).
MAX_SCAN_BYTES = 10 * 1024 * 1024


class AgreementInvalid(InputInvalid):
    """One or more fields of an agreement break a rule; nothing is stored."""


@dataclass
class AgreementDraft:
    """What an officer entered for a new agreement: plain values, checked by
    :func:`create_agreement`."""

    child_ids: list[int]
    carer_name: str | None
    carer_relation: str | None
    carer_phone: str | None
    starts_on: date | None
    ends_on: date | None
    method: AgreementSigning
    carer_capable_adult: bool = False
    no_bars_declared: bool = False
    other_parent_worker_id: int | None = None
    other_parent_name: str | None = None
    carer_id_number: str | None = None
    carer_birth_date: date | None = None
    carer_address: str | None = None
    duties: str | None = None
    child_contacts_per_week: int | None = 1
    carer_contacts_per_week: int | None = 1
    witness: str | None = None
    signed_on: date | None = None
    scan: bytes | None = None
    #: The scan's type as the browser declared it, and its file name (must agree with its
    #: content; the name is in the messages).
    scan_declared_type: str | None = None
    scan_filename: str | None = None


def check_scan(data: bytes | None, declared: str | None = None,
               filename: str | None = None) -> str:
    """The content type of an uploaded scan: the same check as a paper pledge's scan
    (:func:`plugin.core.uploads.check_upload`), at most :data:`MAX_SCAN_BYTES`."""
    return check_upload(data, SCAN, max_bytes=MAX_SCAN_BYTES, filename=filename,
                        declared_type=declared, field="scan").content_type


def create_agreement(worker: Worker, draft: AgreementDraft, *, actor: Actor,
                     today: date) -> EntrustmentAgreement:
    """Record a paper agreement (active) or one sent to the worker's phone (pending)."""
    # Every check runs, so all of a form's problems are reported at once.
    errors = ErrorList()
    check = errors.collect
    children = check(lambda: _children(worker, draft.child_ids))
    other_parent = check(lambda: _other_parent(worker, children or [], draft))
    other_name = check(lambda: clean_person_name(draft.other_parent_name, max_length=100,
                                                 field="other_parent_name"))
    carer = {
        "carer_name": check(lambda: _required(clean_person_name(
            draft.carer_name, max_length=100, field="carer_name"), "carer_name")),
        "carer_relation": check(lambda: _required(clean_free_text(
            draft.carer_relation, max_length=32, field="carer_relation"), "carer_relation")),
        "carer_phone": check(lambda: _required_phone(draft.carer_phone)),
        "carer_address": check(lambda: clean_free_text(draft.carer_address, max_length=200,
                                                       field="carer_address")),
    }
    id_number, birth_date = check(lambda: _adult_carer(draft, today)) or (None, None)
    check(lambda: _declarations(draft))
    duties = check(lambda: _required(clean_free_text(
        draft.duties, max_length=2000, field="duties", multiline=True), "duties"))
    per_week = {name: check(lambda name=name: _per_week(getattr(draft, name), name))
                for name in ("child_contacts_per_week", "carer_contacts_per_week")}
    check(lambda: _period(draft, today))
    paper = {}
    if draft.method == AgreementSigning.PAPER:
        paper = {"witness": check(lambda: _required(clean_person_name(
                     draft.witness, max_length=100, field="witness"), "witness")),
                 "scan_content_type": check(lambda: check_scan(
                     draft.scan, draft.scan_declared_type, draft.scan_filename)),
                 "signed_on": check(lambda: _signed_on(draft.signed_on, today))}
    if children and not errors:
        check(lambda: _no_overlap(children, draft.starts_on, draft.ends_on))
    if errors:
        raise AgreementInvalid(errors)
    agreement = EntrustmentAgreement(
        worker=worker, other_parent_worker=other_parent,
        other_parent_name=other_name if other_parent is None else None,
        **carer, carer_id_number=id_number, carer_birth_date=birth_date,
        carer_capable_adult=True, no_bars_declared=True, declared_at=utcnow(),
        declaration_version=CURRENT_DECLARATION_VERSION, duties=duties, **per_week,
        starts_on=draft.starts_on, ends_on=draft.ends_on, method=draft.method,
        status=AgreementStatus.ACTIVE if paper else AgreementStatus.PENDING,
        scan=draft.scan if paper else None, **paper,
        verification_code=secrets.token_urlsafe(18), recorded_by=actor.key,
        recorded_by_name=actor.name[:200], recorded_at=utcnow())
    # In child id order: two agreements racing for the same children meet on the first one.
    agreement.child_rows = [
        EntrustmentChild(child_id=child.id, status=agreement.status, starts_on=draft.starts_on,
                         ends_on=draft.ends_on)
        for child in sorted(children, key=lambda child: child.id)]
    _store_unless_overlapping(agreement, children)
    record_event("agreement.created", actor, target_type="agreement", target_id=agreement.id,
                 org_unit_id=worker.org_unit_id,
                 details={"method": draft.method.value, "status": agreement.status.value,
                          "children": len(children), "worker": worker.employee_number})
    if agreement.status == AgreementStatus.ACTIVE:
        _signed_entries(agreement, issued_by=actor)
    return agreement


def sign_on_phone(agreement: EntrustmentAgreement, worker: Worker,
                  signature_data_url: str | None, *, confirmed: bool, today: date,
                  ip: str | None = None, user_agent: str | None = None) -> None:
    """The worker signs an agreement sent to their phone with a finger-drawn signature."""
    # Taps at the same moment would each find it pending and sign it (integrity entries twice):
    # the second waits here until the first ends, then reads it signed.
    lock_rows(EntrustmentAgreement, [agreement.id])
    session.refresh(agreement)
    if agreement.worker_id != worker.id:
        raise ValidationError("这份协议不是发给您签署的", field="signature")
    if agreement.status != AgreementStatus.PENDING:
        raise ValidationError("这份协议已经签署或已撤销，无需再签", field="signature")
    if agreement.ends_on < today:
        raise ValidationError("协议期限已过，不能再签署；请联系人力资源专员", field="signature")
    signature = decode_signature(signature_data_url)
    if not confirmed:
        raise ValidationError("请勾选“同意签署”后再提交", field="confirmed")
    agreement.signature_png = signature
    agreement.signed_on = today
    agreement.status = AgreementStatus.ACTIVE
    session.flush()
    actor = worker_actor(worker, ip=ip, user_agent=user_agent)
    record_event("agreement.signed", actor, target_type="agreement", target_id=agreement.id,
                 org_unit_id=worker.org_unit_id)
    _signed_entries(agreement, issued_by=actor)


def end_agreement(agreement: EntrustmentAgreement, *, reason: str | None, actor: Actor,
                  today: date) -> None:
    """End an active agreement early (the parent came home, the child moved…)."""
    if not may_end(agreement):
        raise ValidationError("只有生效中的协议可以终止", field="reason")
    _close(agreement, AgreementStatus.ENDED, _reason(reason), actor, today)
    record_event("agreement.ended", actor, target_type="agreement", target_id=agreement.id,
                 org_unit_id=agreement.worker.org_unit_id)


def revoke_agreement(agreement: EntrustmentAgreement, *, reason: str | None, actor: Actor,
                     today: date) -> None:
    """Withdraw an agreement (a carer found unfit, one recorded by mistake, one never signed)."""
    if not may_revoke(agreement):
        raise ValidationError("协议已终止或已撤销", field="reason")
    was_active = agreement.status == AgreementStatus.ACTIVE
    _close(agreement, AgreementStatus.REVOKED, _reason(reason), actor, today, entries=was_active)
    record_event("agreement.revoked", actor, target_type="agreement", target_id=agreement.id,
                 org_unit_id=agreement.worker.org_unit_id)


def end_lapsed_agreements(today: date) -> int:
    """The daily job: active agreements whose last day has passed end; returns how many."""
    lapsed = list(session.execute(select(EntrustmentAgreement).where(
        EntrustmentAgreement.status == AgreementStatus.ACTIVE,
        EntrustmentAgreement.ends_on < today)).scalars())
    system = Actor.system("guardianship")
    for agreement in lapsed:
        _close(agreement, AgreementStatus.ENDED, None, system, agreement.ends_on, lapsed=True)
        record_event("agreement.lapsed", system, target_type="agreement", target_id=agreement.id,
                     org_unit_id=agreement.worker.org_unit_id)
    return len(lapsed)


def record_download(agreement: EntrustmentAgreement, actor: Actor, action: str, **details) -> None:
    """Audit a download of the agreement, a notice letter or the scan."""
    record_event(action, actor, target_type="agreement", target_id=agreement.id,
                 org_unit_id=agreement.worker.org_unit_id, details=details or None)


def _close(agreement, status, reason, actor, closed_on, *, entries=True, lapsed=False) -> None:
    agreement.status = status
    agreement.closed_on = closed_on
    agreement.closed_by = actor.key
    agreement.close_reason = reason
    session.flush()
    if entries:
        details = {"status": status.value, **({"lapsed": True} if lapsed else {})}
        for parent in agreement.parent_workers():
            add_entry(parent.id, IntegrityKind.AGREEMENT_ENDED, closed_on, reason=reason,
                      details=details, issued_by=actor, reference=("agreement", agreement.id))


def _signed_entries(agreement: EntrustmentAgreement, *, issued_by: Actor) -> None:
    details = {"starts_on": agreement.starts_on.isoformat(),
               "ends_on": agreement.ends_on.isoformat(), "carer": agreement.carer_name}
    for parent in agreement.parent_workers():
        add_entry(parent.id, IntegrityKind.AGREEMENT_SIGNED, agreement.signed_on, details=details,
                  issued_by=issued_by, reference=("agreement", agreement.id))


def _children(worker: Worker, child_ids: list[int]):
    if not child_ids:
        raise ValidationError("请选择要委托照护的子女", field="children")
    own = {child.id: child for child in children_of(worker)}
    if any(child_id not in own for child_id in child_ids):
        raise ValidationError("只能为该职工本人的子女登记委托照护协议", field="children")
    return [own[child_id] for child_id in dict.fromkeys(child_ids)]


def _other_parent(worker: Worker, children, draft: AgreementDraft) -> Worker | None:
    if draft.other_parent_worker_id is None:
        return None
    if draft.other_parent_name and draft.other_parent_name.strip():
        raise ValidationError("另一方家长是本单位职工时无需填写姓名", field="other_parent_name")
    other = session.get(Worker, draft.other_parent_worker_id)
    if other is None or other.id == worker.id or not children or not all(
            any(link.worker_id == other.id for link in child.parent_links) for child in children):
        raise ValidationError("另一方家长必须是所选子女登记的另一位家长", field="other_parent")
    return other


def _required(text: str | None, field: str) -> str:
    if not text:
        raise ValidationError("必填项不能为空", field=field)
    return text


def _required_phone(value) -> str:
    phone = parse_phone(value, field="carer_phone")
    if phone is None:
        raise ValidationError("请填写受托人的联系电话", field="carer_phone")
    return phone


def _adult_carer(draft: AgreementDraft, today: date) -> tuple[str | None, date | None]:
    """The carer's checked ID number and birth date; refuses a carer under 18."""
    birth_date = draft.carer_birth_date
    number = None
    if birth_date is not None and birth_date > today:
        raise ValidationError("出生日期不能晚于今天", field="carer_birth_date")
    if draft.carer_id_number and draft.carer_id_number.strip():
        parsed = parse_id_number(draft.carer_id_number, today=today, field="carer_id_number")
        if birth_date is not None and birth_date != parsed.birth_date:
            raise ValidationError("出生日期 %(given)s 与身份证号码中的出生日期 %(expected)s 不一致",
                                  field="carer_birth_date", given=birth_date.isoformat(),
                                  expected=parsed.birth_date.isoformat())
        number, birth_date = parsed.number, parsed.birth_date
    if birth_date is not None and age_on(birth_date, today) < ADULT_AGE:
        raise ValidationError("受托人未满 18 周岁，不能受托照护儿童",
                              field="carer_id_number" if number else "carer_birth_date")
    return number, birth_date


def _declarations(draft: AgreementDraft) -> None:
    if not draft.carer_capable_adult:
        raise ValidationError("请确认受托人是具有照护能力的完全民事行为能力人",
                              field="carer_capable_adult")
    if not draft.no_bars_declared:
        raise ValidationError("家长未声明受托人不存在《未成年人保护法》第二十二条所列情形，"
                              "不能登记委托照护协议", field="no_bars_declared")


def _per_week(value: int | None, field: str) -> int:
    if value is None or value < 1:
        raise ValidationError("每周至少联系 1 次（《未成年人保护法》第二十三条）", field=field)
    if value > MAX_CONTACTS_PER_WEEK:
        raise ValidationError("每周联系次数不能超过 %(max)s 次", field=field,
                              max=MAX_CONTACTS_PER_WEEK)
    return value


def _period(draft: AgreementDraft, today: date) -> None:
    if draft.starts_on is None:
        raise ValidationError("请填写委托起始日期", field="starts_on")
    if draft.ends_on is None:
        raise ValidationError("请填写委托截止日期", field="ends_on")
    if draft.ends_on <= draft.starts_on:
        raise ValidationError("截止日期必须晚于起始日期", field="ends_on")
    if draft.ends_on < today:
        raise ValidationError("委托期限已过，无需登记", field="ends_on")


def _signed_on(value: date | None, today: date) -> date:
    if value is None:
        raise ValidationError("请填写签署日期", field="signed_on")
    if value > today:
        raise ValidationError("日期不能晚于今天：%(value)s", field="signed_on",
                              value=value.isoformat())
    return value


def _no_overlap(children, starts_on: date, ends_on: date) -> None:
    clash = session.execute(
        select(EntrustmentAgreement.starts_on, EntrustmentAgreement.ends_on)
        .join(EntrustmentChild, EntrustmentChild.agreement_id == EntrustmentAgreement.id)
        .where(EntrustmentChild.child_id.in_([child.id for child in children]),
               EntrustmentAgreement.status.in_(OPEN_STATUSES),
               EntrustmentAgreement.starts_on <= ends_on, EntrustmentAgreement.ends_on >= starts_on)
        .limit(1)).first()
    if clash is not None:
        raise ValidationError("所选子女在 %(start)s 至 %(end)s 已有委托照护协议，"
                              "请先终止或撤销该协议", field="children",
                              start=clash.starts_on.isoformat(), end=clash.ends_on.isoformat())


def _store_unless_overlapping(agreement: EntrustmentAgreement, children) -> None:
    """Insert the agreement; another request's open agreement for the same children and period,
    committed since :func:`_no_overlap` looked, refuses it with that check's form error.

    The database keeps the rule (see :class:`EntrustmentChild`); the savepoint keeps the request's
    transaction usable, so the form is shown again with the error instead of a 500.
    """
    try:
        with session.begin_nested():
            session.add(agreement)
    except IntegrityError as error:
        if violated_constraint(error) != ONE_OPEN_PER_PERIOD:
            raise
        try:
            _no_overlap(children, agreement.starts_on, agreement.ends_on)
        except ValidationError as clash:
            raise AgreementInvalid([clash]) from None
        raise AgreementInvalid([ValidationError(  # the clash is gone already (ended meanwhile)
            "所选子女在这段时间已有委托照护协议，请刷新页面后再试", field="children")]) from None
    session.expire(agreement, ["children"])


def _reason(reason: str | None) -> str:
    text = clean_free_text(reason, max_length=300, field="reason")
    if not text or len(text) < 2:
        raise ValidationError("请说明原因", field="reason")
    return text
