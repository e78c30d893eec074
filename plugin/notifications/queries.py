from __future__ import annotations

from sqlalchemy import func, select

from ..core.db import session
from ..core.pagination import Page, paginate
from .models import DeliveryStatus, Notification, NotificationDelivery


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


def pending_delivery_counts() -> dict[str, int]:
    """Deliveries of the outbox still to be sent (due now or waiting for a retry), by channel:
    the depth of the queue, for monitoring (employer_portal.operations.metrics)."""
    rows = session.execute(
        select(NotificationDelivery.channel, func.count())
        .where(NotificationDelivery.status == DeliveryStatus.PENDING)
        .group_by(NotificationDelivery.channel)).all()
    return dict(rows)
