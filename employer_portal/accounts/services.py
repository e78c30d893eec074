"""Creating accounts and signing in. Failed sign-ins lock an account for a while; all is audited."""
from __future__ import annotations

import re
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from plugin.access.roles import Role
from plugin.access.services import check_may_grant, grant_role
from plugin.audit.services import record_event
from plugin.core.clock import utcnow
from plugin.core.db import session
from plugin.core.errors import CareBridgeError, ValidationError
from plugin.core.host import Actor
from plugin.org.models import OrgUnit

from .models import User

USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9_.@-]{3,64}$")
MIN_PASSWORD_LENGTH = 8
#: Hash computed once so a sign-in for an unknown user costs the same as for a known one.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


class SignInRefused(CareBridgeError):
    """Wrong credentials, or an account that is locked or disabled."""


def check_password_strength(password: str, field: str = "password") -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise ValidationError("密码至少需要 %(count)s 个字符", field=field, count=MIN_PASSWORD_LENGTH)
    if password.isdigit() or password.isalpha():
        raise ValidationError("密码必须同时包含字母和数字或符号", field=field)


def check_new_user(username: str, display_name: str, password: str) -> None:
    """Everything :func:`create_user` would refuse, checked without writing anything."""
    username = (username or "").strip()
    if not USERNAME_PATTERN.match(username):
        raise ValidationError("用户名须为 3–64 位字母、数字或 _.@-", field="username")
    if not (display_name or "").strip():
        raise ValidationError("姓名不能为空", field="display_name")
    if get_user_by_username(username) is not None:
        raise ValidationError("用户名“%(username)s”已被使用", field="username", username=username)
    check_password_strength(password)


def create_user(username: str, display_name: str, password: str, *, actor: Actor) -> User:
    check_new_user(username, display_name, password)
    username = username.strip()
    display_name = display_name.strip()
    user = User(username=username, display_name=display_name[:100],
                password_hash=generate_password_hash(password))
    session.add(user)
    session.flush()
    record_event("user.created", actor, target_type="user", target_id=user.id,
                 details={"username": username, "display_name": user.display_name})
    return user


def create_staff_user(username: str, display_name: str, password: str, *, role: Role,
                      unit: OrgUnit, actor: Actor) -> User:
    """A new account with its first role. The grant is checked first, so a refusal writes nothing."""
    check_may_grant(actor, Role(role), unit)
    user = create_user(username, display_name, password, actor=actor)
    grant_role(user.key, role, unit, actor=actor)
    return user


def get_user_by_username(username: str) -> User | None:
    return session.execute(
        select(User).where(func.lower(User.username) == username.strip().lower())
    ).scalar_one_or_none()


def sign_in(username: str, password: str, *, ip: str | None, user_agent: str | None) -> User:
    """Return the user when the credentials are right; otherwise record why and refuse.

    The refusal never says whether the username exists. After ``CAREBRIDGE_LOGIN_MAX_FAILURES``
    consecutive failures the account is locked for ``CAREBRIDGE_LOGIN_LOCK_MINUTES``.
    """
    now = utcnow()
    user = get_user_by_username(username or "")
    anonymous = Actor(key=f"anonymous:{(username or '')[:40]}", name=(username or "?")[:100],
                      ip=ip, user_agent=user_agent)
    if user is None:
        check_password_hash(_DUMMY_HASH, password or "")
        record_event("auth.login_failed", anonymous, target_type="user",
                     details={"reason": "unknown_user", "username": (username or "")[:64]})
        raise SignInRefused("用户名或密码错误")
    actor = Actor(key=user.key, name=user.display_name, ip=ip, user_agent=user_agent)
    if user.is_locked(now):
        record_event("auth.login_failed", actor, target_type="user", target_id=user.id,
                     details={"reason": "locked"})
        raise SignInRefused("账户已被锁定，请在 %(time)s 之后重试，或请管理员解锁",
                            time=_local_time(user.locked_until))
    if not check_password_hash(user.password_hash, password or ""):
        user.failed_login_count += 1
        record_event("auth.login_failed", actor, target_type="user", target_id=user.id,
                     details={"reason": "wrong_password", "failures": user.failed_login_count})
        max_failures = current_app.config.get("CAREBRIDGE_LOGIN_MAX_FAILURES", 5)
        if user.failed_login_count >= max_failures:
            minutes = current_app.config.get("CAREBRIDGE_LOGIN_LOCK_MINUTES", 15)
            user.locked_until = now + timedelta(minutes=minutes)
            user.failed_login_count = 0
            record_event("auth.locked", actor, target_type="user", target_id=user.id,
                         details={"minutes": minutes})
            raise SignInRefused("密码连续错误 %(count)s 次，账户已锁定 %(minutes)s 分钟",
                                count=max_failures, minutes=minutes)
        raise SignInRefused("用户名或密码错误")
    if not user.active:
        record_event("auth.login_failed", actor, target_type="user", target_id=user.id,
                     details={"reason": "disabled"})
        raise SignInRefused("账户已停用，请联系管理员")
    user.failed_login_count = 0
    user.locked_until = None
    user.last_login_at = now
    record_event("auth.login", actor, target_type="user", target_id=user.id)
    session.flush()
    return user


def record_sign_out(user: User, *, ip: str | None, user_agent: str | None) -> None:
    record_event("auth.logout", Actor(key=user.key, name=user.display_name, ip=ip,
                                      user_agent=user_agent), target_type="user", target_id=user.id)


def update_user(user: User, *, actor: Actor, display_name: str, active: bool) -> User:
    display_name = (display_name or "").strip()
    if not display_name:
        raise ValidationError("姓名不能为空", field="display_name")
    if not active and user.key == actor.key:
        raise ValidationError("不能停用自己的账户", field="active")
    changes = {}
    if display_name != user.display_name:
        changes["display_name"] = [user.display_name, display_name]
        user.display_name = display_name
    if active != user.active:
        changes["active"] = [user.active, active]
        user.active = active
    if changes:
        record_event("user.updated", actor, target_type="user", target_id=user.id, details=changes)
        session.flush()
    return user


def set_password(user: User, password: str, *, actor: Actor) -> None:
    check_password_strength(password)
    user.password_hash = generate_password_hash(password)
    record_event("user.password_changed", actor, target_type="user", target_id=user.id,
                 details={"by_self": actor.key == user.key})
    session.flush()


def unlock(user: User, *, actor: Actor) -> None:
    user.locked_until = None
    user.failed_login_count = 0
    record_event("user.unlocked", actor, target_type="user", target_id=user.id)
    session.flush()


def _local_time(moment) -> str:
    from flask_babel import format_datetime

    return format_datetime(moment, "short")
