"""Hardship aid's indicators (declared in its Feature): applications, the families and children
helped, the funds' money in and out, the days from applying to the first help, pairings and union
visits. Each is aggregate SQL for organisation subtrees and a period of whole local days (both
ends included) in the company's time zone.

Where a record counts:

* applications, families, children and days to the first help: under the application's unit
  (the worker's unit when applying, ``AidApplication.org_unit_id``);
* money in and out: under the fund's unit (``AidFund.org_unit_id``). A fund of the company pays
  families of every site, and its money is the company's: it counts for the company and for no
  site;
* pairings and their contacts: under the pairing's unit; union visits: under the visit's unit.

Dates: ledger entries (``booked_on``), payments (``paid_on``), contacts and visits carry a day of
the company's calendar, compared with the period's days as they are. Moments (an application's
``submitted_at``, the ``paid_at`` of in-kind help handed over, a pairing's ``ended_at``) are UTC
and compared with the UTC bounds of the period's local days: in-kind help recorded at 23:59 in
Shanghai on 30 September counts in the third quarter.

Reversals: the money figures follow the ledger exactly as the fund's statement does
(:mod:`.statements`): an entry counts on the day it was booked, and a reversal takes its amount
off on the day *it* was booked (a period holding only the reversal of an earlier payout shows
less, even below zero); so the figures of all periods add up to the funds' books. A payment
whose payout was reversed was a mistake and helped nobody: it counts for no family, no child and
no first payment. The cash of a union visit whose payout was reversed counts for nothing.

The days from applying to the first help are the *median* over the applications first helped in
the period, from the local day of submission to the day of the first help. On PostgreSQL the
local day of a moment is exact in any time zone; SQLite (development and tests) has no time
zones and shifts by the zone's UTC offset on the period's last day, which is exact for zones
without daylight saving time (China's).
"""
from __future__ import annotations

import enum
import math
from datetime import date, datetime, time

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Date,
    Integer,
    Select,
    and_,
    case,
    distinct,
    exists,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.functions import FunctionElement

from ..core.dates import company_zone, day_bounds
from ..core.db import session
from ..core.indicators import FLOW, STOCK, Indicator, ListPage
from ..org.queries import unit_id_in_subtrees
from .ledger import INCOME_KINDS
from .models import (
    AID_REASON_LABELS,
    CONTACT_KIND_LABELS,
    FUND_KIND_LABELS,
    HELPER_KIND_LABELS,
    AidApplication,
    AidFund,
    ApplicationChild,
    ApplicationStatus,
    EntryKind,
    HelpKind,
    LedgerEntry,
    Pairing,
    PairingContact,
    Payment,
    UnionVisit,
)
from .permissions import AID_VIEW

# -- days and moments ----------------------------------------------------------------------------


def _end_of(day: date) -> datetime:
    """The local midnight ending ``day``, in UTC."""
    return day_bounds(day, day)[1]


class local_day(FunctionElement):
    """The company's calendar day of a UTC moment: ``local_day(column, zone name, SQLite
    offset)`` (see the module doc for SQLite)."""

    type = Date()
    inherit_cache = True


@compiles(local_day)
def _local_day(element, compiler, **kw):  # PostgreSQL: the wall-clock time in the zone, its day
    moment, zone, _offset = element.clauses
    return (f"CAST(timezone({compiler.process(zone, **kw)}, {compiler.process(moment, **kw)})"
            " AS DATE)")


@compiles(local_day, "sqlite")
def _local_day_sqlite(element, compiler, **kw):  # naive UTC text shifted by a fixed offset
    moment, _zone, offset = element.clauses
    return f"date({compiler.process(moment, **kw)}, {compiler.process(offset, **kw)})"


def _local_day_of(column, end: date):
    zone = company_zone()
    minutes = int(zone.utcoffset(datetime.combine(end, time(12))).total_seconds() // 60)
    return local_day(column, literal(zone.key), literal(f"{minutes:+d} minutes"))


class day_number(FunctionElement):
    """Days from 1970-01-01 to a date, an integer on either database (for day differences)."""

    type = Integer()
    inherit_cache = True


@compiles(day_number)
def _day_number(element, compiler, **kw):  # PostgreSQL: date - date is a number of days
    return f"({compiler.process(element.clauses, **kw)} - DATE '1970-01-01')"


@compiles(day_number, "sqlite")
def _day_number_sqlite(element, compiler, **kw):  # dates are YYYY-MM-DD text
    days = f"julianday({compiler.process(element.clauses, **kw)}) - 2440587.5"
    return f"CAST(round({days}) AS INTEGER)"


def _count(statement) -> int:
    return session.execute(select(func.count()).select_from(statement.subquery())).scalar_one()


def _key(value) -> str:
    return value.value if isinstance(value, enum.Enum) else str(value)


def _grouped(statement) -> dict[str, int]:
    return {_key(key): int(value) for key, value in session.execute(statement)}


# -- applications --------------------------------------------------------------------------------

def _in_scope(paths: list[str]):
    return unit_id_in_subtrees(AidApplication.org_unit_id, paths)


def _submitted(paths: list[str], start: date, end: date):
    since, until = day_bounds(start, end)
    return and_(_in_scope(paths), AidApplication.submitted_at >= since,
                AidApplication.submitted_at < until)


def applications_submitted(paths: list[str], start: date, end: date) -> int:
    return session.execute(select(func.count()).select_from(AidApplication)
                           .where(_submitted(paths, start, end))).scalar_one()


def applications_submitted_records(paths: list[str], start: date, end: date) -> Select:
    return select(AidApplication.id).where(_submitted(paths, start, end))


#: The outcome breakdown: key → the statuses it gathers (an application's status now).
OUTCOMES = {
    "approved": (ApplicationStatus.APPROVED, ApplicationStatus.PAYING, ApplicationStatus.PAID,
                 ApplicationStatus.CLOSED),
    "rejected": (ApplicationStatus.REJECTED,),
    "cancelled": (ApplicationStatus.CANCELLED,),
    "open": (ApplicationStatus.IN_REVIEW, ApplicationStatus.SENT_BACK),
}
OUTCOME_LABELS = {
    "approved": _l("已批准（含已发放、已结案）"),
    "rejected": _l("未通过"),
    "cancelled": _l("已撤销"),
    "open": _l("审批中或退回补充"),
}
APPLICATION_BREAKDOWNS = ("reason", "outcome")


def applications_submitted_breakdown(paths: list[str], start: date, end: date,
                                     by: str) -> dict[str, int]:
    if by == "reason":
        key = AidApplication.reason
    else:
        key = case(*((AidApplication.status.in_(statuses), outcome)
                     for outcome, statuses in OUTCOMES.items()), else_="open")
    key = key.label("key")
    return _grouped(select(key, func.count()).where(_submitted(paths, start, end)).group_by(key))


def _payment_kept():
    """SQL condition on :class:`Payment`: its payout was not reversed."""
    return ~exists().where(LedgerEntry.payment_id == Payment.id,
                           LedgerEntry.kind == EntryKind.REVERSAL)


def _handed_over(start: date, end: date):
    """SQL condition: in-kind help handed over in the period (the application paid then)."""
    since, until = day_bounds(start, end)
    return and_(AidApplication.help_kind == HelpKind.IN_KIND,
                AidApplication.status == ApplicationStatus.PAID,
                AidApplication.paid_at >= since, AidApplication.paid_at < until)


def _helped(paths: list[str], start: date, end: date, *columns) -> Select:
    """``columns`` (default: the id) of the applications helped in the period: a payment not
    reversed paid on one of its days, or in-kind help handed over."""
    paid = select(Payment.application_id).where(Payment.paid_on >= start, Payment.paid_on <= end,
                                                _payment_kept())
    return select(*(columns or (AidApplication.id,))).select_from(AidApplication).where(
        _in_scope(paths), or_(AidApplication.id.in_(paid), _handed_over(start, end)))


def families_helped(paths: list[str], start: date, end: date) -> int:
    return session.execute(_helped(paths, start, end,
                                   func.count(distinct(AidApplication.worker_id)))).scalar_one()


def families_helped_records(paths: list[str], start: date, end: date) -> Select:
    return _helped(paths, start, end)


def children_reached(paths: list[str], start: date, end: date) -> int:
    return session.execute(
        select(func.count(distinct(ApplicationChild.child_id)))
        .where(ApplicationChild.application_id.in_(_helped(paths, start, end)))).scalar_one()


def children_reached_records(paths: list[str], start: date, end: date) -> Select:
    return _helped(paths, start, end).where(
        exists().where(ApplicationChild.application_id == AidApplication.id))


def _first_helped(paths: list[str], start: date, end: date):
    """(application id, days from the local day of submission to the first help) of the
    applications whose first help falls in the period, as a subquery."""
    first_paid = (select(Payment.application_id.label("application_id"),
                         func.min(Payment.paid_on).label("day"))
                  .where(_payment_kept()).group_by(Payment.application_id).subquery())
    submitted = day_number(_local_day_of(AidApplication.submitted_at, end))
    cash = (select(AidApplication.id.label("application_id"),
                   (day_number(first_paid.c.day) - submitted).label("days"))
            .join(first_paid, first_paid.c.application_id == AidApplication.id)
            .where(_in_scope(paths), first_paid.c.day >= start, first_paid.c.day <= end))
    in_kind = (select(AidApplication.id.label("application_id"),
                      (day_number(_local_day_of(AidApplication.paid_at, end)) - submitted)
                      .label("days"))
               .where(_in_scope(paths), _handed_over(start, end)))
    return union_all(cash, in_kind).subquery()


def median_days_to_help(paths: list[str], start: date, end: date) -> int:
    waits = _first_helped(paths, start, end)
    ranked = select(waits.c.days, func.row_number().over(order_by=waits.c.days).label("rank"),
                    func.count().over().label("total")).subquery()
    # The middle row, or the two middle rows of an even number.
    median = session.execute(select(func.avg(ranked.c.days)).where(
        ranked.c.rank >= (ranked.c.total + 1) // 2,
        ranked.c.rank <= (ranked.c.total + 2) // 2)).scalar_one()
    return 0 if median is None else math.floor(float(median) + 0.5)


def median_days_to_help_records(paths: list[str], start: date, end: date) -> Select:
    return select(_first_helped(paths, start, end).c.application_id)


# -- funds ---------------------------------------------------------------------------------------

#: The entry a reversal undoes.
_UNDONE = aliased(LedgerEntry, name="undone")
_SIGNED = case((LedgerEntry.kind == EntryKind.REVERSAL, -LedgerEntry.amount_fen),
               else_=LedgerEntry.amount_fen)
_TOTAL = func.coalesce(func.sum(_SIGNED), 0)
OUT_KINDS = (EntryKind.PAYOUT,)


def _fund_entries(kinds, paths: list[str], start: date, end: date, *columns) -> Select:
    """``columns`` (default: the entry's id) of the entries of ``kinds`` booked in the period in
    funds of the subtrees, and of the reversals booked then of entries of those kinds."""
    return (select(*(columns or (LedgerEntry.id,))).select_from(LedgerEntry)
            .join(AidFund, AidFund.id == LedgerEntry.fund_id)
            .outerjoin(_UNDONE, _UNDONE.id == LedgerEntry.reverses_id)
            .where(unit_id_in_subtrees(AidFund.org_unit_id, paths),
                   LedgerEntry.booked_on >= start, LedgerEntry.booked_on <= end,
                   or_(LedgerEntry.kind.in_(kinds),
                       and_(LedgerEntry.kind == EntryKind.REVERSAL, _UNDONE.kind.in_(kinds)))))


def _money(kinds, paths: list[str], start: date, end: date) -> int:
    return int(session.execute(_fund_entries(kinds, paths, start, end, _TOTAL)).scalar_one())


def _money_breakdown(kinds, paths: list[str], start: date, end: date, by: str) -> dict[str, int]:
    key = (AidFund.kind if by == "fund_kind"
           else func.coalesce(_UNDONE.kind, LedgerEntry.kind)).label("key")
    return _grouped(_fund_entries(kinds, paths, start, end, key, _TOTAL).group_by(key))


def fund_income_fen(paths: list[str], start: date, end: date) -> int:
    return _money(INCOME_KINDS, paths, start, end)


def fund_income_fen_records(paths: list[str], start: date, end: date) -> Select:
    return _fund_entries(INCOME_KINDS, paths, start, end)


def fund_income_fen_breakdown(paths: list[str], start: date, end: date,
                              by: str) -> dict[str, int]:
    return _money_breakdown(INCOME_KINDS, paths, start, end, by)


def fund_spending_fen(paths: list[str], start: date, end: date) -> int:
    return _money(OUT_KINDS, paths, start, end)


def fund_spending_fen_records(paths: list[str], start: date, end: date) -> Select:
    return _fund_entries(OUT_KINDS, paths, start, end)


def fund_spending_fen_breakdown(paths: list[str], start: date, end: date,
                                by: str) -> dict[str, int]:
    return _money_breakdown(OUT_KINDS, paths, start, end, by)


# -- pairings ------------------------------------------------------------------------------------

def _pairing_in_scope(paths: list[str]):
    return unit_id_in_subtrees(Pairing.org_unit_id, paths)


def active_on(day: date):
    """SQL condition: the pairing ran at the end of ``day`` (begun, its last day not passed,
    not ended early by then)."""
    return and_(Pairing.starts_on <= day, Pairing.ends_on >= day,
                or_(Pairing.ended_at.is_(None), Pairing.ended_at >= _end_of(day)))


def pairings_active_records(paths: list[str], start: date, end: date) -> Select:
    return select(Pairing.id).where(_pairing_in_scope(paths), active_on(end))


def pairings_active(paths: list[str], start: date, end: date) -> int:
    return _count(pairings_active_records(paths, start, end))


def pairings_active_series(paths: list[str], days: list[date]) -> dict[date, int]:
    """Pairings running at the end of each day, in one pass over the pairings."""
    counted = [func.count().filter(active_on(day)) for day in days]
    row = session.execute(select(*counted).select_from(Pairing)
                          .where(_pairing_in_scope(paths))).one()
    return dict(zip(days, row, strict=True))


def pairings_active_breakdown(paths: list[str], start: date, end: date,
                              by: str) -> dict[str, int]:
    key = Pairing.helper_kind.label("key")
    return _grouped(select(key, func.count()).where(_pairing_in_scope(paths), active_on(end))
                    .group_by(key))


def _contacts(paths: list[str], start: date, end: date, *columns) -> Select:
    return (select(*columns).select_from(PairingContact)
            .join(Pairing, Pairing.id == PairingContact.pairing_id)
            .where(_pairing_in_scope(paths), PairingContact.contacted_on >= start,
                   PairingContact.contacted_on <= end))


def pairing_contacts(paths: list[str], start: date, end: date) -> int:
    return session.execute(_contacts(paths, start, end, func.count())).scalar_one()


def pairing_contacts_records(paths: list[str], start: date, end: date) -> Select:
    """The pairings with a contact in the period."""
    return _contacts(paths, start, end, Pairing.id).distinct()


def pairing_contacts_breakdown(paths: list[str], start: date, end: date,
                               by: str) -> dict[str, int]:
    key = PairingContact.kind.label("key")
    return _grouped(_contacts(paths, start, end, key, func.count()).group_by(key))


# -- union visits --------------------------------------------------------------------------------

def _visits(paths: list[str], start: date, end: date, *columns) -> Select:
    return select(*(columns or (UnionVisit.id,))).select_from(UnionVisit).where(
        unit_id_in_subtrees(UnionVisit.org_unit_id, paths),
        UnionVisit.visited_on >= start, UnionVisit.visited_on <= end)


def _cash_kept():
    """SQL condition on :class:`UnionVisit`: its cash payout was not reversed."""
    return ~exists().where(LedgerEntry.visit_id == UnionVisit.id,
                           LedgerEntry.kind == EntryKind.REVERSAL)


def visits_made(paths: list[str], start: date, end: date) -> int:
    return session.execute(_visits(paths, start, end, func.count())).scalar_one()


def visits_made_records(paths: list[str], start: date, end: date) -> Select:
    return _visits(paths, start, end)


def visit_cash_fen(paths: list[str], start: date, end: date) -> int:
    total = func.coalesce(func.sum(UnionVisit.cash_fen), 0)
    return int(session.execute(_visits(paths, start, end, total).where(_cash_kept()))
               .scalar_one())


def visit_cash_fen_records(paths: list[str], start: date, end: date) -> Select:
    return _visits(paths, start, end).where(UnionVisit.cash_fen > 0, _cash_kept())


def visit_goods_fen(paths: list[str], start: date, end: date) -> int:
    total = func.coalesce(func.sum(UnionVisit.goods_value_fen), 0)
    return int(session.execute(_visits(paths, start, end, total)).scalar_one())


def visit_goods_fen_records(paths: list[str], start: date, end: date) -> Select:
    return _visits(paths, start, end).where(UnionVisit.goods_value_fen > 0)


# -- how breakdowns read -------------------------------------------------------------------------

SOURCE_LABELS = {EntryKind.ALLOCATION.value: _l("拨款"), EntryKind.DONATION.value: _l("捐赠")}
BREAKDOWN_TITLES = {
    "reason": _l("困难原因"), "outcome": _l("办理结果"), "fund_kind": _l("基金类别"),
    "source": _l("资金来源"), "helper_kind": _l("帮扶人类别"), "contact_kind": _l("联系方式"),
}
_LABELS = {
    "reason": AID_REASON_LABELS, "outcome": OUTCOME_LABELS, "fund_kind": FUND_KIND_LABELS,
    "source": SOURCE_LABELS, "helper_kind": HELPER_KIND_LABELS,
    "contact_kind": CONTACT_KIND_LABELS,
}


def describe_breakdown(by: str, keys: list[str]) -> tuple[str, dict[str, str]]:
    """How a breakdown of the aid figures reads: its title and a label per key."""
    labels = {_key(key): str(label) for key, label in _LABELS.get(by, {}).items()}
    return str(BREAKDOWN_TITLES.get(by, by)), labels


_APPLICATIONS = ListPage("carebridge.aid.index", AID_VIEW)
_FUNDS = ListPage("carebridge.aid_funds.index", AID_VIEW)
_PAIRINGS = ListPage("carebridge.aid_pairings.index", AID_VIEW)
_VISITS = ListPage("carebridge.aid_visits.index", AID_VIEW)
_DESCRIBE = "indicators:describe_breakdown"

INDICATORS = (
    Indicator("aid.applications_submitted", _l("提交的困难帮扶申请"), _l("份申请"),
              _l("提交日期在统计期内的困难帮扶申请份数（退回补充后重新提交的不重复计算，按首次"
                 "提交的日期），按职工申请时所在单位统计。可按困难原因分组，也可按办理结果（申请"
                 "现在的状态）分组：已批准（含已发放、已结案）、未通过、已撤销、审批中或退回补充。"
                 "明细为这些申请"),
              "indicators:applications_submitted", "indicators:applications_submitted_records",
              "aid_application", FLOW, APPLICATION_BREAKDOWNS,
              "indicators:applications_submitted_breakdown", _DESCRIBE, list_page=_APPLICATIONS),
    Indicator("aid.families_helped", _l("得到帮扶的困难家庭"), _l("户"),
              _l("统计期内得到帮扶的职工家庭户数：申请的现金救助在期内有发放（按发放日期，按月救助"
                 "每月的发放都算；已冲正的发放不算），或实物帮扶在期内登记交付；每位职工算一户，"
                 "只计一次；按职工申请时所在单位统计。明细为这些申请"),
              "indicators:families_helped", "indicators:families_helped_records",
              "aid_application", FLOW, list_page=_APPLICATIONS),
    Indicator("aid.children_reached", _l("困难帮扶惠及的职工子女"), _l("人"),
              _l("统计期内得到帮扶的申请（口径同“得到帮扶的困难家庭”）所帮助的职工子女人数，每个"
                 "孩子只计一次；按职工申请时所在单位统计。明细为其中写明了所帮助子女的申请"),
              "indicators:children_reached", "indicators:children_reached_records",
              "aid_application", FLOW, list_page=_APPLICATIONS),
    Indicator("aid.median_days_to_help", _l("从申请到首次发放的天数（中位数）"), _l("天"),
              _l("首次发放在统计期内的困难帮扶申请，从提交申请当天到首次发放当天相隔天数的中位数"
                 "（不是平均数；申请份数为偶数时取中间两份的平均），四舍五入到整天；期内没有这样的"
                 "申请时为 0。首次发放：现金救助为第一笔未冲正发放的发放日期，实物帮扶为登记交付的"
                 "日期；日期均按公司所在时区。按职工申请时所在单位统计。明细为这些申请"),
              "indicators:median_days_to_help", "indicators:median_days_to_help_records",
              "aid_application", FLOW, list_page=_APPLICATIONS),
    Indicator("aid.fund_income_fen", _l("帮扶基金收入（分）"), _l("分"),
              _l("统计期内记账的拨款和捐赠，减去期内记账的对拨款、捐赠的冲正，单位为分（1 元 = "
                 "100 分）；按基金所属单位统计（上级单位的基金只计入上级单位），与基金收支对账单的"
                 "收入一致。可按基金类别和资金来源（拨款、捐赠）分组。明细为这些基金流水"),
              "indicators:fund_income_fen", "indicators:fund_income_fen_records",
              "aid_ledger_entry", FLOW, ("fund_kind", "source"),
              "indicators:fund_income_fen_breakdown", _DESCRIBE, list_page=_FUNDS),
    Indicator("aid.fund_spending_fen", _l("帮扶基金支出（分）"), _l("分"),
              _l("统计期内记账的支出（困难帮扶发放和工会慰问金），减去期内记账的对支出的冲正，单位"
                 "为分（1 元 = 100 分）；按基金所属单位统计（上级单位的基金只计入上级单位），与基金"
                 "收支对账单的支出一致。冲正计入冲正记账的当期，所以只有冲正的期间可能为负数。可按"
                 "基金类别分组。明细为这些基金流水"),
              "indicators:fund_spending_fen", "indicators:fund_spending_fen_records",
              "aid_ledger_entry", FLOW, ("fund_kind",),
              "indicators:fund_spending_fen_breakdown", _DESCRIBE, list_page=_FUNDS),
    Indicator("aid.pairings_active", _l("进行中的结对帮扶"), _l("对"),
              _l("期末当天进行中的结对帮扶数：开始日期不晚于期末，结束日期不早于期末，且期末当天"
                 "结束前没有提前结束；按结对登记的单位统计。可按帮扶人类别分组。明细为这些结对"),
              "indicators:pairings_active", "indicators:pairings_active_records", "aid_pairing",
              STOCK, ("helper_kind",), "indicators:pairings_active_breakdown", _DESCRIBE,
              "indicators:pairings_active_series",
              list_page=ListPage("carebridge.aid_pairings.index", AID_VIEW,
                                 {"status": "running"})),
    Indicator("aid.pairing_contacts", _l("结对帮扶联系次数"), _l("次"),
              _l("联系日期在统计期内的结对帮扶走访和电话次数，按结对登记的单位统计。可按联系方式"
                 "分组。明细为期内有联系的结对"),
              "indicators:pairing_contacts", "indicators:pairing_contacts_records", "aid_pairing",
              FLOW, ("contact_kind",), "indicators:pairing_contacts_breakdown", _DESCRIBE,
              list_page=_PAIRINGS),
    Indicator("aid.visits_made", _l("工会慰问"), _l("次慰问"),
              _l("慰问日期在统计期内的工会慰问次数，按慰问登记的单位（所慰问职工的单位）统计。"
                 "明细为这些慰问"),
              "indicators:visits_made", "indicators:visits_made_records", "aid_visit", FLOW,
              list_page=_VISITS),
    Indicator("aid.visit_cash_fen", _l("工会慰问金（分）"), _l("分"),
              _l("慰问日期在统计期内的工会慰问送出的慰问金之和，单位为分（1 元 = 100 分）；慰问金"
                 "支出已冲正的慰问不计；按慰问登记的单位统计（基金支出则按基金所属单位统计）。明细"
                 "为送了慰问金的这些慰问"),
              "indicators:visit_cash_fen", "indicators:visit_cash_fen_records", "aid_visit",
              FLOW, list_page=_VISITS),
    Indicator("aid.visit_goods_fen", _l("工会慰问品价值（分）"), _l("分"),
              _l("慰问日期在统计期内的工会慰问所送慰问品的登记价值之和，单位为分（1 元 = 100 分）；"
                 "按慰问登记的单位统计。明细为送了慰问品的这些慰问"),
              "indicators:visit_goods_fen", "indicators:visit_goods_fen_records", "aid_visit",
              FLOW, list_page=_VISITS),
)
