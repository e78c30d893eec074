from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import String, cast, select

from plugin.access.queries import manageable_users, may_manage_user
from plugin.core.db import session
from plugin.core.host import Actor
from plugin.core.pagination import Page, paginate

from .models import User

#: A user's key (:attr:`User.key`) in SQL, to meet role grants' ``user_key``.
USER_KEY = cast(User.id, String(64))
#: Highest page number asked of the database (a larger one would overflow its OFFSET).
MAX_PAGE = 100_000


def get_user(user_id: int) -> User | None:
    return session.get(User, user_id)


def get_manageable_user(actor: Actor, user_id: int) -> User | None:
    """The user if ``actor`` may manage them (:func:`plugin.access.queries.may_manage_user`);
    otherwise None, exactly as if there were no such user."""
    if not 0 < user_id < 2**31:
        return None
    user = session.get(User, user_id)
    return user if user is not None and may_manage_user(actor, user.key) else None


def list_users(*, actor: Actor, search: str | None = None, page: int = 1) -> Page:
    """The users ``actor`` may manage, by username; searched, counted and paged in SQL."""
    statement = select(User).where(manageable_users(actor, USER_KEY)).order_by(User.username)
    if search:
        statement = statement.where(User.username.icontains(search, autoescape=True)
                                    | User.display_name.icontains(search, autoescape=True))
    return paginate(statement, min(max(page, 1), MAX_PAGE), per_page=50)


def display_names(user_keys: Iterable[str]) -> dict[str, str]:
    ids = [int(key) for key in user_keys if str(key).isdigit()]
    if not ids:
        return {}
    return {str(user_id): name for user_id, name in session.execute(
        select(User.id, User.display_name).where(User.id.in_(ids)))}


def employee_numbers(user_keys: Iterable[str]) -> dict[str, str]:
    """The employee number of each of these users that has one, by user key (one query)."""
    ids = [int(key) for key in user_keys if str(key).isdigit() and 0 < int(key) < 2**31]
    if not ids:
        return {}
    rows = session.execute(select(User.id, User.employee_number).where(User.id.in_(ids)))
    return {str(user_id): number for user_id, number in rows if number is not None}
