"""Sending and reading notifications. Every feature calls :func:`notify` for reminders and
notices."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, or_, update

from ..core.clock import utcnow
from ..core.db import session
from ..core.errors import NotFound
from .channels import registered_channels
from .links import Link, check_link
from .models import DeliveryStatus, Notification, NotificationDelivery


def notify(recipient_keys: Iterable[str], title: str, *, body: str | None = None,
           params: dict[str, Any] | None = None, link: Link | None = None,
           category: str = "general") -> list[Notification]:
    """Store a notification for each recipient, and an outbox row for each registered channel.

    ``title`` and ``body`` are msgids marked with ``N_()`` where they are written, so they are
    extracted for translation and translated for each reader. ``link`` is ``(endpoint,
    arguments)``, e.g. ``("carebridge.pledges.batch", {"batch_id": 7})``, made a URL when shown.
    Only flushes: the channels get the notifications from the delivery job once the caller's
    transaction committed (:mod:`plugin.notifications.outbox`), and never if it is rolled back.
    """
    endpoint, arguments = check_link(link)
    channels = list(registered_channels())
    now = utcnow()
    notifications = [
        Notification(recipient_key=key, category=category, title_msgid=title, body_msgid=body,
                     params=params, link_endpoint=endpoint, link_args=arguments, created_at=now)
        for key in dict.fromkeys(recipient_keys)
    ]
    session.add_all(notifications)
    session.flush()
    if channels:
        session.add_all(NotificationDelivery(notification_id=notification.id, channel=channel,
                                             status=DeliveryStatus.PENDING, attempts=0,
                                             due_at=now, created_at=now)
                        for notification in notifications for channel in channels)
        session.flush()
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


def purge_finished_deliveries(older_than_days: int = 30) -> int:
    """Delete outbox rows sent or given up more than ``older_than_days`` ago (a scheduled job);
    a notification's own row stays, and its deliveries go with it when it is purged."""
    cutoff = utcnow() - timedelta(days=older_than_days)
    result = session.execute(delete(NotificationDelivery).where(or_(
        (NotificationDelivery.status == DeliveryStatus.SENT)
        & (NotificationDelivery.sent_at < cutoff),
        (NotificationDelivery.status == DeliveryStatus.FAILED)
        & (NotificationDelivery.last_attempt_at < cutoff))))
    return result.rowcount
