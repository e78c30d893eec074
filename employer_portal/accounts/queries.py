from __future__ import annotations

from typing import Iterable

from sqlalchemy import select

from plugin.core.db import session
from plugin.core.pagination import Page, paginate

from .models import User


def get_user(user_id: int) -> User | None:
    return session.get(User, user_id)


def list_users(*, search: str | None = None, page: int = 1) -> Page:
    statement = select(User).order_by(User.username)
    if search:
        pattern = f"%{search}%"
        statement = statement.where(User.username.ilike(pattern) | User.display_name.ilike(pattern))
    return paginate(statement, page, per_page=50)


def display_names(user_keys: Iterable[str]) -> dict[str, str]:
    ids = [int(key) for key in user_keys if str(key).isdigit()]
    if not ids:
        return {}
    return {str(user_id): name for user_id, name in session.execute(
        select(User.id, User.display_name).where(User.id.in_(ids)))}
