"""Identifying a worker on a phone and remembering the phone.

A worker proves who they are once with their employee number and the last 4 digits of their
phone number or ID number; the phone then gets a random device token (only its hash is stored),
so the next scan is scan-and-done. Wrong answers are limited per worker, and every registration,
failure, lock and sign-out is audited.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata
from datetime import timedelta

from sqlalchemy import select

from ..audit.services import record_event
from ..core.clock import utcnow
from ..core.db import session
from ..core.errors import CareBridgeError
from ..core.host import Actor
from ..registry.models import EmploymentStatus, Worker
from .models import WorkerDevice, WorkerSignInThrottle

MAX_FAILURES = 5
LOCK_MINUTES = 15
#: How often ``last_seen_at`` is written (not on every request).
SEEN_GRANULARITY = timedelta(hours=1)


class WorkerSignInRefused(CareBridgeError):
    """Wrong or unknown employee number / digits, a locked or departed worker."""


def token_hash(token: str) -> str:
    """What the database keeps of a device token (never the token itself)."""
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def _normalise(text: str | None) -> str:
    return "".join(unicodedata.normalize("NFKC", text or "").split()).upper()


def _matches(worker: Worker, digits: str) -> bool:
    """Compare with the last 4 characters of the phone and of the ID number, in constant time."""
    candidates = [value[-4:] for value in (worker.phone, worker.id_number) if value and len(value) >= 4]
    found = False
    for candidate in candidates:
        found |= hmac.compare_digest(candidate.upper().encode(), digits.encode())
    return found


def identify(employee_number: str, last_digits: str, *, ip: str | None,
             user_agent: str | None) -> tuple[Worker, str]:
    """Check the worker's answer; on success return the worker and a new device token."""
    number = _normalise(employee_number)
    digits = _normalise(last_digits)
    now = utcnow()
    worker = session.execute(select(Worker).where(Worker.employee_number == number)).scalar_one_or_none()
    if worker is None or len(digits) != 4:
        if worker is not None:
            _fail(worker, now, ip=ip, user_agent=user_agent)
        raise WorkerSignInRefused("工号或后 4 位不对，请再试一次")
    throttle = session.get(WorkerSignInThrottle, worker.id)
    if throttle is not None and throttle.locked_until is not None and throttle.locked_until > now:
        raise WorkerSignInRefused("错误次数太多，请 %(minutes)s 分钟后再试，或找管理人员帮忙",
                                  minutes=LOCK_MINUTES)
    if not _matches(worker, digits):
        _fail(worker, now, ip=ip, user_agent=user_agent)
        raise WorkerSignInRefused("工号或后 4 位不对，请再试一次")
    if worker.employment_status != EmploymentStatus.ACTIVE:
        raise WorkerSignInRefused("您已不在职，无法使用；如有疑问请找管理人员")
    if throttle is not None:
        throttle.failures, throttle.locked_until = 0, None
    token = secrets.token_urlsafe(32)
    session.add(WorkerDevice(worker=worker, token_hash=token_hash(token), user_agent=(user_agent or "")[:300] or None,
                             created_at=now, last_seen_at=now))
    session.flush()
    record_event("worker.phone_remembered", worker_actor(worker, ip=ip, user_agent=user_agent), target_type="worker",
                 target_id=worker.id, org_unit_id=worker.org_unit_id)
    return worker, token


def _fail(worker: Worker, now, *, ip, user_agent) -> None:
    throttle = session.get(WorkerSignInThrottle, worker.id)
    if throttle is None:
        throttle = WorkerSignInThrottle(worker_id=worker.id, failures=0)
        session.add(throttle)
    throttle.failures += 1
    actor = worker_actor(worker, ip=ip, user_agent=user_agent)
    record_event("worker.sign_in_failed", actor, target_type="worker", target_id=worker.id,
                 org_unit_id=worker.org_unit_id, details={"failures": throttle.failures})
    if throttle.failures >= MAX_FAILURES:
        throttle.failures = 0
        throttle.locked_until = now + timedelta(minutes=LOCK_MINUTES)
        record_event("worker.sign_in_locked", actor, target_type="worker", target_id=worker.id,
                     org_unit_id=worker.org_unit_id, details={"minutes": LOCK_MINUTES})
    session.flush()


def worker_for_token(token: str | None) -> Worker | None:
    """The active worker a device token belongs to, or None (unknown, revoked, departed)."""
    if not token:
        return None
    device = session.execute(select(WorkerDevice).where(
        WorkerDevice.token_hash == token_hash(token), WorkerDevice.revoked_at.is_(None))).scalar_one_or_none()
    if device is None or device.worker.employment_status != EmploymentStatus.ACTIVE:
        return None
    now = utcnow()
    if now - device.last_seen_at > SEEN_GRANULARITY:
        device.last_seen_at = now
    return device.worker


def forget_device(token: str, *, ip: str | None, user_agent: str | None) -> None:
    device = session.execute(select(WorkerDevice).where(
        WorkerDevice.token_hash == token_hash(token), WorkerDevice.revoked_at.is_(None))).scalar_one_or_none()
    if device is None:
        return
    device.revoked_at = utcnow()
    record_event("worker.phone_forgotten", worker_actor(device.worker, ip=ip, user_agent=user_agent),
                 target_type="worker", target_id=device.worker_id, org_unit_id=device.worker.org_unit_id)
    session.flush()


def worker_actor(worker: Worker, *, ip: str | None = None, user_agent: str | None = None) -> Actor:
    """The worker acting on their own phone, as the audit log and records name them."""
    return Actor(key=f"worker:{worker.id}", name=worker.name, ip=ip,
                 user_agent=(user_agent or "")[:300] or None)
