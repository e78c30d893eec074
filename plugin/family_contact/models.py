"""Family-contact support (DOMAIN §6): monthly call-minute and data allowances under versioned
policies, their carrier batches, family phones and video-chat rooms with bookable slots, and free
WiFi in living areas.

What must hold under concurrency is the database's: one grant per worker and month (a unique key
the monthly run inserts against with ``ON CONFLICT DO NOTHING``), one carrier result per line
(the line id is unique), and no two live bookings of a room overlapping (on PostgreSQL an
exclusion constraint over the room and the time range, ``btree_gist``; on SQLite a unique index
on the room's slot start, slots being aligned to the room's grid, and SQLite runs one writer at a
time). Phone numbers sent to carriers are the roster's; nothing here is encrypted beyond them.
"""
from __future__ import annotations

import enum
from datetime import date, datetime, time

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    DDL,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    Time,
    UniqueConstraint,
    event,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.clock import utcnow
from ..core.db import Base, UTCDateTime, enum_column, sqlite_only
from ..org.models import OrgUnit
from ..registry.models import Worker


class Eligibility(str, enum.Enum):
    #: Parents of a child who is left behind (留守儿童) today.
    LEFT_BEHIND_PARENTS = "left_behind_parents"
    #: Parents of a left-behind child, a child in difficulty or a de facto unsupported child.
    PARENTS_IN_NEED = "parents_in_need"
    #: Every worker employed (all migrant workers, where the company decides so).
    ALL_WORKERS = "all_workers"

    @property
    def label(self):
        return ELIGIBILITY_LABELS[self]


ELIGIBILITY_LABELS = {
    Eligibility.LEFT_BEHIND_PARENTS: _l("有留守子女的职工"),
    Eligibility.PARENTS_IN_NEED: _l("有留守、困境或事实无人抚养子女的职工"),
    Eligibility.ALL_WORKERS: _l("全体在职职工"),
}


class AllowancePolicy(Base):
    """One version of a unit's allowance policy. A unit's newest version applies from its
    ``starts_on`` month to the workers of its subtree; a subsidiary's own policy overrides the
    company's for its subtree. Versions are never changed: a new one is added."""

    __tablename__ = "cb_contact_policy"
    __table_args__ = (
        UniqueConstraint("org_unit_id", "version"),
        CheckConstraint("minutes_per_month >= 0 AND data_mb_per_month >= 0",
                        name="amounts_not_negative"),
        CheckConstraint("minute_cost_fen >= 0 AND mb_cost_fen >= 0", name="costs_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("cb_org_unit.id"), index=True)
    version: Mapped[int]
    eligibility: Mapped[Eligibility] = mapped_column(enum_column(Eligibility, 32))
    minutes_per_month: Mapped[int]
    data_mb_per_month: Mapped[int]
    #: The carrier's code (an adapter in ``integrations/carriers``: ``china_mobile``…).
    carrier: Mapped[str] = mapped_column(String(32))
    minute_cost_fen: Mapped[int]
    #: Cost of one megabyte, in fen.
    mb_cost_fen: Mapped[int]
    #: The first month (its 1st) this version grants for.
    starts_on: Mapped[date] = mapped_column(Date)
    #: Workers who joined during the month get a share by the days left (else the whole month).
    prorate_joiners: Mapped[bool] = mapped_column(default=False)
    #: A policy that grants nothing from ``starts_on`` on (a unit stops its scheme).
    suspended: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(timezone=True), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(100))

    org_unit: Mapped[OrgUnit] = relationship(lazy="joined")


class GrantStatus(str, enum.Enum):
    #: Granted, not yet sent to the carrier.
    GRANTED = "granted"
    #: In a batch file sent to the carrier.
    EXPORTED = "exported"
    #: The carrier's result file says the line was credited.
    CREDITED = "credited"
    #: The carrier refused the line (reason kept): follow up.
    FAILED = "failed"

    @property
    def label(self):
        return GRANT_STATUS_LABELS[self]


GRANT_STATUS_LABELS = {
    GrantStatus.GRANTED: _l("已发放，待报送运营商"),
    GrantStatus.EXPORTED: _l("已报送运营商"),
    GrantStatus.CREDITED: _l("已到账"),
    GrantStatus.FAILED: _l("到账失败"),
}


class AllowanceGrant(Base):
    """A worker's allowance for one month: exactly one per worker and month."""

    __tablename__ = "cb_contact_grant"
    __table_args__ = (
        UniqueConstraint("worker_id", "month"),
        Index("ix_cb_contact_grant_month_unit", "month", "org_unit_id"),
        CheckConstraint("minutes >= 0 AND data_mb >= 0 AND cost_fen >= 0",
                        name="amounts_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("cb_worker.id"))
    #: The worker's unit when granted (figures per site count it there).
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("cb_org_unit.id"), index=True)
    #: The first day of the month granted for.
    month: Mapped[date] = mapped_column(Date)
    policy_id: Mapped[int] = mapped_column(ForeignKey("cb_contact_policy.id"), index=True)
    minutes: Mapped[int]
    data_mb: Mapped[int]
    cost_fen: Mapped[int]
    #: The phone credited (the roster's, when granted).
    phone: Mapped[str | None] = mapped_column(String(20))
    #: The stable id of the line in carrier files: the carrier's result names it.
    line_id: Mapped[str] = mapped_column(String(32), unique=True)
    status: Mapped[GrantStatus] = mapped_column(enum_column(GrantStatus, 16))
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("cb_contact_batch.id"), index=True)
    failure_reason: Mapped[str | None] = mapped_column(String(300))
    result_at: Mapped[datetime | None] = mapped_column(UTCDateTime(timezone=True))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime(timezone=True), default=utcnow)

    worker: Mapped[Worker] = relationship(lazy="joined")
    policy: Mapped[AllowancePolicy] = relationship()


class CarrierBatch(Base):
    """A month's grants for one carrier, exported as one file; its result file imported back."""

    __tablename__ = "cb_contact_batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The unit it was exported for (its grants lie in its subtree): who may see and act on it.
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("cb_org_unit.id"), index=True)
    month: Mapped[date] = mapped_column(Date, index=True)
    carrier: Mapped[str] = mapped_column(String(32))
    lines: Mapped[int]
    exported_at: Mapped[datetime] = mapped_column(UTCDateTime(timezone=True), default=utcnow)
    exported_by: Mapped[str] = mapped_column(String(100))
    #: Set by each import of the carrier's result file (imports are idempotent).
    results_imported_at: Mapped[datetime | None] = mapped_column(UTCDateTime(timezone=True))

    org_unit: Mapped[OrgUnit] = relationship(lazy="joined")


class RoomKind(str, enum.Enum):
    FAMILY_PHONE = "family_phone"    # 亲情电话
    VIDEO_ROOM = "video_room"        # 亲情视频聊天室

    @property
    def label(self):
        return ROOM_KIND_LABELS[self]


ROOM_KIND_LABELS = {
    RoomKind.FAMILY_PHONE: _l("亲情电话"),
    RoomKind.VIDEO_ROOM: _l("亲情视频聊天室"),
}


class ContactRoom(Base):
    """A family phone or a video-chat room of a site, booked in slots of ``slot_minutes`` from
    ``opens_at`` to ``closes_at`` (the site's local time) every day."""

    __tablename__ = "cb_contact_room"
    __table_args__ = (
        UniqueConstraint("org_unit_id", "name"),
        CheckConstraint("slot_minutes BETWEEN 5 AND 240", name="slot_length"),
        CheckConstraint("opens_at < closes_at", name="opens_before_closing"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("cb_org_unit.id"), index=True)
    kind: Mapped[RoomKind] = mapped_column(enum_column(RoomKind, 16))
    name: Mapped[str] = mapped_column(String(100))
    location: Mapped[str | None] = mapped_column(String(200))
    opens_at: Mapped[time] = mapped_column(Time)
    closes_at: Mapped[time] = mapped_column(Time)
    slot_minutes: Mapped[int] = mapped_column(default=30)
    #: Future bookings one worker may hold in this room at once.
    max_future_bookings: Mapped[int] = mapped_column(default=2)
    #: A closed room takes no new bookings; its history stays.
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(timezone=True), default=utcnow)

    org_unit: Mapped[OrgUnit] = relationship(lazy="joined")


class BookingStatus(str, enum.Enum):
    BOOKED = "booked"
    CANCELLED = "cancelled"
    #: The worker came (checked in at the room by an officer or by the worker's scan).
    USED = "used"
    NO_SHOW = "no_show"

    @property
    def label(self):
        return BOOKING_STATUS_LABELS[self]


BOOKING_STATUS_LABELS = {
    BookingStatus.BOOKED: _l("已预约"),
    BookingStatus.CANCELLED: _l("已取消"),
    BookingStatus.USED: _l("已使用"),
    BookingStatus.NO_SHOW: _l("未到"),
}

#: Bookings that hold their slot (the overlap rule applies to these).
HOLDING_STATUSES = (BookingStatus.BOOKED, BookingStatus.USED, BookingStatus.NO_SHOW)


class RoomBooking(Base):
    __tablename__ = "cb_contact_booking"
    __table_args__ = (
        CheckConstraint("starts_at < ends_at", name="starts_before_ending"),
        Index("ix_cb_contact_booking_worker_starts", "worker_id", "starts_at"),
        # SQLite's twin of the PostgreSQL exclusion constraint (slots are on the room's grid).
        sqlite_only(Index("uq_cb_contact_booking_room_slot", "room_id", "starts_at", unique=True,
                          sqlite_where=text("status <> 'cancelled'"))),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("cb_contact_room.id"), index=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("cb_worker.id"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(timezone=True))
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime(timezone=True))
    status: Mapped[BookingStatus] = mapped_column(enum_column(BookingStatus, 16))
    booked_at: Mapped[datetime] = mapped_column(UTCDateTime(timezone=True), default=utcnow)
    booked_by: Mapped[str] = mapped_column(String(100))
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime(timezone=True))
    recorded_by: Mapped[str | None] = mapped_column(String(100))

    room: Mapped[ContactRoom] = relationship(lazy="joined")
    worker: Mapped[Worker] = relationship(lazy="joined")


class LivingArea(Base):
    """A dormitory or living area of a site, with or without free WiFi."""

    __tablename__ = "cb_contact_living_area"
    __table_args__ = (UniqueConstraint("org_unit_id", "name"),
                      CheckConstraint("bandwidth_mbps IS NULL OR bandwidth_mbps > 0",
                                      name="bandwidth_positive"))

    id: Mapped[int] = mapped_column(primary_key=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("cb_org_unit.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    wifi: Mapped[bool] = mapped_column(default=False)
    wifi_since: Mapped[date | None] = mapped_column(Date)
    bandwidth_mbps: Mapped[int | None]
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(timezone=True), default=utcnow)

    org_unit: Mapped[OrgUnit] = relationship(lazy="joined")


class Residence(Base):
    """Where a worker lives (one living area at a time): coverage counts workers in areas with
    WiFi."""

    __tablename__ = "cb_contact_residence"

    worker_id: Mapped[int] = mapped_column(ForeignKey("cb_worker.id"), primary_key=True)
    living_area_id: Mapped[int] = mapped_column(ForeignKey("cb_contact_living_area.id"),
                                                index=True)
    since: Mapped[date] = mapped_column(Date)


#: PostgreSQL: no two bookings of a room that hold their slot overlap in time. The migration
#: creates the same extension and constraint.
POSTGRESQL_NO_OVERLAP = (
    "ALTER TABLE cb_contact_booking ADD CONSTRAINT ex_cb_contact_booking_no_overlap "
    "EXCLUDE USING gist (room_id WITH =, tstzrange(starts_at, ends_at) WITH &&) "
    "WHERE (status <> 'cancelled')")

event.listen(RoomBooking.__table__, "before_create",
             DDL("CREATE EXTENSION IF NOT EXISTS btree_gist").execute_if(dialect="postgresql"))
event.listen(RoomBooking.__table__, "after_create",
             DDL(POSTGRESQL_NO_OVERLAP).execute_if(dialect="postgresql"))
