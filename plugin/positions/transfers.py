"""Transfer requests (调动申请): a worker with left-behind children asks, from the phone, to move
to an opening near home; HR of the opening's site approves or declines; the worker may withdraw
a request not yet decided. The worker's record keeps every request and its outcome.

*Product rules* where the guidance is silent:

- Only an employed worker with at least one left-behind child (the registry's categories as last
  computed) may ask, and only for an open opening that has not ended, at another site, within
  the worker's home province (:func:`.rules.distance`): what the phone suggests.
- At most one open request per worker and opening (the database keeps it).
- Declining needs a reason, which the worker reads. Approving may give the day the worker
  starts at the new site (not before the request); the registry's unit of the worker is changed
  by HR as for any move (this feature records the outcome, it does not move people).
- A decided or withdrawn request stays as it is; the worker may ask again.

Each service checks everything first, then changes, flushes and audits; the caller commits.
"""
from __future__ import annotations

import enum
from datetime import date

from sqlalchemy import literal, select
from sqlalchemy.exc import IntegrityError

from ..audit.services import record_event
from ..core.clock import local_today, utcnow
from ..core.db import lock_rows, session
from ..core.errors import ErrorList, InputInvalid, ValidationError
from ..core.host import Actor
from ..core.i18n import N_
from ..core.text import clean_free_text
from ..registry.models import EmploymentStatus, Worker
from ..registry.queries import has_child_where
from . import notices, rules
from .models import Opening, OpeningStatus, TransferRequest, TransferStatus
from .workplaces import location_of

NOTE_MAX = 300
REASON_MAX = 500

NOT_ELIGIBLE = N_("近家岗位推荐只面向有留守子女的职工")
NOT_EMPLOYED = N_("只有在职职工可以申请调动")
OPENING_GONE = N_("这个岗位已经停止招用")
NOT_NEAR_HOME = N_("这个岗位不在您的户籍所在省内，不能申请")
OWN_SITE = N_("这个岗位就在您现在的项目部，不需要申请调动")
ALREADY_ASKED = N_("您已经申请过这个岗位，正在等待答复")
NOT_OPEN = N_("这份申请已经处理完毕，不能再更改")
NEED_OUTCOME = N_("请选择同意或不同意")
NEED_REASON = N_("不同意时请写明原因，职工会看到")
EFFECTIVE_TOO_EARLY = N_("到岗日期不能早于申请日期（%(day)s）")


class Outcome(str, enum.Enum):
    APPROVED = "approved"
    DECLINED = "declined"


def get_request(request_id: int) -> TransferRequest | None:
    return session.get(TransferRequest, request_id)


def has_left_behind_child(worker: Worker) -> bool:
    """Whether the worker is a registered parent of a child who is left behind today."""
    return bool(session.scalar(select(has_child_where(literal(worker.id)))))


def request_transfer(worker: Worker, opening: Opening, note: str | None, *,
                     actor: Actor) -> TransferRequest:
    """The worker asks to move to ``opening`` (see the module's rules)."""
    errors = ErrorList()
    text = errors.collect(lambda: clean_free_text(note, max_length=NOTE_MAX, field="note"))
    today = local_today()
    if worker.employment_status != EmploymentStatus.ACTIVE:
        errors.add(ValidationError(NOT_EMPLOYED))
    elif not has_left_behind_child(worker):
        errors.add(ValidationError(NOT_ELIGIBLE))
    elif opening.status != OpeningStatus.OPEN or (opening.ends_on is not None
                                                  and opening.ends_on < today):
        errors.add(ValidationError(OPENING_GONE))
    elif opening.org_unit.contains(worker.org_unit):
        errors.add(ValidationError(OWN_SITE))
    else:
        location = location_of(opening.org_unit)
        if location is None or rules.distance(worker.hukou_region_code,
                                              location.county_code) is None:
            errors.add(ValidationError(NOT_NEAR_HOME))
        elif open_request(worker, opening) is not None:
            errors.add(ValidationError(ALREADY_ASKED))
    InputInvalid.raise_if_any(errors)
    request = TransferRequest(worker_id=worker.id, worker=worker, opening_id=opening.id,
                              opening=opening, org_unit_id=opening.org_unit_id,
                              from_unit_id=worker.org_unit_id, note=text,
                              status=TransferStatus.REQUESTED, requested_at=utcnow(),
                              requested_on=today)
    try:
        with session.begin_nested():  # the same button pressed twice at once
            session.add(request)
            session.flush()
    except IntegrityError:
        raise ValidationError(ALREADY_ASKED) from None
    record_event("positions.transfer_requested", actor, target_type="positions_transfer",
                 target_id=request.id, org_unit_id=request.org_unit_id, details=_about(request))
    return request


def open_request(worker: Worker, opening: Opening) -> TransferRequest | None:
    return session.scalar(select(TransferRequest).where(
        TransferRequest.worker_id == worker.id, TransferRequest.opening_id == opening.id,
        TransferRequest.status == TransferStatus.REQUESTED))


def withdraw(request: TransferRequest, *, actor: Actor) -> None:
    """The worker takes back a request not decided yet."""
    _lock_open(request)
    now = utcnow()
    request.status = TransferStatus.WITHDRAWN
    request.decided_at, request.decided_on, request.decided_by = now, local_today(), actor.key
    session.flush()
    record_event("positions.transfer_withdrawn", actor, target_type="positions_transfer",
                 target_id=request.id, org_unit_id=request.org_unit_id, details=_about(request))


def decide(request: TransferRequest, outcome: Outcome | None, *, reason: str | None,
           effective_on: date | None, actor: Actor) -> None:
    """HR approves (optionally from ``effective_on``) or declines (``reason`` required)."""
    errors = ErrorList()
    text = errors.collect(lambda: clean_free_text(reason, max_length=REASON_MAX, field="reason",
                                                  multiline=True))
    if not isinstance(outcome, Outcome):
        errors.add(ValidationError(NEED_OUTCOME, field="outcome"))
    elif outcome == Outcome.DECLINED and not text and not errors:
        errors.add(ValidationError(NEED_REASON, field="reason"))
    if effective_on is not None and outcome == Outcome.APPROVED \
            and effective_on < request.requested_on:
        errors.add(ValidationError(EFFECTIVE_TOO_EARLY, field="effective_on",
                                   day=request.requested_on.isoformat()))
    InputInvalid.raise_if_any(errors)
    _lock_open(request)
    now = utcnow()
    request.status = (TransferStatus.APPROVED if outcome == Outcome.APPROVED
                      else TransferStatus.DECLINED)
    request.reason = text
    request.effective_on = effective_on if outcome == Outcome.APPROVED else None
    request.decided_at, request.decided_on, request.decided_by = now, local_today(), actor.key
    session.flush()
    details = _about(request)
    if request.effective_on is not None:
        details["positions_effective_on"] = request.effective_on.isoformat()
    record_event(f"positions.transfer_{request.status.value}", actor,
                 target_type="positions_transfer", target_id=request.id,
                 org_unit_id=request.org_unit_id, details=details)
    notices.tell_worker(request, actor)


def _lock_open(request: TransferRequest) -> None:
    lock_rows(TransferRequest, [request.id])
    session.refresh(request, ["status"])
    if request.status != TransferStatus.REQUESTED:
        raise ValidationError(NOT_OPEN)


def _about(request: TransferRequest) -> dict:
    """What the audit log says of a request: the worker, where to, never the worker's note."""
    return {"positions_site": request.opening.org_unit.name,
            "positions_trade": request.opening.trade}
