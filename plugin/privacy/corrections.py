"""Correction requests (PIPL Art. 46): a worker asks, on the phone, for their or their children's
data to be corrected; an HR officer of the worker's subtree corrects the record through the
normal pages and marks the request made, saying what was changed, or refuses it with a reason.
The worker reads the status and the answer on the phone.

Functions take plain values and model objects, check everything (``ValidationError`` naming the
form field), then change, flush and audit; they never commit. Audit rows name the request and
the worker, never what the worker wrote.
"""
from __future__ import annotations

from sqlalchemy import func, select

from ..audit.services import record_event
from ..core.clock import utcnow
from ..core.db import lock_rows, session
from ..core.errors import CareBridgeError, InputInvalid, ValidationError
from ..core.host import Actor
from ..core.i18n import N_
from ..core.pagination import Page, paginate
from ..core.text import clean_free_text
from ..org.queries import unit_id_in_subtrees
from ..registry.models import Worker
from ..worker_notices.messages import PRIVACY_CORRECTION_ANSWERED
from ..worker_notices.services import send_notices
from .corrections_models import CorrectionRequest, CorrectionStatus

REQUESTED = "privacy.correction_requested"
MADE = "privacy.correction_made"
REFUSED = "privacy.correction_refused"

RECORD_MAX = 200
TEXT_MAX = 500
ANSWER_MAX = 500
#: Requests a worker may have waiting at once (more are refused until one is answered).
OPEN_MAX = 5

REQUIRED = N_("请填写这一项")
TOO_MANY_OPEN = N_("您已有 %(count)s 条更正申请正在处理，请等处理后再提交")
ALREADY_ANSWERED = N_("这条申请已经处理过了")


def _text(value: str | None, field: str, limit: int, errors: list[CareBridgeError], *,
          multiline: bool = True) -> str | None:
    try:
        text = clean_free_text(value, max_length=limit, field=field, multiline=multiline)
    except ValidationError as error:
        errors.append(error)
        return None
    if not text:
        errors.append(ValidationError(REQUIRED, field=field))
    return text


def open_count(worker: Worker) -> int:
    return session.execute(select(func.count()).select_from(CorrectionRequest).where(
        CorrectionRequest.worker_id == worker.id,
        CorrectionRequest.status == CorrectionStatus.OPEN)).scalar_one()


def ask(worker: Worker, *, record: str | None, wrong: str | None, right: str | None,
        actor: Actor) -> CorrectionRequest:
    """The worker asks for a correction: which record or field, what is wrong, what is right."""
    errors: list[CareBridgeError] = []
    record = _text(record, "record", RECORD_MAX, errors, multiline=False)
    wrong = _text(wrong, "wrong", TEXT_MAX, errors)
    right = _text(right, "right", TEXT_MAX, errors)
    InputInvalid.raise_if_any(errors)
    lock_rows(Worker, [worker.id])  # two submissions at once count each other's
    waiting = open_count(worker)
    if waiting >= OPEN_MAX:
        raise ValidationError(TOO_MANY_OPEN, count=waiting)
    request = CorrectionRequest(worker_id=worker.id, record=record, wrong=wrong, right=right,
                                status=CorrectionStatus.OPEN, asked_at=utcnow())
    session.add(request)
    session.flush()
    record_event(REQUESTED, actor, target_type="privacy_correction", target_id=request.id,
                 org_unit_id=worker.org_unit_id, details={"worker_id": worker.id})
    return request


def _answer(request: CorrectionRequest, status: CorrectionStatus, answer: str | None,
            field: str, action: str, actor: Actor) -> CorrectionRequest:
    errors: list[CareBridgeError] = []
    answer = _text(answer, field, ANSWER_MAX, errors)
    InputInvalid.raise_if_any(errors)
    lock_rows(CorrectionRequest, [request.id])
    session.refresh(request)
    if request.status != CorrectionStatus.OPEN:
        raise ValidationError(ALREADY_ANSWERED)
    request.status = status
    request.answer = answer
    request.answered_at = utcnow()
    request.answered_by = actor.key[:64]
    request.answered_by_name = actor.name[:200]
    session.flush()
    record_event(action, actor, target_type="privacy_correction", target_id=request.id,
                 org_unit_id=request.worker.org_unit_id,
                 details={"worker_id": request.worker_id})
    send_notices([request.worker_id], PRIVACY_CORRECTION_ANSWERED, None,
                 ("carebridge.privacy_phone.correction", {"request_id": request.id}), actor,
                 dedupe_key=f"privacy.correction:{request.id}",
                 org_unit_id=request.worker.org_unit_id)
    return request


def mark_made(request: CorrectionRequest, *, changed: str | None,
              actor: Actor) -> CorrectionRequest:
    """The officer corrected the record (through its normal page) and says what was changed."""
    return _answer(request, CorrectionStatus.MADE, changed, "changed", MADE, actor)


def refuse(request: CorrectionRequest, *, reason: str | None,
           actor: Actor) -> CorrectionRequest:
    """The officer does not correct it, with the reason the worker will read."""
    return _answer(request, CorrectionStatus.REFUSED, reason, "reason", REFUSED, actor)


# -- reads ------------------------------------------------------------------------------------

def get_request(request_id: int) -> CorrectionRequest | None:
    return session.get(CorrectionRequest, request_id)


def requests_of(worker: Worker) -> list[CorrectionRequest]:
    """The worker's own requests, newest first."""
    return list(session.execute(select(CorrectionRequest).where(
        CorrectionRequest.worker_id == worker.id)
        .order_by(CorrectionRequest.asked_at.desc(), CorrectionRequest.id.desc())).scalars())


def requests_page(*, scope_paths: list[str], status: CorrectionStatus | None = None,
                  page: int = 1, per_page: int = 50) -> Page:
    """Requests of workers in ``scope_paths``, waiting ones first, oldest first among them."""
    statement = (select(CorrectionRequest).join(Worker, Worker.id == CorrectionRequest.worker_id)
                 .where(unit_id_in_subtrees(Worker.org_unit_id, scope_paths))
                 .order_by((CorrectionRequest.status != CorrectionStatus.OPEN),
                           CorrectionRequest.asked_at, CorrectionRequest.id))
    if status is not None:
        statement = statement.where(CorrectionRequest.status == status)
    return paginate(statement, page, per_page)


def open_in_scope(scope_paths: list[str]) -> int:
    """Waiting requests of workers in ``scope_paths`` (the to-do count)."""
    return session.execute(
        select(func.count()).select_from(CorrectionRequest)
        .join(Worker, Worker.id == CorrectionRequest.worker_id)
        .where(CorrectionRequest.status == CorrectionStatus.OPEN,
               unit_id_in_subtrees(Worker.org_unit_id, scope_paths))).scalar_one()
