"""Lecture figures: per session, and per organisation subtree and period (the statistics page and
the reports issue). Every figure is one aggregate query, whatever the number of attendances.

Definitions (product rules where DOMAIN §5 and §9 are silent):

- A *valid* attendance is one not annulled. Cancelled sessions count for nothing.
- *Sessions held*: sessions of a unit in the subtrees, not cancelled, starting in the period.
  *Attendances* and *unique attendees* are those of the sessions held (an attendee may work
  elsewhere in the company).
- *Reached*: a worker of the subtrees (by their current unit) with a valid attendance at any
  session starting in the period, wherever it was held (a group-wide lecture reaches a site's
  workers too).
- *Workers with left-behind children*: active workers of the subtrees who are the registered
  mother or father of at least one child whose computed category is left-behind today.
  The share reached is the part of them reached in the period.
- *Children reached*: distinct children of the workers reached; *left-behind children reached*
  those of them that are left-behind today.
- *Families reached*: the children reached grouped by their family, a family being the children
  whose lowest-numbered parent among the company's workers is the same worker; so a mother and a
  father who both work here, and their children, are one family.
- The *never-attended list*: active workers of the subtrees with left-behind children and no
  valid attendance at all, ever.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import case, distinct, exists, func, select

from ..core.db import session
from ..core.errors import ValidationError
from ..core.pagination import Page, paginate
from ..org.models import OrgUnit
from ..org.queries import in_subtrees
from ..registry.models import Child, ChildParent, EmploymentStatus, Worker
from .models import Attendance, CheckInMethod, LectureSession, SessionStatus
from .periods import period_bounds

VALID = Attendance.annulled_at.is_(None)
HELD = LectureSession.status != SessionStatus.CANCELLED


@dataclass(frozen=True)
class LectureFigures:
    """Cumulative lecture figures of an organisation subtree for a period (see the module doc)."""

    sessions_held: int
    attendances: int
    unique_attendees: int
    brochures_handed_out: int
    workers_reached: int
    workers_with_left_behind_children: int
    workers_with_left_behind_children_reached: int
    families_reached: int
    children_reached: int
    left_behind_children_reached: int

    @property
    def share_reached(self) -> float | None:
        """Part (0–1) of the workers with left-behind children reached; None when there are none."""
        if not self.workers_with_left_behind_children:
            return None
        return (self.workers_with_left_behind_children_reached
                / self.workers_with_left_behind_children)


@dataclass(frozen=True)
class SessionFigures:
    attendances: int
    by_method: dict[CheckInMethod, int] = field(default_factory=dict)
    #: Attendees who are parents of a left-behind child.
    with_left_behind_children: int = 0
    #: Offline scans uploaded late (counted, but worth a look).
    late_uploads: int = 0


def session_figures(lecture: LectureSession) -> SessionFigures:
    """Figures of one session. Attendances and unique attendees are the same number: a worker has
    one attendance row per session."""
    rows = session.execute(
        select(Attendance.method, func.count(), _count_if(Attendance.late_upload.is_(True)))
        .where(Attendance.session_id == lecture.id, VALID).group_by(Attendance.method)).all()
    by_method = {method: count for method, count, _late in rows}
    left_behind = session.execute(
        select(func.count()).select_from(Attendance)
        .where(Attendance.session_id == lecture.id, VALID,
               _has_left_behind_child(Attendance.worker_id))
    ).scalar_one()
    return SessionFigures(attendances=sum(by_method.values()), by_method=by_method,
                          with_left_behind_children=left_behind,
                          late_uploads=sum(int(late or 0) for _method, _count, late in rows))


def default_period(today: date) -> tuple[date, date]:
    """The period the figures cover unless another is asked for: this year so far (1 January
    to ``today``, both included)."""
    return date(today.year, 1, 1), today


def lecture_figures(unit_path_prefixes: list[str], start: date, end: date) -> LectureFigures:
    """The lecture figures of the subtrees whose paths are given, for the local days ``start`` to
    ``end`` (both included). This is the function the reports use; see the module doc for what
    each figure counts."""
    if start > end:
        raise ValidationError("起始日期不能晚于截止日期", field="start")
    since, until = period_bounds(start, end)

    held, brochures = session.execute(sessions_held_statement(
        unit_path_prefixes, since, until,
        func.count(), func.coalesce(func.sum(LectureSession.brochures_handed_out), 0))).one()
    attendances, attendees = session.execute(valid_attendances_statement(
        unit_path_prefixes, since, until,
        func.count(), func.count(distinct(Attendance.worker_id)))).one()

    attended = attended_statement(since, until)
    reached = workers_reached_statement(unit_path_prefixes, since, until)
    workers_reached = session.execute(
        select(func.count()).select_from(reached.subquery())).scalar_one()
    with_left_behind, with_left_behind_reached = session.execute(
        select(func.count(), _count_if(Worker.id.in_(attended)))
        .select_from(Worker).join(OrgUnit, Worker.org_unit_id == OrgUnit.id)
        .where(Worker.employment_status == EmploymentStatus.ACTIVE,
               in_subtrees(OrgUnit.path, unit_path_prefixes),
               _has_left_behind_child(Worker.id))).one()

    children = (select(ChildParent.child_id).where(ChildParent.worker_id.in_(reached)).distinct()
                .subquery())
    families = (select(ChildParent.child_id, func.min(ChildParent.worker_id).label("family"))
                .where(ChildParent.child_id.in_(select(children.c.child_id)))
                .group_by(ChildParent.child_id).subquery())
    children_reached, left_behind_reached, families_reached = session.execute(
        select(func.count(), _count_if(Child.left_behind.is_(True)),
               func.count(distinct(families.c.family)))
        .select_from(families).join(Child, Child.id == families.c.child_id)).one()

    return LectureFigures(
        sessions_held=held, attendances=attendances, unique_attendees=attendees,
        brochures_handed_out=int(brochures), workers_reached=workers_reached,
        workers_with_left_behind_children=with_left_behind,
        workers_with_left_behind_children_reached=int(with_left_behind_reached),
        families_reached=families_reached, children_reached=children_reached,
        left_behind_children_reached=int(left_behind_reached))


# -- statement builders (the definitions of the module doc; also the lectures' indicators) ----
# ``since`` and ``until`` are the UTC bounds of a period, :func:`period_bounds`.

def _starting_in(since: datetime, until: datetime):
    return (LectureSession.starts_at >= since) & (LectureSession.starts_at < until)


def sessions_held_statement(unit_path_prefixes: list[str], since: datetime, until: datetime,
                            *columns):
    """``columns`` (default: the session's id) of the sessions held: of a unit in the subtrees,
    not cancelled, starting in ``[since, until)``."""
    return (select(*(columns or (LectureSession.id,))).select_from(LectureSession)
            .join(OrgUnit, LectureSession.org_unit_id == OrgUnit.id)
            .where(HELD, _starting_in(since, until), in_subtrees(OrgUnit.path, unit_path_prefixes)))


def valid_attendances_statement(unit_path_prefixes: list[str], since: datetime, until: datetime,
                                *columns):
    """``columns`` (default: the attendance's id) of the valid attendances of the sessions held
    (:func:`sessions_held_statement`), wherever the attendee works."""
    return (select(*(columns or (Attendance.id,))).select_from(Attendance)
            .join(LectureSession, Attendance.session_id == LectureSession.id)
            .join(OrgUnit, LectureSession.org_unit_id == OrgUnit.id)
            .where(VALID, HELD, _starting_in(since, until),
                   in_subtrees(OrgUnit.path, unit_path_prefixes)))


def attended_statement(since: datetime, until: datetime):
    """Worker ids with a valid attendance at a session not cancelled starting in
    ``[since, until)``, wherever it was held (one row per attendance)."""
    return (select(Attendance.worker_id)
            .join(LectureSession, Attendance.session_id == LectureSession.id)
            .where(VALID, HELD, _starting_in(since, until)))


def workers_reached_statement(unit_path_prefixes: list[str], since: datetime, until: datetime):
    """Ids of the workers reached: of a unit in the subtrees (their current unit), with a valid
    attendance in the period (:func:`attended_statement`)."""
    return (select(Worker.id).join(OrgUnit, Worker.org_unit_id == OrgUnit.id)
            .where(in_subtrees(OrgUnit.path, unit_path_prefixes),
                   Worker.id.in_(attended_statement(since, until))))


def never_attended(unit_path_prefixes: list[str], *, page: int = 1, per_page: int = 50) -> Page:
    """Active workers of the subtrees with left-behind children and no valid attendance ever,
    by unit then employee number: the people to invite to the next lecture."""
    return paginate(never_attended_statement(unit_path_prefixes), page, per_page)


def never_attended_statement(unit_path_prefixes: list[str]):
    """The query of :func:`never_attended`, unpaginated (the list's export streams it)."""
    return (select(Worker).join(OrgUnit, Worker.org_unit_id == OrgUnit.id)
            .where(in_subtrees(OrgUnit.path, unit_path_prefixes),
                   Worker.employment_status == EmploymentStatus.ACTIVE,
                   _has_left_behind_child(Worker.id),
                   ~exists().where(Attendance.worker_id == Worker.id, VALID))
            .order_by(OrgUnit.path, Worker.employee_number))


def _count_if(condition):
    """How many rows meet ``condition`` (0, not NULL, when there are none)."""
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _has_left_behind_child(worker_id_column):
    return exists().where(ChildParent.worker_id == worker_id_column,
                          ChildParent.child_id == Child.id, Child.left_behind.is_(True))


def narrow_paths(paths: list[str], other: list[str]) -> list[str]:
    """The subtrees lying in both ``paths`` and ``other`` (each a list of subtree paths)."""
    narrowed = set()
    for path in paths:
        for candidate in other:
            if path.startswith(candidate):
                narrowed.add(path)
            elif candidate.startswith(path):
                narrowed.add(candidate)
    return sorted(narrowed)
