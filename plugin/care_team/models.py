"""The care team (关爱服务队伍): its members (staff, volunteers, social workers) with their
trainings, the services they deliver to workers' families, and commendations (model guardians,
outstanding volunteers, outstanding collectives).

A member belongs to the unit they serve (``org_unit_id``) and serves the workers of that unit's
subtree. Membership has a history (``joined_on``, ``left_on``), so the stock of volunteers on a
past day is computable. Service descriptions and outcomes are personal data about families and
children, stored encrypted; a member's phone number too.
"""
from __future__ import annotations

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.clock import utcnow
from ..core.db import Base, UTCDateTime, enum_column
from ..org.models import OrgUnit
from ..privacy.crypto import EncryptedText
from ..registry.models import Worker


class MemberKind(str, enum.Enum):
    STAFF = "staff"                  # 职工: company staff serving in the team
    VOLUNTEER = "volunteer"          # 志愿者
    SOCIAL_WORKER = "social_worker"  # 社会工作者

    @property
    def label(self):
        return MEMBER_KIND_LABELS[self]


MEMBER_KIND_LABELS = {
    MemberKind.STAFF: _l("职工"),
    MemberKind.VOLUNTEER: _l("志愿者"),
    MemberKind.SOCIAL_WORKER: _l("社会工作者"),
}


class Engagement(str, enum.Enum):
    """How a social worker is engaged."""

    IN_HOUSE = "in_house"    # 自有: employed by the company
    PURCHASED = "purchased"  # 购买服务: from a social-work organisation under contract

    @property
    def label(self):
        return ENGAGEMENT_LABELS[self]


ENGAGEMENT_LABELS = {
    Engagement.IN_HOUSE: _l("自有社工"),
    Engagement.PURCHASED: _l("购买服务"),
}

#: Weekday codes of :attr:`CareTeamMember.available_days` (ISO: 1 is Monday).
WEEKDAY_LABELS = {
    1: _l("周一"), 2: _l("周二"), 3: _l("周三"), 4: _l("周四"), 5: _l("周五"), 6: _l("周六"),
    7: _l("周日"),
}


class CareTeamMember(Base):
    """One person of the care team, serving the workers of ``org_unit``'s subtree."""

    __tablename__ = "cb_care_member"
    __table_args__ = (
        CheckConstraint("left_on IS NULL OR left_on >= joined_on", name="left_after_joining"),
        CheckConstraint("kind = 'social_worker' OR engagement IS NULL",
                        name="engagement_only_for_social_workers"),
        Index("ix_cb_care_member_unit_kind", "org_unit_id", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The unit the member serves (and who may see the member).
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("cb_org_unit.id"), index=True)
    kind: Mapped[MemberKind] = mapped_column(enum_column(MemberKind, 16))
    #: Social workers only: employed by the company or bought in as a service.
    engagement: Mapped[Engagement | None] = mapped_column(enum_column(Engagement, 16))
    #: The organisation providing a purchased-service social worker (or a volunteer's group).
    provider: Mapped[str | None] = mapped_column(String(200))
    #: The company worker this member is, when they are one (picked by employee number).
    worker_id: Mapped[int | None] = mapped_column(ForeignKey("cb_worker.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(EncryptedText("care_team.member_phone"))
    #: What the member is good at (心理辅导、课业辅导、法律咨询…).
    specialties: Mapped[str | None] = mapped_column(String(300))
    #: ISO weekday numbers the member is usually free, comma-separated (``6,7``).
    available_days: Mapped[str] = mapped_column(String(20), default="")
    #: Availability in words (周末、晚上).
    availability_note: Mapped[str | None] = mapped_column(String(200))
    joined_on: Mapped[date] = mapped_column(Date)
    #: The day the member left the team; active while empty (on ``left_on`` they no longer are).
    left_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(timezone=True), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(timezone=True), default=utcnow)

    org_unit: Mapped[OrgUnit] = relationship(lazy="joined")
    worker: Mapped[Worker | None] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"<CareTeamMember {self.id} {self.kind.value} {self.name!r}>"

    @property
    def weekdays(self) -> list[int]:
        return [int(day) for day in self.available_days.split(",") if day]

    def active_on(self, day: date) -> bool:
        return self.joined_on <= day and (self.left_on is None or self.left_on > day)


class Training(Base):
    """A training a member took part in."""

    __tablename__ = "cb_care_training"
    __table_args__ = (CheckConstraint("minutes > 0", name="minutes_positive"),
                      Index("ix_cb_care_training_member_held", "member_id", "held_on"))

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("cb_care_member.id"))
    title: Mapped[str] = mapped_column(String(200))
    held_on: Mapped[date] = mapped_column(Date, index=True)
    #: How long it lasted, in minutes (the form takes hours, to the tenth).
    minutes: Mapped[int]
    #: Who gave it (市妇联、某社工机构).
    provider: Mapped[str | None] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(timezone=True), default=utcnow)
    recorded_by: Mapped[str] = mapped_column(String(100))

    @property
    def hours(self) -> float:
        return self.minutes / 60


class ServiceKind(str, enum.Enum):
    COUNSELLING = "counselling"              # 心理辅导
    TUTORING = "tutoring"                    # 学业辅导
    ABILITY_BUILDING = "ability_building"    # 能力提升
    SOCIAL_INTEGRATION = "social_integration"  # 社会融入
    OTHER = "other"                          # 其他

    @property
    def label(self):
        return SERVICE_KIND_LABELS[self]


SERVICE_KIND_LABELS = {
    ServiceKind.COUNSELLING: _l("心理辅导"),
    ServiceKind.TUTORING: _l("学业辅导"),
    ServiceKind.ABILITY_BUILDING: _l("能力提升"),
    ServiceKind.SOCIAL_INTEGRATION: _l("社会融入"),
    ServiceKind.OTHER: _l("其他服务"),
}


class ServiceRecord(Base):
    """A service delivered to a worker's family (and perhaps to some of their children) by one
    or more members of the care team."""

    __tablename__ = "cb_care_service"
    __table_args__ = (Index("ix_cb_care_service_unit_day", "org_unit_id", "occurred_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("cb_worker.id"), index=True)
    #: The worker's unit when recorded: who may see the record, where it counts.
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("cb_org_unit.id"), index=True)
    kind: Mapped[ServiceKind] = mapped_column(enum_column(ServiceKind, 24))
    occurred_on: Mapped[date] = mapped_column(Date)
    #: What was done (personal data about the family).
    description: Mapped[str] = mapped_column(EncryptedText("care_team.service_description"))
    #: How it went, what changed (personal data).
    outcome: Mapped[str | None] = mapped_column(EncryptedText("care_team.service_outcome"))
    follow_up_on: Mapped[date | None] = mapped_column(Date)
    #: When the retention rule blanked the description and outcome (:mod:`.retention`).
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime(timezone=True))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(timezone=True), default=utcnow)
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_by_name: Mapped[str] = mapped_column(String(100))

    worker: Mapped[Worker] = relationship(lazy="joined")
    org_unit: Mapped[OrgUnit] = relationship(lazy="joined")


class ServiceProvider(Base):
    """A member who provided a service."""

    __tablename__ = "cb_care_service_member"

    service_id: Mapped[int] = mapped_column(ForeignKey("cb_care_service.id"), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("cb_care_member.id"), primary_key=True,
                                           index=True)


class ServiceChild(Base):
    """A child of the worker the service was for."""

    __tablename__ = "cb_care_service_child"

    service_id: Mapped[int] = mapped_column(ForeignKey("cb_care_service.id"), primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("cb_child.id"), primary_key=True,
                                          index=True)


class CommendationCategory(str, enum.Enum):
    #: 依法履行监护职责模范: a worker.
    MODEL_GUARDIAN = "model_guardian"
    #: 优秀志愿者: a member of the care team.
    OUTSTANDING_VOLUNTEER = "outstanding_volunteer"
    #: 先进集体: a unit, or a group named within one.
    OUTSTANDING_COLLECTIVE = "outstanding_collective"

    @property
    def label(self):
        return COMMENDATION_CATEGORY_LABELS[self]


COMMENDATION_CATEGORY_LABELS = {
    CommendationCategory.MODEL_GUARDIAN: _l("依法履行监护职责模范"),
    CommendationCategory.OUTSTANDING_VOLUNTEER: _l("优秀志愿者"),
    CommendationCategory.OUTSTANDING_COLLECTIVE: _l("先进集体"),
}


class CommendationStatus(str, enum.Enum):
    NOMINATED = "nominated"
    AWARDED = "awarded"
    NOT_AWARDED = "not_awarded"

    @property
    def label(self):
        return COMMENDATION_STATUS_LABELS[self]


COMMENDATION_STATUS_LABELS = {
    CommendationStatus.NOMINATED: _l("已推荐，待评定"),
    CommendationStatus.AWARDED: _l("已授予"),
    CommendationStatus.NOT_AWARDED: _l("未获评"),
}


class Commendation(Base):
    """A nomination and, once decided, its award (or not). A decided commendation never
    changes."""

    __tablename__ = "cb_care_commendation"
    __table_args__ = (
        Index("ix_cb_care_commendation_status_unit", "status", "org_unit_id"),
        CheckConstraint("(status = 'nominated') = (decided_on IS NULL)", name="decided_has_day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    category: Mapped[CommendationCategory] = mapped_column(enum_column(CommendationCategory, 24))
    #: Who may see it and where it counts: the worker's unit (model guardian), the member's
    #: unit (volunteer), or the collective's unit.
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("cb_org_unit.id"), index=True)
    worker_id: Mapped[int | None] = mapped_column(ForeignKey("cb_worker.id"), index=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("cb_care_member.id"), index=True)
    #: A collective that is a group within the unit (青年志愿服务队); empty: the unit itself.
    collective_name: Mapped[str | None] = mapped_column(String(200))
    #: Who awards it (集团工会、市妇联).
    awarding_body: Mapped[str] = mapped_column(String(200))
    nominated_on: Mapped[date] = mapped_column(Date)
    #: Why the nominee deserves it (shown on the worker's integrity record once awarded).
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[CommendationStatus] = mapped_column(enum_column(CommendationStatus, 16))
    #: The day it was awarded, or the day it was decided not to award it.
    decided_on: Mapped[date | None] = mapped_column(Date, index=True)
    #: Why it was not awarded.
    decision_note: Mapped[str | None] = mapped_column(String(500))
    nominated_at: Mapped[datetime] = mapped_column(UTCDateTime(timezone=True), default=utcnow)
    nominated_by: Mapped[str] = mapped_column(String(100))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(timezone=True))
    decided_by: Mapped[str | None] = mapped_column(String(100))

    org_unit: Mapped[OrgUnit] = relationship(lazy="joined")
    worker: Mapped[Worker | None] = relationship(lazy="joined")
    member: Mapped[CareTeamMember | None] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"<Commendation {self.id} {self.category.value} {self.status.value}>"
