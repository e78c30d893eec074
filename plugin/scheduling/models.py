from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from ..core.db import Base


class SchedulerLease(Base):
    """Who runs the scheduler.

    A holder must renew before ``expires_at`` or another may take over."""

    __tablename__ = "cb_scheduler_lease"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))
    acquired_at: Mapped[datetime]
    expires_at: Mapped[datetime]
