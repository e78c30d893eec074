"""Identifying a worker on a phone and remembering the phone.

Staff see a worker's employee number and (some of them) phone number, so neither may ever be
enough to act as the worker. A phone signs in with something only the worker has:

* the first time (or after forgetting the PIN): the employee number, a **one-time activation
  code** and a new **personal PIN** (6 digits) chosen on the phone. The code is issued by an HR
  officer on the worker's page (shown once, 8 digits, valid 3 days) or, where a text-message
  channel is registered, sent to the worker's registered phone (6 digits, valid 10 minutes);
  only a keyed hash is stored, it is used once, and issuing, sending and using it are audited;
* on a later new phone: the employee number and the PIN (a password hash, scrypt by default;
  no page shows it).

The phone then gets a random device token (only its hash is stored), so the next scan is
scan-and-done. Staff with the permission revoke a worker's remembered phones (and PIN).

Guessing is limited in the database, shared by every app server: each attempt is counted
*before* its secret is checked, in one ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` per key,
per employee number (known or not, so a lock says nothing about whether a number exists) and
per client address (IPv6 by /64). The view commits that count before checking (so concurrent
attempts never overtake the limit, and nothing later can roll it back), then checks the secret
outside any lock: exactly one password-hash check on the PIN path, against a dummy hash for unknown
numbers, so known and unknown numbers get the same words in about the same time.
"""
from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import pairwise
from typing import Protocol, runtime_checkable

from flask import current_app
from flask_babel import gettext
from sqlalchemy import and_, bindparam, case, delete, null, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from werkzeug.security import check_password_hash

from ..audit.services import record_event
from ..core.boundary import after_commit
from ..core.clock import utcnow
from ..core.db import session
from ..core.errors import CareBridgeError, ValidationError
from ..core.host import Actor
from ..core.i18n import N_
from ..core.passwords import hash_secret, unknown_account_hash
from ..core.settings import setting
from ..core.text import clean_code
from ..registry.models import EmploymentStatus, Worker
from .models import CodeChannel, WorkerActivationCode, WorkerDevice, WorkerPin, WorkerSignInThrottle

#: The limits on wrong answers and text messages are settings, declared with their defaults in
#: the feature's declaration (:mod:`plugin.worker_access`); the windows are fixed.
ADDRESS_WINDOW = timedelta(minutes=15)
#: Wrong answers for an employee number are forgotten after this long without a lock.
NUMBER_WINDOW = timedelta(days=1)
#: Text messages with a code per employee number per hour (per address: a setting).
SMS_PER_NUMBER = 3
SMS_WINDOW = timedelta(hours=1)

PIN_LENGTH = 6
HR_CODE_DIGITS = 8
HR_CODE_VALIDITY = timedelta(days=3)
SMS_CODE_DIGITS = 6
SMS_CODE_VALIDITY = timedelta(minutes=10)
#: How often ``last_seen_at`` is written (not on every request).
SEEN_GRANULARITY = timedelta(hours=1)

WRONG_PIN = N_("工号或个人密码不对。第一次在这部手机上登录或忘了密码，请用激活码登录")
WRONG_CODE = N_("工号或激活码不对，或者激活码已用过、已过期")
NUMBER_LOCKED = N_("错误次数太多，请 %(minutes)s 分钟后再试，或找管理人员帮忙")
ADDRESS_LOCKED = N_("这个网络上输错的次数太多，请 %(minutes)s 分钟后再试，或找管理人员帮忙")
DEPARTED = N_("您已不在职，无法使用；如有疑问请找管理人员")
PIN_FORMAT = N_("个人密码是 %(length)s 位数字")
PIN_TOO_SIMPLE = N_("这个密码太容易被猜到，请换一个（不要用相同或连续的数字）")
PIN_FROM_RECORDS = N_("个人密码不能取自您的工号、手机号或身份证号，请换一个")
PINS_DIFFER = N_("两次输入的个人密码不一样")
CODE_FORMAT = N_("激活码是 %(short)s 位或 %(long)s 位数字")
TOO_MANY_TEXTS = N_("发送太频繁，请 1 小时后再试，或找人力资源专员要激活码")
NO_TEXT_CHANNEL = N_("短信验证码暂未开通，请找人力资源专员要激活码")
CODE_TEXT = N_("【关爱桥】您的登录验证码是 %(code)s，%(minutes)s 分钟内有效。"
               "请勿告诉任何人，包括管理人员。")
WORKER_NOT_FOUND = N_("找不到这名职工")
WORKER_DEPARTED = N_("这名职工已离职，不能再在手机上登录")
DEVICE_NOT_FOUND = N_("找不到这部手机，可能已经注销")


class WorkerSignInRefused(CareBridgeError):
    """Wrong or unknown employee number / PIN / code, a locked number or address, a departed
    worker."""


@runtime_checkable
class TextMessageChannel(Protocol):
    """A notification channel that can also send a text message to a phone number (SMS).

    Register it like any channel (:meth:`plugin.CareBridge.register_channel`); the first
    registered channel with ``send_text`` sends the sign-in codes. It is called after the
    request's commit (never for a request that is rolled back), outside any transaction, and
    should send at once: the worker is waiting for the code.
    """

    name: str

    def send_text(self, phone: str, text: str) -> None:
        ...


# --- settings -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Limit:
    """At most ``max_attempts`` unsuccessful attempts per key within ``window``; reaching it
    locks the key for ``lock``."""

    prefix: str
    max_attempts: int
    window: timedelta
    lock: timedelta

    @property
    def lock_minutes(self) -> int:
        return int(self.lock.total_seconds() // 60)


def _lock() -> timedelta:
    return timedelta(minutes=setting("CAREBRIDGE_WORKER_SIGN_IN_LOCK_MINUTES"))


def number_limit() -> Limit:
    return Limit("number", setting("CAREBRIDGE_WORKER_SIGN_IN_MAX_FAILURES"),
                 NUMBER_WINDOW, _lock())


def address_limit() -> Limit:
    return Limit("address", setting("CAREBRIDGE_WORKER_SIGN_IN_ADDRESS_MAX_FAILURES"),
                 ADDRESS_WINDOW, _lock())


def _sms_limits() -> tuple[Limit, Limit]:
    return (Limit("sms", SMS_PER_NUMBER, SMS_WINDOW, SMS_WINDOW),
            Limit("sms-address", setting("CAREBRIDGE_WORKER_SMS_ADDRESS_MAX"),
                  SMS_WINDOW, SMS_WINDOW))


# --- small helpers -----------------------------------------------------------------------------

def token_hash(token: str) -> str:
    """What the database keeps of a device token (never the token itself)."""
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def _normalise(text: str | None) -> str:
    return clean_code(text, upper=True) or ""


def client_address(ip: str | None) -> str:
    """The address a limit counts against: IPv4 as is, IPv6 by its /64 (one subscriber's)."""
    try:
        address = ipaddress.ip_address((ip or "").strip())
    except ValueError:
        return (ip or "unknown")[:64]
    if address.version == 6:
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def _number_digest(number: str) -> str:
    return hashlib.sha256(number.encode("utf-8")).hexdigest()


def number_throttle_key(number: str) -> str:
    """The throttle key of an employee number's sign-in attempts (see :func:`_bump`)."""
    return f"{number_limit().prefix}:{_number_digest(number)}"[:80]


def _digits(value: str | None) -> str:
    return clean_code(value) or ""


def parse_pin(value: str | None, field: str = "pin") -> str:
    """The PIN typed, as 6 ASCII digits (full-width digits and spaces accepted)."""
    pin = _digits(value)
    if len(pin) != PIN_LENGTH or not pin.isascii() or not pin.isdigit():
        raise ValidationError(PIN_FORMAT, field=field, length=PIN_LENGTH)
    return pin


def parse_new_pin(value: str | None, again: str | None) -> str:
    """A PIN the worker chooses: 6 digits, typed twice alike, not all one digit nor a run."""
    pin = parse_pin(value)
    if _digits(again) != pin:
        raise ValidationError(PINS_DIFFER, field="pin_again")
    steps = {int(b) - int(a) for a, b in pairwise(pin)}
    if len(set(pin)) <= 2 or steps in ({1}, {-1}):
        raise ValidationError(PIN_TOO_SIMPLE, field="pin")
    return pin


def parse_code(value: str | None) -> str:
    code = _digits(value)
    if (len(code) not in (SMS_CODE_DIGITS, HR_CODE_DIGITS) or not code.isascii()
            or not code.isdigit()):
        raise ValidationError(CODE_FORMAT, field="code", short=SMS_CODE_DIGITS, long=HR_CODE_DIGITS)
    return code


def _code_key() -> bytes:
    secret = current_app.secret_key
    secret = secret.encode("utf-8") if isinstance(secret, str) else secret
    return hmac.new(secret, b"carebridge.worker-activation-code", hashlib.sha256).digest()


def code_hash(worker_id: int, code: str) -> str:
    """Keyed, so the database alone cannot be searched for the few million possible codes."""
    return hmac.new(_code_key(), f"{worker_id}:{code}".encode("ascii"), hashlib.sha256).hexdigest()


def random_digits(count: int) -> str:
    return f"{secrets.randbelow(10 ** count):0{count}d}"


# --- the counters ------------------------------------------------------------------------------

_THROTTLE = WorkerSignInThrottle.__table__


def _bump_statement(dialect):
    """Add one attempt to a key's counter (creating it at 1) and return the count and lock.

    A window that has run out, or a lock that has ended, starts again at 1. On PostgreSQL a
    concurrent first attempt waits for the other's row instead of failing on the primary key.
    """
    column = _THROTTLE.c
    stamp = column.window_started_at.type
    now = bindparam("now", type_=stamp)
    window_start = bindparam("window_start", type_=stamp)
    fresh = or_(and_(column.locked_until.is_(None), column.window_started_at <= window_start),
                column.locked_until <= now)
    return (dialect.insert(_THROTTLE)
            .values(key=bindparam("key"), failures=1, window_started_at=now, locked_until=None)
            .on_conflict_do_update(index_elements=[column.key], set_={
                "failures": case((fresh, 1), else_=column.failures + 1),
                "window_started_at": case((fresh, now), else_=column.window_started_at),
                "locked_until": case((fresh, null()), else_=column.locked_until)})
            .returning(column.failures, column.locked_until))


_BUMP = {"postgresql": _bump_statement(postgresql), "sqlite": _bump_statement(sqlite)}


@dataclass(frozen=True)
class Count:
    key: str
    limit: Limit
    attempts: int
    locked_until: datetime | None

    def locked(self, now: datetime) -> bool:
        return (self.locked_until is not None and self.locked_until > now) or (
            self.attempts > self.limit.max_attempts)

    @property
    def last_allowed(self) -> bool:
        """This attempt is the last the limit lets through: failing it locks the key."""
        return self.attempts >= self.limit.max_attempts


def _bump(limit: Limit, value: str, now: datetime) -> Count:
    key = f"{limit.prefix}:{value}"[:80]
    attempts, locked_until = session.execute(_BUMP[session.get_bind().dialect.name], {
        "key": key, "now": now, "window_start": now - limit.window}).one()
    return Count(key, limit, attempts, locked_until)


def _take_back(count: Count) -> None:
    """This attempt did not fail: it no longer counts."""
    session.execute(update(_THROTTLE).where(_THROTTLE.c.key == count.key, _THROTTLE.c.failures > 0)
                    .values(failures=_THROTTLE.c.failures - 1))


def _clear(count: Count) -> None:
    session.execute(update(_THROTTLE).where(_THROTTLE.c.key == count.key)
                    .values(failures=0, locked_until=None))


def _lock_key(count: Count, now: datetime) -> bool:
    """Lock the key (once); True if this call locked it."""
    result = session.execute(update(_THROTTLE).where(
        _THROTTLE.c.key == count.key, or_(_THROTTLE.c.locked_until.is_(None),
                                          _THROTTLE.c.locked_until <= now))
        .values(locked_until=now + count.limit.lock))
    return result.rowcount == 1


# --- signing in --------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Known:
    """What a sign-in needs of the worker, read while the attempt is counted (so checking and
    recording the answer reads nothing more)."""

    id: int
    name: str
    org_unit_id: int
    active: bool
    pin_hash: str | None
    #: (id, keyed hash, channel) of the worker's codes still usable.
    codes: tuple[tuple[int, str, CodeChannel], ...]
    phone: str | None
    id_number: str | None

    def actor(self, ip, user_agent) -> Actor:
        return Actor(key=f"worker:{self.id}", name=self.name, ip=ip,
                     user_agent=(user_agent or "")[:300] or None)


@dataclass(frozen=True)
class SignInAttempt:
    """One counted attempt (see :func:`count_attempt`)."""

    number: str
    number_count: Count
    address_count: Count
    worker: _Known | None = field(repr=False)


def count_attempt(employee_number: str, *, ip: str | None) -> SignInAttempt:
    """Count a sign-in attempt against the employee number and the client address, before any
    secret is checked. Refuses while either is locked. The caller commits the count at once
    (:func:`plugin.worker_access.views.sign_in`), then checks the answer.

    The first statement writes, so on SQLite the attempt waits for the write lock (busy
    timeout) instead of failing after a read.
    """
    number = _normalise(employee_number)
    now = utcnow()
    address = _bump(address_limit(), client_address(ip), now)
    if address.locked(now):
        raise WorkerSignInRefused(ADDRESS_LOCKED, minutes=address.limit.lock_minutes)
    by_number = _bump(number_limit(), _number_digest(number), now)
    if by_number.locked(now):
        _take_back(address)  # no answer was checked: not a guess from this address
        raise WorkerSignInRefused(NUMBER_LOCKED, minutes=by_number.limit.lock_minutes)
    return SignInAttempt(number, by_number, address, _known(number, now))


def _known(number: str, now: datetime) -> _Known | None:
    """The worker with this number, PIN hash and usable codes; the same three queries for an
    unknown number (with a worker id no one has), so both take the same time."""
    worker = session.execute(
        select(Worker).where(Worker.employee_number == number)).scalar_one_or_none()
    worker_id = worker.id if worker is not None else 0
    pin = session.get(WorkerPin, worker_id)
    codes = session.execute(select(WorkerActivationCode.id, WorkerActivationCode.code_hash,
                                   WorkerActivationCode.channel).where(
        WorkerActivationCode.worker_id == worker_id, WorkerActivationCode.used_at.is_(None),
        WorkerActivationCode.cancelled_at.is_(None), WorkerActivationCode.expires_at > now)).all()
    if worker is None:
        return None
    return _Known(id=worker.id, name=worker.name, org_unit_id=worker.org_unit_id,
                  active=worker.employment_status == EmploymentStatus.ACTIVE,
                  pin_hash=pin.pin_hash if pin is not None else None,
                  codes=tuple(tuple(code) for code in codes),
                  phone=worker.phone, id_number=worker.id_number)


def sign_in_with_pin(attempt: SignInAttempt, pin: str, *, ip: str | None,
                     user_agent: str | None) -> str:
    """Check the worker's PIN (after :func:`count_attempt`); return a new device token."""
    known = attempt.worker
    right = check_password_hash(
        known.pin_hash if known and known.pin_hash else unknown_account_hash(), pin)
    if not right or known is None or known.pin_hash is None:
        _failed(attempt, ip=ip, user_agent=user_agent)
        raise WorkerSignInRefused(WRONG_PIN)
    _succeeded(attempt)
    if not known.active:
        raise WorkerSignInRefused(DEPARTED)
    return _remember(known, ip=ip, user_agent=user_agent, details={"method": "pin"})


def activate(attempt: SignInAttempt, code: str, new_pin: str, *, ip: str | None,
             user_agent: str | None) -> str:
    """Check a one-time code (after :func:`count_attempt`), use it up, set the worker's new
    PIN and return a new device token."""
    known = attempt.worker
    expected = code_hash(known.id if known else 0, code)
    matched = None
    for code_id, stored_hash, channel in (known.codes if known else ()) or ((0, "0" * 64, None),):
        if hmac.compare_digest(stored_hash, expected) and code_id:
            matched = (code_id, channel)
    pin_hash = hash_secret(new_pin)  # before any write: hashing holds no lock
    if matched is None or known is None:
        _failed(attempt, ip=ip, user_agent=user_agent)
        raise WorkerSignInRefused(WRONG_CODE)
    code_id, channel = matched
    _succeeded(attempt)
    # Refusals after the right code leave the code unused, so the worker can try again with it.
    if not known.active:
        raise WorkerSignInRefused(DEPARTED)
    if any(new_pin in (value or "").upper()
           for value in (known.phone, known.id_number, attempt.number)):
        raise ValidationError(PIN_FROM_RECORDS, field="pin")
    now = utcnow()
    used = session.execute(update(WorkerActivationCode).where(
        WorkerActivationCode.id == code_id, WorkerActivationCode.used_at.is_(None),
        WorkerActivationCode.cancelled_at.is_(None), WorkerActivationCode.expires_at > now)
        .values(used_at=now))
    if used.rowcount != 1:  # used by a concurrent request a moment ago
        raise WorkerSignInRefused(WRONG_CODE)
    pin = session.get(WorkerPin, known.id)
    if pin is None:
        session.add(WorkerPin(worker_id=known.id, pin_hash=pin_hash, set_at=now))
    else:
        pin.pin_hash, pin.set_at = pin_hash, now
    actor = known.actor(ip, user_agent)
    record_event("worker.pin_set", actor, target_type="worker", target_id=known.id,
                 org_unit_id=known.org_unit_id, details={"code_channel": channel.value})
    return _remember(known, ip=ip, user_agent=user_agent,
                     details={"method": "activation_code", "code_channel": channel.value})


def _succeeded(attempt: SignInAttempt) -> None:
    _clear(attempt.number_count)
    _take_back(attempt.address_count)


def _failed(attempt: SignInAttempt, *, ip, user_agent) -> None:
    now = utcnow()
    known = attempt.worker
    if known is not None:
        actor = known.actor(ip, user_agent)
        target = {"target_type": "worker", "target_id": known.id, "org_unit_id": known.org_unit_id}
    else:
        actor = Actor(key="anonymous:worker-sign-in", name=attempt.number[:64] or "?", ip=ip,
                      user_agent=(user_agent or "")[:300] or None)
        target = {"target_type": "worker", "target_id": None, "org_unit_id": None}
    record_event("worker.sign_in_failed", actor, **target,
                 details={"failures": attempt.number_count.attempts, "known": known is not None})
    if attempt.number_count.last_allowed and _lock_key(attempt.number_count, now):
        record_event("worker.sign_in_locked", actor, **target,
                     details={"minutes": attempt.number_count.limit.lock_minutes})
    if attempt.address_count.last_allowed and _lock_key(attempt.address_count, now):
        record_event("worker.sign_in_address_locked", actor, **target,
                     details={"minutes": attempt.address_count.limit.lock_minutes,
                              "address": attempt.address_count.key.split(":", 1)[1]})
    session.flush()


def _new_device(worker_id: int, user_agent: str | None, now: datetime) -> str:
    token = secrets.token_urlsafe(32)
    session.add(WorkerDevice(worker_id=worker_id, token_hash=token_hash(token),
                             user_agent=(user_agent or "")[:300] or None, created_at=now,
                             last_seen_at=now))
    return token


def _remember(known: _Known, *, ip, user_agent, details: dict) -> str:
    token = _new_device(known.id, user_agent, utcnow())
    session.flush()
    record_event("worker.phone_remembered", known.actor(ip, user_agent), target_type="worker",
                 target_id=known.id, org_unit_id=known.org_unit_id, details=details)
    return token


def remember_device(worker: Worker, *, ip: str | None = None, user_agent: str | None = None) -> str:
    """Remember a phone for ``worker`` without asking anything (tests, benchmarks, seeding)."""
    token = _new_device(worker.id, user_agent, utcnow())
    session.flush()
    record_event("worker.phone_remembered", worker_actor(worker, ip=ip, user_agent=user_agent),
                 target_type="worker", target_id=worker.id, org_unit_id=worker.org_unit_id,
                 details={"method": "direct"})
    return token


def set_pin(worker: Worker, pin: str) -> None:
    """Give ``worker`` a PIN directly (tests and seeding; workers choose theirs on the phone)."""
    pin = parse_pin(pin)
    existing = session.get(WorkerPin, worker.id)
    if existing is None:
        session.add(WorkerPin(worker_id=worker.id, pin_hash=hash_secret(pin),
                              set_at=utcnow()))
    else:
        existing.pin_hash, existing.set_at = hash_secret(pin), utcnow()
    session.flush()


# --- one-time codes by text message ------------------------------------------------------------

def text_channel() -> TextMessageChannel | None:
    """The registered channel that sends text messages, if any."""
    for channel in current_app.extensions["carebridge"].channels:
        if callable(getattr(channel, "send_text", None)):
            return channel
    return None


def send_code_by_text(employee_number: str, *, ip: str | None, user_agent: str | None) -> None:
    """Text a one-time code to the registered phone of the worker with this employee number.

    Says nothing about whether the number exists: the caller shows the same notice either way.
    Limited per employee number (known or not) and per client address.
    """
    channel = text_channel()
    if channel is None:
        raise CareBridgeError(NO_TEXT_CHANNEL)
    number = _normalise(employee_number)
    now = utcnow()
    per_number, per_address = _sms_limits()
    address = _bump(per_address, client_address(ip), now)
    if address.locked(now):
        raise WorkerSignInRefused(TOO_MANY_TEXTS)
    if _bump(per_number, _number_digest(number), now).locked(now):
        raise WorkerSignInRefused(TOO_MANY_TEXTS)
    worker = session.execute(
        select(Worker).where(Worker.employee_number == number)).scalar_one_or_none()
    if worker is None or worker.employment_status != EmploymentStatus.ACTIVE or not worker.phone:
        return
    code = random_digits(SMS_CODE_DIGITS)
    actor = worker_actor(worker, ip=ip, user_agent=user_agent)
    cancel_codes(worker.id, CodeChannel.SMS, now)
    session.add(WorkerActivationCode(worker_id=worker.id, code_hash=code_hash(worker.id, code),
                                     channel=CodeChannel.SMS, issued_by=actor.key, created_at=now,
                                     expires_at=now + SMS_CODE_VALIDITY))
    session.flush()
    record_event("worker.sign_in_code_sent", actor, target_type="worker", target_id=worker.id,
                 org_unit_id=worker.org_unit_id,
                 details={"channel": getattr(channel, "name", "sms")})
    minutes = int(SMS_CODE_VALIDITY.total_seconds() // 60)
    text, phone = gettext(CODE_TEXT, code=code, minutes=minutes), worker.phone
    # Sent once the code is stored: a request that ends refused or failed sends no code.
    after_commit(lambda: channel.send_text(phone, text))


def cancel_codes(worker_id: int, channel: CodeChannel | None, now: datetime) -> None:
    conditions = [WorkerActivationCode.worker_id == worker_id,
                  WorkerActivationCode.used_at.is_(None),
                  WorkerActivationCode.cancelled_at.is_(None)]
    if channel is not None:
        conditions.append(WorkerActivationCode.channel == channel)
    session.execute(update(WorkerActivationCode).where(*conditions).values(cancelled_at=now))


# --- the remembered phone ----------------------------------------------------------------------

def worker_for_token(token: str | None) -> Worker | None:
    """The active worker a device token belongs to, or None (unknown, revoked, departed)."""
    if not token:
        return None
    device = session.execute(select(WorkerDevice).where(
        WorkerDevice.token_hash == token_hash(token),
        WorkerDevice.revoked_at.is_(None))).scalar_one_or_none()
    if device is None or device.worker.employment_status != EmploymentStatus.ACTIVE:
        return None
    now = utcnow()
    if now - device.last_seen_at > SEEN_GRANULARITY:
        device.last_seen_at = now
    return device.worker


def forget_device(token: str, *, ip: str | None, user_agent: str | None) -> None:
    device = session.execute(select(WorkerDevice).where(
        WorkerDevice.token_hash == token_hash(token),
        WorkerDevice.revoked_at.is_(None))).scalar_one_or_none()
    if device is None:
        return
    actor = worker_actor(device.worker, ip=ip, user_agent=user_agent)
    device.revoked_at, device.revoked_by = utcnow(), actor.key
    record_event("worker.phone_forgotten", actor, target_type="worker", target_id=device.worker_id,
                 org_unit_id=device.worker.org_unit_id)
    session.flush()


def worker_actor(worker: Worker, *, ip: str | None = None, user_agent: str | None = None) -> Actor:
    """The worker acting on their own phone, as the audit log and records name them."""
    return Actor(key=f"worker:{worker.id}", name=worker.name, ip=ip,
                 user_agent=(user_agent or "")[:300] or None)


def purge_stale_sign_in_records() -> int:
    """Delete counters whose window and lock are over, and codes a month past their use or end
    (a scheduled job; the audit log keeps their story)."""
    now = utcnow()
    longest = max(NUMBER_WINDOW, ADDRESS_WINDOW, SMS_WINDOW, _lock())
    counters = session.execute(delete(WorkerSignInThrottle).where(
        WorkerSignInThrottle.window_started_at < now - longest,
        or_(WorkerSignInThrottle.locked_until.is_(None), WorkerSignInThrottle.locked_until < now)))
    codes = session.execute(delete(WorkerActivationCode).where(
        WorkerActivationCode.expires_at < now - timedelta(days=30)))
    return counters.rowcount + codes.rowcount
