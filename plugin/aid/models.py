"""Hardship aid (困难帮扶, DOMAIN §7): funds and their ledger, applications with approval chains,
payments, pairing aid and union visits.

The money rules are the database's, not the code's. Each fund keeps one balance row per purpose
(``cb_aid_fund_balance``: the unrestricted money, and money given for one purpose only), and
every movement changes that row with one conditional ``UPDATE`` under ``CHECK`` constraints —
income, posted and reserved never below zero, and income − posted − reserved ≥ 0 — so two
approvals at the same moment cannot overdraw a fund on either database. Ledger entries are never
changed or deleted (triggers refuse it); a mistake is put right by a reversing entry with a
reason. Account numbers, hardship circumstances and pairing notes are personal data, stored
encrypted.
"""
from __future__ import annotations

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    DDL,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.clock import utcnow
from ..core.db import Base, UTCDateTime, enum_column
from ..org.models import OrgUnit
from ..privacy.crypto import EncryptedBytes, EncryptedText
from ..registry.models import Worker


class FundKind(str, enum.Enum):
    SPECIAL = "special"        # 专项基金: the company's special fund for these families
    UNION = "union"            # 工会经费: money the union sets aside
    DONATION = "donation"      # 爱心捐助: donations from staff and partners

    @property
    def label(self):
        return FUND_KIND_LABELS[self]


FUND_KIND_LABELS = {
    FundKind.SPECIAL: _l("专项基金"),
    FundKind.UNION: _l("工会帮扶资金"),
    FundKind.DONATION: _l("爱心捐助资金"),
}


class AidReason(str, enum.Enum):
    ILLNESS = "illness"
    DISABILITY = "disability"
    DISASTER = "disaster"
    SCHOOLING = "schooling"
    POVERTY = "poverty"
    OTHER = "other"

    @property
    def label(self):
        return AID_REASON_LABELS[self]


AID_REASON_LABELS = {
    AidReason.ILLNESS: _l("重大疾病"),
    AidReason.DISABILITY: _l("残疾"),
    AidReason.DISASTER: _l("意外灾害"),
    AidReason.SCHOOLING: _l("子女上学费用"),
    AidReason.POVERTY: _l("生活困难"),
    AidReason.OTHER: _l("其他"),
}

#: The purpose of unrestricted money in ``cb_aid_fund_balance.purpose`` (restricted money has
#: the :class:`AidReason` it was given for).
UNRESTRICTED = "general"


class AidFund(Base):
    """A fund owned by a unit (the company or a subsidiary); applications of workers in that
    subtree may be paid from it."""

    __tablename__ = "cb_aid_fund"
    __table_args__ = (UniqueConstraint("org_unit_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("cb_org_unit.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[FundKind] = mapped_column(enum_column(FundKind, 16))
    #: Who keeps the fund's books (shown on statements).
    keeper: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(timezone=True), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(100))
    #: A closed fund takes no new income or reservations; its history stays.
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(timezone=True))

    org_unit: Mapped[OrgUnit] = relationship(lazy="joined")


class FundBalance(Base):
    """The money of one purpose in one fund. Changed only by :mod:`plugin.aid.ledger`, by one
    conditional ``UPDATE`` each, which the ``CHECK`` constraints make safe under concurrency."""

    __tablename__ = "cb_aid_fund_balance"
    __table_args__ = (
        UniqueConstraint("fund_id", "purpose"),
        CheckConstraint("income_fen >= 0", name="income_not_negative"),
        CheckConstraint("posted_fen >= 0", name="posted_not_negative"),
        CheckConstraint("reserved_fen >= 0", name="reserved_not_negative"),
        CheckConstraint("income_fen - posted_fen - reserved_fen >= 0", name="never_overdrawn"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("cb_aid_fund.id"), index=True)
    #: ``general`` or the :class:`AidReason` the money was given for.
    purpose: Mapped[str] = mapped_column(String(16))
    income_fen: Mapped[int] = mapped_column(default=0)
    posted_fen: Mapped[int] = mapped_column(default=0)
    reserved_fen: Mapped[int] = mapped_column(default=0)

    @property
    def available_fen(self) -> int:
        return self.income_fen - self.posted_fen - self.reserved_fen


class EntryKind(str, enum.Enum):
    #: Money the company (or union) allocates to the fund.
    ALLOCATION = "allocation"
    #: A donation: donor, receipt number, perhaps a restricted purpose.
    DONATION = "donation"
    #: An approved application's amount held (pending) until it is paid.
    RESERVATION = "reservation"
    #: A reservation given back (rejected later, cancelled, paid less).
    RELEASE = "release"
    #: Money paid out (an application's payment, cash given on a union visit).
    PAYOUT = "payout"
    #: Undoes an allocation, donation or payout entered by mistake, with a reason.
    REVERSAL = "reversal"

    @property
    def label(self):
        return ENTRY_KIND_LABELS[self]


ENTRY_KIND_LABELS = {
    EntryKind.ALLOCATION: _l("拨款"),
    EntryKind.DONATION: _l("捐赠"),
    EntryKind.RESERVATION: _l("预留（已批准待支付）"),
    EntryKind.RELEASE: _l("释放预留"),
    EntryKind.PAYOUT: _l("支出"),
    EntryKind.REVERSAL: _l("冲正"),
}


class LedgerEntry(Base):
    """One movement of a fund's money. Never updated or deleted (the database refuses)."""

    __tablename__ = "cb_aid_ledger_entry"
    __table_args__ = (
        CheckConstraint("amount_fen > 0", name="amount_positive"),
        Index("ix_cb_aid_ledger_entry_fund_booked", "fund_id", "booked_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("cb_aid_fund.id"))
    balance_id: Mapped[int] = mapped_column(ForeignKey("cb_aid_fund_balance.id"), index=True)
    kind: Mapped[EntryKind] = mapped_column(enum_column(EntryKind, 16))
    amount_fen: Mapped[int]
    #: The day the money moved (the receipt's date for income), in the company's calendar.
    booked_on: Mapped[date] = mapped_column(Date)
    #: Donations: who gave, and the receipt handed to them.
    donor: Mapped[str | None] = mapped_column(String(100))
    receipt_number: Mapped[str | None] = mapped_column(String(64))
    #: What the entry is for, in words (allocations, donations, reversals' reasons).
    note: Mapped[str | None] = mapped_column(String(300))
    application_id: Mapped[int | None] = mapped_column(ForeignKey("cb_aid_application.id"),
                                                       index=True)
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("cb_aid_payment.id"), index=True)
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("cb_aid_union_visit.id"), index=True)
    #: A reversal names the one entry it undoes; an entry is reversed at most once.
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("cb_aid_ledger_entry.id"),
                                                    unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(timezone=True), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(100))
    created_by_name: Mapped[str] = mapped_column(String(100))

    fund: Mapped[AidFund] = relationship(lazy="joined")
    balance: Mapped[FundBalance] = relationship(lazy="joined")


class ApprovalTier(Base):
    """Applications up to ``max_fen`` (the lowest tier that covers the amount; ``None``: any
    amount) go through this tier's steps. Configured per company."""

    __tablename__ = "cb_aid_approval_tier"
    __table_args__ = (UniqueConstraint("max_fen"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    max_fen: Mapped[int | None]
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(timezone=True), default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(100))

    steps: Mapped[list[ApprovalStep]] = relationship(
        order_by="ApprovalStep.position", cascade="all, delete-orphan", lazy="selectin")


class ApprovalStep(Base):
    """One step of a tier: someone holding ``role`` over the application's unit decides (at the
    company's top unit when ``company_level``)."""

    __tablename__ = "cb_aid_approval_step"
    __table_args__ = (UniqueConstraint("tier_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tier_id: Mapped[int] = mapped_column(ForeignKey("cb_aid_approval_tier.id"), index=True)
    position: Mapped[int]
    role: Mapped[str] = mapped_column(String(32))
    company_level: Mapped[bool] = mapped_column(default=False)
    #: What the step is called (``站点审核``, ``工会审批``, ``公司审批``).
    name: Mapped[str] = mapped_column(String(50))


class HelpKind(str, enum.Enum):
    CASH = "cash"
    IN_KIND = "in_kind"

    @property
    def label(self):
        return HELP_KIND_LABELS[self]


HELP_KIND_LABELS = {HelpKind.CASH: _l("现金救助"), HelpKind.IN_KIND: _l("实物帮扶")}


class PaymentMethod(str, enum.Enum):
    BANK = "bank"
    WECHAT = "wechat"
    ALIPAY = "alipay"
    CASH = "cash"

    @property
    def label(self):
        return PAYMENT_METHOD_LABELS[self]


PAYMENT_METHOD_LABELS = {
    PaymentMethod.BANK: _l("银行转账"),
    PaymentMethod.WECHAT: _l("微信转账"),
    PaymentMethod.ALIPAY: _l("支付宝转账"),
    PaymentMethod.CASH: _l("现金（当面签收）"),
}


class ApplicationStatus(str, enum.Enum):
    #: Waiting for the decision of step ``current_step``.
    IN_REVIEW = "in_review"
    #: Sent back to the family (or whoever applied for it) to complete; resubmitting starts the
    #: chain again.
    SENT_BACK = "sent_back"
    #: Every step approved; the amount is reserved in a fund, waiting to be paid.
    APPROVED = "approved"
    #: Recurring aid being paid month by month.
    PAYING = "paying"
    #: One-off aid paid (or in-kind help handed over).
    PAID = "paid"
    #: A recurring case ended (its date, a review, no money left, or by an officer).
    CLOSED = "closed"
    REJECTED = "rejected"
    #: Withdrawn by the family or cancelled by an officer before payment.
    CANCELLED = "cancelled"

    @property
    def label(self):
        return APPLICATION_STATUS_LABELS[self]


APPLICATION_STATUS_LABELS = {
    ApplicationStatus.IN_REVIEW: _l("审批中"),
    ApplicationStatus.SENT_BACK: _l("退回补充"),
    ApplicationStatus.APPROVED: _l("已批准待发放"),
    ApplicationStatus.PAYING: _l("按月发放中"),
    ApplicationStatus.PAID: _l("已发放"),
    ApplicationStatus.CLOSED: _l("已结案"),
    ApplicationStatus.REJECTED: _l("未通过"),
    ApplicationStatus.CANCELLED: _l("已撤销"),
}

#: Statuses in which an application may still be withdrawn or cancelled (nothing paid yet).
CANCELLABLE_STATUSES = (ApplicationStatus.IN_REVIEW, ApplicationStatus.SENT_BACK,
                        ApplicationStatus.APPROVED)
#: Statuses in which an application still waits for someone.
OPEN_STATUSES = (ApplicationStatus.IN_REVIEW, ApplicationStatus.SENT_BACK,
                 ApplicationStatus.APPROVED, ApplicationStatus.PAYING)


class AidApplication(Base):
    __tablename__ = "cb_aid_application"
    __table_args__ = (
        CheckConstraint("amount_fen >= 0", name="amount_not_negative"),
        CheckConstraint("monthly_fen IS NULL OR monthly_fen > 0", name="monthly_positive"),
        Index("ix_cb_aid_application_status_unit", "status", "org_unit_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("cb_worker.id"), index=True)
    #: The worker's unit when they applied: who may see and decide it.
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("cb_org_unit.id"), index=True)
    reason: Mapped[AidReason] = mapped_column(enum_column(AidReason, 16))
    #: The family's situation in their words (personal data).
    circumstances: Mapped[str] = mapped_column(EncryptedText("aid.circumstances"))
    help_kind: Mapped[HelpKind] = mapped_column(enum_column(HelpKind, 16))
    #: Cash: the one-off amount, or the first month's; in kind: the goods' value (may be 0).
    amount_fen: Mapped[int]
    in_kind_description: Mapped[str | None] = mapped_column(String(300))
    #: Recurring aid: the monthly amount and the last month it is paid for (or a review date).
    monthly_fen: Mapped[int | None]
    recurring_until: Mapped[date | None] = mapped_column(Date)
    review_on: Mapped[date | None] = mapped_column(Date)
    payment_method: Mapped[PaymentMethod | None] = mapped_column(enum_column(PaymentMethod, 16))
    account_holder: Mapped[str | None] = mapped_column(String(100))
    bank_name: Mapped[str | None] = mapped_column(String(100))
    account_number: Mapped[str | None] = mapped_column(EncryptedText("aid.account_number"))
    status: Mapped[ApplicationStatus] = mapped_column(enum_column(ApplicationStatus, 16))
    tier_id: Mapped[int | None] = mapped_column(ForeignKey("cb_aid_approval_tier.id"),
                                                index=True)
    #: The chain's steps as they were when the application entered it (JSON list of
    #: ``{"role", "company_level", "name"}``): changing the configuration does not move
    #: applications already in review.
    chain: Mapped[str] = mapped_column(Text, default="[]")
    #: Counts submissions: resubmitting after a send-back starts a new round of the chain.
    round: Mapped[int] = mapped_column(default=1)
    #: The step (0-based) waiting for a decision while ``in_review``.
    current_step: Mapped[int] = mapped_column(default=0)
    fund_id: Mapped[int | None] = mapped_column(ForeignKey("cb_aid_fund.id"), index=True)
    balance_id: Mapped[int | None] = mapped_column(ForeignKey("cb_aid_fund_balance.id"),
                                                   index=True)
    #: 1 first (children in difficulty or de facto unsupported, an open risk report), 2 (a
    #: 三区三州 hukou), 3 the rest; reasons as codes, comma-separated (:mod:`.rules`).
    priority: Mapped[int] = mapped_column(default=3)
    priority_reasons: Mapped[str] = mapped_column(String(100), default="")
    #: Who filed it: ``worker:<id>`` from the phone, or the officer's key applying for the
    #: family (who then may not approve it).
    applied_by: Mapped[str] = mapped_column(String(100))
    applied_by_name: Mapped[str] = mapped_column(String(100))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(timezone=True), default=utcnow)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime(timezone=True))
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime(timezone=True))
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime(timezone=True))
    end_reason: Mapped[str | None] = mapped_column(String(300))
    #: When the retention rule ``aid.closed_applications`` erased the family's circumstances,
    #: bank account, evidence and decision comments (the amounts and the ledger stay).
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime(timezone=True))

    worker: Mapped[Worker] = relationship(lazy="joined")
    org_unit: Mapped[OrgUnit] = relationship(lazy="joined")
    fund: Mapped[AidFund | None] = relationship()


class ApplicationChild(Base):
    """A child the application is for (the children it reaches)."""

    __tablename__ = "cb_aid_application_child"

    application_id: Mapped[int] = mapped_column(ForeignKey("cb_aid_application.id"),
                                                primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("cb_child.id"), primary_key=True,
                                          index=True)


class Evidence(Base):
    """A document supporting an application (a diagnosis, a school bill, a photo of damage)."""

    __tablename__ = "cb_aid_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("cb_aid_application.id"),
                                                index=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    content: Mapped[bytes] = mapped_column(EncryptedBytes("aid.evidence"), deferred=True)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(timezone=True), default=utcnow)
    uploaded_by: Mapped[str] = mapped_column(String(100))


class DecisionOutcome(str, enum.Enum):
    APPROVED = "approved"
    REJECTED = "rejected"
    SENT_BACK = "sent_back"

    @property
    def label(self):
        return DECISION_OUTCOME_LABELS[self]


DECISION_OUTCOME_LABELS = {
    DecisionOutcome.APPROVED: _l("同意"),
    DecisionOutcome.REJECTED: _l("不同意"),
    DecisionOutcome.SENT_BACK: _l("退回补充"),
}


class Decision(Base):
    """One approver's decision at one step. The unique keys hold separation of duties in the
    database too: one decision per step and round, and one person decides at most once per
    round of an application's chain."""

    __tablename__ = "cb_aid_decision"
    __table_args__ = (
        UniqueConstraint("application_id", "round", "step"),
        UniqueConstraint("application_id", "round", "actor_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("cb_aid_application.id"),
                                                index=True)
    round: Mapped[int]
    step: Mapped[int]
    step_name: Mapped[str] = mapped_column(String(50))
    outcome: Mapped[DecisionOutcome] = mapped_column(enum_column(DecisionOutcome, 16))
    comment: Mapped[str | None] = mapped_column(String(500))
    actor_key: Mapped[str] = mapped_column(String(100))
    actor_name: Mapped[str] = mapped_column(String(100))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime(timezone=True), default=utcnow)


class Payment(Base):
    """Money paid on an application: the one-off payment, or one month of recurring aid. One
    per application and month, so a job run twice pays a month once."""

    __tablename__ = "cb_aid_payment"
    __table_args__ = (UniqueConstraint("application_id", "month"),
                      CheckConstraint("amount_fen > 0", name="amount_positive"))

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("cb_aid_application.id"),
                                                index=True)
    #: The first day of the month paid for (one-off aid: the month it was paid).
    month: Mapped[date] = mapped_column(Date)
    amount_fen: Mapped[int]
    paid_on: Mapped[date] = mapped_column(Date)
    #: The transfer's reference, or who signed for cash.
    reference: Mapped[str | None] = mapped_column(String(100))
    paid_by: Mapped[str] = mapped_column(String(100))


class HelperKind(str, enum.Enum):
    MANAGER = "manager"            # 管理人员
    PARTY_MEMBER = "party_member"  # 党员
    VOLUNTEER = "volunteer"        # 志愿者

    @property
    def label(self):
        return HELPER_KIND_LABELS[self]


HELPER_KIND_LABELS = {
    HelperKind.MANAGER: _l("管理人员"),
    HelperKind.PARTY_MEMBER: _l("党员"),
    HelperKind.VOLUNTEER: _l("志愿者"),
}


class Pairing(Base):
    """结对帮扶: a helper paired with a worker's family for a period, who visits or calls every
    ``contact_every_days`` days."""

    __tablename__ = "cb_aid_pairing"
    __table_args__ = (CheckConstraint("contact_every_days > 0", name="interval_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("cb_worker.id"), index=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("cb_org_unit.id"), index=True)
    helper_name: Mapped[str] = mapped_column(String(100))
    helper_kind: Mapped[HelperKind] = mapped_column(enum_column(HelperKind, 16))
    helper_phone: Mapped[str | None] = mapped_column(EncryptedText("aid.helper_phone"))
    #: The helper's account, when they have one: they are reminded and may log contacts.
    helper_user_key: Mapped[str | None] = mapped_column(String(100), index=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    contact_every_days: Mapped[int] = mapped_column(default=30)
    #: The last day a reminder was sent for an overdue contact (the job reminds once per lapse).
    reminded_on: Mapped[date | None] = mapped_column(Date)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime(timezone=True))
    end_reason: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(timezone=True), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(100))

    worker: Mapped[Worker] = relationship(lazy="joined")
    org_unit: Mapped[OrgUnit] = relationship(lazy="joined")


class ContactKind(str, enum.Enum):
    VISIT = "visit"
    CALL = "call"

    @property
    def label(self):
        return CONTACT_KIND_LABELS[self]


CONTACT_KIND_LABELS = {ContactKind.VISIT: _l("走访"), ContactKind.CALL: _l("电话")}


class PairingContact(Base):
    __tablename__ = "cb_aid_pairing_contact"
    __table_args__ = (Index("ix_cb_aid_pairing_contact_pairing_on", "pairing_id", "contacted_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pairing_id: Mapped[int] = mapped_column(ForeignKey("cb_aid_pairing.id"))
    kind: Mapped[ContactKind] = mapped_column(enum_column(ContactKind, 16))
    contacted_on: Mapped[date] = mapped_column(Date)
    notes: Mapped[str | None] = mapped_column(EncryptedText("aid.pairing_notes"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(timezone=True), default=utcnow)
    recorded_by: Mapped[str] = mapped_column(String(100))


class UnionVisit(Base):
    """工会慰问: the union visits a family and gives cash (from a fund: a ledger payout) or goods
    (an in-kind record), or both."""

    __tablename__ = "cb_aid_union_visit"
    __table_args__ = (CheckConstraint("cash_fen >= 0", name="cash_not_negative"),
                      CheckConstraint("goods_value_fen >= 0", name="goods_not_negative"))

    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("cb_worker.id"), index=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("cb_org_unit.id"), index=True)
    visited_on: Mapped[date] = mapped_column(Date, index=True)
    visitors: Mapped[str] = mapped_column(String(300))
    cash_fen: Mapped[int] = mapped_column(default=0)
    fund_id: Mapped[int | None] = mapped_column(ForeignKey("cb_aid_fund.id"), index=True)
    goods: Mapped[str | None] = mapped_column(String(300))
    goods_value_fen: Mapped[int] = mapped_column(default=0)
    notes: Mapped[str | None] = mapped_column(EncryptedText("aid.visit_notes"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(timezone=True), default=utcnow)
    recorded_by: Mapped[str] = mapped_column(String(100))

    worker: Mapped[Worker] = relationship(lazy="joined")
    org_unit: Mapped[OrgUnit] = relationship(lazy="joined")


class VisitPhoto(Base):
    __tablename__ = "cb_aid_visit_photo"

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("cb_aid_union_visit.id"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(EncryptedBytes("aid.visit_photo"), deferred=True)


#: The ledger is written once: the database refuses to change or delete an entry (a mistake is
#: put right with a reversing entry). The migration creates the same triggers.
LEDGER_MESSAGE = "fund ledger entries never change"


def sqlite_ledger_triggers() -> list[str]:
    return [f"CREATE TRIGGER tr_cb_aid_ledger_entry_{when} BEFORE {when.upper()} "
            f"ON cb_aid_ledger_entry BEGIN SELECT RAISE(ABORT, '{LEDGER_MESSAGE}'); END"
            for when in ("update", "delete")]


POSTGRESQL_LEDGER_FUNCTION = (
    "CREATE OR REPLACE FUNCTION cb_aid_ledger_frozen() RETURNS trigger LANGUAGE plpgsql AS $$ "
    f"BEGIN RAISE EXCEPTION '{LEDGER_MESSAGE}'; END $$")
POSTGRESQL_LEDGER_TRIGGER = (
    "CREATE TRIGGER tr_cb_aid_ledger_entry_frozen BEFORE UPDATE OR DELETE ON cb_aid_ledger_entry "
    "FOR EACH ROW EXECUTE FUNCTION cb_aid_ledger_frozen()")

for _statement in sqlite_ledger_triggers():
    event.listen(LedgerEntry.__table__, "after_create",
                 DDL(_statement).execute_if(dialect="sqlite"))
for _statement in (POSTGRESQL_LEDGER_FUNCTION, POSTGRESQL_LEDGER_TRIGGER):
    event.listen(LedgerEntry.__table__, "after_create",
                 DDL(_statement).execute_if(dialect="postgresql"))
