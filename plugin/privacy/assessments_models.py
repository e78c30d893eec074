"""Personal-information protection impact assessments (个人信息保护影响评估, PIPL Art. 55–56) and
the exports of personal data to third parties tied to them.

An assessment is made for one kind of recipient (a union, Civil Affairs, a carrier, a ticket
agent…), one named recipient and one purpose, for the exports of one unit's subtree, and is
valid for a stated period. Every export of personal data to a third party names a current
assessment that fits it and a purpose, and leaves an :class:`ExportRecord`. Assessments and their
export records are kept at least three years after the assessment was last used (Art. 56): no
page deletes them.
"""
from __future__ import annotations

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.clock import utcnow
from ..core.db import Base, enum_column
from ..org.models import OrgUnit


class RecipientKind(str, enum.Enum):
    UNION = "union"
    CIVIL_AFFAIRS = "civil_affairs"
    CARRIER = "carrier"
    TICKET_AGENT = "ticket_agent"
    OTHER = "other"

    @property
    def label(self):
        return RECIPIENT_KIND_LABELS[self]


RECIPIENT_KIND_LABELS = {
    RecipientKind.UNION: _l("工会"),
    RecipientKind.CIVIL_AFFAIRS: _l("民政部门"),
    RecipientKind.CARRIER: _l("电信运营商"),
    RecipientKind.TICKET_AGENT: _l("票务代理"),
    RecipientKind.OTHER: _l("其他"),
}


class ImpactAssessment(Base):
    __tablename__ = "cb_privacy_assessment"
    __table_args__ = (Index("ix_cb_privacy_assessment_kind_valid", "recipient_kind",
                            "valid_until"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Exports of this unit's subtree may use it (usually the company).
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("cb_org_unit.id"), index=True)
    recipient_kind: Mapped[RecipientKind] = mapped_column(enum_column(RecipientKind, 16))
    recipient_name: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(Text)
    #: The personal data shared, in words ("职工姓名、手机号码、每月赠送的通话时长和流量").
    data_categories: Mapped[str] = mapped_column(Text)
    legal_basis: Mapped[str] = mapped_column(Text)
    necessity: Mapped[str] = mapped_column(Text)
    risks_and_measures: Mapped[str] = mapped_column(Text)
    #: Who made the assessment (a person or a team), in words.
    assessed_by: Mapped[str] = mapped_column(String(200))
    assessed_on: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date] = mapped_column(Date)
    #: Ended before ``valid_until`` (the recipient changed, the purpose ended): from this day on
    #: no export may use it.
    withdrawn_on: Mapped[date | None] = mapped_column(Date)
    withdraw_reason: Mapped[str | None] = mapped_column(String(300))
    #: The (company) day of the last export tied to it; kept three years after (Art. 56).
    last_used_on: Mapped[date | None] = mapped_column(Date, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    org_unit: Mapped[OrgUnit] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"<ImpactAssessment {self.id} {self.recipient_kind.value} {self.recipient_name!r}>"


class ExportRecord(Base):
    """One export of personal data to a third party, tied to the assessment it relied on."""

    __tablename__ = "cb_privacy_export"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("cb_privacy_assessment.id"),
                                               index=True)
    #: The unit whose data went out (the batch's, the campaign's).
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("cb_org_unit.id"), index=True)
    #: What was exported (:class:`plugin.privacy.assessments.ExportKind` code).
    kind: Mapped[str] = mapped_column(String(48))
    #: The record the export is of, as ``type:id`` (``contact_batch:12``).
    reference: Mapped[str | None] = mapped_column(String(64))
    file_format: Mapped[str | None] = mapped_column(String(8))
    purpose: Mapped[str] = mapped_column(Text)
    #: People whose data the file holds.
    people: Mapped[int]
    exported_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    exported_by: Mapped[str] = mapped_column(String(64))
    exported_by_name: Mapped[str] = mapped_column(String(200))

    assessment: Mapped[ImpactAssessment] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"<ExportRecord {self.id} {self.kind} assessment={self.assessment_id}>"
