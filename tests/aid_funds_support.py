"""Funds, income and bare applications for the fund, ledger and statement tests.

Funds and income go through the real services (:mod:`plugin.aid.funds`); an application that
only needs to exist for the ledger (its id on a reservation) is stored as a bare row::

    fund = open_fund(site)                              # 困难职工帮扶专项基金 of the site
    allocate(fund, 100_000)                             # ¥1,000 of unrestricted money
    donate(fund, 50_000, purpose="schooling")           # ¥500 for schooling costs only
    application = bare_application(worker)              # approved, ¥100 for an illness
"""
from __future__ import annotations

from datetime import date
from itertools import count

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from plugin.aid import funds
from plugin.aid.models import (
    UNRESTRICTED,
    AidApplication,
    AidFund,
    AidReason,
    ApplicationStatus,
    EntryKind,
    FundBalance,
    FundKind,
    HelpKind,
    LedgerEntry,
    Payment,
)
from plugin.core.db import session

from .conftest import SYSTEM

#: The ``clock`` fixture's today (2026-11-22, Shanghai).
TODAY = date(2026, 11, 22)
_receipts = count(1)


def open_fund(unit, name: str = "困难职工帮扶专项基金", kind: FundKind = FundKind.SPECIAL,
              keeper: str | None = "工会财务 李会计", actor=SYSTEM) -> AidFund:
    return funds.create_fund(unit, name, kind, keeper, actor)


def allocate(fund: AidFund, amount_fen: int, *, booked_on: date = TODAY,
             purpose: str = UNRESTRICTED, note: str | None = "年度拨款", actor=SYSTEM) -> LedgerEntry:
    return funds.record_income(fund, EntryKind.ALLOCATION, amount_fen, booked_on, purpose, None,
                               None, note, actor)


def donate(fund: AidFund, amount_fen: int, *, donor: str = "爱心企业华建公司",
           receipt: str | None = None, booked_on: date = TODAY, purpose: str = UNRESTRICTED,
           actor=SYSTEM) -> LedgerEntry:
    return funds.record_income(fund, EntryKind.DONATION, amount_fen, booked_on, purpose, donor,
                               receipt or f"JZ-{next(_receipts):05d}", None, actor)


def bare_application(worker, *, reason: AidReason = AidReason.ILLNESS, amount_fen: int = 10_000,
                     fund: AidFund | None = None,
                     status: ApplicationStatus = ApplicationStatus.APPROVED) -> AidApplication:
    """An application row with what the ledger needs (its id), as if already approved."""
    application = AidApplication(
        worker_id=worker.id, org_unit_id=worker.org_unit_id, reason=reason,
        circumstances="家中困难", help_kind=HelpKind.CASH, amount_fen=amount_fen,
        status=status, applied_by=SYSTEM.key, applied_by_name=SYSTEM.name,
        fund_id=fund.id if fund is not None else None)
    session.add(application)
    session.flush()
    return application


def payment_for(application: AidApplication, amount_fen: int, paid_on: date = TODAY) -> Payment:
    payment = Payment(application_id=application.id, month=paid_on.replace(day=1),
                      amount_fen=amount_fen, paid_on=paid_on, paid_by=SYSTEM.key)
    session.add(payment)
    session.flush()
    return payment


def ledger_sums(fund_id: int) -> dict[str, int]:
    """income, posted and reserved as the ledger's entries add them up (a payout with an
    application drew on its reservation)."""
    original = aliased(LedgerEntry)
    entries = session.execute(
        select(LedgerEntry.kind, LedgerEntry.amount_fen, LedgerEntry.application_id,
               original.kind).outerjoin(original, original.id == LedgerEntry.reverses_id)
        .where(LedgerEntry.fund_id == fund_id)).all()
    sums = {"income": 0, "posted": 0, "reserved": 0}
    for kind, amount, application_id, undone in entries:
        if kind in (EntryKind.ALLOCATION, EntryKind.DONATION):
            sums["income"] += amount
        elif kind == EntryKind.PAYOUT:
            sums["posted"] += amount
            sums["reserved"] -= amount if application_id is not None else 0
        elif kind == EntryKind.RESERVATION:
            sums["reserved"] += amount
        elif kind == EntryKind.RELEASE:
            sums["reserved"] -= amount
        elif undone in (EntryKind.ALLOCATION, EntryKind.DONATION):
            sums["income"] -= amount
        else:
            sums["posted"] -= amount
    return sums


def balance_sums(fund_id: int) -> dict[str, int]:
    """income, posted and reserved as the fund's balance rows hold them."""
    income, posted, reserved = session.execute(select(
        func.coalesce(func.sum(FundBalance.income_fen), 0),
        func.coalesce(func.sum(FundBalance.posted_fen), 0),
        func.coalesce(func.sum(FundBalance.reserved_fen), 0)).where(
        FundBalance.fund_id == fund_id)).one()
    return {"income": int(income), "posted": int(posted), "reserved": int(reserved)}
