"""A fund's statement (收支对账单) for a period: its figures, and the texts the page, the PDF and
the XLSX (:mod:`.statement_documents`) share, so all three say the same.

Every figure is defined from the ledger alone, by the day each entry was booked:

- **opening balance**: income − payouts booked before the first day, reversals counted (a
  reversed allocation or donation takes its money out again, a reversed payout puts it back);
- **money in**: allocations + donations of the period − reversals of income in the period;
- **money out**: payouts of the period − reversals of payouts in the period;
- **closing balance** = opening + in − out (the money the fund holds at the end of the last day);
- **reserved at the end**: reservations − releases − payouts drawn on them (an application's
  payouts always are, :func:`plugin.aid.queries.held_by`), up to the last day;
- **available at the end** = closing − reserved.

Each entry of the period is listed with its effect on the balance (reversals in the column of
what they undo, as negative amounts) and the balance after it, so the column totals give money
in and out and the last balance is the closing one.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import aliased

from ..core.clock import local_today, utcnow
from ..core.dates import format_date, format_datetime
from ..core.db import session
from ..core.errors import ValidationError
from ..core.host import Actor
from ..core.i18n import N_
from ..core.money import format_yuan
from .funds import purpose_label
from .ledger import INCOME_KINDS
from .models import AidFund, EntryKind, LedgerEntry

PERIOD_BACKWARDS = N_("开始日期不能晚于结束日期")


def default_period() -> tuple[date, date]:
    return last_month(local_today())


def check_period(start: date, end: date) -> None:
    if start > end:
        raise ValidationError(PERIOD_BACKWARDS, field="end")


def last_month(today: date) -> tuple[date, date]:
    """The calendar month before ``today``'s: the default period."""
    end = today.replace(day=1) - timedelta(days=1)
    return end.replace(day=1), end


@dataclass(frozen=True)
class Row:
    entry: LedgerEntry
    #: For a reversal, the kind of the entry it undid.
    undoes: EntryKind | None
    in_fen: int
    out_fen: int
    reserved_fen: int
    balance_fen: int


@dataclass
class Statement:
    fund: AidFund
    start: date
    end: date
    opening_fen: int
    allocations_fen: int
    donations_fen: int
    income_reversed_fen: int
    payouts_fen: int
    payouts_reversed_fen: int
    reserved_opening_fen: int
    reserved_fen: int
    rows: list[Row] = field(default_factory=list)

    @property
    def in_fen(self) -> int:
        return self.allocations_fen + self.donations_fen - self.income_reversed_fen

    @property
    def out_fen(self) -> int:
        return self.payouts_fen - self.payouts_reversed_fen

    @property
    def closing_fen(self) -> int:
        return self.opening_fen + self.in_fen - self.out_fen

    @property
    def available_fen(self) -> int:
        return self.closing_fen - self.reserved_fen


def _effects(kind: EntryKind, undoes: EntryKind | None, amount: int,
             application_id: int | None) -> tuple[int, int, int]:
    """(money in, money out, reserved change) of one entry, the statement's definitions."""
    if kind in INCOME_KINDS:
        return amount, 0, 0
    if kind == EntryKind.PAYOUT:
        return 0, amount, -amount if application_id is not None else 0
    if kind == EntryKind.RESERVATION:
        return 0, 0, amount
    if kind == EntryKind.RELEASE:
        return 0, 0, -amount
    if undoes in INCOME_KINDS:
        return -amount, 0, 0
    return 0, -amount, 0


def build_statement(fund: AidFund, start: date, end: date) -> Statement:
    """The statement of ``fund`` from ``start`` to ``end`` (both days included): two queries."""
    original = aliased(LedgerEntry)
    kind, amount = LedgerEntry.kind, LedgerEntry.amount_fen
    undoes_income = and_(kind == EntryKind.REVERSAL, original.kind.in_(INCOME_KINDS))
    undoes_payout = and_(kind == EntryKind.REVERSAL, original.kind == EntryKind.PAYOUT)
    cash = case((kind.in_(INCOME_KINDS), amount), (kind == EntryKind.PAYOUT, -amount),
                (undoes_income, -amount), (undoes_payout, amount), else_=0)
    held = case((kind == EntryKind.RESERVATION, amount), (kind == EntryKind.RELEASE, -amount),
                (and_(kind == EntryKind.PAYOUT, LedgerEntry.application_id.is_not(None)),
                 -amount), else_=0)
    before, during = LedgerEntry.booked_on < start, LedgerEntry.booked_on >= start

    def total(value, when=None):
        return func.coalesce(func.sum(value if when is None else case((when, value), else_=0)),
                             0)

    def joined(statement):
        """``statement`` over the fund's entries to ``end``, each with what it reverses."""
        return statement.select_from(LedgerEntry).outerjoin(
            original, original.id == LedgerEntry.reverses_id).where(
            LedgerEntry.fund_id == fund.id, LedgerEntry.booked_on <= end)
    figures = session.execute(joined(select(
        total(cash, before), total(amount, and_(during, kind == EntryKind.ALLOCATION)),
        total(amount, and_(during, kind == EntryKind.DONATION)),
        total(amount, and_(during, undoes_income)),
        total(amount, and_(during, kind == EntryKind.PAYOUT)),
        total(amount, and_(during, undoes_payout)), total(held, before), total(held)))).one()
    statement = Statement(fund, start, end, *(int(value) for value in figures))
    balance = statement.opening_fen
    for entry, undoes in session.execute(joined(select(LedgerEntry, original.kind)).where(
            during).order_by(LedgerEntry.booked_on, LedgerEntry.id)).all():
        money_in, money_out, reserved = _effects(entry.kind, undoes, entry.amount_fen,
                                                 entry.application_id)
        balance += money_in - money_out
        statement.rows.append(Row(entry, undoes, money_in, money_out, reserved, balance))
    return statement


# -- texts shared by the page, the PDF and the XLSX ------------------------------------------------

def title(statement: Statement) -> str:
    return _("%(fund)s收支对账单", fund=statement.fund.name)


def period_text(statement: Statement) -> str:
    return _("%(start)s 至 %(end)s", start=format_date(statement.start),
             end=format_date(statement.end))


def cover_lines(statement: Statement, actor: Actor | None) -> list[tuple[str, str]]:
    fund = statement.fund
    lines = [(_("基金"), fund.name), (_("基金类型"), str(fund.kind.label)),
             (_("所属单位"), fund.org_unit.name), (_("管理人"), fund.keeper or "—"),
             (_("对账期间"), period_text(statement)),
             (_("生成时间"), format_datetime(utcnow()))]
    if actor is not None:
        lines.append((_("生成人"), actor.name))
    return lines


def summary_lines(statement: Statement) -> list[tuple[str, int, bool]]:
    """(label, fen, is a main line) of the figures, in the order shown; the lines under a main
    line make it up (those starting with "减" taken away)."""
    s = statement
    return [(_("期初余额"), s.opening_fen, True),
            (_("本期收入"), s.in_fen, True),
            (_("拨款"), s.allocations_fen, False),
            (_("捐赠"), s.donations_fen, False),
            (_("减：收入冲正"), s.income_reversed_fen, False),
            (_("本期支出"), s.out_fen, True),
            (_("救助和慰问支出"), s.payouts_fen, False),
            (_("减：支出冲正"), s.payouts_reversed_fen, False),
            (_("期末余额（期初余额 + 本期收入 − 本期支出）"), s.closing_fen, True),
            (_("期末预留（已批准待发放）"), s.reserved_fen, True),
            (_("期末可用余额"), s.available_fen, True)]


def reconciliation_text(statement: Statement) -> str:
    return _("期初余额 %(opening)s 元 + 本期收入 %(money_in)s 元 − 本期支出 %(money_out)s 元 = "
             "期末余额 %(closing)s 元", opening=yuan(statement.opening_fen),
             money_in=yuan(statement.in_fen), money_out=yuan(statement.out_fen),
             closing=yuan(statement.closing_fen))


def kind_text(row: Row) -> str:
    if row.undoes is not None:
        return _("冲正（%(kind)s）", kind=row.undoes.label)
    return str(row.entry.kind.label)


def entry_text(row: Row) -> str:
    """What the entry is: donor and receipt, the application or visit, the reversal's reason."""
    entry = row.entry
    parts = []
    if entry.reverses_id is not None:
        parts.append(_("冲正第 %(entry)s 号流水", entry=entry.reverses_id))
    if entry.donor:
        parts.append(_("捐赠人：%(donor)s", donor=entry.donor))
    if entry.receipt_number:
        parts.append(_("收据编号：%(number)s", number=entry.receipt_number))
    if entry.application_id is not None and entry.reverses_id is None:
        parts.append(_("救助申请第 %(id)s 号", id=entry.application_id))
    if entry.visit_id is not None and entry.reverses_id is None:
        parts.append(_("工会慰问第 %(id)s 号", id=entry.visit_id))
    if entry.note:
        parts.append(entry.note)
    return "；".join(parts)


#: The entries' columns (translated when written).
HEADERS = (N_("日期"), N_("流水号"), N_("类型"), N_("用途"), N_("摘要"), N_("收入（元）"),
           N_("支出（元）"), N_("预留变动（元）"), N_("余额（元）"))


def headers() -> list[str]:
    return [_(label) for label in HEADERS]


def yuan(fen: int) -> str:
    return format_yuan(fen, grouping=True)


def _money_or_blank(fen: int) -> str:
    return yuan(fen) if fen else ""


def row_texts(row: Row) -> list[str]:
    return [format_date(row.entry.booked_on), str(row.entry.id), kind_text(row),
            str(purpose_label(row.entry.balance.purpose)), entry_text(row),
            _money_or_blank(row.in_fen), _money_or_blank(row.out_fen),
            _money_or_blank(row.reserved_fen), yuan(row.balance_fen)]
