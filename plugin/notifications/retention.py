"""Notifications' retention rule (``Feature.retention``, run by
:mod:`plugin.privacy.retention`).

The daily ``notifications.purge_read`` job already deletes notifications half a year after they
were read; this rule deletes every notification, read or not, once it is older than the
retention (their parameters name workers and children), with its deliveries. Notifications sit
below the privacy feature, so the day arithmetic is their own.
"""
from __future__ import annotations

import calendar
from datetime import date

from sqlalchemy import delete, func, select

from ..core.dates import day_bounds
from ..core.db import session
from .models import Notification, NotificationDelivery


def _months_before(today: date, months: int) -> date:
    index = today.year * 12 + (today.month - 1) - months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(today.day, calendar.monthrange(year, month + 1)[1]))


def purge_old_notifications(today: date, months: int, *, dry_run: bool) -> int:
    day = _months_before(today, months)
    old = Notification.created_at < day_bounds(day, day)[1]
    if dry_run:
        return session.execute(select(func.count()).select_from(Notification)
                               .where(old)).scalar_one()
    session.flush()
    session.execute(delete(NotificationDelivery).where(
        NotificationDelivery.notification_id.in_(select(Notification.id).where(old)))
        .execution_options(synchronize_session=False))
    return session.execute(delete(Notification).where(old)
                           .execution_options(synchronize_session=False)).rowcount
