"""Report templates, drafts, confirmations and sealed filings (DOMAIN §9).

A filing is sealed: its canonical figures (JSON), PDF and XLSX are stored with their SHA-256,
and with the chain hash of the company's previous filing, so removing or changing one breaks the
chain. The database refuses to change or delete a filing row (triggers on both databases), and
holds the chain straight: each filing follows at most one (``previous_id`` unique) and is
superseded by at most one correction (``supersedes_id`` unique).
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    DDL,
    JSON,
    Date,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.clock import utcnow
from ..core.db import Base, enum_column
from ..org.models import OrgUnit
from .periods import Period, PeriodKind
from .recipients import Recipient


class ReportTemplate(Base):
    """What a report to one recipient contains: indicator lines with their breakdowns, and
    free-text sections. Built-in templates (``builtin`` set) are read-only; a company adjusts a
    copy."""

    __tablename__ = "cb_report_template"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[Recipient] = mapped_column(enum_column(Recipient))
    name: Mapped[str] = mapped_column(String(200))
    #: The recipient whose built-in template this row is (one row each), else None.
    builtin: Mapped[Recipient | None] = mapped_column(enum_column(Recipient), unique=True)
    copied_from_id: Mapped[int | None] = mapped_column(
        ForeignKey("cb_report_template.id", ondelete="SET NULL"), index=True)
    #: ``[{"code": "registry.children_left_behind", "breakdowns": ["age_band"]}, ...]``
    lines: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    #: Keys of :data:`~.recipients.TEXT_SECTIONS`, in order.
    text_sections: Mapped[list[str]] = mapped_column(JSON)
    #: Drafts are made at the end of each such period (None: only by hand).
    schedule: Mapped[PeriodKind | None] = mapped_column(enum_column(PeriodKind, 16))
    #: The unit scheduled drafts report for (None: the whole company).
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("cb_org_unit.id"), index=True)
    created_by: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    archived_at: Mapped[datetime | None] = mapped_column()

    org_unit: Mapped[OrgUnit | None] = relationship(lazy="joined")


class ReportDraft(Base):
    """A report being prepared: a template for a unit's subtree and a period, with the texts
    written for it. Its figures are computed whenever it is shown or rendered; filing freezes
    them."""

    __tablename__ = "cb_report_draft"
    __table_args__ = (UniqueConstraint("schedule_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("cb_report_template.id"), index=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("cb_org_unit.id"), index=True)
    period_kind: Mapped[PeriodKind] = mapped_column(enum_column(PeriodKind, 16))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    #: Text section key → the text written.
    texts: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    #: The filing this draft corrects (filed, it supersedes that one).
    supersedes_id: Mapped[int | None] = mapped_column(
        ForeignKey("cb_report_filing.id"), index=True)
    #: ``template:unit:start:end`` for a draft the scheduler made (made once), else None.
    schedule_key: Mapped[str | None] = mapped_column(String(80))
    created_by: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Set when filed; a filed draft no longer changes.
    filing_id: Mapped[int | None] = mapped_column(
        ForeignKey("cb_report_filing.id"), index=True)

    template: Mapped[ReportTemplate] = relationship(lazy="joined")
    org_unit: Mapped[OrgUnit] = relationship(lazy="joined")

    @property
    def period(self) -> Period:
        return Period(self.period_kind, self.period_start, self.period_end)


class ReportFiling(Base):
    """A report as filed with its recipient: frozen, hashed and chained. Never updated."""

    __tablename__ = "cb_report_filing"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The company's filing number, 1, 2, 3… in filing order.
    number: Mapped[int] = mapped_column(unique=True)
    #: The random code in the public verification URL (the QR code on the PDF).
    public_code: Mapped[str] = mapped_column(String(32), unique=True)
    recipient: Mapped[Recipient] = mapped_column(enum_column(Recipient))
    template_id: Mapped[int] = mapped_column(ForeignKey("cb_report_template.id"), index=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("cb_org_unit.id"), index=True)
    period_kind: Mapped[PeriodKind] = mapped_column(enum_column(PeriodKind, 16))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    title: Mapped[str] = mapped_column(String(300))
    #: The canonical figures: JSON with sorted keys, no spaces, UTF-8.
    content_json: Mapped[str] = mapped_column(Text)
    content_sha256: Mapped[str] = mapped_column(String(64))
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    pdf_sha256: Mapped[str] = mapped_column(String(64))
    xlsx: Mapped[bytes] = mapped_column(LargeBinary)
    xlsx_sha256: Mapped[str] = mapped_column(String(64))
    #: The company's filing before this one (None for the first) and its chain hash.
    previous_id: Mapped[int | None] = mapped_column(ForeignKey("cb_report_filing.id"),
                                                    unique=True)
    previous_chain_sha256: Mapped[str | None] = mapped_column(String(64))
    #: SHA-256 over this filing's seal (:func:`plugin.reports.sealing.chain_hash`).
    chain_sha256: Mapped[str] = mapped_column(String(64))
    #: The filing this one corrects; each filing is corrected at most once.
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("cb_report_filing.id"),
                                                      unique=True)
    correction_reason: Mapped[str | None] = mapped_column(Text)
    filed_by: Mapped[str] = mapped_column(String(100))
    filed_by_name: Mapped[str] = mapped_column(String(100))
    filed_at: Mapped[datetime] = mapped_column()

    org_unit: Mapped[OrgUnit] = relationship(lazy="joined")

    @property
    def period(self) -> Period:
        return Period(self.period_kind, self.period_start, self.period_end)


class FiledRecords(Base):
    """The ids of the records one filed figure counted, packed (:mod:`.sealing`), so the list
    behind a filed number can be opened after the data changed."""

    __tablename__ = "cb_report_filed_records"
    __table_args__ = (UniqueConstraint("filing_id", "indicator_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    filing_id: Mapped[int] = mapped_column(ForeignKey("cb_report_filing.id"), index=True)
    indicator_code: Mapped[str] = mapped_column(String(80))
    record_type: Mapped[str] = mapped_column(String(40))
    count: Mapped[int] = mapped_column()
    packed_ids: Mapped[bytes] = mapped_column(LargeBinary)


class ReportConfirmation(Base):
    """A unit's responsible person confirmed the unit's own figures for a period."""

    __tablename__ = "cb_report_confirmation"
    __table_args__ = (
        UniqueConstraint("org_unit_id", "period_start", "period_end"),
        Index("ix_cb_report_confirmation_period", "period_start", "period_end"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("cb_org_unit.id"), index=True)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    #: Indicator code → the value confirmed, and their SHA-256 (to say whether they changed).
    figures: Mapped[dict[str, int]] = mapped_column(JSON)
    figures_sha256: Mapped[str] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text)
    confirmed_by: Mapped[str] = mapped_column(String(100))
    confirmed_by_name: Mapped[str] = mapped_column(String(100))
    confirmed_at: Mapped[datetime] = mapped_column()

    org_unit: Mapped[OrgUnit] = relationship(lazy="joined")


#: The database refuses to change a filing (or its counted records): a filed report never
#: changes, a correction is a new filing. A filing that another follows cannot be deleted either
#: (the next one's ``previous_id``); the chain hash shows any other removal or change made around
#: the database's rules. The migration creates the same triggers.
FROZEN_TABLES = ("cb_report_filing", "cb_report_filed_records")
FROZEN_MESSAGE = "filed reports never change"


def sqlite_frozen_triggers(table: str) -> list[str]:
    return [f"CREATE TRIGGER tr_{table}_frozen BEFORE UPDATE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{FROZEN_MESSAGE}'); END"]


POSTGRESQL_FROZEN_FUNCTION = (
    "CREATE OR REPLACE FUNCTION cb_report_frozen() RETURNS trigger LANGUAGE plpgsql AS $$ "
    f"BEGIN RAISE EXCEPTION '{FROZEN_MESSAGE}'; END $$")


def postgresql_frozen_trigger(table: str) -> str:
    return (f"CREATE TRIGGER tr_{table}_frozen BEFORE UPDATE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION cb_report_frozen()")


for _table in (ReportFiling.__table__, FiledRecords.__table__):
    for _statement in sqlite_frozen_triggers(_table.name):
        event.listen(_table, "after_create", DDL(_statement).execute_if(dialect="sqlite"))
    event.listen(_table, "after_create",
                 DDL(POSTGRESQL_FROZEN_FUNCTION).execute_if(dialect="postgresql"))
    event.listen(_table, "after_create",
                 DDL(postgresql_frozen_trigger(_table.name)).execute_if(dialect="postgresql"))
