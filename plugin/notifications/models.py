from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import gettext
from sqlalchemy import JSON, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..core.clock import utcnow
from ..core.db import Base


class Notification(Base):
    """A message for one user. Texts are stored as msgids with parameters and translated when
    shown, so each reader sees them in their own language."""

    __tablename__ = "cb_notification"
    __table_args__ = (Index("ix_cb_notification_recipient_unread", "recipient_key", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_key: Mapped[str] = mapped_column(String(64))
    #: Free code of the feature that sent it (``pledges.expiring``…), for filtering and channels.
    category: Mapped[str] = mapped_column(String(64), default="general")
    title_msgid: Mapped[str] = mapped_column(String(300))
    body_msgid: Mapped[str | None] = mapped_column(Text)
    params: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    #: Relative URL the notification points to.
    link: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    read_at: Mapped[datetime | None]

    @property
    def title(self) -> str:
        return gettext(self.title_msgid, **(self.params or {}))

    @property
    def body(self) -> str:
        return gettext(self.body_msgid, **(self.params or {})) if self.body_msgid else ""

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
