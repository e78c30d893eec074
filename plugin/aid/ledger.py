"""The only code that moves a fund's money: each movement is one ledger entry and one conditional
``UPDATE`` of a balance row.

Why no read-then-write: two officers approving at the same moment would both read "enough
money" and both write. Here the ``UPDATE ... WHERE available >= amount`` takes the balance row's
lock and tests the condition on the row as it is after any concurrent change committed
(PostgreSQL re-evaluates the ``WHERE`` on the new row version; SQLite runs one writer at a time),
and the ``CHECK`` constraints of :class:`~plugin.aid.models.FundBalance` refuse anything that
would still leave a balance below zero. A movement that cannot be made changes nothing and
raises :class:`FundShort`.

Callers check permissions and audit; these functions only flush.
"""
from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError

from ..core.db import session
from ..core.errors import ValidationError
from ..core.host import Actor
from ..core.i18n import N_
from ..core.money import format_yuan
from .models import UNRESTRICTED, AidFund, EntryKind, FundBalance, LedgerEntry

PURPOSE_LABEL_GENERAL = _l("不限用途")


class FundShort(ValidationError):
    """The fund (for this purpose) cannot cover the amount; nothing changed."""


SHORT = N_("%(fund)s可用余额不足：需要 %(needed)s 元，可用 %(available)s 元")
NOT_REVERSIBLE = N_("这笔流水不能冲正：预留和释放随申请的审批、撤销自动记账")
ALREADY_REVERSED = N_("这笔流水已经冲正过了")
REVERSAL_SPENT = N_("不能冲正：这笔收入已被使用，%(fund)s可用余额只有 %(available)s 元")
REASON_NEEDED = N_("请写明冲正原因")
FUND_CLOSED = N_("%(fund)s已关闭，不能再记账")

#: Entries that bring money in (the statement's "in").
INCOME_KINDS = (EntryKind.ALLOCATION, EntryKind.DONATION)


def balance_row(fund: AidFund, purpose: str, *, create: bool = False) -> FundBalance | None:
    """The fund's balance row for ``purpose``; made (race-free) when ``create``."""
    row = session.scalars(select(FundBalance).where(
        FundBalance.fund_id == fund.id, FundBalance.purpose == purpose)).first()
    if row is not None or not create:
        return row
    try:
        with session.begin_nested():
            session.execute(insert(FundBalance).values(fund_id=fund.id, purpose=purpose,
                                                       income_fen=0, posted_fen=0,
                                                       reserved_fen=0))
    except IntegrityError:  # another request made it at the same moment
        pass
    return session.scalars(select(FundBalance).where(
        FundBalance.fund_id == fund.id, FundBalance.purpose == purpose)).one()


def receive(fund: AidFund, kind: EntryKind, amount_fen: int, *, booked_on: date, actor: Actor,
            purpose: str = UNRESTRICTED, donor: str | None = None,
            receipt_number: str | None = None, note: str | None = None) -> LedgerEntry:
    """Money in: an allocation, or a donation (restricted to ``purpose`` when given for one)."""
    assert kind in INCOME_KINDS and amount_fen > 0
    _check_open(fund)
    row = balance_row(fund, purpose, create=True)
    _move(row, income=amount_fen)
    return _entry(fund, row, kind, amount_fen, booked_on=booked_on, actor=actor, donor=donor,
                  receipt_number=receipt_number, note=note)


def reserve(fund: AidFund, purposes: tuple[str, ...], amount_fen: int, *, booked_on: date,
            actor: Actor, application_id: int) -> LedgerEntry:
    """Hold ``amount_fen`` for an approved application, from the first of ``purposes`` whose
    money covers it (money restricted to the application's reason before unrestricted money)."""
    _check_open(fund)
    for purpose in purposes:
        row = balance_row(fund, purpose)
        if row is not None and _move(row, reserved=amount_fen, need=amount_fen):
            return _entry(fund, row, EntryKind.RESERVATION, amount_fen, booked_on=booked_on,
                          actor=actor, application_id=application_id)
    raise FundShort(SHORT, fund=fund.name, needed=format_yuan(amount_fen),
                    available=format_yuan(available_for(fund, purposes)))


def release(reservation: LedgerEntry, amount_fen: int, *, booked_on: date, actor: Actor,
            note: str | None = None) -> LedgerEntry:
    """Give back (part of) what ``reservation`` held."""
    row = reservation.balance
    if not _move(row, reserved=-amount_fen):
        raise AssertionError("released more than was reserved")
    return _entry(reservation.fund, row, EntryKind.RELEASE, amount_fen, booked_on=booked_on,
                  actor=actor, application_id=reservation.application_id, note=note)


def pay_reserved(reservation: LedgerEntry, amount_fen: int, *, booked_on: date, actor: Actor,
                 payment_id: int) -> LedgerEntry:
    """Pay money held by ``reservation``: it leaves the reserved and joins the posted."""
    row = reservation.balance
    if not _move(row, reserved=-amount_fen, posted=amount_fen):
        raise AssertionError("paid more than was reserved")
    return _entry(reservation.fund, row, EntryKind.PAYOUT, amount_fen, booked_on=booked_on,
                  actor=actor, application_id=reservation.application_id,
                  payment_id=payment_id)


def pay_directly(fund: AidFund, purposes: tuple[str, ...], amount_fen: int, *,
                 booked_on: date, actor: Actor, application_id: int | None = None,
                 payment_id: int | None = None, visit_id: int | None = None) -> LedgerEntry:
    """Pay without a reservation (cash on a union visit, a later month of recurring aid), from
    the first of ``purposes`` that covers it."""
    _check_open(fund)
    for purpose in purposes:
        row = balance_row(fund, purpose)
        if row is not None and _move(row, posted=amount_fen, need=amount_fen):
            return _entry(fund, row, EntryKind.PAYOUT, amount_fen, booked_on=booked_on,
                          actor=actor, application_id=application_id, payment_id=payment_id,
                          visit_id=visit_id)
    raise FundShort(SHORT, fund=fund.name, needed=format_yuan(amount_fen),
                    available=format_yuan(available_for(fund, purposes)))


def reverse(entry: LedgerEntry, *, reason: str, booked_on: date, actor: Actor) -> LedgerEntry:
    """Undo an allocation, a donation or a payout entered by mistake. Income can be reversed only
    while it is still available (money already spent cannot be taken back out of the books)."""
    if not (reason or "").strip():
        raise ValidationError(REASON_NEEDED, field="reason")
    if entry.kind not in (*INCOME_KINDS, EntryKind.PAYOUT):
        raise ValidationError(NOT_REVERSIBLE)
    if session.scalar(select(LedgerEntry.id).where(LedgerEntry.reverses_id == entry.id)):
        raise ValidationError(ALREADY_REVERSED)
    row = entry.balance
    if entry.kind in INCOME_KINDS:
        if not _move(row, income=-entry.amount_fen, need=entry.amount_fen):
            session.refresh(row)
            raise FundShort(REVERSAL_SPENT, fund=entry.fund.name,
                            available=format_yuan(row.available_fen))
    elif not _move(row, posted=-entry.amount_fen):
        raise AssertionError("reversed more than was paid")
    try:
        with session.begin_nested():
            return _entry(entry.fund, row, EntryKind.REVERSAL, entry.amount_fen,
                          booked_on=booked_on, actor=actor, note=reason.strip()[:300],
                          reverses_id=entry.id, application_id=entry.application_id,
                          payment_id=entry.payment_id, visit_id=entry.visit_id)
    except IntegrityError:  # reversed at the same moment by someone else: the unique key says no
        raise ValidationError(ALREADY_REVERSED) from None


def available_for(fund: AidFund, purposes: tuple[str, ...]) -> int:
    """The most one movement could take from ``purposes`` (the largest of their balances)."""
    amounts = session.scalars(select(
        FundBalance.income_fen - FundBalance.posted_fen - FundBalance.reserved_fen).where(
        FundBalance.fund_id == fund.id, FundBalance.purpose.in_(purposes))).all()
    return max(amounts, default=0)


def fund_totals(fund_ids) -> dict[int, dict[str, int]]:
    """Income, posted, reserved and available money of each fund (all purposes together)."""
    rows = session.execute(select(
        FundBalance.fund_id, func.sum(FundBalance.income_fen), func.sum(FundBalance.posted_fen),
        func.sum(FundBalance.reserved_fen)).where(FundBalance.fund_id.in_(list(fund_ids)))
        .group_by(FundBalance.fund_id)).all()
    totals = {fund_id: {"income": 0, "posted": 0, "reserved": 0, "available": 0}
              for fund_id in fund_ids}
    for fund_id, income, posted, reserved in rows:
        totals[fund_id] = {"income": int(income), "posted": int(posted),
                           "reserved": int(reserved),
                           "available": int(income) - int(posted) - int(reserved)}
    return totals


def _move(row: FundBalance, *, income: int = 0, posted: int = 0, reserved: int = 0,
          need: int = 0) -> bool:
    """Change one balance row by one ``UPDATE``; when ``need``, only if at least that much is
    available. False (nothing changed) when the row does not qualify; the ``CHECK``s refuse any
    change that would leave a column below zero (a caller's mistake: raised)."""
    condition = [FundBalance.id == row.id]
    if need:
        condition.append(FundBalance.income_fen - FundBalance.posted_fen
                         - FundBalance.reserved_fen >= need)
    if reserved < 0:
        condition.append(FundBalance.reserved_fen >= -reserved)
    if posted < 0:
        condition.append(FundBalance.posted_fen >= -posted)
    changed = session.execute(
        update(FundBalance).where(*condition).values(
            income_fen=FundBalance.income_fen + income,
            posted_fen=FundBalance.posted_fen + posted,
            reserved_fen=FundBalance.reserved_fen + reserved)
        .execution_options(synchronize_session=False)).rowcount == 1
    session.expire(row)
    return changed


def _entry(fund: AidFund, row: FundBalance, kind: EntryKind, amount_fen: int, *,
           booked_on: date, actor: Actor, **values) -> LedgerEntry:
    entry = LedgerEntry(fund_id=fund.id, balance_id=row.id, kind=kind, amount_fen=amount_fen,
                        booked_on=booked_on, created_by=actor.key,
                        created_by_name=actor.name[:100], **values)
    session.add(entry)
    session.flush()
    return entry


def _check_open(fund: AidFund) -> None:
    if fund.closed_at is not None:
        raise ValidationError(FUND_CLOSED, fund=fund.name)
