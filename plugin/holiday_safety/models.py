"""Holiday safety campaigns (假期安全教育): before each summer holiday and Spring Festival every
site gets a campaign — a lecture on the safety topics, a checklist every worker with a child
under 16 confirms on the phone, and the list of those who have not.

A campaign is unique per site, kind and year (the daily drafting job inserts against that key).
It keeps its lecture session's id only (the lecture is the lectures feature's record, read
through its published functions). Each worker told about the campaign has one recipient row,
which also holds their confirmation: one per worker and campaign, the checklist's free-text
answers encrypted (who looks after a child names people).
"""
from __future__ import annotations

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.clock import utcnow
from ..core.db import Base, UTCDateTime, enum_column
from ..org.models import OrgUnit
from ..privacy.crypto import EncryptedText
from ..registry.models import Worker


class HolidayKind(str, enum.Enum):
    SUMMER = "summer"
    SPRING_FESTIVAL = "spring_festival"

    @property
    def label(self):
        return HOLIDAY_KIND_LABELS[self]


HOLIDAY_KIND_LABELS = {
    HolidayKind.SUMMER: _l("暑假"),
    HolidayKind.SPRING_FESTIVAL: _l("春节"),
}


class CampaignStatus(str, enum.Enum):
    #: Drafted by the daily job: no lecture yet.
    DRAFT = "draft"
    #: Its lecture is scheduled and the checklist sent.
    SCHEDULED = "scheduled"
    #: Over: no more reminders.
    CLOSED = "closed"

    @property
    def label(self):
        return CAMPAIGN_STATUS_LABELS[self]


CAMPAIGN_STATUS_LABELS = {
    CampaignStatus.DRAFT: _l("草稿（待安排宣讲）"),
    CampaignStatus.SCHEDULED: _l("已安排"),
    CampaignStatus.CLOSED: _l("已结束"),
}


class SafetyTopic(str, enum.Enum):
    DROWNING = "drowning"
    TRAFFIC = "traffic"
    BULLYING = "bullying"
    SEXUAL_ASSAULT = "sexual_assault"
    FIRE_GAS = "fire_gas"
    ONLINE = "online"

    @property
    def label(self):
        return SAFETY_TOPIC_LABELS[self]


SAFETY_TOPIC_LABELS = {
    SafetyTopic.DROWNING: _l("防溺水"),
    SafetyTopic.TRAFFIC: _l("交通安全"),
    SafetyTopic.BULLYING: _l("防欺凌"),
    SafetyTopic.SEXUAL_ASSAULT: _l("防性侵"),
    SafetyTopic.FIRE_GAS: _l("防火和燃气安全"),
    SafetyTopic.ONLINE: _l("网络安全"),
}

#: The topics of each kind of holiday (the 2024 Civil Affairs guidance: drowning, bullying, sexual
#: assault and road traffic before the winter and summer holidays; fire, gas and fireworks, and
#: the internet, during Spring Festival).
TOPICS = {
    HolidayKind.SUMMER: (SafetyTopic.DROWNING, SafetyTopic.TRAFFIC, SafetyTopic.BULLYING,
                         SafetyTopic.SEXUAL_ASSAULT),
    HolidayKind.SPRING_FESTIVAL: (SafetyTopic.DROWNING, SafetyTopic.TRAFFIC,
                                  SafetyTopic.BULLYING, SafetyTopic.SEXUAL_ASSAULT,
                                  SafetyTopic.FIRE_GAS, SafetyTopic.ONLINE),
}


class ChecklistItem(str, enum.Enum):
    CARER = "carer"
    SWIMMING_RULES = "swimming_rules"
    TRAVEL = "travel"

    @property
    def label(self):
        return CHECKLIST_ITEM_LABELS[self]


CHECKLIST_ITEM_LABELS = {
    ChecklistItem.CARER: _l("假期里谁照看孩子"),
    ChecklistItem.SWIMMING_RULES: _l("已向孩子讲清防溺水“六不”规定"),
    ChecklistItem.TRAVEL: _l("假期出行安排"),
}
#: Every campaign's checklist, in the order the phone asks it.
CHECKLIST = (ChecklistItem.CARER, ChecklistItem.SWIMMING_RULES, ChecklistItem.TRAVEL)


class TravelPlan(str, enum.Enum):
    #: The child stays where it lives (with its carer), the worker stays on site.
    STAYING = "staying"
    #: The worker goes home for the holiday.
    GOING_HOME = "going_home"
    #: The child comes to the site (小候鸟).
    CHILD_VISITING = "child_visiting"

    @property
    def label(self):
        return TRAVEL_PLAN_LABELS[self]


TRAVEL_PLAN_LABELS = {
    TravelPlan.STAYING: _l("孩子留在家里，我不回去"),
    TravelPlan.GOING_HOME: _l("我回家陪孩子"),
    TravelPlan.CHILD_VISITING: _l("孩子来工地看我"),
}


def codes(values) -> str:
    """Enum members as the space-separated codes a campaign stores."""
    return " ".join(value.value for value in values)


class HolidayDates(Base):
    """The first day of a holiday in a year, entered by an administrator (company-wide): for a
    year the official calendar has no data for, or to correct the summer holiday's default."""

    __tablename__ = "cb_holiday_safety_dates"
    __table_args__ = (UniqueConstraint("kind", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[HolidayKind] = mapped_column(enum_column(HolidayKind, 16))
    year: Mapped[int]
    starts_on: Mapped[date] = mapped_column(Date)
    entered_by: Mapped[str] = mapped_column(String(100))
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime(timezone=True), default=utcnow)

    def __repr__(self) -> str:
        return f"<HolidayDates {self.kind.value} {self.year} {self.starts_on}>"


class SafetyCampaign(Base):
    """One site's safety campaign before one holiday."""

    __tablename__ = "cb_holiday_safety_campaign"
    __table_args__ = (UniqueConstraint("org_unit_id", "kind", "year"),
                      Index("ix_cb_holiday_safety_campaign_lecture_on", "lecture_on"))

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The site (项目部/厂区); the workers of its subtree are the campaign's audience.
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("cb_org_unit.id"), index=True)
    kind: Mapped[HolidayKind] = mapped_column(enum_column(HolidayKind, 16))
    #: The year the holiday falls in (Spring Festival 2027 is drafted in January 2027).
    year: Mapped[int]
    #: The holiday's first day when the campaign was drafted.
    holiday_starts_on: Mapped[date] = mapped_column(Date)
    #: Space-separated :class:`SafetyTopic` codes.
    topics: Mapped[str] = mapped_column(String(200))
    #: Space-separated :class:`ChecklistItem` codes.
    checklist: Mapped[str] = mapped_column(String(200))
    status: Mapped[CampaignStatus] = mapped_column(enum_column(CampaignStatus, 16),
                                                   default=CampaignStatus.DRAFT, index=True)
    #: The lecture session's id (the lectures feature's record); None until scheduled or after
    #: the lecture was cancelled.
    lecture_session_id: Mapped[int | None] = mapped_column(index=True)
    #: The lecture's local day (kept in step when it is rescheduled), for the indicators.
    lecture_on: Mapped[date | None] = mapped_column(Date)
    drafted_at: Mapped[datetime] = mapped_column(UTCDateTime(timezone=True), default=utcnow)
    scheduled_at: Mapped[datetime | None] = mapped_column(UTCDateTime(timezone=True))
    scheduled_by: Mapped[str | None] = mapped_column(String(100))
    #: When the checklist was first sent to the workers.
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(timezone=True))

    org_unit: Mapped[OrgUnit] = relationship(lazy="joined")

    @property
    def topic_list(self) -> list[SafetyTopic]:
        return [SafetyTopic(code) for code in self.topics.split()]

    @property
    def checklist_items(self) -> list[ChecklistItem]:
        return [ChecklistItem(code) for code in self.checklist.split()]

    def __repr__(self) -> str:
        return f"<SafetyCampaign {self.id} {self.kind.value} {self.year} unit={self.org_unit_id}>"


class SafetyRecipient(Base):
    """A worker told about a campaign, and their confirmation of its checklist (one per worker
    and campaign: the unique key, and a confirmation is written once)."""

    __tablename__ = "cb_holiday_safety_recipient"
    __table_args__ = (UniqueConstraint("campaign_id", "worker_id"),
                      Index("ix_cb_holiday_safety_recipient_pending", "campaign_id",
                            "confirmed_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("cb_holiday_safety_campaign.id"),
                                             index=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("cb_worker.id"), index=True)
    notified_at: Mapped[datetime] = mapped_column(UTCDateTime(timezone=True), default=utcnow)
    #: The last day the worker was reminded (a reminder goes once a day at most).
    reminded_on: Mapped[date | None] = mapped_column(Date)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(timezone=True))
    #: Who looks after the child (children) during the holiday, as the worker wrote it.
    carer: Mapped[str | None] = mapped_column(EncryptedText("holiday_safety.carer"))
    #: The worker has explained the swimming rules to the child.
    swimming_rules_explained: Mapped[bool | None]
    travel_plan: Mapped[TravelPlan | None] = mapped_column(enum_column(TravelPlan, 16))
    travel_note: Mapped[str | None] = mapped_column(EncryptedText("holiday_safety.travel_note"))

    campaign: Mapped[SafetyCampaign] = relationship(lazy="joined")
    worker: Mapped[Worker] = relationship(lazy="raise")

    def __repr__(self) -> str:
        return f"<SafetyRecipient campaign={self.campaign_id} worker={self.worker_id}>"
