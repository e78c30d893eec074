"""Site lectures (宣讲, DOMAIN §5): the lecture team and the sessions held on sites.

A session says what, where, when and who lectures; its attendance register (:class:`Attendance`)
says who was there. How workers get into the register — venue codes, badges, manual entry — is
:mod:`plugin.attendance`. A session is never deleted: cancelling keeps it (with the reason) so
notices and statistics stay explainable.
"""
from __future__ import annotations

import enum
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import Column, ForeignKey, Index, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.clock import utcnow
from ..core.db import Base, enum_column
from ..org.models import OrgUnit
from ..registry.models import Worker


class LectureFormat(str, enum.Enum):
    PARENTS_SCHOOL = "parents_school"
    TALK = "talk"
    DISCUSSION = "discussion"
    VIDEO = "video"
    BROCHURE = "brochure"
    EXPERT_COURSE = "expert_course"
    ONLINE = "online"

    @property
    def label(self):
        return FORMAT_LABELS[self]


#: The one label of each value, for every page, form and export (also ``.label``).
FORMAT_LABELS = {
    LectureFormat.PARENTS_SCHOOL: _l("家长学校"),
    LectureFormat.TALK: _l("专题讲座"),
    LectureFormat.DISCUSSION: _l("座谈讨论"),
    LectureFormat.VIDEO: _l("视频观看"),
    LectureFormat.BROCHURE: _l("发放宣传册"),
    LectureFormat.EXPERT_COURSE: _l("专家课程"),
    LectureFormat.ONLINE: _l("线上学习"),
}


class LectureTopic(str, enum.Enum):
    GUARDIANSHIP_LAW = "guardianship_law"
    CHILD_FIRST = "child_first"
    PROPER_GUARDIANSHIP = "proper_guardianship"
    PARENT_CHILD_COMMUNICATION = "parent_child_communication"
    FAMILY_VIRTUES = "family_virtues"
    DROWNING = "drowning"
    BULLYING = "bullying"
    SEXUAL_ASSAULT = "sexual_assault"
    TRAFFIC_SAFETY = "traffic_safety"

    @property
    def label(self):
        return TOPIC_LABELS[self]


TOPIC_LABELS = {
    LectureTopic.GUARDIANSHIP_LAW: _l("监护法律法规"),
    LectureTopic.CHILD_FIRST: _l("儿童优先"),
    LectureTopic.PROPER_GUARDIANSHIP: _l("正确履行监护职责"),
    LectureTopic.PARENT_CHILD_COMMUNICATION: _l("亲子沟通"),
    LectureTopic.FAMILY_VIRTUES: _l("家庭美德"),
    LectureTopic.DROWNING: _l("假期安全：防溺水"),
    LectureTopic.BULLYING: _l("假期安全：防欺凌"),
    LectureTopic.SEXUAL_ASSAULT: _l("假期安全：防性侵"),
    LectureTopic.TRAFFIC_SAFETY: _l("假期安全：交通安全"),
}


class LecturerKind(str, enum.Enum):
    CADRE = "cadre"
    WORKER = "worker"
    VOLUNTEER = "volunteer"
    EXPERT = "expert"
    SOCIAL_WORKER = "social_worker"

    @property
    def label(self):
        return LECTURER_KIND_LABELS[self]


LECTURER_KIND_LABELS = {
    LecturerKind.CADRE: _l("干部"),
    LecturerKind.WORKER: _l("职工"),
    LecturerKind.VOLUNTEER: _l("志愿者"),
    LecturerKind.EXPERT: _l("专家"),
    LecturerKind.SOCIAL_WORKER: _l("社工"),
}


class SessionStatus(str, enum.Enum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"

    @property
    def label(self):
        return SESSION_STATUS_LABELS[self]


SESSION_STATUS_LABELS = {SessionStatus.SCHEDULED: _l("已安排"),
                         SessionStatus.CANCELLED: _l("已取消")}


class Lecturer(Base):
    """A member of a unit's lecture team (宣讲团)."""

    __tablename__ = "cb_lecturer"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[LecturerKind] = mapped_column(enum_column(LecturerKind, 16))
    #: Where the lecturer comes from (a school, a social-work agency, a department).
    affiliation: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(20))
    #: The unit whose team this is; lecturers of a unit serve its whole subtree.
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("cb_org_unit.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    org_unit: Mapped[OrgUnit] = relationship(lazy="joined")


lecture_session_lecturer = Table(
    "cb_lecture_session_lecturer",
    Base.metadata,
    Column("session_id", ForeignKey("cb_lecture_session.id", ondelete="CASCADE"), primary_key=True),
    Column("lecturer_id", ForeignKey("cb_lecturer.id"), primary_key=True, index=True),
)


class LectureSession(Base):
    __tablename__ = "cb_lecture_session"
    __table_args__ = (Index("ix_cb_lecture_session_unit_start", "org_unit_id", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    format: Mapped[LectureFormat] = mapped_column(enum_column(LectureFormat, 24))
    #: The site (or team, dormitory area) the lecture is for; its workers are the audience.
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("cb_org_unit.id"))
    venue: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    #: Check-in opens this many minutes before the start and closes this many after the end.
    check_in_opens_minutes: Mapped[int] = mapped_column(default=30)
    check_in_closes_minutes: Mapped[int] = mapped_column(default=30)
    brochures_handed_out: Mapped[int] = mapped_column(default=0)
    description: Mapped[str | None] = mapped_column(Text)
    status: Mapped[SessionStatus] = mapped_column(enum_column(SessionStatus, 16),
                                                  default=SessionStatus.SCHEDULED, index=True)
    cancelled_at: Mapped[datetime | None]
    cancel_reason: Mapped[str | None] = mapped_column(String(300))
    #: When the session was last moved, from which start, and why (shown to workers as a notice).
    rescheduled_at: Mapped[datetime | None]
    previous_starts_at: Mapped[datetime | None]
    reschedule_reason: Mapped[str | None] = mapped_column(String(300))
    #: Random per-session key of the rotating venue code (so a code never fits another session).
    code_key: Mapped[str] = mapped_column(String(64))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    org_unit: Mapped[OrgUnit] = relationship(lazy="joined")
    topic_links: Mapped[list[LectureSessionTopic]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="LectureSessionTopic.topic")
    lecturers: Mapped[list[Lecturer]] = relationship(secondary=lecture_session_lecturer,
                                                     lazy="selectin", order_by=Lecturer.name)

    @property
    def topics(self) -> list[LectureTopic]:
        return [link.topic for link in self.topic_links]

    @property
    def is_cancelled(self) -> bool:
        return self.status == SessionStatus.CANCELLED

    def check_in_window(self) -> tuple[datetime, datetime]:
        """``(opens_at, closes_at)`` in UTC: opens before the start, closes after the end."""
        return (self.starts_at - timedelta(minutes=self.check_in_opens_minutes),
                self.ends_at + timedelta(minutes=self.check_in_closes_minutes))


class LectureSessionTopic(Base):
    """One topic of a session; a row per topic so reports can count by topic in SQL."""

    __tablename__ = "cb_lecture_session_topic"

    session_id: Mapped[int] = mapped_column(ForeignKey("cb_lecture_session.id", ondelete="CASCADE"),
                                            primary_key=True)
    topic: Mapped[LectureTopic] = mapped_column(enum_column(LectureTopic, 32), primary_key=True)


class CheckInMethod(str, enum.Enum):
    #: The worker scanned the venue's rotating code on their own phone.
    WORKER_SCAN = "worker_scan"
    #: An officer scanned the worker's printed badge.
    BADGE_SCAN = "badge_scan"
    #: An officer picked the worker by name or employee number.
    MANUAL = "manual"
    #: Entered afterwards from a paper sign-in sheet.
    PAPER_SHEET = "paper_sheet"

    @property
    def label(self):
        return CHECK_IN_METHOD_LABELS[self]


#: The one name of each check-in method, on every page and sign-in sheet (also ``.label``).
CHECK_IN_METHOD_LABELS = {
    CheckInMethod.WORKER_SCAN: _l("扫码签到"),
    CheckInMethod.BADGE_SCAN: _l("扫胸卡签到"),
    CheckInMethod.MANUAL: _l("手工登记"),
    CheckInMethod.PAPER_SHEET: _l("纸质签到表补录"),
}


class Attendance(Base):
    __tablename__ = "cb_attendance"
    __table_args__ = (UniqueConstraint("session_id", "worker_id"),
                      Index("ix_cb_attendance_worker", "worker_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("cb_lecture_session.id"))
    worker_id: Mapped[int] = mapped_column(ForeignKey("cb_worker.id"))
    method: Mapped[CheckInMethod] = mapped_column(enum_column(CheckInMethod, 16))
    #: When the worker was there: the scan time (for offline uploads, the device's scan time).
    checked_in_at: Mapped[datetime]
    #: When the server stored it.
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Scanned offline and uploaded after the check-in window or later than a minute after.
    late_upload: Mapped[bool] = mapped_column(default=False)
    #: The officer who scanned or entered it (user key); None when the worker scanned.
    officer: Mapped[str | None] = mapped_column(String(64))
    device: Mapped[str | None] = mapped_column(String(120))
    annulled_at: Mapped[datetime | None]
    annulled_by: Mapped[str | None] = mapped_column(String(64))
    annul_reason: Mapped[str | None] = mapped_column(String(300))

    session: Mapped[LectureSession] = relationship()
    worker: Mapped[Worker] = relationship(lazy="joined")
