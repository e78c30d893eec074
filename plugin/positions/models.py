"""Work near home (就近就业): where the company's sites are, what they hire for, and the workers'
requests to move to a site nearer home.

- :class:`WorkLocation`: one per site (项目部/厂区), its county (GB/T 2260) and address.
- :class:`Opening`: a site's hiring need — a trade (钢筋工, 电工, 普工…), how many people, from
  when until when; open or closed. One per site, trade and first day (what the import matches
  a row on).
- :class:`TransferRequest`: a worker asks to move to an opening; HR approves (the worker moves,
  from an effective date), declines (with the reason the worker reads) or the worker withdraws.
  At most one open request per worker and opening: the database keeps it (a partial unique
  index), so a double tap or two phones cannot make two.
"""
from __future__ import annotations

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.clock import utcnow
from ..core.db import Base, UTCDateTime, enum_column
from ..org.models import OrgUnit
from ..registry.models import Worker


class OpeningStatus(str, enum.Enum):
    OPEN = "open"
    CLOSED = "closed"

    @property
    def label(self):
        return OPENING_STATUS_LABELS[self]


OPENING_STATUS_LABELS = {OpeningStatus.OPEN: _l("招用中"), OpeningStatus.CLOSED: _l("已关闭")}


class TransferStatus(str, enum.Enum):
    REQUESTED = "requested"
    APPROVED = "approved"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"

    @property
    def label(self):
        return TRANSFER_STATUS_LABELS[self]


TRANSFER_STATUS_LABELS = {
    TransferStatus.REQUESTED: _l("待处理"),
    TransferStatus.APPROVED: _l("已同意调动"),
    TransferStatus.DECLINED: _l("未同意"),
    TransferStatus.WITHDRAWN: _l("职工已撤回"),
}


class WorkLocation(Base):
    """Where a site is: its county and address (one per site)."""

    __tablename__ = "cb_positions_location"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The site (an org unit of kind SITE); unique, so its index serves the foreign key.
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("cb_org_unit.id"), unique=True)
    #: County-level code (GB/T 2260) of the place the site works in.
    county_code: Mapped[str] = mapped_column(String(6), index=True)
    address: Mapped[str | None] = mapped_column(String(300))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(timezone=True), default=utcnow)
    #: The key of the actor who last changed it.
    updated_by: Mapped[str] = mapped_column(String(100))

    org_unit: Mapped[OrgUnit] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"<WorkLocation {self.id} unit={self.org_unit_id} {self.county_code}>"


class Opening(Base):
    """A site's hiring need."""

    __tablename__ = "cb_positions_opening"
    __table_args__ = (
        UniqueConstraint("org_unit_id", "trade", "starts_on"),
        CheckConstraint("headcount > 0", name="headcount_positive"),
        CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="period_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The site that hires.
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("cb_org_unit.id"), index=True)
    #: The trade (工种), as HR writes it: 钢筋工, 电工, 普工…
    trade: Mapped[str] = mapped_column(String(50))
    headcount: Mapped[int]
    #: First day of the work; ``ends_on`` its last (None: open-ended).
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[OpeningStatus] = mapped_column(enum_column(OpeningStatus, 16),
                                                  default=OpeningStatus.OPEN, index=True)
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(timezone=True), default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(100))

    org_unit: Mapped[OrgUnit] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"<Opening {self.id} unit={self.org_unit_id} {self.trade!r} {self.status.value}>"


class TransferRequest(Base):
    """A worker's request to move to an opening, and its outcome."""

    __tablename__ = "cb_positions_transfer"

    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("cb_worker.id"), index=True)
    opening_id: Mapped[int] = mapped_column(ForeignKey("cb_positions_opening.id"), index=True)
    #: The opening's site: who decides (``positions.decide`` over it) and sees the request.
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("cb_org_unit.id"), index=True)
    #: The worker's unit when they asked: where the figures count the request.
    from_unit_id: Mapped[int] = mapped_column(ForeignKey("cb_org_unit.id"), index=True)
    #: What the worker wrote (why, when they could start).
    note: Mapped[str | None] = mapped_column(Text)
    status: Mapped[TransferStatus] = mapped_column(enum_column(TransferStatus, 16),
                                                   default=TransferStatus.REQUESTED, index=True)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(timezone=True), default=utcnow)
    #: The company's day of the request (the figures count requests by it).
    requested_on: Mapped[date] = mapped_column(Date, index=True)
    #: When it was approved, declined or withdrawn, and the company's day of it.
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(timezone=True))
    decided_on: Mapped[date | None] = mapped_column(Date, index=True)
    #: The key of the officer who decided (or of the worker who withdrew).
    decided_by: Mapped[str | None] = mapped_column(String(100))
    #: Why it was declined (shown to the worker), or a note with the approval.
    reason: Mapped[str | None] = mapped_column(Text)
    #: The day the worker starts at the new site, when approved and known.
    effective_on: Mapped[date | None] = mapped_column(Date)

    worker: Mapped[Worker] = relationship(lazy="joined")
    opening: Mapped[Opening] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return (f"<TransferRequest {self.id} worker={self.worker_id} opening={self.opening_id} "
                f"{self.status.value}>")


#: One open request per worker and opening (PostgreSQL and SQLite partial unique index).
Index("uq_cb_positions_transfer_open", TransferRequest.worker_id, TransferRequest.opening_id,
      unique=True,
      postgresql_where=TransferRequest.status == TransferStatus.REQUESTED.value,
      sqlite_where=TransferRequest.status == TransferStatus.REQUESTED.value)
