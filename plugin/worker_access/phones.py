"""Staff's side of workers' phone sign-in: what HR sees of it, activation codes, revoking phones.

Within the actor's subtrees only (:data:`WORKER_PHONES_MANAGE`); outside them the
worker does not exist. Staff never see a PIN or a code after it was shown once.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update

from ..access.scope import Scope
from ..audit.services import record_event
from ..core.clock import utcnow
from ..core.db import session
from ..core.errors import NotFound, ValidationError
from ..core.host import Actor
from ..registry.models import EmploymentStatus, Worker
from .models import (
    CodeChannel,
    WorkerActivationCode,
    WorkerDevice,
    WorkerPin,
    WorkerSignInThrottle,
)
from .permissions import WORKER_PHONES_MANAGE
from .services import (
    DEVICE_NOT_FOUND,
    HR_CODE_DIGITS,
    HR_CODE_VALIDITY,
    WORKER_DEPARTED,
    WORKER_NOT_FOUND,
    cancel_codes,
    code_hash,
    number_limit,
    number_throttle_key,
    random_digits,
)


@dataclass(frozen=True)
class PhoneAccess:
    """What staff see of a worker's phone sign-in (never the PIN, never a code)."""

    devices: list[WorkerDevice]
    pin_set_at: datetime | None
    pending_codes: list[WorkerActivationCode]
    #: Until when wrong PINs or codes have locked the worker's employee number, if they have.
    locked_until: datetime | None = None


@dataclass(frozen=True)
class IssuedCode:
    code: str
    expires_at: datetime


def _check_may_manage(actor: Actor, worker: Worker) -> None:
    """Outside the actor's subtrees the worker does not exist (a system actor: company-wide)."""
    if not Scope.of_actor(actor, WORKER_PHONES_MANAGE).covers(worker.org_unit):
        raise NotFound(WORKER_NOT_FOUND)


def phone_access(worker: Worker, *, actor: Actor) -> PhoneAccess:
    _check_may_manage(actor, worker)
    now = utcnow()
    devices = list(session.execute(select(WorkerDevice).where(
        WorkerDevice.worker_id == worker.id, WorkerDevice.revoked_at.is_(None))
        .order_by(WorkerDevice.last_seen_at.desc(), WorkerDevice.id.desc())).scalars())
    pin = session.get(WorkerPin, worker.id)
    codes = list(session.execute(select(WorkerActivationCode).where(
        WorkerActivationCode.worker_id == worker.id, WorkerActivationCode.used_at.is_(None),
        WorkerActivationCode.cancelled_at.is_(None), WorkerActivationCode.expires_at > now)
        .order_by(WorkerActivationCode.id)).scalars())
    return PhoneAccess(devices, pin.set_at if pin is not None else None, codes,
                       _locked_until(worker, now))


def _locked_until(worker: Worker, now: datetime) -> datetime | None:
    """Until when the worker's employee number is locked (as the sign-in decides it), or None."""
    throttle = session.get(WorkerSignInThrottle, number_throttle_key(worker.employee_number))
    if throttle is None:
        return None
    if throttle.locked_until is not None and throttle.locked_until > now:
        return throttle.locked_until
    limit = number_limit()
    window_ends = throttle.window_started_at + limit.window
    if throttle.failures >= limit.max_attempts and window_ends > now:
        return window_ends
    return None


def unlock_sign_in(worker: Worker, *, actor: Actor) -> bool:
    """Lift the lock that wrong PINs or codes put on ``worker``'s employee number (the worker
    proved who they are to the officer in person); True if there was one. The lock of a client
    address shared by many workers is not a worker's to lift."""
    _check_may_manage(actor, worker)
    if _locked_until(worker, utcnow()) is None:
        return False
    session.execute(update(WorkerSignInThrottle)
                    .where(WorkerSignInThrottle.key == number_throttle_key(worker.employee_number))
                    .values(failures=0, locked_until=None))
    session.flush()
    record_event("worker.sign_in_unlocked", actor, target_type="worker", target_id=worker.id,
                 org_unit_id=worker.org_unit_id)
    return True


def issue_activation_code(worker: Worker, *, actor: Actor) -> IssuedCode:
    """A new one-time code for ``worker`` (the previous HR code stops working). Shown once:
    only its keyed hash is stored."""
    _check_may_manage(actor, worker)
    if worker.employment_status != EmploymentStatus.ACTIVE:
        raise ValidationError(WORKER_DEPARTED)
    now = utcnow()
    code = random_digits(HR_CODE_DIGITS)
    cancel_codes(worker.id, CodeChannel.HR, now)
    expires_at = now + HR_CODE_VALIDITY
    session.add(WorkerActivationCode(worker_id=worker.id, code_hash=code_hash(worker.id, code),
                                     channel=CodeChannel.HR, issued_by=actor.key, created_at=now,
                                     expires_at=expires_at))
    session.flush()
    record_event("worker.activation_code_issued", actor, target_type="worker", target_id=worker.id,
                 org_unit_id=worker.org_unit_id, details={"expires_at": expires_at.isoformat()})
    return IssuedCode(code, expires_at)


def revoke_phones(worker: Worker, *, actor: Actor, device_id: int | None = None,
                  clear_pin: bool = False) -> int:
    """Revoke one remembered phone of ``worker`` (``device_id``) or all of them; their cookies
    stop working with the next request. ``clear_pin`` also deletes the PIN and cancels unused
    codes, so only a new activation code signs the worker in again. Returns the phones revoked."""
    _check_may_manage(actor, worker)
    conditions = [WorkerDevice.worker_id == worker.id, WorkerDevice.revoked_at.is_(None)]
    if device_id is not None:
        conditions.append(WorkerDevice.id == device_id)
        if session.execute(select(WorkerDevice.id).where(*conditions)).scalar_one_or_none() is None:
            raise NotFound(DEVICE_NOT_FOUND)
    now = utcnow()
    revoked = session.execute(update(WorkerDevice).where(*conditions)
                              .values(revoked_at=now, revoked_by=actor.key)).rowcount
    if clear_pin:
        pin = session.get(WorkerPin, worker.id)
        if pin is not None:
            session.delete(pin)
        cancel_codes(worker.id, None, now)
    session.flush()
    record_event("worker.phones_revoked", actor, target_type="worker", target_id=worker.id,
                 org_unit_id=worker.org_unit_id,
                 details={"phones": revoked, "device_id": device_id, "pin_cleared": clear_pin})
    return revoked
