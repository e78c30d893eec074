"""Holiday-reunion campaigns run by unions (DOMAIN §7): trips home, 小候鸟 summer visits, 反探亲.

The limits a campaign promises are held by the database, not by reading then writing: a site's
places taken (``cb_reunion_quota.taken``) and the money committed (``cb_reunion_campaign
.committed_fen``) only move through conditional ``UPDATE``s (:mod:`.allocation`) and carry
``CHECK`` constraints, so two officers approving at the same moment can never pass a quota or
the budget. Travellers' ID numbers are personal data, stored encrypted.
"""
from __future__ import annotations

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.clock import utcnow
from ..core.db import Base, UTCDateTime, enum_column
from ..org.models import OrgUnit
from ..privacy.crypto import EncryptedText


class CampaignKind(str, enum.Enum):
    SPRING_FESTIVAL = "spring_festival"      # 春节返乡
    NATIONAL_DAY = "national_day"            # 国庆返乡
    SUMMER_VISIT = "summer_visit"            # 小候鸟: the children visit the parent's site
    REVERSE_VISIT = "reverse_visit"          # 反探亲: the family visits the worker

    @property
    def label(self):
        return CAMPAIGN_KIND_LABELS[self]

    @property
    def family_travels(self) -> bool:
        """The children (and family) travel to the site, not the worker home."""
        return self in (CampaignKind.SUMMER_VISIT, CampaignKind.REVERSE_VISIT)


CAMPAIGN_KIND_LABELS = {
    CampaignKind.SPRING_FESTIVAL: _l("春节返乡"),
    CampaignKind.NATIONAL_DAY: _l("国庆返乡"),
    CampaignKind.SUMMER_VISIT: _l("小候鸟暑期团聚"),
    CampaignKind.REVERSE_VISIT: _l("反探亲"),
}


class Eligibility(str, enum.Enum):
    ALL_WORKERS = "all_workers"
    #: Workers with at least one child in the registry.
    PARENTS = "parents"
    #: Workers with a left-behind child, a child in difficulty or de facto unsupported.
    LEFT_BEHIND_OR_DIFFICULTY = "left_behind_or_difficulty"

    @property
    def label(self):
        return ELIGIBILITY_LABELS[self]


ELIGIBILITY_LABELS = {
    Eligibility.ALL_WORKERS: _l("全体职工"),
    Eligibility.PARENTS: _l("已登记子女的职工"),
    Eligibility.LEFT_BEHIND_OR_DIFFICULTY: _l("有留守、困境或事实无人抚养子女的职工"),
}


class SubsidyKind(str, enum.Enum):
    FULL = "full"                    # the whole ticket
    PERCENT_CAPPED = "percent"       # a percentage of the ticket, at most a cap per person
    FIXED = "fixed"                  # a fixed amount per person, never more than the ticket

    @property
    def label(self):
        return SUBSIDY_KIND_LABELS[self]


SUBSIDY_KIND_LABELS = {
    SubsidyKind.FULL: _l("全额报销车票"),
    SubsidyKind.PERCENT_CAPPED: _l("按比例补贴（每人封顶）"),
    SubsidyKind.FIXED: _l("每人定额补贴"),
}


class TravelMode(str, enum.Enum):
    TRAIN = "train"
    COACH = "coach"
    FLIGHT = "flight"
    CHARTERED_TRAIN = "chartered_train"
    CHARTERED_BUS = "chartered_bus"

    @property
    def label(self):
        return TRAVEL_MODE_LABELS[self]


TRAVEL_MODE_LABELS = {
    TravelMode.TRAIN: _l("火车"),
    TravelMode.COACH: _l("长途汽车"),
    TravelMode.FLIGHT: _l("飞机"),
    TravelMode.CHARTERED_TRAIN: _l("返乡专列"),
    TravelMode.CHARTERED_BUS: _l("返乡专车"),
}


class ApplicationStatus(str, enum.Enum):
    APPLIED = "applied"
    #: Places held for a household from the waiting list until ``offer_expires_at``.
    OFFERED = "offered"
    APPROVED = "approved"
    WAITLISTED = "waitlisted"
    REJECTED = "rejected"
    BOOKED = "booked"
    TRAVELLED = "travelled"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"
    #: An offer not taken in time; the places went to the next household.
    LAPSED = "lapsed"

    @property
    def label(self):
        return APPLICATION_STATUS_LABELS[self]


APPLICATION_STATUS_LABELS = {
    ApplicationStatus.APPLIED: _l("已申请"),
    ApplicationStatus.OFFERED: _l("候补递补待确认"),
    ApplicationStatus.APPROVED: _l("已批准"),
    ApplicationStatus.WAITLISTED: _l("候补中"),
    ApplicationStatus.REJECTED: _l("未通过"),
    ApplicationStatus.BOOKED: _l("已出票"),
    ApplicationStatus.TRAVELLED: _l("已出行"),
    ApplicationStatus.NO_SHOW: _l("未出行"),
    ApplicationStatus.CANCELLED: _l("已取消"),
    ApplicationStatus.LAPSED: _l("递补已过期"),
}

#: Statuses that hold places and money (the quota's ``taken``, the campaign's committed money).
HOLDING = (ApplicationStatus.OFFERED, ApplicationStatus.APPROVED, ApplicationStatus.BOOKED,
           ApplicationStatus.TRAVELLED)
#: Statuses an application is still alive in (one per worker and campaign).
OPEN = (ApplicationStatus.APPLIED, ApplicationStatus.WAITLISTED, *HOLDING)


class Campaign(Base):
    __tablename__ = "cb_reunion_campaign"
    __table_args__ = (
        CheckConstraint("committed_fen >= 0 AND committed_fen <= budget_fen",
                        name="within_budget"),
        CheckConstraint("household_limit >= 1", name="household_limit"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The subtree whose workers may apply (and whose officers run it).
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("cb_org_unit.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[CampaignKind] = mapped_column(enum_column(CampaignKind, 24))
    applications_open_on: Mapped[date] = mapped_column(Date)
    applications_close_on: Mapped[date] = mapped_column(Date)
    travel_from: Mapped[date] = mapped_column(Date)
    travel_until: Mapped[date] = mapped_column(Date)
    budget_fen: Mapped[int]
    #: Subsidies of approved applications (estimated fares until booked, then actual prices).
    committed_fen: Mapped[int] = mapped_column(default=0)
    #: Most travellers one application may name (a worker's household).
    household_limit: Mapped[int] = mapped_column(default=4)
    eligibility: Mapped[Eligibility] = mapped_column(enum_column(Eligibility, 32))
    subsidy_kind: Mapped[SubsidyKind] = mapped_column(enum_column(SubsidyKind, 16))
    subsidy_percent: Mapped[int | None]
    #: Per person: the cap of a percentage subsidy, or the fixed amount.
    subsidy_amount_fen: Mapped[int | None]
    #: Comma-separated :class:`TravelMode` values offered.
    travel_modes: Mapped[str] = mapped_column(String(100))
    #: Hours a household from the waiting list has to take the places offered.
    offer_hours: Mapped[int] = mapped_column(default=48)
    #: Published on the campaign page before the draw; anyone can re-run the lottery with it.
    lottery_seed: Mapped[str | None] = mapped_column(String(64))
    lottery_drawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    org_unit: Mapped[OrgUnit] = relationship(lazy="joined")
    quotas: Mapped[list[CampaignQuota]] = relationship(
        back_populates="campaign", order_by="CampaignQuota.id", cascade="all, delete-orphan")

    @property
    def modes(self) -> tuple[TravelMode, ...]:
        return tuple(TravelMode(code) for code in self.travel_modes.split(",") if code)


class CampaignQuota(Base):
    """Places for the workers of one site (or any unit of the campaign's subtree)."""

    __tablename__ = "cb_reunion_quota"
    __table_args__ = (
        UniqueConstraint("campaign_id", "org_unit_id"),
        CheckConstraint("taken >= 0 AND taken <= places", name="within_places"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("cb_reunion_campaign.id"), index=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("cb_org_unit.id"), index=True)
    places: Mapped[int]
    taken: Mapped[int] = mapped_column(default=0)

    campaign: Mapped[Campaign] = relationship(back_populates="quotas")
    org_unit: Mapped[OrgUnit] = relationship(lazy="joined")


class Application(Base):
    """A worker's household's application: everyone on it travels together or nobody does."""

    __tablename__ = "cb_reunion_application"
    __table_args__ = (
        Index("ix_cb_reunion_application_queue", "campaign_id", "status", "priority_band"),
        CheckConstraint("subsidy_fen >= 0", name="subsidy_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("cb_reunion_campaign.id"), index=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("cb_worker.id"), index=True)
    #: The worker's unit when applying: who may see it, and which quota it counts against.
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("cb_org_unit.id"), index=True)
    quota_id: Mapped[int] = mapped_column(ForeignKey("cb_reunion_quota.id"), index=True)
    status: Mapped[ApplicationStatus] = mapped_column(enum_column(ApplicationStatus, 16),
                                                      default=ApplicationStatus.APPLIED)
    #: 1 comes first. Decided from the registry when applying (:func:`.rules.priority_of`);
    #: an officer may change it, with a reason kept in the history.
    priority_band: Mapped[int]
    #: Comma-separated codes of why (``difficulty``, ``three_areas``, ``left_behind``, …).
    priority_reasons: Mapped[str] = mapped_column(String(200), default="")
    #: Place in the lottery's order within the band (1 first), once drawn.
    lottery_rank: Mapped[int | None]
    from_place: Mapped[str] = mapped_column(String(200))
    to_place: Mapped[str] = mapped_column(String(200))
    depart_on: Mapped[date] = mapped_column(Date)
    return_on: Mapped[date | None] = mapped_column(Date)
    travel_mode: Mapped[TravelMode] = mapped_column(enum_column(TravelMode, 24))
    #: Per person, as the applicant or officer estimates it; the subsidy held until booking.
    estimated_fare_fen: Mapped[int]
    #: Money this application holds of the budget while in a holding status.
    subsidy_fen: Mapped[int] = mapped_column(default=0)
    reject_reason: Mapped[str | None] = mapped_column(String(300))
    offer_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Money refunded by the carrier for a cancelled ticket.
    refund_fen: Mapped[int | None]
    applied_by: Mapped[str] = mapped_column(String(64))
    applied_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    campaign: Mapped[Campaign] = relationship(lazy="joined")
    org_unit: Mapped[OrgUnit] = relationship(lazy="joined")
    travellers: Mapped[list[Traveller]] = relationship(
        back_populates="application", order_by="Traveller.id", cascade="all, delete-orphan",
        lazy="selectin")

    @property
    def places(self) -> int:
        return len(self.travellers)


#: One open application per worker and campaign (PostgreSQL and SQLite partial unique index).
Index("uq_cb_reunion_application_open", Application.campaign_id, Application.worker_id,
      unique=True,
      postgresql_where=Application.status.in_([status.value for status in OPEN]),
      sqlite_where=Application.status.in_([status.value for status in OPEN]))


class TravellerKind(str, enum.Enum):
    WORKER = "worker"
    CHILD = "child"          # a child from the registry
    RELATIVE = "relative"    # another family member (a spouse, a grandparent with the child)

    @property
    def label(self):
        return TRAVELLER_KIND_LABELS[self]


TRAVELLER_KIND_LABELS = {TravellerKind.WORKER: _l("职工本人"), TravellerKind.CHILD: _l("子女"),
                         TravellerKind.RELATIVE: _l("其他家庭成员")}


class Traveller(Base):
    __tablename__ = "cb_reunion_traveller"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("cb_reunion_application.id"),
                                                index=True)
    kind: Mapped[TravellerKind] = mapped_column(enum_column(TravellerKind, 16))
    child_id: Mapped[int | None] = mapped_column(ForeignKey("cb_child.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    relation: Mapped[str | None] = mapped_column(String(32))
    #: What a booking needs; shown masked except to the booking officer (every reveal audited).
    id_number: Mapped[str | None] = mapped_column(EncryptedText("reunion.traveller_id"))
    ticket_number: Mapped[str | None] = mapped_column(String(64))
    carrier: Mapped[str | None] = mapped_column(String(100))
    service_number: Mapped[str | None] = mapped_column(String(32))    # train or coach number
    seat: Mapped[str | None] = mapped_column(String(32))
    ticket_price_fen: Mapped[int | None]

    application: Mapped[Application] = relationship(back_populates="travellers")


class ApplicationEvent(Base):
    """The application's history: each step, who took it and why (priority changes need a
    reason)."""

    __tablename__ = "cb_reunion_application_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("cb_reunion_application.id"),
                                                index=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor_key: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str | None] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(String(300))


# -- 小候鸟 and 反探亲 on site --------------------------------------------------------------------

#: Under this age a visiting child is registered only with a named adult responsible for them
#: at all times (Minors Protection Law Art. 21: no child under 8 left without care).
UNDER_CARE_AGE = 8


class SiteVisit(Base):
    """A child of an approved application staying at the parent's site (小候鸟, 反探亲)."""

    __tablename__ = "cb_reunion_site_visit"
    __table_args__ = (
        UniqueConstraint("traveller_id"),
        CheckConstraint("leaves_on >= arrives_on", name="dates"),
        # The SQL twin of rules.adult_required: a child under 8 has a named adult.
        CheckConstraint(f"age_on_arrival >= {UNDER_CARE_AGE} OR "
                        "(responsible_adult IS NOT NULL AND responsible_adult <> '')",
                        name="adult_under_8"),
        Index("ix_cb_reunion_site_visit_on_site", "org_unit_id", "arrives_on", "leaves_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("cb_reunion_campaign.id"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("cb_reunion_application.id"),
                                                index=True)
    traveller_id: Mapped[int] = mapped_column(ForeignKey("cb_reunion_traveller.id"))
    child_id: Mapped[int | None] = mapped_column(ForeignKey("cb_child.id"), index=True)
    #: The site the child stays at (the parent's unit): who sees the visit.
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("cb_org_unit.id"), index=True)
    arrives_on: Mapped[date] = mapped_column(Date)
    leaves_on: Mapped[date] = mapped_column(Date)
    #: Whole years on the day of arrival (from the registry's birth date).
    age_on_arrival: Mapped[int]
    accommodation: Mapped[str] = mapped_column(String(200))
    responsible_adult: Mapped[str | None] = mapped_column(String(100))
    responsible_adult_phone: Mapped[str | None] = mapped_column(
        EncryptedText("reunion.visit_adult_phone"))
    emergency_contact: Mapped[str] = mapped_column(String(100))
    emergency_phone: Mapped[str] = mapped_column(EncryptedText("reunion.visit_emergency_phone"))
    insurance_number: Mapped[str | None] = mapped_column(String(64))
    registered_by: Mapped[str] = mapped_column(String(64))
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    traveller: Mapped[Traveller] = relationship(lazy="joined")
    org_unit: Mapped[OrgUnit] = relationship(lazy="joined")


class ActivityKind(str, enum.Enum):
    TUTORING = "tutoring"
    CLASSIC_READING = "classic_reading"
    PARENT_CHILD = "parent_child"
    SAFETY_EDUCATION = "safety_education"
    OTHER = "other"

    @property
    def label(self):
        return ACTIVITY_KIND_LABELS[self]


ACTIVITY_KIND_LABELS = {
    ActivityKind.TUTORING: _l("课业辅导"),
    ActivityKind.CLASSIC_READING: _l("经典诵读"),
    ActivityKind.PARENT_CHILD: _l("亲子活动"),
    ActivityKind.SAFETY_EDUCATION: _l("安全教育"),
    ActivityKind.OTHER: _l("其他活动"),
}


class VisitActivity(Base):
    """One session of the visiting children's programme at a site."""

    __tablename__ = "cb_reunion_activity"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("cb_reunion_campaign.id"), index=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("cb_org_unit.id"), index=True)
    kind: Mapped[ActivityKind] = mapped_column(enum_column(ActivityKind, 24))
    title: Mapped[str] = mapped_column(String(200))
    held_on: Mapped[date] = mapped_column(Date)
    place: Mapped[str | None] = mapped_column(String(200))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    org_unit: Mapped[OrgUnit] = relationship(lazy="joined")


class ActivityAttendance(Base):
    __tablename__ = "cb_reunion_activity_attendance"
    __table_args__ = (UniqueConstraint("activity_id", "visit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("cb_reunion_activity.id"), index=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("cb_reunion_site_visit.id"), index=True)
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
