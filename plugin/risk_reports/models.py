"""Risk reports (强制报告, DOMAIN §8): a concern about a worker's child, the statutory report to the
police, the notices to Civil Affairs, the school and the village, the escalations of a case left
unreported or without follow-up, the follow-ups and the closure.

What was learned, where the child is, who reported it and the officers' notes are personal data,
stored encrypted. The reporter's identity is kept only on the case, and only when the reporter
did not choose to stay anonymous: an anonymous case stores nothing that points at its reporter.
"""
from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.clock import utcnow
from ..core.db import Base, UTCDateTime, enum_column
from ..org.models import OrgUnit
from ..privacy.crypto import EncryptedText


class _Labelled(str, enum.Enum):
    @property
    def label(self):
        return LABELS[type(self)][self]


class Situation(_Labelled):
    """The statutory situations that must be reported at once."""

    ALONE = "alone"                  # 独自居住或无人照料
    MISSING = "missing"              # 失踪
    ABANDONED = "abandoned"          # 被遗弃
    ABUSE = "abuse"                  # 疑似遭受家庭暴力或虐待
    INJURY = "injury"                # 严重受伤
    SELF_HARM = "self_harm"          # 自伤自残
    OTHER_DANGER = "other_danger"    # 其他紧急危险


class LearnedHow(_Labelled):
    SAW = "saw"                      # 亲眼看到
    TOLD_BY_CHILD = "child"          # 孩子本人说的
    TOLD_BY_FAMILY = "family"        # 家人、亲属说的
    TOLD_BY_OTHERS = "others"        # 老乡、邻居、老师等说的
    PHONE_OR_VIDEO = "call"          # 电话或视频中发现
    OTHER = "other"


class ReporterKind(_Labelled):
    STAFF = "staff"                  # 有账号的工作人员
    WORKER = "worker"                # 职工在手机上报告


class ReportStatus(_Labelled):
    OPEN = "open"
    CLOSED = "closed"


class Outcome(_Labelled):
    PARENT_RETURNED = "parent_returned"
    NEW_CARER = "new_carer"
    CIVIL_AFFAIRS = "civil_affairs"
    POLICE_OR_COURT = "police_court"
    UNFOUNDED = "unfounded"
    OTHER = "other"


class NoticeRecipient(_Labelled):
    CIVIL_AFFAIRS = "civil_affairs"
    SCHOOL = "school"
    VILLAGE_COMMITTEE = "village_committee"
    CHILD_DIRECTOR = "child_director"
    OTHER = "other"


class NoticeMethod(_Labelled):
    PHONE = "phone"
    IN_PERSON = "in_person"
    WRITTEN = "written"
    ONLINE = "online"


class Safety(_Labelled):
    SAFE = "safe"
    AT_RISK = "at_risk"
    UNSAFE = "unsafe"


class Care(_Labelled):
    ADEQUATE = "adequate"
    INADEQUATE = "inadequate"
    NONE = "none"


class FollowUpAction(_Labelled):
    PARENT_RETURNS = "parent_returns"
    NEW_CARER = "new_carer"
    SOCIAL_WORK = "social_work"
    LEGAL_AID = "legal_aid"
    MEDICAL = "medical"
    OTHER = "other"


class EscalationReason(_Labelled):
    POLICE_OVERDUE = "police_overdue"
    FOLLOW_UP_OVERDUE = "follow_up_overdue"


LABELS = {
    Situation: {
        Situation.ALONE: _l("独自居住或无人照料"),
        Situation.MISSING: _l("失踪或下落不明"),
        Situation.ABANDONED: _l("被遗弃"),
        Situation.ABUSE: _l("疑似遭受家庭暴力、虐待"),
        Situation.INJURY: _l("严重受伤"),
        Situation.SELF_HARM: _l("自伤、自残"),
        Situation.OTHER_DANGER: _l("其他紧急危险"),
    },
    LearnedHow: {
        LearnedHow.SAW: _l("亲眼看到"),
        LearnedHow.TOLD_BY_CHILD: _l("孩子本人说的"),
        LearnedHow.TOLD_BY_FAMILY: _l("家人或亲属说的"),
        LearnedHow.TOLD_BY_OTHERS: _l("老乡、邻居或老师说的"),
        LearnedHow.PHONE_OR_VIDEO: _l("打电话或视频时发现"),
        LearnedHow.OTHER: _l("其他途径"),
    },
    ReporterKind: {ReporterKind.STAFF: _l("工作人员"), ReporterKind.WORKER: _l("职工（手机）")},
    ReportStatus: {ReportStatus.OPEN: _l("处理中"), ReportStatus.CLOSED: _l("已结案")},
    Outcome: {
        Outcome.PARENT_RETURNED: _l("儿童安全：父母返回照料"),
        Outcome.NEW_CARER: _l("儿童安全：已落实新的委托照护人"),
        Outcome.CIVIL_AFFAIRS: _l("由民政部门安置或帮扶"),
        Outcome.POLICE_OR_COURT: _l("由公安机关或法院处理"),
        Outcome.UNFOUNDED: _l("经核实情况不属实"),
        Outcome.OTHER: _l("其他"),
    },
    NoticeRecipient: {
        NoticeRecipient.CIVIL_AFFAIRS: _l("民政部门"),
        NoticeRecipient.SCHOOL: _l("学校"),
        NoticeRecipient.VILLAGE_COMMITTEE: _l("村（居）民委员会"),
        NoticeRecipient.CHILD_DIRECTOR: _l("村（居）儿童主任"),
        NoticeRecipient.OTHER: _l("其他单位"),
    },
    NoticeMethod: {
        NoticeMethod.PHONE: _l("电话"),
        NoticeMethod.IN_PERSON: _l("当面"),
        NoticeMethod.WRITTEN: _l("书面"),
        NoticeMethod.ONLINE: _l("网上或微信"),
    },
    Safety: {Safety.SAFE: _l("安全"), Safety.AT_RISK: _l("有风险"), Safety.UNSAFE: _l("不安全")},
    Care: {Care.ADEQUATE: _l("照料到位"), Care.INADEQUATE: _l("照料不足"),
           Care.NONE: _l("无人照料")},
    FollowUpAction: {
        FollowUpAction.PARENT_RETURNS: _l("父母返家照料"),
        FollowUpAction.NEW_CARER: _l("落实新的委托照护人"),
        FollowUpAction.SOCIAL_WORK: _l("转介社工服务"),
        FollowUpAction.LEGAL_AID: _l("法律援助"),
        FollowUpAction.MEDICAL: _l("医疗救助"),
        FollowUpAction.OTHER: _l("其他帮助"),
    },
    EscalationReason: {
        EscalationReason.POLICE_OVERDUE: _l("超时未报警"),
        EscalationReason.FOLLOW_UP_OVERDUE: _l("超时未跟进"),
    },
}


class RiskReport(Base):
    """One concern about one child, and the case that handles it."""

    __tablename__ = "cb_risk_report"
    __table_args__ = (Index("ix_cb_risk_report_status_unit", "status", "org_unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The responsible site: the parent's site (a team's site), or the one the reporter chose.
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("cb_org_unit.id"), index=True)
    #: The child and the parent, when picked from the registry.
    child_id: Mapped[int | None] = mapped_column(ForeignKey("cb_child.id"), index=True)
    worker_id: Mapped[int | None] = mapped_column(ForeignKey("cb_worker.id"), index=True)
    #: The child as described when not picked from the registry.
    described_child: Mapped[str | None] = mapped_column(EncryptedText("risk.described_child"))
    #: The parent's name or employee number, as the reporter gave it.
    described_parent: Mapped[str | None] = mapped_column(EncryptedText("risk.described_parent"))
    #: Where the child is (village, address), as the reporter gave it.
    child_location: Mapped[str | None] = mapped_column(EncryptedText("risk.child_location"))
    #: The child's hukou region (GB/T 2260), for the referral contacts of that place.
    hukou_region_code: Mapped[str | None] = mapped_column(String(6))
    situation: Mapped[Situation] = mapped_column(enum_column(Situation, 16))
    facts: Mapped[str] = mapped_column(EncryptedText("risk.facts"))
    learned_at: Mapped[datetime] = mapped_column(UTCDateTime(timezone=True))
    learned_how: Mapped[LearnedHow] = mapped_column(enum_column(LearnedHow, 16))
    learned_how_text: Mapped[str | None] = mapped_column(EncryptedText("risk.learned_how"))
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime(timezone=True), default=utcnow)
    #: When the police must have been told (raised + CAREBRIDGE_RISK_POLICE_REPORT_HOURS).
    police_due_at: Mapped[datetime] = mapped_column(UTCDateTime(timezone=True), index=True)
    anonymous: Mapped[bool] = mapped_column(default=False)
    reporter_kind: Mapped[ReporterKind] = mapped_column(enum_column(ReporterKind, 8))
    #: The reporter (``worker:<id>`` or a staff user key), name and contact; NULL when anonymous.
    reporter_key: Mapped[str | None] = mapped_column(EncryptedText("risk.reporter_key"))
    reporter_name: Mapped[str | None] = mapped_column(EncryptedText("risk.reporter_name"))
    reporter_contact: Mapped[str | None] = mapped_column(EncryptedText("risk.reporter_contact"))
    #: Keyed hash of ``reporter_key``, so a reporter finds their own reports (NULL: anonymous).
    reporter_index: Mapped[str | None] = mapped_column(String(32), index=True)
    reported_to_police_at: Mapped[datetime | None] = mapped_column(UTCDateTime(timezone=True))
    police_station: Mapped[str | None] = mapped_column(String(200))
    police_officer: Mapped[str | None] = mapped_column(String(100))
    #: The receipt (回执) or case number (案件编号) the police gave.
    police_receipt: Mapped[str | None] = mapped_column(String(100))
    police_recorded_by: Mapped[str | None] = mapped_column(String(100))
    police_recorded_by_name: Mapped[str | None] = mapped_column(String(100))
    #: The highest level of the organisation tree the case was escalated to (0: never).
    escalation_level: Mapped[int] = mapped_column(default=0)
    status: Mapped[ReportStatus] = mapped_column(enum_column(ReportStatus, 8),
                                                 default=ReportStatus.OPEN)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(timezone=True))
    closed_by: Mapped[str | None] = mapped_column(String(100))
    closed_by_name: Mapped[str | None] = mapped_column(String(100))
    outcome: Mapped[Outcome | None] = mapped_column(enum_column(Outcome, 16))
    closure_summary: Mapped[str | None] = mapped_column(EncryptedText("risk.closure_summary"))
    #: The parent neglected the guardianship duty: admonished (家庭教育促进法第四十八条).
    guardianship_neglected: Mapped[bool] = mapped_column(default=False)
    admonition: Mapped[str | None] = mapped_column(EncryptedText("risk.admonition"))
    #: When a retention rule blanked what describes the child and the family
    #: (:mod:`.retention`).
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime(timezone=True))

    org_unit: Mapped[OrgUnit] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"<RiskReport {self.id} {self.situation.value} {self.status.value}>"


class RiskNotice(Base):
    """A notice of the case to Civil Affairs, the school, the village committee or its child
    director (or another body)."""

    __tablename__ = "cb_risk_notice"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("cb_risk_report.id"), index=True)
    recipient: Mapped[NoticeRecipient] = mapped_column(enum_column(NoticeRecipient, 24))
    organisation: Mapped[str] = mapped_column(String(200))
    person: Mapped[str | None] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(30))
    notified_at: Mapped[datetime] = mapped_column(UTCDateTime(timezone=True))
    method: Mapped[NoticeMethod] = mapped_column(enum_column(NoticeMethod, 16))
    note: Mapped[str | None] = mapped_column(String(500))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(timezone=True), default=utcnow)
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_by_name: Mapped[str] = mapped_column(String(100))


class RiskFollowUp(Base):
    """A follow-up of the child: how safe and how cared for, and what was done."""

    __tablename__ = "cb_risk_follow_up"
    __table_args__ = (Index("ix_cb_risk_follow_up_report_occurred", "report_id", "occurred_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("cb_risk_report.id"))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(timezone=True))
    safety: Mapped[Safety] = mapped_column(enum_column(Safety, 16))
    care: Mapped[Care] = mapped_column(enum_column(Care, 16))
    #: :class:`FollowUpAction` codes, comma-separated.
    actions: Mapped[str] = mapped_column(String(200), default="")
    notes: Mapped[str | None] = mapped_column(EncryptedText("risk.follow_up_notes"))
    #: The number of a hardship-aid application opened for the family (aid's own page checks
    #: who may open it).
    aid_application_id: Mapped[int | None]
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(timezone=True), default=utcnow)
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_by_name: Mapped[str] = mapped_column(String(100))

    @property
    def action_list(self) -> list[FollowUpAction]:
        known = {action.value: action for action in FollowUpAction}
        return [known[code] for code in self.actions.split(",") if code in known]


class RiskEscalation(Base):
    """One step up the escalation ladder: the case went to the unit ``level`` steps above its
    site because a lapse (no police report, no follow-up) ran on. One row per lapse and level,
    so the job is idempotent even under two schedulers."""

    __tablename__ = "cb_risk_escalation"
    __table_args__ = (UniqueConstraint("report_id", "reason", "lapse_started_at", "level"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("cb_risk_report.id"), index=True)
    reason: Mapped[EscalationReason] = mapped_column(enum_column(EscalationReason, 24))
    level: Mapped[int]
    #: The unit the case went to.
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("cb_org_unit.id"), index=True)
    #: When the lapse began: the police deadline, or the last follow-up (or police report).
    lapse_started_at: Mapped[datetime] = mapped_column(UTCDateTime(timezone=True))
    escalated_at: Mapped[datetime] = mapped_column(UTCDateTime(timezone=True), default=utcnow)

    org_unit: Mapped[OrgUnit] = relationship(lazy="joined")
