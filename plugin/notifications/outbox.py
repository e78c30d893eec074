"""Delivering the outbox: notifications handed to their channels after their transaction committed.

:func:`~plugin.notifications.services.notify` writes one :class:`NotificationDelivery` per
notification and channel in the caller's transaction. The delivery job
(:func:`plugin.notifications.jobs.deliver_due_notifications`) then takes one due row at a time:

1. **claim** (a transaction of its own): the oldest due row, locked ``FOR UPDATE SKIP LOCKED`` on
   PostgreSQL (SQLite: the write lock), gets a fresh claim token, one more attempt, and a
   ``due_at`` of now + :data:`CLAIM_TIMEOUT`; committed. Two workers never claim the same row:
   one skips the row the other holds locked, and once committed the row is no longer due.
2. **deliver** with no transaction open (an SMS gateway may take seconds; SQLite's write lock
   and PostgreSQL's row lock are long released).
3. **record** (a transaction of its own), only if the row still carries the claim's token: sent,
   or failed and due again after the next of :data:`RETRY_DELAYS`, or given up after
   :data:`MAX_ATTEMPTS` with the last error kept.

A worker that dies between 1 and 3 leaves its row claimed until the claim lapses; then it is due
again and delivered again (at least once; ``(notification id, channel)`` identifies duplicates).
"""
from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import inspect, select, update

from ..core.clock import utcnow
from ..core.db import session
from .channels import registered_channels
from .models import DeliveryStatus, Notification, NotificationDelivery

log = logging.getLogger(__name__)

#: The wait after the 1st, 2nd… failed attempt; the attempt after the last wait is the last.
RETRY_DELAYS = (timedelta(seconds=30), timedelta(minutes=2), timedelta(minutes=10),
                timedelta(hours=1), timedelta(hours=6))
#: Attempts before a delivery is given up (about 7 hours and 13 minutes after the first).
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
#: How long a claimed row is left to its worker; a channel must answer well within it.
CLAIM_TIMEOUT = timedelta(minutes=5)
#: Longest error text kept (exception type and message).
ERROR_MAX = 1000


@dataclass(frozen=True)
class Claim:
    """A delivery this worker holds: what to send, and the token its outcome is recorded under."""

    delivery_id: int
    token: str
    channel: str
    attempt: int
    #: A copy of the row outside the session, so reading it opens no transaction.
    notification: Notification


def claim_next_delivery() -> Claim | None:
    """Claim the oldest due delivery, or None when none is due; commits (or ends the read)."""
    now = utcnow()
    delivery = session.execute(
        select(NotificationDelivery)
        .where(NotificationDelivery.status == DeliveryStatus.PENDING,
               NotificationDelivery.due_at <= now)
        .order_by(NotificationDelivery.due_at, NotificationDelivery.id)
        .limit(1).with_for_update(skip_locked=True)).scalar_one_or_none()
    if delivery is None:
        session.rollback()
        return None
    token = secrets.token_hex(16)
    delivery.claim_token = token
    delivery.attempts += 1
    delivery.last_attempt_at = now
    delivery.due_at = now + CLAIM_TIMEOUT
    notification = session.get(Notification, delivery.notification_id)
    claim = Claim(delivery_id=delivery.id, token=token, channel=delivery.channel,
                  attempt=delivery.attempts, notification=_unattached_copy(notification))
    session.commit()
    return claim


def deliver(claim: Claim) -> bool:
    """Hand the claimed notification to its channel and record the outcome; commits.
    True if the channel took it."""
    channel = registered_channels().get(claim.channel)
    try:
        if channel is None:
            raise LookupError(f"no notification channel named {claim.channel!r} is registered")
        channel.deliver(claim.notification)
    except Exception as error:
        session.rollback()  # whatever the channel wrote before failing
        log.warning("delivery %s of notification %s by %s failed (attempt %s of %s)",
                    claim.delivery_id, claim.notification.id, claim.channel, claim.attempt,
                    MAX_ATTEMPTS, exc_info=True)
        _record(claim, **_failure(claim, error))
        return False
    _record(claim, status=DeliveryStatus.SENT, sent_at=utcnow())
    return True


def deliver_due(limit: int) -> dict[str, int]:
    """Deliver up to ``limit`` due rows, one claim after another; commits each step."""
    sent = failed = 0
    while sent + failed < limit and (claim := claim_next_delivery()) is not None:
        if deliver(claim):
            sent += 1
        else:
            failed += 1
    return {"sent": sent, "failed": failed}


def retry_delay(attempt: int) -> timedelta | None:
    """The wait after failed attempt number ``attempt`` (from 1), or None: give up."""
    return RETRY_DELAYS[attempt - 1] if attempt < MAX_ATTEMPTS else None


def _unattached_copy(notification: Notification) -> Notification:
    """The notification's column values in an object no session knows (the session's own object
    is expired by the commit and would reload when read)."""
    return Notification(**{attribute.key: getattr(notification, attribute.key)
                           for attribute in inspect(Notification).column_attrs})


def _failure(claim: Claim, error: Exception) -> dict:
    message = f"{type(error).__name__}: {error}"[:ERROR_MAX]
    delay = retry_delay(claim.attempt)
    if delay is None:
        log.error("delivery %s by %s given up after %s attempts: %s", claim.delivery_id,
                  claim.channel, claim.attempt, message)
        return {"status": DeliveryStatus.FAILED, "last_error": message}
    return {"status": DeliveryStatus.PENDING, "last_error": message,
            "due_at": utcnow() + delay}


def _record(claim: Claim, **values) -> None:
    """Write the outcome under the claim's token; a claim that lapsed meanwhile (another worker
    took the row) records nothing."""
    result = session.execute(
        update(NotificationDelivery)
        .where(NotificationDelivery.id == claim.delivery_id,
               NotificationDelivery.claim_token == claim.token)
        .values(claim_token=None, **values))
    if result.rowcount == 0:
        log.warning("delivery %s: claim lapsed before its outcome was recorded", claim.delivery_id)
    session.commit()
