"""Creating and managing accounts, and signing in; all is audited.

Accounts are managed only within the actor's reach (:func:`plugin.access.queries.may_manage_user`:
every role the user holds is one the actor could have granted there); beyond it a user does not
exist for the actor. Failed sign-ins are counted before the password is checked, per account
(and per unknown username, alike) and per client address, so parallel guesses cannot outrun a
lock. A new password, a deactivation and a sign-out end every session of the user
(``User.session_version``).

An account may carry the holder's employee number (工号), linking the staff user to their record on
the roster (:meth:`plugin.core.host.HostAdapter.employee_numbers`): nobody approves their own
hardship-aid application. A number belongs to one account at most (a unique key holds it).
"""
from __future__ import annotations

import ipaddress
import re
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import case, delete, func, literal, null, or_, select, update
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash

from plugin.access.roles import Role
from plugin.access.services import check_may_grant, check_may_manage_user, grant_role
from plugin.audit.services import record_event
from plugin.core.changes import apply_changes
from plugin.core.clock import utcnow
from plugin.core.db import session
from plugin.core.errors import CareBridgeError, ErrorList, InputInvalid, ValidationError
from plugin.core.host import Actor
from plugin.core.i18n import N_
from plugin.core.passwords import hash_secret, unknown_account_hash
from plugin.core.text import clean_code, clean_person_name
from plugin.org.models import OrgUnit

from .models import SignInThrottle, User

USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9_.@-]{3,64}$")
MIN_PASSWORD_LENGTH = 8
#: Throttle rows untouched this long are deleted (an unknown username's count starts over).
THROTTLE_ROW_TTL = timedelta(days=30)
#: The roster's longest employee number (``Worker.employee_number``).
EMPLOYEE_NUMBER_MAX = 64
#: :func:`update_user`'s default for the employee number: leave it as it is.
UNCHANGED: Any = object()
EMPLOYEE_NUMBER_TAKEN = N_("工号“%(number)s”已关联到另一个账户，一个工号只能关联一个账户")


class SignInRefused(CareBridgeError):
    """Wrong credentials, or an account or address that is locked, or a disabled account. The
    answers are the same for usernames nobody holds (see :func:`sign_in`)."""


def check_password_strength(password: str, field: str = "password") -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise ValidationError("密码至少需要 %(count)s 个字符", field=field,
                              count=MIN_PASSWORD_LENGTH)
    if password.isdigit() or password.isalpha():
        raise ValidationError("密码必须同时包含字母和数字或符号", field=field)


def clean_employee_number(value: str | None) -> str | None:
    """An employee number as typed (full-width digits made ASCII, no spaces), or None for
    nothing; too long a number is refused (:class:`ValidationError` on ``employee_number``)."""
    return clean_code(value, max_length=EMPLOYEE_NUMBER_MAX, field="employee_number")


def check_employee_number_free(number: str | None, user_id: int | None = None) -> None:
    """Refuse ``number`` when an account other than ``user_id`` carries it already."""
    if number is None:
        return
    taken = select(User.id).where(User.employee_number == number)
    if user_id is not None:
        taken = taken.where(User.id != user_id)
    if session.execute(taken.limit(1)).first() is not None:
        raise ValidationError(EMPLOYEE_NUMBER_TAKEN, field="employee_number", number=number)


def check_new_user(username: str, display_name: str, password: str,
                   employee_number: str | None = None) -> None:
    """Everything :func:`create_user` would refuse, checked without writing anything; every
    error at once (:class:`InputInvalid`)."""
    errors = ErrorList()
    username = (username or "").strip()
    if not USERNAME_PATTERN.match(username):
        errors.add(ValidationError("用户名须为 3–64 位字母、数字或 _.@-", field="username"))
    elif get_user_by_username(username) is not None:
        errors.add(ValidationError("用户名“%(username)s”已被使用", field="username",
                                   username=username))
    if not clean_person_name(display_name):
        errors.add(ValidationError("姓名不能为空", field="display_name"))
    errors.collect(lambda: check_password_strength(password))
    number = errors.collect(lambda: clean_employee_number(employee_number))
    if number is not None:
        errors.collect(lambda: check_employee_number_free(number))
    InputInvalid.raise_if_any(errors)


def create_user(username: str, display_name: str, password: str, *, actor: Actor,
                employee_number: str | None = None) -> User:
    check_new_user(username, display_name, password, employee_number)
    username = username.strip()
    display_name = clean_person_name(display_name)
    number = clean_employee_number(employee_number)
    user = User(username=username, display_name=display_name[:100],
                password_hash=hash_secret(password), employee_number=number)
    session.add(user)
    # A name guessed before it existed starts clean (see SignInThrottle).
    session.execute(delete(SignInThrottle.__table__).where(
        SignInThrottle.__table__.c.key == _username_key(username)))
    _flush_employee_number(number)
    details = {"username": username, "display_name": user.display_name}
    if number is not None:
        details["employee_number"] = number
    record_event("user.created", actor, target_type="user", target_id=user.id, details=details)
    return user


def create_staff_user(username: str, display_name: str, password: str, *, role: Role,
                      unit: OrgUnit, actor: Actor, employee_number: str | None = None) -> User:
    """A new account with its first role. The grant is checked first, so a refusal writes nothing
    (the new account has no grant yet, so the reach check of :func:`grant_role` cannot apply)."""
    check_may_grant(actor, Role(role), unit)
    user = create_user(username, display_name, password, actor=actor,
                       employee_number=employee_number)
    grant_role(user.key, role, unit, actor=actor, check_actor=False)
    return user


def _flush_employee_number(number: str | None) -> None:
    """Flush the account; an employee number another account took at the same moment (the
    unique key refuses the second) is the same refusal as one taken before."""
    if number is None:
        session.flush()
        return
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        raise ValidationError(EMPLOYEE_NUMBER_TAKEN, field="employee_number",
                              number=number) from None


def get_user_by_username(username: str) -> User | None:
    return session.execute(
        select(User).where(func.lower(User.username) == username.strip().lower())
    ).scalar_one_or_none()


def sign_in(username: str, password: str, *, ip: str | None, user_agent: str | None) -> User:
    """Return the user when the credentials are right; otherwise record why and refuse.

    In this order, so that nothing concurrent can slip past a limit:

    1. The client address is counted (``CAREBRIDGE_LOGIN_ADDRESS_MAX_FAILURES`` failures per
       ``CAREBRIDGE_LOGIN_ADDRESS_WINDOW_MINUTES`` across all accounts); past the limit nothing
       is checked until the window ends.
    2. The attempt is counted on the account with one atomic ``UPDATE … RETURNING`` that
       leaves a locked account alone; the attempt that reaches ``CAREBRIDGE_LOGIN_MAX_FAILURES``
       locks it for ``CAREBRIDGE_LOGIN_LOCK_MINUTES`` at once. A locked account is refused
       without checking the password. A username nobody holds is counted and locked the same
       way (:class:`.models.SignInThrottle`), and its password is checked against a dummy hash:
       the answers and their timing do not tell which usernames exist.
    3. The counts are committed (the second exception to "the request boundary commits", after
       the venue check-in): concurrent sign-ins see them, and no lock is held while hashing.
    4. The password is checked. A success clears the account's count and lock and takes back
       the address's count of this attempt.
    """
    now = utcnow()
    config = current_app.config
    name = (username or "").strip()[:64]
    anonymous = Actor(key=f"anonymous:{name[:40]}", name=(name or "?")[:100], ip=ip,
                      user_agent=user_agent)
    if ip:
        _count_address(ip, now, anonymous)
    account = session.execute(
        select(User.id, User.display_name, User.password_hash, User.active)
        .where(func.lower(User.username) == name.lower())
    ).first()
    max_failures = config.get("CAREBRIDGE_LOGIN_MAX_FAILURES", 5)
    minutes = config.get("CAREBRIDGE_LOGIN_LOCK_MINUTES", 15)
    lock_end = now + timedelta(minutes=minutes)
    if account is not None:
        actor = Actor(key=str(account.id), name=account.display_name, ip=ip, user_agent=user_agent)
        target = {"target_type": "user", "target_id": account.id}
        counted = _count_account(account.id, now, max_failures, lock_end)
    else:
        actor = anonymous
        target = {"target_type": "user"}
        counted = _count_unknown(name.lower(), now, max_failures, lock_end)
    if counted is None:
        locked_until = _locked_until(account, name.lower())
        record_event("auth.login_failed", actor, **target,
                     details=_details(account, name, "locked"))
        session.flush()
        raise SignInRefused("账户已被锁定，请在 %(time)s 之后重试，或请管理员解锁",
                            time=_local_time(locked_until))
    failures, locked_until = counted
    session.commit()

    right = check_password_hash(account.password_hash if account else unknown_account_hash(),
                                password or "")
    if not right or account is None:
        record_event("auth.login_failed", actor, **target, details={
            **_details(account, name, "wrong_password" if account else "unknown_user"),
            "failures": failures})
        if locked_until is not None:
            record_event("auth.locked", actor, **target, details={"minutes": minutes})
            session.flush()
            raise SignInRefused("密码连续错误 %(count)s 次，账户已锁定 %(minutes)s 分钟",
                                count=max_failures, minutes=minutes)
        session.flush()
        raise SignInRefused("用户名或密码错误")
    if not account.active:
        record_event("auth.login_failed", actor, **target, details={"reason": "disabled"})
        session.flush()
        raise SignInRefused("账户已停用，请联系管理员")
    users = User.__table__
    session.execute(update(users).where(users.c.id == account.id).values(
        failed_login_count=0, locked_until=None, last_login_at=now))
    if ip:
        throttles = SignInThrottle.__table__
        session.execute(update(throttles).where(
            throttles.c.key == _address_key(ip), throttles.c.failures > 0,
        ).values(failures=throttles.c.failures - 1))
    record_event("auth.login", actor, **target)
    session.flush()
    return session.get(User, account.id)


def _details(account, name: str, reason: str) -> dict:
    return {"reason": reason} if account is not None else {"reason": reason, "username": name}


def _address_key(ip: str) -> str:
    """``address:<ip>``; an IPv6 address counts by its /64 network, which one client holds whole."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return f"address:{ip}"[:100]
    if address.version == 6:
        if address.ipv4_mapped is not None:
            return f"address:{address.ipv4_mapped}"
        return f"address:{ipaddress.ip_network(f'{address}/64', strict=False)}"
    return f"address:{address}"


def _username_key(name: str) -> str:
    return f"username:{name.strip().lower()}"[:100]


def _upsert(table):
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(table)


def _count_address(ip: str, now: datetime, anonymous: Actor) -> None:
    """Count this attempt on the client address; refuse when it is past the address's limit
    (``CAREBRIDGE_LOGIN_ADDRESS_MAX_FAILURES``; 0 switches the address limit off)."""
    config = current_app.config
    limit = config.get("CAREBRIDGE_LOGIN_ADDRESS_MAX_FAILURES", 30)
    if limit <= 0:  # switched off
        return
    window = timedelta(minutes=config.get("CAREBRIDGE_LOGIN_ADDRESS_WINDOW_MINUTES", 15))
    table = SignInThrottle.__table__
    started = table.c.window_started_at
    over = started <= now - window
    statement = _upsert(table).values(key=_address_key(ip), failures=1, window_started_at=now,
                                      last_failure_at=now)
    statement = statement.on_conflict_do_update(index_elements=[table.c.key], set_={
        "failures": case((over, 1), else_=table.c.failures + 1),
        "window_started_at": case((over, literal(now, started.type)), else_=started),
        "last_failure_at": now,
    }).returning(table.c.failures, table.c.window_started_at)
    failures, window_started_at = session.execute(statement).one()
    if failures == 1:  # a new window: at most once per address and window
        session.execute(delete(table).where(
            table.c.last_failure_at < now - THROTTLE_ROW_TTL,
            or_(table.c.locked_until.is_(None), table.c.locked_until < now)))
    if failures > limit:
        if failures == limit + 1:
            minutes = int(window.total_seconds() // 60)
            record_event("auth.address_limited", anonymous, target_type="address",
                         details={"failures": limit, "window_minutes": minutes})
            session.flush()
        raise SignInRefused("此网络地址登录失败次数过多，请在 %(time)s 之后重试",
                            time=_local_time(window_started_at + window))


def _counting(failures_column, locked_column, now: datetime, max_failures: int, lock_end: datetime):
    """SET values counting one more failure on a row that is not locked (the WHERE clause keeps
    locked rows out): a lock that ran out starts the count again; reaching the limit locks."""
    failures = case((locked_column.is_not(None), 1), else_=failures_column + 1)
    locked = case((failures >= max_failures, literal(lock_end, locked_column.type)), else_=null())
    not_locked = or_(locked_column.is_(None), locked_column <= now)
    return failures, locked, not_locked


def _count_account(user_id: int, now: datetime, max_failures: int,
                   lock_end: datetime) -> tuple[int, datetime | None] | None:
    """One atomic ``UPDATE … RETURNING``: (failures, lock set by this attempt) or None if locked."""
    users = User.__table__
    failures, locked, not_locked = _counting(users.c.failed_login_count, users.c.locked_until,
                                             now, max_failures, lock_end)
    row = session.execute(
        update(users).where(users.c.id == user_id, not_locked)
        .values(failed_login_count=failures, locked_until=locked)
        .returning(users.c.failed_login_count, users.c.locked_until)
    ).first()
    return None if row is None else (row[0], row[1])


def _count_unknown(name: str, now: datetime, max_failures: int,
                   lock_end: datetime) -> tuple[int, datetime | None] | None:
    """The same count for a username nobody holds, as one atomic upsert."""
    table = SignInThrottle.__table__
    failures, locked, not_locked = _counting(table.c.failures, table.c.locked_until, now,
                                             max_failures, lock_end)
    statement = _upsert(table).values(
        key=_username_key(name), failures=1, window_started_at=now, last_failure_at=now,
        locked_until=lock_end if max_failures <= 1 else None)
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.key],
        set_={"failures": failures, "locked_until": locked, "last_failure_at": now},
        where=not_locked,
    ).returning(table.c.failures, table.c.locked_until)
    row = session.execute(statement).first()
    return None if row is None else (row[0], row[1])


def _locked_until(account, name: str) -> datetime:
    """When the lock that refused this attempt ends (now, if it ended in between)."""
    if account is not None:
        until = session.execute(select(User.locked_until).where(User.id == account.id)).scalar()
    else:
        table = SignInThrottle.__table__
        until = session.execute(select(table.c.locked_until).where(
            table.c.key == _username_key(name))).scalar()
    return until or utcnow()


def record_sign_out(user: User, *, ip: str | None, user_agent: str | None) -> None:
    """Audit the sign-out and end every session of the user (a copied cookie included)."""
    _end_sessions(user)
    record_event("auth.logout", Actor(key=user.key, name=user.display_name, ip=ip,
                                      user_agent=user_agent), target_type="user", target_id=user.id)
    session.flush()


def _end_sessions(user: User) -> None:
    user.session_version = User.session_version + 1  # one atomic UPDATE at flush


def update_user(user: User, *, actor: Actor, display_name: str, active: bool,
                employee_number: str | None = UNCHANGED, check_actor: bool = True) -> User:
    """Rename, deactivate or reactivate ``user``, and set or clear their employee number (left
    as it is unless given; ``None`` or blank clears it); deactivation ends their sessions.

    With ``check_actor`` (the default) ``user`` must be within ``actor``'s reach.
    """
    if check_actor:
        check_may_manage_user(actor, user.key)
    display_name = clean_person_name(display_name)
    if not display_name:
        raise ValidationError("姓名不能为空", field="display_name")
    if not active and user.key == actor.key:
        raise ValidationError("不能停用自己的账户", field="active")
    values: dict[str, Any] = {"display_name": display_name, "active": active}
    if employee_number is not UNCHANGED:
        values["employee_number"] = clean_employee_number(employee_number)
        check_employee_number_free(values["employee_number"], user.id)
    changes = apply_changes(user, values)
    if "active" in changes and not active:
        _end_sessions(user)
    if changes:
        _flush_employee_number(user.employee_number if "employee_number" in changes else None)
        record_event("user.updated", actor, target_type="user", target_id=user.id, details=changes)
    return user


def set_password(user: User, password: str, *, actor: Actor) -> None:
    """A new password for ``user`` (their own, or one within ``actor``'s reach); every session
    signed in with the old one ends."""
    if actor.key != user.key:
        check_may_manage_user(actor, user.key)
    check_password_strength(password)
    user.password_hash = hash_secret(password)
    _end_sessions(user)
    record_event("user.password_changed", actor, target_type="user", target_id=user.id,
                 details={"by_self": actor.key == user.key})
    session.flush()


def unlock(user: User, *, actor: Actor) -> None:
    check_may_manage_user(actor, user.key)
    user.locked_until = None
    user.failed_login_count = 0
    record_event("user.unlocked", actor, target_type="user", target_id=user.id)
    session.flush()


def _local_time(moment) -> str:
    from plugin.core.dates import format_datetime

    return format_datetime(moment)
