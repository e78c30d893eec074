"""Entrusted-guardianship agreements, contact logs and the worker's integrity record (DOMAIN §4).

Carers' phone numbers, ID numbers and addresses, scans, drawn signatures, contact notes and the
reasons for ending an agreement or for an integrity entry are personal data, stored encrypted.
"""
from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    DDL,
    JSON,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    String,
    Text,
    column,
    event,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ExcludeConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.clock import utcnow
from ..core.db import Base, enum_column, postgresql_only
from ..privacy.crypto import EncryptedBytes, EncryptedText
from ..registry.models import Child, Worker


class AgreementStatus(str, enum.Enum):
    #: Sent to the worker's phone, not signed yet.
    PENDING = "pending"
    ACTIVE = "active"
    #: Ended early by an officer, or by the daily job after the period's last day.
    ENDED = "ended"
    #: Withdrawn (e.g. the carer turned out to be unfit), or cancelled before it was signed.
    REVOKED = "revoked"

    @property
    def label(self):
        return AGREEMENT_STATUS_LABELS[self]


#: The one label of each value, for every page and document (also ``.label``).
AGREEMENT_STATUS_LABELS = {
    AgreementStatus.PENDING: _l("待职工手机签署"),
    AgreementStatus.ACTIVE: _l("生效中"),
    AgreementStatus.ENDED: _l("已终止"),
    AgreementStatus.REVOKED: _l("已撤销"),
}

#: An agreement in one of these is open: a child can be in one open agreement per period.
OPEN_STATUSES = (AgreementStatus.PENDING, AgreementStatus.ACTIVE)
_OPEN_SQL = "(" + ", ".join(f"'{status.value}'" for status in OPEN_STATUSES) + ")"
#: The name a refusal of that rule carries, on both databases (see :class:`EntrustmentChild`).
ONE_OPEN_PER_PERIOD = "ex_cb_entrustment_child_open_period"


class AgreementSigning(str, enum.Enum):
    #: Signed on paper, witnessed by an HR officer, the page scanned and uploaded.
    PAPER = "paper"
    #: Signed by the worker with a finger on their own phone.
    PHONE = "phone"

    @property
    def label(self):
        return AGREEMENT_SIGNING_LABELS[self]


AGREEMENT_SIGNING_LABELS = {
    AgreementSigning.PAPER: _l("纸质签署（人力资源专员见证）"),
    AgreementSigning.PHONE: _l("职工手机签名"),
}


class EntrustmentAgreement(Base):
    """A parent's written entrustment of their children to a capable adult (MPL Art. 22–23)."""

    __tablename__ = "cb_entrustment_agreement"
    __table_args__ = (
        #: What the rows of its children copy; the foreign key to it keeps the copies current.
        Index("uq_cb_entrustment_agreement_id_status_starts_on_ends_on", "id", "status",
              "starts_on", "ends_on", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The parent who is a worker here and signs the agreement.
    worker_id: Mapped[int] = mapped_column(ForeignKey("cb_worker.id"), index=True)
    #: The other parent, when they are a worker here too.
    other_parent_worker_id: Mapped[int | None] = mapped_column(
        ForeignKey("cb_worker.id"), index=True)
    #: The other parent's name, when they are not a worker here.
    other_parent_name: Mapped[str | None] = mapped_column(String(100))
    carer_name: Mapped[str] = mapped_column(String(100))
    carer_relation: Mapped[str] = mapped_column(String(32))
    carer_phone: Mapped[str] = mapped_column(EncryptedText("entrustment.carer_phone"))
    carer_id_number: Mapped[str | None] = mapped_column(
        EncryptedText("entrustment.carer_id_number"))
    carer_birth_date: Mapped[date | None] = mapped_column(Date)
    carer_address: Mapped[str | None] = mapped_column(EncryptedText("entrustment.carer_address"))
    #: The parent confirmed the carer is an adult with full capacity for civil conduct.
    carer_capable_adult: Mapped[bool]
    #: The parent declared that none of MPL Art. 22's bars applies to the carer.
    no_bars_declared: Mapped[bool]
    declared_at: Mapped[datetime]
    #: Version of the declaration text the parent declared (``declarations.DECLARATIONS``).
    declaration_version: Mapped[str] = mapped_column(String(16))
    duties: Mapped[str] = mapped_column(Text)
    child_contacts_per_week: Mapped[int] = mapped_column(default=1)
    carer_contacts_per_week: Mapped[int] = mapped_column(default=1)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    method: Mapped[AgreementSigning] = mapped_column(enum_column(AgreementSigning, 16))
    status: Mapped[AgreementStatus] = mapped_column(enum_column(AgreementStatus, 16), index=True)
    signed_on: Mapped[date | None] = mapped_column(Date)
    #: Paper agreements: the HR officer who witnessed the signature.
    witness: Mapped[str | None] = mapped_column(String(100))
    scan: Mapped[bytes | None] = mapped_column(EncryptedBytes("entrustment.scan"))
    scan_content_type: Mapped[str | None] = mapped_column(String(64))
    #: Phone agreements: the drawn signature as PNG.
    signature_png: Mapped[bytes | None] = mapped_column(EncryptedBytes("entrustment.signature"))
    #: Random code in the documents' QR link to the public verification page.
    verification_code: Mapped[str] = mapped_column(String(32), unique=True)
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_by_name: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: When it ended or was revoked, by whom and why.
    closed_on: Mapped[date | None] = mapped_column(Date)
    closed_by: Mapped[str | None] = mapped_column(String(64))
    close_reason: Mapped[str | None] = mapped_column(EncryptedText("entrustment.close_reason"))

    worker: Mapped[Worker] = relationship(foreign_keys=[worker_id], lazy="joined")
    other_parent_worker: Mapped[Worker | None] = relationship(foreign_keys=[other_parent_worker_id],
                                                              lazy="joined")
    children: Mapped[list[Child]] = relationship(
        secondary="cb_entrustment_child", lazy="selectin", order_by=Child.birth_date, viewonly=True,
        primaryjoin="EntrustmentAgreement.id == EntrustmentChild.agreement_id",
        secondaryjoin="EntrustmentChild.child_id == Child.id")
    #: The rows that entrust each child (written once, with the agreement; read ``children``).
    child_rows: Mapped[list[EntrustmentChild]] = relationship(
        primaryjoin="EntrustmentAgreement.id == foreign(EntrustmentChild.agreement_id)",
        cascade="all, delete-orphan", passive_deletes=True)

    def parent_workers(self) -> list[Worker]:
        return [self.worker] + ([self.other_parent_worker] if self.other_parent_worker else [])

    def is_current(self, today: date) -> bool:
        return self.status == AgreementStatus.ACTIVE and self.starts_on <= today <= self.ends_on


class EntrustmentChild(Base):
    """A child the agreement entrusts to the carer.

    The row copies the agreement's status and period so the database itself keeps the rule "a
    child is in one open agreement per period" when requests race: on PostgreSQL an exclusion
    constraint over the period of open rows (``btree_gist``), on SQLite triggers that refuse an
    overlapping open row (writers are serialised there, so a trigger's check cannot race). The
    copies cannot drift: the foreign key to the agreement covers them, ``ON UPDATE CASCADE``.
    A refusal names ``ex_cb_entrustment_child_open_period`` (:data:`ONE_OPEN_PER_PERIOD`).
    A later migration that batch-alters this table on SQLite recreates it without the triggers:
    create them again (:data:`SQLITE_TRIGGERS`); the rule's tests fail until then.
    """

    __tablename__ = "cb_entrustment_child"
    __table_args__ = (
        ForeignKeyConstraint(
            ["agreement_id", "status", "starts_on", "ends_on"],
            ["cb_entrustment_agreement.id", "cb_entrustment_agreement.status",
             "cb_entrustment_agreement.starts_on", "cb_entrustment_agreement.ends_on"],
            onupdate="CASCADE", ondelete="CASCADE"),
        Index("ix_cb_entrustment_child_agreement_id", "agreement_id", "status", "starts_on",
              "ends_on"),
        postgresql_only(ExcludeConstraint(
            (column("child_id"), "="),
            (func.daterange(column("starts_on"), column("ends_on"), text("'[]'")), "&&"),
            name=ONE_OPEN_PER_PERIOD, using="gist", where=text(f"status IN {_OPEN_SQL}"))),
    )

    agreement_id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("cb_child.id", ondelete="CASCADE"),
                                          primary_key=True, index=True)
    #: Copies of the agreement's (kept by the foreign key).
    status: Mapped[AgreementStatus] = mapped_column(enum_column(AgreementStatus, 16))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)


_OVERLAPPING_OPEN_ROW = """
    SELECT RAISE(ABORT, '{name}') WHERE NEW.status IN {open} AND EXISTS (
        SELECT 1 FROM cb_entrustment_child AS other
        WHERE other.child_id = NEW.child_id AND {not_itself}
          AND other.status IN {open}
          AND other.starts_on <= NEW.ends_on AND NEW.starts_on <= other.ends_on);"""
#: SQLite's side of the rule (PostgreSQL's is the exclusion constraint); the migration that
#: added the rule creates the same triggers.
SQLITE_TRIGGERS = {
    "tr_cb_entrustment_child_open_period_insert": (
        "BEFORE INSERT ON cb_entrustment_child BEGIN" + _OVERLAPPING_OPEN_ROW.format(
            name=ONE_OPEN_PER_PERIOD, open=_OPEN_SQL,
            not_itself="other.agreement_id <> NEW.agreement_id") + "\nEND"),
    "tr_cb_entrustment_child_open_period_update": (
        "BEFORE UPDATE OF child_id, status, starts_on, ends_on ON cb_entrustment_child BEGIN"
        + _OVERLAPPING_OPEN_ROW.format(
            name=ONE_OPEN_PER_PERIOD, open=_OPEN_SQL,
            not_itself="NOT (other.agreement_id = OLD.agreement_id "
                       "AND other.child_id = OLD.child_id)")
        + "\nEND"),
}
for _name, _body in SQLITE_TRIGGERS.items():
    event.listen(EntrustmentChild.__table__, "after_create",
                 DDL(f"CREATE TRIGGER {_name} {_body}").execute_if(dialect="sqlite"))


class ContactParty(str, enum.Enum):
    CHILD = "child"
    #: The person caring for the child (the entrusted carer, or the carer in the child's record).
    CARER = "carer"

    @property
    def label(self):
        return CONTACT_PARTY_LABELS[self]


CONTACT_PARTY_LABELS = {ContactParty.CHILD: _l("孩子"), ContactParty.CARER: _l("照护人")}


class ContactKind(str, enum.Enum):
    CALL = "call"
    VIDEO = "video"
    VISIT = "visit"

    @property
    def label(self):
        return CONTACT_KIND_LABELS[self]


CONTACT_KIND_LABELS = {ContactKind.CALL: _l("电话"), ContactKind.VIDEO: _l("视频"),
                       ContactKind.VISIT: _l("探望")}


class ContactLog(Base):
    """A worker's contact with a child or the child's carer (MPL Art. 23: at least weekly)."""

    __tablename__ = "cb_contact_log"
    __table_args__ = (Index("ix_cb_contact_log_worker_day", "worker_id", "contact_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("cb_worker.id"))
    party: Mapped[ContactParty] = mapped_column(enum_column(ContactParty, 8))
    #: The child contacted, or whose carer was contacted.
    child_id: Mapped[int] = mapped_column(ForeignKey("cb_child.id", ondelete="CASCADE"), index=True)
    kind: Mapped[ContactKind] = mapped_column(enum_column(ContactKind, 8))
    contact_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(EncryptedText("contact.note"))
    #: ``worker:<id>`` when the worker logged it on the phone, else the officer's user key.
    logged_by: Mapped[str] = mapped_column(String(64))
    logged_by_name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    child: Mapped[Child] = relationship(lazy="joined")

    @property
    def on_behalf(self) -> bool:
        return not self.logged_by.startswith("worker:")


class IntegrityKind(str, enum.Enum):
    PLEDGE_SIGNED = "pledge_signed"
    PLEDGE_RENEWED = "pledge_renewed"
    PLEDGE_EXPIRED = "pledge_expired"
    PLEDGE_REVOKED = "pledge_revoked"
    AGREEMENT_SIGNED = "agreement_signed"
    AGREEMENT_ENDED = "agreement_ended"
    #: Commended as a model guardian (依法履行监护职责模范).
    COMMENDATION = "commendation"
    #: Admonished for neglecting family-education duties (Family Education Promotion Law Art. 48).
    ADMONITION = "admonition"


class IntegrityEntry(Base):
    """One event of a worker's integrity record (职工诚信). Rows are only ever inserted."""

    __tablename__ = "cb_integrity_entry"
    __table_args__ = (Index("ix_cb_integrity_entry_worker_day", "worker_id", "occurred_on"),
                      Index("ix_cb_integrity_entry_reference", "reference_type", "reference_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("cb_worker.id"))
    #: A kind some feature declares (``Feature.integrity_kinds``); :class:`IntegrityKind` names
    #: this feature's own.
    kind: Mapped[str] = mapped_column(String(24))
    occurred_on: Mapped[date] = mapped_column(Date)
    #: Why: the commendation's or admonition's reason, a revocation's or an ending's reason.
    reason: Mapped[str | None] = mapped_column(EncryptedText("integrity.reason"))
    #: Facts for the timeline, e.g. ``{"valid_until": "2027-11-21"}``.
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    #: Who issued it (a user key, ``worker:<id>``, or ``system:…``) and their name at the time.
    issued_by: Mapped[str | None] = mapped_column(String(64))
    issued_by_name: Mapped[str | None] = mapped_column(String(200))
    #: The record it is about: ``pledge`` or ``agreement`` and its id.
    reference_type: Mapped[str | None] = mapped_column(String(32))
    reference_id: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
