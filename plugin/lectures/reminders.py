"""Reminding the never-attended workers of the next lecture (a bulk action of the statistics
page): each worker gets a notice on the phone (:mod:`plugin.worker_notices`) naming the next
session for their unit, or is counted as having none coming up."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from ..core.clock import utcnow
from ..core.dates import format_datetime
from ..core.db import session
from ..core.host import Actor
from ..registry.models import Worker
from ..worker_notices.messages import NEXT_LECTURE
from ..worker_notices.services import send_notices
from .models import LectureSession, SessionStatus
from .statistics import never_attended_statement


@dataclass(frozen=True)
class ReminderOutcome:
    sent: int
    already_sent: int
    no_lecture: int


def next_session_for(worker: Worker, now) -> LectureSession | None:
    """The next session, not cancelled, for the worker's unit or a unit above it."""
    return session.execute(
        select(LectureSession)
        .where(LectureSession.org_unit_id.in_(worker.org_unit.ancestor_ids),
               LectureSession.starts_at > now,
               LectureSession.status != SessionStatus.CANCELLED)
        .order_by(LectureSession.starts_at, LectureSession.id).limit(1)).scalar_one_or_none()


def remind_never_attended(people_paths: list[str], *, actor: Actor,
                          only_ids: set[int] | None = None,
                          org_unit_id: int | None = None) -> ReminderOutcome:
    """Notify the never-attended workers of ``people_paths`` (all of them, or those of
    ``only_ids``: ids outside the list are ignored) of their next lecture."""
    workers = [worker for worker in session.execute(
        never_attended_statement(people_paths)).scalars()
        if only_ids is None or worker.id in only_ids]
    now = utcnow()
    by_unit: dict[int, LectureSession | None] = {}
    params: dict[int, dict] = {}
    without = 0
    for worker in workers:
        if worker.org_unit_id not in by_unit:
            by_unit[worker.org_unit_id] = next_session_for(worker, now)
        lecture = by_unit[worker.org_unit_id]
        if lecture is None:
            without += 1
            continue
        params[worker.id] = {"title": lecture.title, "time": format_datetime(lecture.starts_at),
                             "session_id": lecture.id}
    if not params:
        return ReminderOutcome(0, 0, without)
    outcome = send_notices(list(params), NEXT_LECTURE, None,
                           ("carebridge.worker_lectures.index", {}), actor,
                           per_worker_params=params, org_unit_id=org_unit_id,
                           audit_details={"no_upcoming_lecture": without})
    return ReminderOutcome(outcome.sent, outcome.already_sent, without)
