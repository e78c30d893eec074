"""The officer's badge scanner: scans (badge codes, or employee numbers typed in) queued on the
device with a random nonce and the scan time, uploaded in batches when the network is there.

Each scan is judged as of its scan time (window, site), so a scan made offline during the lecture
still counts; one uploaded more than a minute after scanning, or after the window, is marked as a
late upload. A nonce already answered for the session (a queue sent again after a lost answer)
gets its first answer back, and nothing new is logged or recorded.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from ..access.scope import valid_id
from ..core.clock import utcnow
from ..core.db import session
from ..core.errors import ValidationError
from ..core.host import Actor
from ..lectures.models import CheckInMethod, LectureSession
from ..registry.models import Worker
from . import queries
from .codes import badge_worker_id, looks_like_badge, parse_venue_code
from .models import AttemptOutcome
from .results import HIDDEN_REASONS, CheckInResult, Reason
from .scope import WorkerScope, worker_scope
from .services import (
    Origin,
    badge_key,
    log_attempt,
    manual_check_in,
    normalise_number,
    officer_check_in,
    read_venue_code,
)

#: An offline scan uploaded later than this after scanning is marked as a late upload.
LATE_UPLOAD_AFTER = timedelta(seconds=60)
MAX_BATCH = 500
#: Longer texts are cut: a badge code is 20 characters, a check-in URL under 100.
MAX_TEXT = 300


@dataclass(frozen=True)
class ScanItem:
    """One scan from the officer's device: a badge code (or whatever the camera read), or an
    employee number typed in, with the device's id for it and the time of the scan."""

    nonce: str
    scanned_at: datetime
    code: str | None = None
    employee_number: str | None = None


def record_scans(lecture: LectureSession, items: list[ScanItem], *, actor: Actor,
                 origin: Origin) -> list[tuple[str, CheckInResult]]:
    """Record a batch of scans from the officer's device, each judged as of its scan time.

    A nonce already seen for this session (a queue sent again after a lost answer) gets its
    first answer back and nothing new is logged or recorded. A badge or number of a worker outside
    the officer's scope is answered as unknown (:mod:`.scope`).
    """
    now = utcnow()
    scope = worker_scope(actor)
    answered = _previous_answers(lecture, [item.nonce for item in items], scope)
    results = []
    for item in items:
        if item.nonce not in answered:
            answered[item.nonce] = _record_scan(lecture, item, now=now, actor=actor, origin=origin,
                                                scope=scope)
        results.append((item.nonce, answered[item.nonce]))
    return results


def _record_scan(lecture, item: ScanItem, *, now, actor, origin,
                 scope: WorkerScope) -> CheckInResult:
    at = min(item.scanned_at, now)
    late = now - at > LATE_UPLOAD_AFTER or now > lecture.check_in_window()[1]
    if item.employee_number is not None:
        number = normalise_number(item.employee_number)
        worker = queries.workers_by_number([number]).get(number)
        return manual_check_in(lecture, worker, actor=actor, origin=origin, at=at, nonce=item.nonce,
                               scanned_at=at, late_upload=late, scope=scope)
    worker, reason = _badge_worker(lecture, item.code or "", at)
    if reason is not None:
        result = CheckInResult(AttemptOutcome.REFUSED, reason)
        log_attempt(lecture.id, None, CheckInMethod.BADGE_SCAN, result, origin, now=now,
                    nonce=item.nonce, scanned_at=at)
        return result
    return officer_check_in(lecture, worker, CheckInMethod.BADGE_SCAN, scope=scope, at=at,
                            origin=origin, nonce=item.nonce, scanned_at=at, late_upload=late)


def _badge_worker(lecture, text: str, at: datetime) -> tuple[Worker | None, Reason | None]:
    if looks_like_badge(text):
        worker_id, problem = badge_worker_id(text, badge_key())
        if problem is not None:
            return None, Reason(problem.value)
        worker = session.get(Worker, worker_id) if valid_id(worker_id) else None
        return worker, None if worker is not None else Reason.UNKNOWN_WORKER
    venue = parse_venue_code(text)
    if venue is None:
        return None, Reason.FORGED
    if venue.session_id == lecture.id:
        return None, Reason.NOT_A_BADGE
    other, reason = read_venue_code(text, at)
    genuine = other is not None and reason in (None, Reason.EXPIRED)
    return None, Reason.OTHER_SESSION if genuine else Reason.FORGED


def _previous_answers(lecture, nonces: list[str], scope: WorkerScope) -> dict[str, CheckInResult]:
    """The first answers to nonces already logged, as the officer now asking may see them."""
    attempts = queries.attempts_by_nonce(lecture.id, nonces)
    attendances = queries.attendances_of(
        lecture.id, [attempt.worker_id for attempt in attempts.values() if attempt.worker_id])
    answers = {}
    for nonce, attempt in attempts.items():
        attendance = attendances.get(attempt.worker_id)
        worker = attendance.worker if attendance else (
            session.get(Worker, attempt.worker_id) if attempt.worker_id else None)
        reason = Reason(attempt.reason) if attempt.reason else None
        if worker is not None and not scope.sees(worker):
            # Answered, then and now, as a worker who does not exist.
            answers[nonce] = CheckInResult(attempt.outcome, HIDDEN_REASONS.get(reason, reason))
            continue
        answers[nonce] = CheckInResult(
            attempt.outcome, reason, time=attendance.checked_in_at if attendance else None,
            worker=worker, attendance_id=attendance.id if attendance else None,
            late_upload=bool(attendance and attendance.late_upload))
    return answers


def parse_scan_items(payload) -> list[ScanItem]:
    """The scans of an upload (``{"scans": [{"nonce", "scanned_at" (ms since 1970), "code" or
    "employee_number"}]}``). A batch our page could not have sent is refused as a whole; whatever
    the camera read is only cut to a sane length (it is then refused item by item)."""
    scans = payload.get("scans") if isinstance(payload, dict) else None
    if not isinstance(scans, list) or not 0 < len(scans) <= MAX_BATCH:
        raise ValidationError("上传的数据格式不对", field="scans")
    items = []
    for row, scan in enumerate(scans, start=1):
        if not isinstance(scan, dict):
            raise ValidationError("上传的数据格式不对", field="scans", row=row)
        nonce, stamp = scan.get("nonce"), scan.get("scanned_at")
        code, number = scan.get("code"), scan.get("employee_number")
        if (not isinstance(nonce, str) or not 8 <= len(nonce) <= 64
                or not isinstance(stamp, (int, float)) or isinstance(stamp, bool)
                or not isinstance(code if code is not None else number, str)
                or (code is not None) == (number is not None)):
            raise ValidationError("上传的数据格式不对", field="scans", row=row)
        try:
            scanned_at = datetime.fromtimestamp(stamp / 1000, tz=UTC)
        except (OverflowError, OSError, ValueError):
            raise ValidationError("扫描时间不对", field="scanned_at", row=row) from None
        items.append(ScanItem(nonce=nonce, scanned_at=scanned_at, code=code and code[:MAX_TEXT],
                              employee_number=number and number[:MAX_TEXT]))
    return items
