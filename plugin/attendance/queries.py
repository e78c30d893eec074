"""Reads for attendance pages: scoped by the session's unit, paginated, no query per row."""
from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager, lazyload

from ..core.db import session
from ..core.pagination import Page, paginate
from ..lectures.models import Attendance, LectureSession
from ..org.models import OrgUnit
from ..registry.models import EmploymentStatus, Worker
from ..registry.queries import WorkerFilter, search_workers
from .models import CheckInAttempt
from .results import HIDDEN_REASONS, Reason
from .scope import WorkerScope


def get_lecture(session_id: int) -> LectureSession | None:
    """The session with its unit, without its topics and lecturers (the check-in path needs
    neither, and it runs for every scan)."""
    return session.execute(
        select(LectureSession).where(LectureSession.id == session_id)
        .options(lazyload(LectureSession.topic_links), lazyload(LectureSession.lecturers))
    ).scalar_one_or_none()


def get_attendance(attendance_id: int) -> Attendance | None:
    return session.get(Attendance, attendance_id)


def present_count(session_id: int) -> int:
    """Workers counted present (annulled check-ins left out)."""
    return session.execute(select(func.count()).select_from(Attendance).where(
        Attendance.session_id == session_id, Attendance.annulled_at.is_(None))).scalar_one()


def attendance_page(session_id: int, page: int = 1, per_page: int = 50) -> Page:
    """Check-ins of a session, latest first, annulled ones included (workers joined)."""
    return paginate(select(Attendance).where(Attendance.session_id == session_id)
                    .order_by(Attendance.checked_in_at.desc(), Attendance.id.desc()),
                    page, per_page)


@dataclass(frozen=True)
class AttemptLine:
    """One line of the attempts log as a viewer may see it."""

    attempt: CheckInAttempt
    #: The reason as the viewer reads it (an out-of-scope lookup reads as an unknown worker).
    reason: str | None
    #: (name, employee number), or None: nobody named, or a worker outside the viewer's scope.
    worker: tuple[str, str] | None = None
    #: A worker outside the viewer's scope made the attempt ("范围外职工").
    outsider: bool = False


def attempts_page(session_id: int, scope: WorkerScope, page: int = 1, per_page: int = 100) -> Page:
    """Every attempt on a session, latest first, as :class:`AttemptLine` for a viewer of ``scope``.

    Attempts of workers outside the scope stay in the log (the times, reasons and devices are the
    officers' to see) without the worker's name, number or unit; an officer's lookup of such a
    worker reads exactly like a lookup of a number nobody has (:mod:`.scope`).
    """
    statement = (select(CheckInAttempt, Worker.name, Worker.employee_number, OrgUnit.path)
                 .outerjoin(Worker, CheckInAttempt.worker_id == Worker.id)
                 .outerjoin(OrgUnit, Worker.org_unit_id == OrgUnit.id)
                 .where(CheckInAttempt.session_id == session_id)
                 .order_by(CheckInAttempt.attempted_at.desc(), CheckInAttempt.id.desc()))
    found = paginate(statement, page, per_page, scalars=False)
    return replace(found, items=[_attempt_line(*row, scope) for row in found.items])


def _attempt_line(attempt: CheckInAttempt, name, number, unit_path,
                  scope: WorkerScope) -> AttemptLine:
    if attempt.worker_id is None:
        return AttemptLine(attempt, attempt.reason)
    if scope.covers(unit_path):
        return AttemptLine(attempt, attempt.reason, worker=(name, number))
    hidden = HIDDEN_REASONS.get(Reason(attempt.reason)) if attempt.reason else None
    if hidden is not None:
        return AttemptLine(attempt, hidden.value)
    return AttemptLine(attempt, attempt.reason, outsider=True)


def attempts_by_nonce(session_id: int, nonces: list[str]) -> dict[str, CheckInAttempt]:
    """The first attempt logged for each nonce (a re-sent offline scan)."""
    if not nonces:
        return {}
    found: dict[str, CheckInAttempt] = {}
    for attempt in session.execute(select(CheckInAttempt).where(
            CheckInAttempt.session_id == session_id, CheckInAttempt.nonce.in_(nonces))
            .order_by(CheckInAttempt.id)).scalars():
        found.setdefault(attempt.nonce, attempt)
    return found


def attendance_of(session_id: int, worker_id: int) -> Attendance | None:
    return session.execute(select(Attendance).where(
        Attendance.session_id == session_id, Attendance.worker_id == worker_id)
        .execution_options(populate_existing=True)).scalar_one_or_none()


def attendances_of(session_id: int, worker_ids: list[int]) -> dict[int, Attendance]:
    if not worker_ids:
        return {}
    return {row.worker_id: row for row in session.execute(select(Attendance).where(
        Attendance.session_id == session_id, Attendance.worker_id.in_(worker_ids))).scalars()}


def candidate_workers(lecture: LectureSession, search: str, limit: int = 20) -> list[Worker]:
    """Active workers of the session's unit (subtree) matching a name, initials or number."""
    criteria = WorkerFilter(search=search.strip(), status=EmploymentStatus.ACTIVE)
    return list(search_workers(criteria, scope_paths=[lecture.org_unit.path], per_page=limit).items)


def workers_by_number(numbers: list[str]) -> dict[str, Worker]:
    """Workers by employee number as typed (also found when typed in lower case)."""
    if not numbers:
        return {}
    found = {worker.employee_number: worker for worker in session.execute(
        select(Worker).where(Worker.employee_number.in_(
            set(numbers) | {n.upper() for n in numbers}))
    ).scalars()}
    return {number: found.get(number) or found.get(number.upper()) for number in numbers
            if number in found or number.upper() in found}


def badge_workers(unit: OrgUnit) -> list[Worker]:
    """Active workers of ``unit`` and below, grouped by unit, then by employee number."""
    return list(session.execute(
        select(Worker).join(OrgUnit, Worker.org_unit_id == OrgUnit.id)
        .where(OrgUnit.path.startswith(unit.path, autoescape=True),
               Worker.employment_status == EmploymentStatus.ACTIVE)
        .options(contains_eager(Worker.org_unit))
        .order_by(OrgUnit.path, Worker.employee_number)).scalars())
