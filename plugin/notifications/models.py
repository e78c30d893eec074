"""Notifications and their outbox.

A :class:`Notification` is the in-app message (the bell). For every channel registered when it
was written (SMS, WeCom…) a :class:`NotificationDelivery` row is written beside it, in the same
transaction: the outbox. The delivery job (:mod:`plugin.notifications.outbox`) hands those rows
to their channels after the transaction committed, so a rolled-back action sends nothing.
"""
from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from flask_babel import gettext
from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..core.clock import utcnow
from ..core.db import Base, enum_column
from ..core.i18n import translate_params
from ..core.urls import local_path
from .links import link_path, link_url


class Notification(Base):
    """A message for one user. Texts are stored as msgids with parameters and translated when
    shown, so each reader sees them in their own language; the link is stored as an endpoint
    with its arguments and made a URL when shown (:mod:`plugin.notifications.links`)."""

    __tablename__ = "cb_notification"
    __table_args__ = (Index("ix_cb_notification_recipient_unread", "recipient_key", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_key: Mapped[str] = mapped_column(String(64))
    #: Free code of the feature that sent it (``pledges.expiring``…), for filtering and channels.
    category: Mapped[str] = mapped_column(String(64), default="general")
    title_msgid: Mapped[str] = mapped_column(String(300))
    body_msgid: Mapped[str | None] = mapped_column(Text)
    params: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    #: Endpoint the notification points to (``carebridge.pledges.batch``), if any.
    link_endpoint: Mapped[str | None] = mapped_column(String(200))
    #: The endpoint's arguments (``{"batch_id": 7}``); path and query arguments alike.
    link_args: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    #: Read only: a path stored before links were endpoints (December 2026) that the migration
    #: could not name an endpoint for. Shown as it is; nothing writes it any more.
    legacy_link: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    read_at: Mapped[datetime | None]

    @property
    def title(self) -> str:
        return gettext(self.title_msgid, **translate_params(self.params))

    @property
    def body(self) -> str:
        return gettext(self.body_msgid, **translate_params(self.params)) if self.body_msgid else ""

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    @property
    def link(self) -> str | None:
        """The path the notification points to, built now; None if there is none (any more)."""
        if self.link_endpoint:
            return link_path(self.link_endpoint, self.link_args)
        return local_path(self.legacy_link)

    @property
    def external_link(self) -> str | None:
        """The absolute URL it points to, for a channel's message read outside the site."""
        return link_url(self.link_endpoint, self.link_args) if self.link_endpoint else None

    def __repr__(self) -> str:
        return f"<Notification {self.id} {self.category} to {self.recipient_key}>"


class DeliveryStatus(str, enum.Enum):
    #: Waiting for its channel (due now, later after a failure, or being delivered).
    PENDING = "pending"
    #: The channel took it.
    SENT = "sent"
    #: Every attempt failed; ``last_error`` says why the last one did.
    FAILED = "failed"


class NotificationDelivery(Base):
    """One notification for one channel: the outbox row, written with the notification.

    The delivery job claims a due row (``due_at`` moved past the claim's lapse, a fresh
    ``claim_token``), delivers it with no transaction open, and records the outcome only if the
    claim is still its own. A failure is retried after a growing wait, up to a limit.
    """

    __tablename__ = "cb_notification_delivery"
    __table_args__ = (UniqueConstraint("notification_id", "channel"),
                      Index("ix_cb_notification_delivery_status_due", "status", "due_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int] = mapped_column(
        ForeignKey("cb_notification.id", ondelete="CASCADE"))
    #: The channel's stable name (``NotificationChannel.name``).
    channel: Mapped[str] = mapped_column(String(64))
    status: Mapped[DeliveryStatus] = mapped_column(enum_column(DeliveryStatus, 16),
                                                   default=DeliveryStatus.PENDING)
    #: Attempts begun so far (a claim counts as one).
    attempts: Mapped[int] = mapped_column(default=0)
    #: Pending: not to be attempted before this; while claimed, when the claim lapses.
    due_at: Mapped[datetime]
    #: Random token of the current claim; an outcome is recorded only under it.
    claim_token: Mapped[str | None] = mapped_column(String(32))
    last_attempt_at: Mapped[datetime | None]
    #: The last failure (exception type and message, shortened).
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return (f"<NotificationDelivery {self.id} notification={self.notification_id} "
                f"{self.channel} {self.status.value} attempts={self.attempts}>")
