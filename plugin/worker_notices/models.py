"""A notice on one worker's phone home page."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..core.clock import utcnow
from ..core.db import Base


class WorkerNotice(Base):
    """A reminder for one worker. The text is stored as its kind and parameters and translated
    when shown; the link as an endpoint and its arguments, made a URL when shown (as the staff
    notifications do, :mod:`plugin.notifications.links`). ``dedupe_key`` (the kind and the day,
    by default) is unique per worker, so a reminder sent twice the same day, even at the same
    moment, is stored once."""

    __tablename__ = "cb_worker_notice"
    __table_args__ = (UniqueConstraint("worker_id", "dedupe_key"),
                      Index("ix_cb_worker_notice_worker_unread", "worker_id", "read_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("cb_worker.id", ondelete="CASCADE"),
                                           index=True)
    #: What the notice says (:data:`plugin.worker_notices.messages.NOTICE_TEXTS`).
    kind: Mapped[str] = mapped_column(String(64))
    params: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    link_endpoint: Mapped[str | None] = mapped_column(String(200))
    link_args: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    dedupe_key: Mapped[str] = mapped_column(String(120))
    #: The actor's key (``user:7``) of the officer who sent it.
    sent_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]

    def __repr__(self) -> str:
        return f"<WorkerNotice {self.id} {self.kind} worker={self.worker_id}>"
