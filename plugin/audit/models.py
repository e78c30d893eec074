from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..core.clock import utcnow
from ..core.db import Base


class AuditEvent(Base):
    """One audited action. Rows are only ever inserted."""

    __tablename__ = "cb_audit_event"
    __table_args__ = (Index("ix_cb_audit_event_target", "target_type", "target_id"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    #: Dotted action code, e.g. ``auth.login_failed``; labels in :mod:`plugin.audit.actions`.
    action: Mapped[str] = mapped_column(String(64), index=True)
    actor_key: Mapped[str] = mapped_column(String(64), index=True)
    #: The actor's name at the time (kept even if the user is renamed or removed).
    actor_name: Mapped[str] = mapped_column(String(200))
    target_type: Mapped[str | None] = mapped_column(String(64))
    target_id: Mapped[str | None] = mapped_column(String(64))
    #: The unit the record belongs to, so auditors of a subtree see its events. No foreign key:
    #: the log must outlive what it describes.
    org_unit_id: Mapped[int | None] = mapped_column(index=True)
    ip: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(300))
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)
