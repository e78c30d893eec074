from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.clock import utcnow
from ..core.db import Base
from ..registry.models import Worker


class WorkerDevice(Base):
    """A phone a worker identified on; its cookie signs the worker in from then on."""

    __tablename__ = "cb_worker_device"

    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("cb_worker.id"), index=True)
    #: SHA-256 of the random device token (the cookie holds the token, signed).
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_agent: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]

    worker: Mapped[Worker] = relationship(lazy="joined")


class WorkerSignInThrottle(Base):
    """Consecutive wrong answers per worker; 4 digits are easy to guess, so tries are limited."""

    __tablename__ = "cb_worker_sign_in_throttle"

    worker_id: Mapped[int] = mapped_column(ForeignKey("cb_worker.id"), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
