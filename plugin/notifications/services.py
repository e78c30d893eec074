"""Sending and reading notifications. Every feature calls :func:`notify` for reminders and notices."""
from __future__ import annotations

from datetime import timedelta
from typing import Any, Iterable

from flask import current_app
from sqlalchemy import delete, update

from ..core.clock import utcnow
from ..core.db import session
from ..core.errors import NotFound
from .models import Notification


def notify(recipient_keys: Iterable[str], title: str, *, body: str | None = None,
           params: dict[str, Any] | None = None, link: str | None = None,
           category: str = "general") -> list[Notification]:
    """Store a notification for each recipient and hand it to every registered channel.

    ``title`` and ``body`` are msgids marked with ``N_()`` where they are written, so they are
    extracted for translation and translated for each reader.
    """
    now = utcnow()
    notifications = [
        Notification(recipient_key=key, category=category, title_msgid=title, body_msgid=body,
                     params=params, link=link, created_at=now)
        for key in dict.fromkeys(recipient_keys)
    ]
    session.add_all(notifications)
    session.flush()
    for channel in current_app.extensions["carebridge"].channels:
        for notification in notifications:
            channel.deliver(notification)
    return notifications


def mark_read(recipient_key: str, notification_id: int) -> Notification:
    notification = session.get(Notification, notification_id)
    if notification is None or notification.recipient_key != recipient_key:
        raise NotFound("通知不存在")
    if notification.read_at is None:
        notification.read_at = utcnow()
        session.flush()
    return notification


def mark_all_read(recipient_key: str) -> int:
    result = session.execute(
        update(Notification)
        .where(Notification.recipient_key == recipient_key, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    return result.rowcount


def purge_read_notifications(older_than_days: int = 180) -> int:
    """Delete notifications read more than ``older_than_days`` ago (a scheduled job)."""
    cutoff = utcnow() - timedelta(days=older_than_days)
    result = session.execute(delete(Notification).where(Notification.read_at < cutoff))
    return result.rowcount
