"""The worker's scan of the venue code, in as few database statements as a check-in allows.

A lecture's 2,000 workers scan within minutes, so the usual case (a signed-in phone, a valid code,
an open window, a first check-in) is one guarded ``INSERT … SELECT``: the row is written only if,
in the database at that moment, the phone's device is not revoked, its worker is active and
belongs to the session's unit or a unit below it, the session is scheduled and the window is open
at the scan time. The session's code key, title and check-in minutes come from a per-process
snapshot, and the same statement checks that the snapshot is still the row (same ``updated_at``,
code key and minutes), so a cancelled, rescheduled or edited session is never judged on stale data.

When the statement writes nothing, the scan is judged the thorough way
(:func:`.services.check_in_by_venue_code`), which finds the reason: already signed in, not this
site, window closed, unknown phone, and so on. Writing first also means that on SQLite the scan
takes the write lock with its first statement, never after a read (see
:func:`plugin.core.db.configure_sqlite`).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, func, insert, literal_column, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import aliased

from ..access.scope import valid_id
from ..core.clock import utcnow
from ..core.db import session
from ..lectures.models import Attendance, CheckInMethod, LectureSession, SessionStatus
from ..org.models import OrgUnit
from ..registry.models import EmploymentStatus, Worker
from ..worker_access.models import WorkerDevice
from ..worker_access.services import SEEN_GRANULARITY, token_hash, worker_for_token
from . import services
from .codes import CodeProblem, parse_venue_code, venue_code_problem
from .models import AttemptOutcome, CheckInAttempt
from .results import CheckInResult, LectureLabel, WorkerLabel


@dataclass(frozen=True)
class LectureSnapshot:
    """What judging a scan needs of a session, as it was when read (see the module docstring)."""

    id: int
    title: str
    venue: str
    code_key: str
    opens_minutes: int
    closes_minutes: int
    updated_at: datetime


#: Session id -> snapshot; every entry is verified by the guarded INSERT, so it is never trusted.
_snapshots: dict[int, LectureSnapshot] = {}
_SNAPSHOTS_KEPT = 256

_ATTENDANCE = Attendance.__table__
_site = aliased(OrgUnit)
_home = aliased(OrgUnit)


def _guarded_select():
    """The attendance row to insert, selected only if every condition for counting it holds."""
    columns = _ATTENDANCE.c
    return (
        select(LectureSession.id, WorkerDevice.worker_id,
               bindparam("method", type_=columns.method.type),
               bindparam("checked_in_at", type_=columns.checked_in_at.type),
               bindparam("recorded_at", type_=columns.recorded_at.type),
               bindparam("late_upload", type_=columns.late_upload.type),
               bindparam("device", type_=columns.device.type))
        .join(_site, _site.id == LectureSession.org_unit_id)
        .join(WorkerDevice, WorkerDevice.token_hash == bindparam("token_hash"))
        .join(Worker, Worker.id == WorkerDevice.worker_id)
        .join(_home, _home.id == Worker.org_unit_id)
        .where(LectureSession.id == bindparam("session_id"),
               LectureSession.updated_at == bindparam("updated_at"),
               LectureSession.code_key == bindparam("code_key"),
               LectureSession.check_in_opens_minutes == bindparam("opens_minutes"),
               LectureSession.check_in_closes_minutes == bindparam("closes_minutes"),
               LectureSession.status == SessionStatus.SCHEDULED,
               LectureSession.starts_at <= bindparam("latest_start"),
               LectureSession.ends_at >= bindparam("earliest_end"),
               WorkerDevice.revoked_at.is_(None),
               Worker.employment_status == EmploymentStatus.ACTIVE,
               func.substr(_home.path, 1, func.length(_site.path)) == _site.path))


_INSERTED = ("session_id", "worker_id", "method", "checked_in_at", "recorded_at", "late_upload",
             "device")


def _guarded_insert(dialect):
    return (dialect.insert(_ATTENDANCE).from_select(_INSERTED, _guarded_select())
            .on_conflict_do_nothing(index_elements=["session_id", "worker_id"]))


def _scanning_worker(counted_id, worker_id):
    """The check-in row's id, its worker as the page names them, and the phone's device."""
    return (select(counted_id.label("attendance_id"), Worker.id.label("worker_id"), Worker.name,
                   Worker.employee_number, WorkerDevice.id.label("device_id"),
                   WorkerDevice.last_seen_at)
            .select_from(Worker)
            .join(WorkerDevice, WorkerDevice.token_hash == bindparam("token_hash"))
            .where(Worker.id == worker_id))


_ATTEMPTS = CheckInAttempt.__table__
_LOGGED = ("session_id", "worker_id", "method", "outcome", "attempted_at", "device", "ip")


def _counted_and_logged_in_one_statement():
    """PostgreSQL: insert the attendance, log the attempt and name the worker in one round trip
    (data-modifying CTEs)."""
    counted = (_guarded_insert(postgresql)
               .returning(_ATTENDANCE.c.id, _ATTENDANCE.c.worker_id).cte("counted"))
    logged = insert(_ATTEMPTS).from_select(_LOGGED, select(
        bindparam("session_id", type_=_ATTEMPTS.c.session_id.type), counted.c.worker_id,
        bindparam("method", type_=_ATTEMPTS.c.method.type),
        bindparam("outcome", type_=_ATTEMPTS.c.outcome.type),
        bindparam("recorded_at", type_=_ATTEMPTS.c.attempted_at.type),
        bindparam("device", type_=_ATTEMPTS.c.device.type),
        bindparam("ip", type_=_ATTEMPTS.c.ip.type)).select_from(counted)).cte("logged")
    return _scanning_worker(counted.c.id, counted.c.worker_id).add_cte(logged)


def _counted_and_named():
    """SQLite (no data-modifying CTEs): the guarded insert, naming the worker in its RETURNING
    clause, so the write lock is held for two statements (this and the attempt log), not three.

    SQLite's RETURNING sees only the inserted row, which subqueries reach by the table's name.
    """
    inserted_worker = literal_column(f"{_ATTENDANCE.name}.{_ATTENDANCE.c.worker_id.name}")
    device = WorkerDevice.token_hash == bindparam("token_hash")
    return _guarded_insert(sqlite).returning(
        _ATTENDANCE.c.id.label("attendance_id"), _ATTENDANCE.c.worker_id,
        select(Worker.name).where(Worker.id == inserted_worker).scalar_subquery().label("name"),
        select(Worker.employee_number).where(Worker.id == inserted_worker).scalar_subquery()
        .label("employee_number"),
        select(WorkerDevice.id).where(device).scalar_subquery().label("device_id"),
        select(WorkerDevice.last_seen_at).where(device).scalar_subquery().label("last_seen_at"))


#: Built once: these run for every scan of a lecture.
_COUNTED_AND_LOGGED = _counted_and_logged_in_one_statement()
_COUNTED_AND_NAMED = _counted_and_named()
_INSERT_ATTEMPT = insert(_ATTEMPTS)


def _count_and_log(values: dict):
    """The guarded insert and its attempt log entry; the worker's row, or None if not counted.

    Run on the session's connection: these are Core statements, and the ORM layer around
    ``session.execute`` would cost more than the statements themselves.
    """
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        return connection.execute(_COUNTED_AND_LOGGED, values).one_or_none()
    counted = connection.execute(_COUNTED_AND_NAMED, values).one_or_none()
    if counted is None:
        return None
    connection.execute(_INSERT_ATTEMPT, {
        **{name: values[name] for name in ("session_id", "method", "outcome", "device", "ip")},
        "worker_id": counted.worker_id, "attempted_at": values["recorded_at"]})
    return counted


def _read_snapshot(session_id: int) -> LectureSnapshot | None:
    row = session.execute(
        select(LectureSession.id, LectureSession.title, LectureSession.venue,
               LectureSession.code_key, LectureSession.check_in_opens_minutes,
               LectureSession.check_in_closes_minutes, LectureSession.updated_at)
        .where(LectureSession.id == session_id)).one_or_none()
    return LectureSnapshot(*row) if row is not None else None


def _keep_snapshot(snapshot: LectureSnapshot) -> None:
    if len(_snapshots) >= _SNAPSHOTS_KEPT:
        _snapshots.clear()
    _snapshots[snapshot.id] = snapshot


def forget_snapshot(session_id: int) -> None:
    _snapshots.pop(session_id, None)


def check_in_by_venue_code(code_text: str, device_token: str | None, *, origin: services.Origin,
                           seen_at: datetime | None = None,
                           copied_mark: bool = False) -> CheckInResult | None:
    """A phone opened the venue code's URL; ``device_token`` is its remembered-phone token.

    Same answers as :func:`.services.check_in_by_venue_code`, which judges every case the fast
    path does not count. Returns None when the code is good but the phone must sign in first.
    ``seen_at`` and ``copied_mark`` come from the sign-in detour's mark
    (:func:`.services.first_seen`).
    """
    at = seen_at or utcnow()
    result = _counted_at_once(code_text, device_token, at, origin)
    if result is not None:
        return result
    return services.check_in_by_venue_code(code_text, worker_for_token(device_token), origin=origin,
                                           at=at, copied_mark=copied_mark)


def _counted_at_once(code_text: str, device_token: str | None, at: datetime,
                     origin: services.Origin) -> CheckInResult | None:
    """The usual scan, counted with one guarded INSERT; None when that did not count it."""
    code = parse_venue_code(code_text)
    if session.get_bind().dialect.name not in ("postgresql", "sqlite") or code is None \
            or not device_token or not valid_id(code.session_id):
        return None
    lecture = _snapshots.get(code.session_id)
    cached = lecture is not None
    if not cached:
        lecture = _read_snapshot(code.session_id)
        if lecture is None:
            return None
    problem = venue_code_problem(code, lecture.code_key, at)
    if problem == CodeProblem.FORGED and cached:
        # A session's key never changes, but an id can name another row than the snapshot's (a
        # database restored or rolled back): the row decides. Made-up codes cost this read, never
        # the snapshot of a lecture being scanned.
        fresh = _read_snapshot(code.session_id)
        if fresh != lecture:
            forget_snapshot(code.session_id)
            if fresh is None:
                return None
            lecture, cached = fresh, False
            problem = venue_code_problem(code, lecture.code_key, at)
    if problem is not None:
        return None
    if not cached:  # only sessions of genuine codes are kept
        _keep_snapshot(lecture)
    now = utcnow()
    counted = _count_and_log({
        "session_id": lecture.id, "updated_at": lecture.updated_at, "code_key": lecture.code_key,
        "opens_minutes": lecture.opens_minutes, "closes_minutes": lecture.closes_minutes,
        "latest_start": at + timedelta(minutes=lecture.opens_minutes),
        "earliest_end": at - timedelta(minutes=lecture.closes_minutes),
        "token_hash": token_hash(device_token), "method": CheckInMethod.WORKER_SCAN,
        "outcome": AttemptOutcome.ACCEPTED, "checked_in_at": at, "recorded_at": now,
        "late_upload": False, "device": origin.device, "ip": origin.ip})
    if counted is None:
        forget_snapshot(lecture.id)
        return None
    if now - counted.last_seen_at > SEEN_GRANULARITY:
        session.execute(update(WorkerDevice).where(WorkerDevice.id == counted.device_id)
                        .values(last_seen_at=now).execution_options(synchronize_session=False))
    return CheckInResult(AttemptOutcome.ACCEPTED, time=at,
                         worker=WorkerLabel(counted.worker_id, counted.name,
                                            counted.employee_number),
                         attendance_id=counted.attendance_id,
                         lecture=LectureLabel(lecture.id, lecture.title, lecture.venue))
