from __future__ import annotations

from sqlalchemy import func, select

from ..core.db import session
from ..core.pagination import Page, paginate
from .models import Notification


def unread_count(recipient_key: str) -> int:
    return session.execute(
        select(func.count()).where(Notification.recipient_key == recipient_key,
                                   Notification.read_at.is_(None))
    ).scalar_one()


def notifications_for(recipient_key: str, *, unread_only: bool = False, page: int = 1) -> Page:
    statement = (select(Notification).where(Notification.recipient_key == recipient_key)
                 .order_by(Notification.created_at.desc(), Notification.id.desc()))
    if unread_only:
        statement = statement.where(Notification.read_at.is_(None))
    return paginate(statement, page, per_page=30)
