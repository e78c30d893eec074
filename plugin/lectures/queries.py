"""Reads of lectures for list, calendar, detail, worker and export pages: scoped, paginated, a
fixed number of queries per page. The figures (statistics) are in :mod:`.statistics`."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, or_, select

from ..core.db import session
from ..core.pagination import Page, paginate
from ..org.models import OrgUnit
from ..org.queries import in_subtrees
from ..registry.models import Worker
from .models import Attendance, CheckInMethod, Lecturer, LectureSession, SessionStatus
from .periods import period_bounds


@dataclass
class SessionFilter:
    unit: OrgUnit | None = None
    #: First and last local day (both included) on which sessions start.
    start: date | None = None
    end: date | None = None
    status: SessionStatus | None = None


def get_session(session_id: int) -> LectureSession | None:
    return session.get(LectureSession, session_id)


def get_lecturer(lecturer_id: int) -> Lecturer | None:
    return session.get(Lecturer, lecturer_id)


def scoped_sessions(scope_paths: list[str], unit: OrgUnit | None):
    statement = (select(LectureSession).join(OrgUnit, LectureSession.org_unit_id == OrgUnit.id)
                 .where(in_subtrees(OrgUnit.path, scope_paths)))
    if unit is not None:
        statement = statement.where(OrgUnit.path.startswith(unit.path, autoescape=True))
    return statement


def search_sessions(criteria: SessionFilter, *, scope_paths: list[str], page: int = 1,
                    per_page: int = 30) -> Page:
    """Sessions of units in scope, latest start first."""
    statement = scoped_sessions(scope_paths, criteria.unit)
    if criteria.start is not None:
        since = period_bounds(criteria.start, criteria.start)[0]
        statement = statement.where(LectureSession.starts_at >= since)
    if criteria.end is not None:
        until = period_bounds(criteria.end, criteria.end)[1]
        statement = statement.where(LectureSession.starts_at < until)
    if criteria.status is not None:
        statement = statement.where(LectureSession.status == criteria.status)
    statement = statement.order_by(LectureSession.starts_at.desc(), LectureSession.id.desc())
    return paginate(statement, page, per_page)


def sessions_between(start: datetime, end: datetime, *, scope_paths: list[str],
                     unit: OrgUnit | None = None) -> list[LectureSession]:
    """Sessions in scope starting in ``[start, end)`` (UTC), in time order (the calendar)."""
    return list(session.execute(
        scoped_sessions(scope_paths, unit)
        .where(LectureSession.starts_at >= start, LectureSession.starts_at < end)
        .order_by(LectureSession.starts_at, LectureSession.id)).scalars())


def attendance_counts(session_ids: list[int]) -> dict[int, int]:
    """Valid (not annulled) check-ins per session, in one query."""
    if not session_ids:
        return {}
    return dict(session.execute(
        select(Attendance.session_id, func.count()).where(
            Attendance.session_id.in_(session_ids), Attendance.annulled_at.is_(None))
        .group_by(Attendance.session_id)).all())


# --- sign-in sheet -------------------------------------------------------------------------------

@dataclass(frozen=True)
class SignInRow:
    number: int
    name: str
    employee_number: str
    unit_name: str
    method: CheckInMethod
    checked_in_at: datetime
    #: Set for a worker outside the reader's scope (moved to another site since): the row is
    #: kept, and name, number and unit are left empty.
    outside_scope: bool = False


def sign_in_rows(lecture: LectureSession, visible_paths: Sequence[str]) -> list[SignInRow]:
    """The valid check-ins of a session in check-in order, whatever the format they are drawn in.

    Workers of units outside ``visible_paths`` (the reader's scope: a worker who checked in and
    has moved to another site since) are listed without name, number or unit.
    """
    rows = session.execute(
        select(Worker.name, Worker.employee_number, OrgUnit.name, Attendance.method,
               Attendance.checked_in_at, OrgUnit.path)
        .join(Worker, Attendance.worker_id == Worker.id)
        .join(OrgUnit, Worker.org_unit_id == OrgUnit.id)
        .where(Attendance.session_id == lecture.id, Attendance.annulled_at.is_(None))
        .order_by(Attendance.checked_in_at, Attendance.id)).all()
    return [SignInRow(number, name, employee_number, unit_name, method, checked_in_at)
            if any(path.startswith(visible) for visible in visible_paths)
            else SignInRow(number, "", "", "", method, checked_in_at, outside_scope=True)
            for number, (name, employee_number, unit_name, method, checked_in_at, path)
            in enumerate(rows, start=1)]


# --- the worker's phone page ---------------------------------------------------------------------

def upcoming_for_worker(worker: Worker, now: datetime, limit: int = 20) -> list[LectureSession]:
    """Sessions for the worker's unit or a unit above it that have not ended, cancelled ones
    included (the worker must see the notice), soonest first.

    Product rule: a session of a unit is for every worker in that unit's subtree, so a group-level
    lecture appears to every worker and a team's lecture only to that team.
    """
    return list(session.execute(
        select(LectureSession)
        .where(LectureSession.org_unit_id.in_(worker.org_unit.ancestor_ids),
               LectureSession.ends_at >= now)
        .order_by(LectureSession.starts_at, LectureSession.id).limit(limit)).scalars())


def attended_by_worker(worker: Worker,
                       limit: int = 30) -> tuple[list[tuple[LectureSession, datetime]], int]:
    """The worker's latest valid check-ins (session, check-in time) and how many in all."""
    condition = (Attendance.worker_id == worker.id) & Attendance.annulled_at.is_(None)
    rows = session.execute(
        select(LectureSession, Attendance.checked_in_at)
        .join(Attendance, Attendance.session_id == LectureSession.id).where(condition)
        .order_by(Attendance.checked_in_at.desc()).limit(limit)).all()
    total = session.execute(
        select(func.count()).select_from(Attendance).where(condition)).scalar_one()
    return [(lecture, checked_in_at) for lecture, checked_in_at in rows], total


# --- lecture team --------------------------------------------------------------------------------

def search_lecturers(*, scope_paths: list[str], include_inactive: bool = False, page: int = 1,
                     per_page: int = 50) -> Page:
    statement = select(Lecturer).join(OrgUnit, Lecturer.org_unit_id == OrgUnit.id).where(
        in_subtrees(OrgUnit.path, scope_paths))
    if not include_inactive:
        statement = statement.where(Lecturer.active.is_(True))
    return paginate(statement.order_by(OrgUnit.path, Lecturer.name, Lecturer.id), page, per_page)


def lecturers_to_choose(scope_paths: list[str], *, keep: list[Lecturer] = ()) -> list[Lecturer]:
    """Active lecturers a session in scope may name: the teams of the units in scope and of the
    units above them (a group's experts lecture everywhere), plus ``keep`` (already named)."""
    above = {unit_id for path in scope_paths for unit_id in _path_ids(path)}
    lecturers = list(session.execute(
        select(Lecturer).join(OrgUnit, Lecturer.org_unit_id == OrgUnit.id)
        .where(Lecturer.active.is_(True),
               or_(in_subtrees(OrgUnit.path, scope_paths), Lecturer.org_unit_id.in_(above)))
        .order_by(OrgUnit.path, Lecturer.name, Lecturer.id)).scalars())
    known = {lecturer.id for lecturer in lecturers}
    return lecturers + [lecturer for lecturer in keep if lecturer.id not in known]


def _path_ids(path: str) -> list[int]:
    return [int(part) for part in path.strip("/").split("/") if part]
