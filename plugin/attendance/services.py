"""Taking attendance at a lecture: the worker's scan of the venue code, manual entry, paper sheets,
annulment (the officer's badge scans, also queued offline, are in :mod:`.scans`).

Exactly once: the database holds one row per (session, worker) (a unique constraint); a check-in
is an ``INSERT … ON CONFLICT DO NOTHING`` (a savepoint on other databases), so retries, double
scans and concurrent uploads never fail a request and never add a second row. Every attempt,
refused ones included, goes to the attempts log with its reason, method, device and officer.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from ..access.scope import valid_id
from ..audit.services import record_event
from ..core.clock import utcnow
from ..core.db import session
from ..core.errors import ErrorList, ValidationError
from ..core.host import Actor
from ..core.i18n import N_
from ..core.text import clean_code, clean_free_text, drop_controls, fold_width
from ..lectures.models import Attendance, CheckInMethod, LectureSession
from ..org.models import OrgUnit
from ..registry.models import EmploymentStatus, Worker
from ..worker_access.models import WorkerDevice
from ..worker_access.services import token_hash
from . import queries
from .codes import (
    SeenMark,
    badge_code,
    derive_key,
    parse_venue_code,
    read_seen_mark,
    slot_ends_at,
    venue_code,
    venue_code_problem,
)
from .models import AttemptOutcome, CheckInAttempt
from .results import REASON_LABELS, CheckInResult, Reason
from .scope import WorkerScope, worker_scope
from .throttle import may_log_invalid_code

#: An officer may annul a check-in this long after it was recorded.
ANNUL_WINDOW = timedelta(minutes=15)
#: A worker who opened a valid code on a new phone has this long to sign in; the code is judged
#: as of the moment it was opened.
SIGN_IN_GRACE = timedelta(minutes=5)
#: Tolerated difference between app servers' clocks when a phone's sign-in is compared with the
#: moment it first opened a code.
SEEN_CLOCK_SKEW = timedelta(seconds=5)
DEVICE_LENGTH = 120


@dataclass(frozen=True)
class Origin:
    """Who made an attempt and from where, for the attempts log."""

    officer: str | None = None
    device: str | None = None
    ip: str | None = None

    @classmethod
    def of(cls, actor: Actor | None, *, user_agent: str | None, ip: str | None) -> Origin:
        return cls(officer=actor.key if actor else None,
                   device=(user_agent or "")[:DEVICE_LENGTH] or None, ip=(ip or "")[:64] or None)


def _key(purpose: str) -> bytes:
    return derive_key(current_app.secret_key, purpose)


def badge_key() -> bytes:
    return _key("badge")


def seen_key() -> bytes:
    return _key("seen")


def worker_badge_code(worker: Worker) -> str:
    return badge_code(worker.id, badge_key())


# --- the one way a check-in is recorded ----------------------------------------------------

def check_in(lecture: LectureSession, worker: Worker | None, method: CheckInMethod, *,
             at: datetime, origin: Origin, nonce: str | None = None,
             scanned_at: datetime | None = None, late_upload: bool = False,
             unseen: Worker | None = None) -> CheckInResult:
    """Count ``worker`` present at ``lecture`` as of ``at`` (when they were there), once.

    Refused when the session is cancelled, ``at`` is outside the check-in window, or the worker
    is unknown, has left, or belongs to another site. Logs the attempt either way.

    ``unseen`` is a worker an officer named who is outside the officer's scope (``worker`` is then
    None): the answer is exactly the one for a worker who does not exist, and the log keeps who it
    was under :attr:`Reason.OUT_OF_SCOPE`, shown only to those who may see that worker.
    """
    now = utcnow()
    refusal = _refusal(lecture, worker, at)
    if refusal is not None:
        result = refusal
    else:
        result = _record(lecture, worker, method, at=at, now=now, origin=origin,
                         late_upload=late_upload)
    logged_worker, logged = worker, result
    if unseen is not None and result.reason == Reason.UNKNOWN_WORKER:
        logged_worker, logged = unseen, replace(result, reason=Reason.OUT_OF_SCOPE)
    log_attempt(lecture.id, logged_worker.id if logged_worker else None, method, logged, origin,
                now=now, nonce=nonce, scanned_at=scanned_at)
    return replace(result, lecture=lecture)


def officer_check_in(lecture: LectureSession, worker: Worker | None, method: CheckInMethod, *,
                     scope: WorkerScope, **kwargs) -> CheckInResult:
    """:func:`check_in` of a worker an officer named: one outside the officer's ``scope`` is
    answered as unknown (see :mod:`.scope`)."""
    if worker is not None and not scope.sees(worker):
        return check_in(lecture, None, method, unseen=worker, **kwargs)
    return check_in(lecture, worker, method, **kwargs)


def _refusal(lecture: LectureSession, worker: Worker | None, at: datetime) -> CheckInResult | None:
    if lecture.is_cancelled:
        return CheckInResult(AttemptOutcome.REFUSED, Reason.CANCELLED, worker=worker)
    reason = _worker_refusal(lecture, worker)
    if reason is not None:
        return CheckInResult(AttemptOutcome.REFUSED, reason, worker=worker)
    opens_at, closes_at = lecture.check_in_window()
    if opens_at <= at <= closes_at:
        return None
    existing = queries.attendance_of(lecture.id, worker.id)
    if existing is not None and existing.annulled_at is None:
        return _already(existing)
    if at < opens_at:
        return CheckInResult(AttemptOutcome.REFUSED, Reason.NOT_OPEN, opens_at, worker=worker)
    return CheckInResult(AttemptOutcome.REFUSED, Reason.CLOSED, closes_at, worker=worker)


def _worker_refusal(lecture: LectureSession, worker: Worker | None) -> Reason | None:
    """Who may check in: an active worker of the session's unit or a unit below it."""
    if worker is None:
        return Reason.UNKNOWN_WORKER
    if worker.employment_status != EmploymentStatus.ACTIVE:
        return Reason.WORKER_LEFT
    if not worker.org_unit.path.startswith(lecture.org_unit.path):
        return Reason.NOT_THIS_SITE
    return None


def _already(attendance: Attendance) -> CheckInResult:
    return CheckInResult(AttemptOutcome.ALREADY, Reason.ALREADY, attendance.checked_in_at,
                         worker=attendance.worker, attendance_id=attendance.id,
                         late_upload=attendance.late_upload)


def _record(lecture, worker, method, *, at, now, origin, late_upload) -> CheckInResult:
    values = {"method": method, "checked_in_at": at, "recorded_at": now, "late_upload": late_upload,
              "officer": origin.officer, "device": origin.device}
    new_id = _insert_once({"session_id": lecture.id, "worker_id": worker.id, **values})
    if new_id is None:
        existing = queries.attendance_of(lecture.id, worker.id)
        if existing.annulled_at is None:
            return _already(existing)
        # Checking in again after an annulment brings the row back (once, even if concurrent).
        reactivated = session.execute(
            update(Attendance)
            .where(Attendance.id == existing.id, Attendance.annulled_at.is_not(None))
            .values(annulled_at=None, annulled_by=None, annul_reason=None, **values)
            .execution_options(synchronize_session=False)).rowcount
        if not reactivated:
            return _already(queries.attendance_of(lecture.id, worker.id))
        new_id = existing.id
    return CheckInResult(AttemptOutcome.ACCEPTED, time=at, worker=worker, attendance_id=new_id,
                         late_upload=late_upload)


_ATTENDANCE = Attendance.__table__
#: Prepared once: a check-in runs these for every scan of a lecture.
_INSERT_ONCE = {
    name: (dialect.insert(_ATTENDANCE)
           .on_conflict_do_nothing(index_elements=["session_id", "worker_id"])
           .returning(_ATTENDANCE.c.id))
    for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))}
_INSERT_ATTEMPT = insert(CheckInAttempt.__table__)


def _insert_once(values: dict) -> int | None:
    """Insert the attendance row; None when one for that session and worker already exists."""
    statement = _INSERT_ONCE.get(session.get_bind().dialect.name)
    if statement is not None:
        return session.execute(statement, values).scalar_one_or_none()
    row = Attendance(**values)
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        return None
    return row.id


def log_attempt(session_id: int | None, worker_id: int | None, method: CheckInMethod,
                result: CheckInResult, origin: Origin, *, now: datetime, nonce: str | None = None,
                scanned_at: datetime | None = None) -> None:
    """Add the attempt to the log (one plain INSERT: it runs for every scan of a lecture)."""
    session.execute(_INSERT_ATTEMPT, {
        "session_id": session_id, "worker_id": worker_id, "method": method,
        "outcome": result.outcome, "reason": result.reason.value if result.reason else None,
        "attempted_at": now, "scanned_at": scanned_at, "nonce": nonce, "officer": origin.officer,
        "device": origin.device, "ip": origin.ip})


# --- the worker scans the venue code -------------------------------------------------------

def window_state(lecture: LectureSession) -> tuple[str, datetime | None]:
    """Where the session stands for check-in now: ``("cancelled", None)``, ``("not_open", opens
    at)``, ``("open", closes at)`` or ``("closed", closed at)``."""
    if lecture.is_cancelled:
        return "cancelled", None
    opens_at, closes_at = lecture.check_in_window()
    now = utcnow()
    if now < opens_at:
        return "not_open", opens_at
    return ("open" if now <= closes_at else "closed"), closes_at


def current_venue_code(lecture: LectureSession) -> tuple[str, datetime]:
    """The code the projector shows now, and when it changes."""
    code = venue_code(lecture.id, lecture.code_key, utcnow())
    return str(code), slot_ends_at(code.slot)


def read_venue_code(code_text: str, at: datetime) -> tuple[LectureSession | None, Reason | None]:
    """The session a venue code is for and, if it is not valid at ``at``, why."""
    code = parse_venue_code(code_text)
    if code is None:
        return None, Reason.TAMPERED
    lecture = queries.get_lecture(code.session_id) if valid_id(code.session_id) else None
    if lecture is None:
        return None, Reason.FORGED
    problem = venue_code_problem(code, lecture.code_key, at)
    return lecture, Reason(problem.value) if problem else None


#: Codes that are not ours: made up, edited or damaged. Their answer names no session (the code
#: proves nothing about one), and logging them is throttled (:mod:`.throttle`).
INVALID_CODE_REASONS = frozenset({Reason.FORGED, Reason.TAMPERED})


def check_in_by_venue_code(code_text: str, worker: Worker | None, *, origin: Origin,
                           at: datetime, copied_mark: bool = False) -> CheckInResult | None:
    """A worker's phone opened the venue code's URL: every case judged and logged.

    ``at`` is when the scan counts (the phone's first opening of the code, see
    :data:`SIGN_IN_GRACE`); the code and the window are judged as of then. Returns None when the
    code is good but the phone is not signed in yet: the worker must identify first. The usual
    scan is counted faster by :mod:`.venue_scan`, which falls back to this.

    ``copied_mark``: the phone brought a genuine "first seen" mark for this code that another
    phone made (:func:`first_seen`); a code expired by now is then refused as
    :attr:`Reason.OTHER_DEVICE`, so the worker learns to scan with their own phone.
    """
    lecture, reason = read_venue_code(code_text, at)
    if reason is None and worker is None:
        return None
    if reason is not None:
        if reason == Reason.EXPIRED and copied_mark:
            reason = Reason.OTHER_DEVICE
        now = utcnow()
        if reason in INVALID_CODE_REASONS:
            result = CheckInResult(AttemptOutcome.REFUSED, reason, worker=worker)
            if may_log_invalid_code(origin.ip, now):
                log_attempt(lecture.id if lecture else None, worker.id if worker else None,
                            CheckInMethod.WORKER_SCAN, result, origin, now=now)
            return result
        result = CheckInResult(AttemptOutcome.REFUSED, reason, worker=worker, lecture=lecture)
        log_attempt(lecture.id, worker.id if worker else None, CheckInMethod.WORKER_SCAN, result,
                    origin, now=now)
        return result
    return check_in(lecture, worker, CheckInMethod.WORKER_SCAN, at=at, origin=origin)


def first_seen(cookie: str | None, code: str, *, user_agent: str | None,
               device_token: str | None) -> SeenMark | None:
    """When this phone first opened ``code``, from the sign-in detour's cookie (``<code>~<mark>``).

    The mark says "this browser opened this code at this time, before signing in", so that the
    minutes spent signing in do not expire the code. It is signed with a key derived from the
    app's secret and bound to the browser's user agent; and the phone must have been remembered
    *after* that moment (the detour ends with a new device record), so a mark copied to a phone
    remembered earlier, or to another browser, is recognised as a copy (``same_phone`` False).
    None when there is no genuine, fresh mark for this code.

    What it cannot tell: a copy taken to a phone with the very same browser build that then signs
    in within those minutes. Before it signs in nothing but what the browser sends identifies it
    (the check-in page has no JavaScript), and such a copy gains at most :data:`SIGN_IN_GRACE`.
    """
    seen_code, _sep, text = (cookie or "").partition("~")
    if seen_code != code:
        return None
    mark = read_seen_mark(text, code, seen_key(), utcnow(), SIGN_IN_GRACE, user_agent=user_agent)
    if mark is None or not mark.same_phone or not device_token:
        return mark
    remembered_at = session.execute(select(WorkerDevice.created_at).where(
        WorkerDevice.token_hash == token_hash(device_token), WorkerDevice.revoked_at.is_(None))
    ).scalar_one_or_none()
    if remembered_at is not None and remembered_at < mark.at - SEEN_CLOCK_SKEW:
        return replace(mark, same_phone=False)
    return mark


# --- officers enter attendance by hand ------------------------------------------------------

def normalise_number(text: str) -> str:
    """An employee number as typed by an officer: the rule of every code (no spaces, ASCII)."""
    return clean_code(text) or ""


def manual_check_in(lecture: LectureSession, worker: Worker | None, *, actor: Actor, origin: Origin,
                    at: datetime | None = None, nonce: str | None = None,
                    scanned_at: datetime | None = None, late_upload: bool = False,
                    scope: WorkerScope | None = None) -> CheckInResult:
    """An officer picked the worker by name or employee number (audited when counted).

    A worker outside the officer's scope is answered as unknown (:mod:`.scope`).
    """
    result = officer_check_in(lecture, worker, CheckInMethod.MANUAL,
                              scope=scope or worker_scope(actor), at=at or utcnow(), origin=origin,
                              nonce=nonce, scanned_at=scanned_at, late_upload=late_upload)
    if result.accepted:
        record_event("attendance.manual_entry", actor, target_type="lecture_session",
                     target_id=lecture.id, org_unit_id=lecture.org_unit_id,
                     details={"worker_id": worker.id, "employee_number": worker.employee_number})
    return result


class PaperSheetInvalid(ValidationError):
    """Lines of a paper sheet that cannot be entered; nothing of the sheet is stored."""

    def __init__(self, errors: list[ValidationError], *, good: int):
        super().__init__(N_("签到表有 %(count)s 行不能登记，整张表未保存；其余 %(good)s 行无误，"
                            "改正下列各行后重新提交即可"), field="lines",
                         count=len({error.row for error in errors}), good=good)
        self.errors = ErrorList(errors)


@dataclass
class PaperSheetSummary:
    accepted: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)


def enter_paper_sheet(lecture: LectureSession, lines: str, default_time: time | None, *,
                      actor: Actor, origin: Origin) -> PaperSheetSummary:
    """Enter a paper sign-in sheet after the fact (audited).

    One employee number per line, optionally followed by the time written next to it (``19:05``,
    company time zone, on the lecture's day); lines without a time take ``default_time``. Every
    line is checked before any is stored; numbers already present are reported, not errors.
    """
    if lecture.is_cancelled:
        raise ValidationError("本场宣讲已取消", field="lines")
    zone = ZoneInfo(current_app.extensions["carebridge"].company_timezone_name())
    day = lecture.starts_at.astimezone(zone).date()
    entries, errors = [], ErrorList()
    for row, line in enumerate(lines.splitlines(), start=1):
        try:
            entry = _sheet_line(line, default_time, day=day, zone=zone,
                                window=lecture.check_in_window())
        except ValidationError as error:
            error.row, error.params["line"] = row, row
            errors.append(error)
            continue
        if entry is not None:
            entries.append((row, *entry))
    scope = worker_scope(actor)
    # A number of a worker outside the officer's scope reads as a number nobody has (.scope).
    workers = {number: worker for number, worker in
               queries.workers_by_number([number for _, number, _ in entries]).items()
               if scope.sees(worker)}
    for row, number, _ in entries:
        reason = _worker_refusal(lecture, workers.get(number))
        if reason is not None:
            errors.append(ValidationError("第 %(line)s 行：%(number)s 不能签到（%(why)s）",
                                          field="lines", row=row, line=row, number=number,
                                          why=REASON_LABELS[reason]))
    if errors:
        bad_rows = {error.row for error in errors}
        raise PaperSheetInvalid(errors, good=sum(1 for row, *_ in entries if row not in bad_rows))
    if not entries:
        raise ValidationError("请至少填写一个工号", field="lines")
    summary = PaperSheetSummary()
    for _, number, moment in entries:
        worker = workers[number]
        result = check_in(lecture, worker, CheckInMethod.PAPER_SHEET, at=moment, origin=origin)
        (summary.accepted if result.accepted else summary.already).append(worker.employee_number)
    record_event("attendance.paper_sheet", actor, target_type="lecture_session",
                 target_id=lecture.id, org_unit_id=lecture.org_unit_id,
                 details={"accepted": summary.accepted, "already": summary.already})
    return summary


def _sheet_line(line: str, default_time: time | None, *, day, zone: ZoneInfo,
                window: tuple[datetime, datetime]) -> tuple[str, datetime] | None:
    """(employee number, check-in time) of one line of a paper sheet; None for a blank line."""
    parts = fold_width(drop_controls(line)).replace(",", " ").split()
    if not parts:
        return None
    written = " ".join(parts[1:]) or None
    if written is None and default_time is None:
        raise ValidationError("第 %(line)s 行：请写上签到时间，或填写统一的签到时间", field="lines")
    try:
        clock_time = time.fromisoformat(written.zfill(5)) if written else default_time
    except ValueError:
        raise ValidationError("第 %(line)s 行：时间 %(value)s 看不懂，请写成 19:05", field="lines",
                              value=written) from None
    moment = datetime.combine(day, clock_time, tzinfo=zone).astimezone(UTC)
    if not window[0] <= moment <= window[1] or moment > utcnow():
        raise ValidationError("第 %(line)s 行：时间不在签到时段内", field="lines")
    return parts[0], moment


# --- annulment and badges -------------------------------------------------------------------

def may_annul(attendance: Attendance, now: datetime) -> bool:
    return attendance.annulled_at is None and now - attendance.recorded_at <= ANNUL_WINDOW


def annul_check_in(attendance: Attendance, reason: str, *, actor: Actor) -> None:
    """Take back a check-in recorded by mistake, within 15 minutes of recording it (audited)."""
    reason = clean_free_text(reason, max_length=300, field="reason")
    if not reason:
        raise ValidationError("请填写作废原因", field="reason")
    if attendance.annulled_at is not None:
        raise ValidationError("这条签到已经作废", field="reason")
    now = utcnow()
    if not may_annul(attendance, now):
        raise ValidationError("签到登记已超过 %(minutes)s 分钟，不能再作废", field="reason",
                              minutes=int(ANNUL_WINDOW.total_seconds() // 60))
    attendance.annulled_at, attendance.annulled_by, attendance.annul_reason = now, actor.key, reason
    session.flush()
    record_event("attendance.annulled", actor, target_type="lecture_session",
                 target_id=attendance.session_id, org_unit_id=attendance.session.org_unit_id,
                 details={"attendance_id": attendance.id, "worker_id": attendance.worker_id,
                          "method": attendance.method.value, "reason": reason})


def record_badge_download(unit: OrgUnit, count: int, *, actor: Actor) -> None:
    record_event("attendance.badges_downloaded", actor, target_type="org_unit", target_id=unit.id,
                 org_unit_id=unit.id, details={"badges": count})
