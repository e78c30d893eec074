"""Hardship aid's indicators against figures counted by hand on one fixed data set: applications
(by reason and outcome), families and children helped, the days from applying to the first help
(a median), the funds' money in and out (the ledger's view, reversals counted on their own day),
pairings running at the end of the period, their contacts, and union visits with what they
gave; each for subtrees and quarters of local days in Shanghai time.

Rows are written directly with the models and the ledger's functions (no approval chains): the
figures read nothing else.
"""
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from plugin.aid import ledger
from plugin.aid.models import (
    UNRESTRICTED,
    AidApplication,
    AidFund,
    AidReason,
    ApplicationChild,
    ApplicationStatus,
    ContactKind,
    EntryKind,
    FundKind,
    HelperKind,
    HelpKind,
    LedgerEntry,
    Pairing,
    PairingContact,
    Payment,
    UnionVisit,
)
from plugin.core import indicators
from plugin.core.db import session
from plugin.core.errors import ValidationError
from plugin.org.models import OrgKind

from .conftest import SYSTEM
from .factories import make_child, make_worker

SHANGHAI = ZoneInfo("Asia/Shanghai")
Q2 = (date(2026, 4, 1), date(2026, 6, 30))
Q3 = (date(2026, 7, 1), date(2026, 9, 30))
Q4 = (date(2026, 10, 1), date(2026, 12, 31))
GENERAL = (UNRESTRICTED,)


def at(month: int, day: int, hour: int = 10, minute: int = 0, year: int = 2026) -> datetime:
    """A moment in Shanghai (stored in UTC)."""
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def on(month: int, day: int) -> date:
    return date(2026, month, day)


def fund(unit, name: str, kind: FundKind) -> AidFund:
    row = AidFund(org_unit_id=unit.id, name=name, kind=kind, created_by=SYSTEM.key)
    session.add(row)
    session.flush()
    return row


def application(worker, reason: AidReason, status: ApplicationStatus, submitted: datetime, *,
                help_kind: HelpKind = HelpKind.CASH, amount_fen: int = 100_000,
                paid_at: datetime | None = None, children=(), fund_row=None) -> AidApplication:
    row = AidApplication(
        worker_id=worker.id, org_unit_id=worker.org_unit_id, reason=reason,
        circumstances="家庭困难", help_kind=help_kind, amount_fen=amount_fen, status=status,
        applied_by=f"worker:{worker.id}", applied_by_name=worker.name, submitted_at=submitted,
        paid_at=paid_at, fund_id=fund_row.id if fund_row else None)
    session.add(row)
    session.flush()
    session.add_all(ApplicationChild(application_id=row.id, child_id=child.id)
                    for child in children)
    session.flush()
    return row


def payment(row: AidApplication, fund_row: AidFund, amount_fen: int, paid_on: date, *,
            reservation: LedgerEntry | None = None) -> LedgerEntry:
    """A payment of ``row`` and its payout (from ``reservation`` when given); the payout."""
    paid = Payment(application_id=row.id, month=paid_on.replace(day=1), amount_fen=amount_fen,
                   paid_on=paid_on, paid_by=SYSTEM.key)
    session.add(paid)
    session.flush()
    if reservation is not None:
        return ledger.pay_reserved(reservation, amount_fen, booked_on=paid_on, actor=SYSTEM,
                                   payment_id=paid.id)
    return ledger.pay_directly(fund_row, GENERAL, amount_fen, booked_on=paid_on, actor=SYSTEM,
                               application_id=row.id, payment_id=paid.id)


def visit(worker, visited_on: date, *, cash_fen: int = 0, fund_row=None,
          goods_value_fen: int = 0) -> tuple[UnionVisit, LedgerEntry | None]:
    row = UnionVisit(worker_id=worker.id, org_unit_id=worker.org_unit_id, visited_on=visited_on,
                     visitors="工会主席、工会干事", cash_fen=cash_fen,
                     fund_id=fund_row.id if cash_fen else None,
                     goods="米面油" if goods_value_fen else None,
                     goods_value_fen=goods_value_fen, recorded_by=SYSTEM.key)
    session.add(row)
    session.flush()
    payout = None
    if cash_fen:
        payout = ledger.pay_directly(fund_row, GENERAL, cash_fen, booked_on=visited_on,
                                     actor=SYSTEM, visit_id=row.id)
    return row, payout


def pairing(worker, kind: HelperKind, starts_on: date, ends_on: date, *,
            ended_at: datetime | None = None, contacts=()) -> Pairing:
    row = Pairing(worker_id=worker.id, org_unit_id=worker.org_unit_id, helper_name="帮扶人",
                  helper_kind=kind, starts_on=starts_on, ends_on=ends_on, ended_at=ended_at,
                  created_by=SYSTEM.key)
    session.add(row)
    session.flush()
    session.add_all(PairingContact(pairing_id=row.id, kind=contact_kind, contacted_on=day,
                                   recorded_by=SYSTEM.key) for contact_kind, day in contacts)
    session.flush()
    return row


def undo(entry: LedgerEntry, booked_on: date) -> LedgerEntry:
    return ledger.reverse(entry, reason="录入错误", booked_on=booked_on, actor=SYSTEM)


@pytest.fixture
def data(company, make_unit, clock):
    """The company's tree: 甲项目部 (with a team) and 乙项目部; a fund of the company (special),
    of 甲 (union) and of 乙 (donations). Quarter boundaries in Shanghai time throughout.

    Applications (submitted, status, help):
      a1 甲 wa1 illness, 1 Sep, paid: reserved 10 Sep, paid 30 Sep ¥1,000 (company fund);
         children ca1, ca2 — 29 days.
      a2 甲 wa1 schooling, 20 Aug, paying: ¥200 on 1 Sep and on 1 Oct (甲's fund); child ca1
         — 12 days.
      a3 team wt disaster, 25 Sep, in kind handed over 30 Sep 23:59; child ct — 5 days.
      a4 甲 wa2 poverty, 30 Sep 23:59, in kind handed over 1 Oct 00:01 (still 30 Sep in UTC)
         — 1 day, in the fourth quarter.
      a5 乙 wb1 illness, 10 Sep: ¥500 paid 20 Sep and reversed 21 Sep, paid again 5 Oct
         (company fund); child cb — first help 5 Oct, 25 days.
      a6 甲 wa2 other, 1 Jul 00:00, rejected; a7 team wt illness, 1 Aug, cancelled;
      a8 甲 wa2 illness, 29 Sep, in review; a9 乙 wb1 schooling, 30 Jun 23:59, sent back.
    Money in: company ¥10,000 (1 Jul); 甲 ¥2,000 (1 Aug), donations ¥500 (30 Sep) and ¥300
    (15 Sep, reversed 20 Sep); 乙 donation ¥800 (1 Oct).
    Visits: va1 甲 wa1 30 Sep ¥100 cash (甲's fund) and ¥60 goods; va2 team wt 28 Sep ¥80
    cash, reversed 2 Oct; vc 甲 wa2 1 Jul ¥30 goods; vb 乙 wb1 2 Oct ¥50 cash (乙's fund,
    reversed 3 Oct) and ¥20 goods.
    Pairings: p1 甲 wa1 manager 1 Jul–31 Dec (visit 5 Jul, call 30 Sep, call 1 Oct); p2 team wt
    party member 1 Aug–30 Sep (visit 15 Aug); p3 乙 wb1 volunteer 1 Mar–31 Dec, ended 30 Sep
    23:59 (call 1 Sep); p4 甲 wa2 volunteer 1 Oct–31 Mar 2027.
    """
    site_a = make_unit(OrgKind.SITE, name="甲项目部")
    team = make_unit(OrgKind.TEAM, parent=site_a, name="钢筋班组")
    site_b = make_unit(OrgKind.SITE, name="乙项目部")
    wa1, wa2, wt, wb1 = (make_worker(site_a), make_worker(site_a), make_worker(team),
                         make_worker(site_b))
    ca1, ca2, ct, cb = make_child(wa1), make_child(wa1), make_child(wt), make_child(wb1)

    company_fund = fund(company, "关爱专项基金", FundKind.SPECIAL)
    fund_a = fund(site_a, "甲工会帮扶资金", FundKind.UNION)
    fund_b = fund(site_b, "乙爱心捐助", FundKind.DONATION)
    income = [
        ledger.receive(company_fund, EntryKind.ALLOCATION, 1_000_000, booked_on=on(7, 1),
                       actor=SYSTEM),
        ledger.receive(fund_a, EntryKind.ALLOCATION, 200_000, booked_on=on(8, 1), actor=SYSTEM),
        ledger.receive(fund_a, EntryKind.DONATION, 50_000, booked_on=on(9, 30), actor=SYSTEM,
                       donor="爱心企业"),
    ]
    mistaken_gift = ledger.receive(fund_a, EntryKind.DONATION, 30_000, booked_on=on(9, 15),
                                   actor=SYSTEM, donor="重复录入")
    income += [mistaken_gift, undo(mistaken_gift, on(9, 20))]
    income_b = ledger.receive(fund_b, EntryKind.DONATION, 80_000, booked_on=on(10, 1),
                              actor=SYSTEM, donor="合作单位")

    paid, inn, paying = ApplicationStatus.PAID, HelpKind.IN_KIND, ApplicationStatus.PAYING
    a1 = application(wa1, AidReason.ILLNESS, paid, at(9, 1), children=[ca1, ca2],
                     fund_row=company_fund, paid_at=at(9, 30, 16))
    a2 = application(wa1, AidReason.SCHOOLING, paying, at(8, 20, 9), amount_fen=20_000,
                     children=[ca1], fund_row=fund_a, paid_at=at(10, 1, 2))
    a3 = application(wt, AidReason.DISASTER, paid, at(9, 25, 8), help_kind=inn,
                     amount_fen=30_000, paid_at=at(9, 30, 23, 59), children=[ct])
    a4 = application(wa2, AidReason.POVERTY, paid, at(9, 30, 23, 59), help_kind=inn,
                     amount_fen=0, paid_at=at(10, 1, 0, 1))
    a5 = application(wb1, AidReason.ILLNESS, paid, at(9, 10, 12), amount_fen=50_000,
                     children=[cb], fund_row=company_fund, paid_at=at(10, 5))
    a6 = application(wa2, AidReason.OTHER, ApplicationStatus.REJECTED, at(7, 1, 0, 0))
    a7 = application(wt, AidReason.ILLNESS, ApplicationStatus.CANCELLED, at(8, 1))
    a8 = application(wa2, AidReason.ILLNESS, ApplicationStatus.IN_REVIEW, at(9, 29))
    a9 = application(wb1, AidReason.SCHOOLING, ApplicationStatus.SENT_BACK, at(6, 30, 23, 59))

    reservation = ledger.reserve(company_fund, GENERAL, 100_000, booked_on=on(9, 10),
                                 actor=SYSTEM, application_id=a1.id)
    out_q3 = [payment(a1, company_fund, 100_000, on(9, 30), reservation=reservation),
              payment(a2, fund_a, 20_000, on(9, 1))]
    mistaken_payment = payment(a5, company_fund, 50_000, on(9, 20))
    out_q3 += [mistaken_payment, undo(mistaken_payment, on(9, 21))]
    out_q4 = [payment(a2, fund_a, 20_000, on(10, 1)), payment(a5, company_fund, 50_000, on(10, 5))]

    va1, cash_a = visit(wa1, on(9, 30), cash_fen=10_000, fund_row=fund_a, goods_value_fen=6_000)
    va2, cash_t = visit(wt, on(9, 28), cash_fen=8_000, fund_row=fund_a)
    vc, _ = visit(wa2, on(7, 1), goods_value_fen=3_000)
    vb, cash_b = visit(wb1, on(10, 2), cash_fen=5_000, fund_row=fund_b, goods_value_fen=2_000)
    out_q3 += [cash_a, cash_t]
    out_q4 += [undo(cash_t, on(10, 2)), cash_b, undo(cash_b, on(10, 3))]

    visit_kind, call = ContactKind.VISIT, ContactKind.CALL
    p1 = pairing(wa1, HelperKind.MANAGER, on(7, 1), on(12, 31),
                 contacts=[(visit_kind, on(7, 5)), (call, on(9, 30)), (call, on(10, 1))])
    p2 = pairing(wt, HelperKind.PARTY_MEMBER, on(8, 1), on(9, 30),
                 contacts=[(visit_kind, on(8, 15))])
    p3 = pairing(wb1, HelperKind.VOLUNTEER, on(3, 1), on(12, 31), ended_at=at(9, 30, 23, 59),
                 contacts=[(call, on(9, 1))])
    p4 = pairing(wa2, HelperKind.VOLUNTEER, on(10, 1), date(2027, 3, 31))
    session.flush()
    return {
        "units": {"company": company, "a": site_a, "team": team, "b": site_b},
        "applications": dict(a1=a1, a2=a2, a3=a3, a4=a4, a5=a5, a6=a6, a7=a7, a8=a8, a9=a9),
        "entries": {"income_q3": income, "income_b": income_b, "out_q3": out_q3,
                    "out_q4": out_q4, "reservation": reservation},
        "visits": dict(va1=va1, va2=va2, vc=vc, vb=vb),
        "pairings": dict(p1=p1, p2=p2, p3=p3, p4=p4),
    }


def paths(data, *names) -> list[str]:
    return [data["units"][name].path for name in names]


def value(code, data, names, period) -> int:
    return indicators.compute(f"aid.{code}", paths(data, *names), *period)


def records(code, data, names, period) -> list[int]:
    return indicators.counted_records(f"aid.{code}", paths(data, *names), *period)


def split(code, by, data, names, period) -> dict[str, int]:
    return indicators.breakdown(f"aid.{code}", by, paths(data, *names), *period)


def ids(rows: dict, *keys) -> list[int]:
    return sorted(rows[key].id for key in keys)


def test_applications_submitted_by_reason_and_outcome(data):
    apps = data["applications"]
    assert value("applications_submitted", data, ["company"], Q3) == 8
    assert records("applications_submitted", data, ["company"], Q3) == ids(
        apps, "a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8")
    assert value("applications_submitted", data, ["a"], Q3) == 7
    assert value("applications_submitted", data, ["team"], Q3) == 2
    assert value("applications_submitted", data, ["b"], Q3) == 1
    assert value("applications_submitted", data, ["team", "b"], Q3) == 3
    assert value("applications_submitted", data, [], Q3) == 0
    # 30 June 23:59 in Shanghai is in the second quarter, 1 July 00:00 in the third.
    assert records("applications_submitted", data, ["company"], Q2) == ids(apps, "a9")

    assert split("applications_submitted", "reason", data, ["company"], Q3) == {
        "illness": 4, "schooling": 1, "disaster": 1, "poverty": 1, "other": 1}
    assert split("applications_submitted", "outcome", data, ["company"], Q3) == {
        "approved": 5, "rejected": 1, "cancelled": 1, "open": 1}
    assert split("applications_submitted", "outcome", data, ["team"], Q3) == {
        "approved": 1, "cancelled": 1}
    assert split("applications_submitted", "outcome", data, ["company"], Q2) == {"open": 1}


def test_families_and_children_helped_leave_out_reversed_payments(data):
    apps = data["applications"]
    # Third quarter: wa1 (two applications, one family), wt (in kind at 23:59 on 30 September);
    # a5's only payment then was reversed, a4's goods were handed over after midnight.
    assert value("families_helped", data, ["company"], Q3) == 2
    assert records("families_helped", data, ["company"], Q3) == ids(apps, "a1", "a2", "a3")
    assert value("children_reached", data, ["company"], Q3) == 3        # ca1 once, ca2, ct
    assert records("children_reached", data, ["company"], Q3) == ids(apps, "a1", "a2", "a3")
    assert value("families_helped", data, ["b"], Q3) == 0
    assert value("children_reached", data, ["team"], Q3) == 1

    # Fourth quarter: wa1 (a2's October month), wa2 (in kind at 00:01 on 1 October), wb1 (a5
    # paid again on 5 October).
    assert value("families_helped", data, ["company"], Q4) == 3
    assert records("families_helped", data, ["company"], Q4) == ids(apps, "a2", "a4", "a5")
    assert value("children_reached", data, ["company"], Q4) == 2        # ca1, cb
    assert records("children_reached", data, ["company"], Q4) == ids(apps, "a2", "a5")
    assert value("families_helped", data, ["a"], Q4) == 2
    assert value("families_helped", data, ["team", "b"], Q4) == 1
    assert value("families_helped", data, ["company"], (date(2026, 9, 21), date(2026, 9, 29))) == 0


def test_median_days_from_applying_to_the_first_help(data):
    apps = data["applications"]
    # 5 (a3), 12 (a2), 29 (a1): the median is 12; the mean would be 15.
    assert value("median_days_to_help", data, ["company"], Q3) == 12
    assert records("median_days_to_help", data, ["company"], Q3) == ids(apps, "a1", "a2", "a3")
    assert value("median_days_to_help", data, ["team"], Q3) == 5
    # 1 (a4: 30 September 23:59 to 1 October 00:01, two local days), 25 (a5, its reversed
    # September payment left out): the mean of the middle two, 13. a2 was first paid before.
    assert value("median_days_to_help", data, ["company"], Q4) == 13
    assert records("median_days_to_help", data, ["company"], Q4) == ids(apps, "a4", "a5")
    assert value("median_days_to_help", data, ["a"], Q4) == 1
    assert value("median_days_to_help", data, ["company"], Q2) == 0
    assert records("median_days_to_help", data, ["company"], Q2) == []


def test_money_in_by_the_fund_s_unit(data):
    entries = data["entries"]
    # Company ¥10,000; 甲 ¥2,000 + ¥500 + ¥300 − ¥300 (the reversed donation).
    assert value("fund_income_fen", data, ["company"], Q3) == 1_250_000
    assert value("fund_income_fen", data, ["a"], Q3) == 250_000
    assert value("fund_income_fen", data, ["team"], Q3) == 0    # 甲's fund is 甲's, not the team's
    assert value("fund_income_fen", data, ["b"], Q3) == 0
    assert value("fund_income_fen", data, ["b"], Q4) == 80_000
    assert records("fund_income_fen", data, ["company"], Q3) == sorted(
        entry.id for entry in entries["income_q3"])
    assert split("fund_income_fen", "fund_kind", data, ["company"], Q3) == {
        "special": 1_000_000, "union": 250_000}
    assert split("fund_income_fen", "source", data, ["company"], Q3) == {
        "allocation": 1_200_000, "donation": 50_000}
    assert split("fund_income_fen", "fund_kind", data, ["company"], Q4) == {"donation": 80_000}


def test_money_out_follows_the_ledger_reversals_on_their_own_day(data):
    entries = data["entries"]
    # Company fund: a1 ¥1,000, a5 ¥500 − ¥500 (reversed the next day); 甲's fund: a2 ¥200 and
    # the visits' cash ¥100 and ¥80 (that one reversed in October). Reservations never count.
    assert value("fund_spending_fen", data, ["company"], Q3) == 138_000
    assert value("fund_spending_fen", data, ["a"], Q3) == 38_000
    assert value("fund_spending_fen", data, ["b"], Q3) == 0
    assert records("fund_spending_fen", data, ["company"], Q3) == sorted(
        entry.id for entry in entries["out_q3"])
    assert entries["reservation"].id not in records("fund_spending_fen", data, ["company"], Q3)
    assert split("fund_spending_fen", "fund_kind", data, ["company"], Q3) == {
        "special": 100_000, "union": 38_000}
    # Fourth quarter: a5 again ¥500; a2 ¥200 − the ¥80 visit cash reversed on 2 October; 乙's
    # ¥50 paid and reversed: nothing, but its entries are there.
    assert value("fund_spending_fen", data, ["company"], Q4) == 62_000
    assert value("fund_spending_fen", data, ["a"], Q4) == 12_000
    assert value("fund_spending_fen", data, ["b"], Q4) == 0
    assert records("fund_spending_fen", data, ["company"], Q4) == sorted(
        entry.id for entry in entries["out_q4"])
    assert split("fund_spending_fen", "fund_kind", data, ["company"], Q4) == {
        "special": 50_000, "union": 12_000, "donation": 0}
    # The ¥80 paid on 28 September and reversed on 2 October: a period of only the reversal.
    assert value("fund_spending_fen", data, ["a"], (date(2026, 10, 2), date(2026, 10, 2))) == -8_000
    # Over both quarters the figures are the funds' books: what was posted, net.
    half = (Q3[0], Q4[1])
    assert value("fund_spending_fen", data, ["company"], half) == 200_000
    assert value("fund_spending_fen", data, ["company"], half) == (
        value("fund_spending_fen", data, ["company"], Q3)
        + value("fund_spending_fen", data, ["company"], Q4))


def test_a_payment_on_the_last_day_of_a_quarter_counts_in_that_quarter(data):
    apps, last_day = data["applications"], (date(2026, 9, 30), date(2026, 9, 30))
    # a1 paid on 30 September, a3's goods handed over at 23:59 that day, 甲's donation and the
    # visit's cash booked then; a4's goods at 00:01 on 1 October are not.
    assert records("families_helped", data, ["company"], last_day) == ids(apps, "a1", "a3")
    assert value("fund_spending_fen", data, ["company"], last_day) == 110_000
    assert value("fund_income_fen", data, ["company"], last_day) == 50_000
    first_day = (date(2026, 10, 1), date(2026, 10, 1))
    assert records("families_helped", data, ["company"], first_day) == ids(apps, "a2", "a4")


def test_pairings_running_at_the_end_of_the_period(data):
    pairings = data["pairings"]
    # 30 September: p1, and p2 on its last day; p3 ended at 23:59 that day; p4 not begun.
    assert value("pairings_active", data, ["company"], Q3) == 2
    assert records("pairings_active", data, ["company"], Q3) == ids(pairings, "p1", "p2")
    assert value("pairings_active", data, ["team"], Q3) == 1
    assert value("pairings_active", data, ["b"], Q3) == 0
    assert value("pairings_active", data, ["b"], (date(2026, 9, 1), date(2026, 9, 29))) == 1
    assert records("pairings_active", data, ["company"], Q4) == ids(pairings, "p1", "p4")
    assert split("pairings_active", "helper_kind", data, ["company"], Q3) == {
        "manager": 1, "party_member": 1}
    days = [date(2026, 9, 29), date(2026, 9, 30), date(2026, 10, 1), date(2026, 12, 31)]
    assert indicators.compute_series("aid.pairings_active", paths(data, "company"), days) == {
        days[0]: 3, days[1]: 2, days[2]: 2, days[3]: 2}
    assert indicators.compute_series("aid.pairings_active", paths(data, "a"), days) == {
        days[0]: 2, days[1]: 2, days[2]: 2, days[3]: 2}


def test_pairing_contacts_in_the_period(data):
    pairings = data["pairings"]
    assert value("pairing_contacts", data, ["company"], Q3) == 4
    assert records("pairing_contacts", data, ["company"], Q3) == ids(pairings, "p1", "p2", "p3")
    assert split("pairing_contacts", "contact_kind", data, ["company"], Q3) == {
        "visit": 2, "call": 2}
    assert value("pairing_contacts", data, ["a"], Q3) == 3
    assert value("pairing_contacts", data, ["b"], Q3) == 1
    assert value("pairing_contacts", data, ["company"], Q4) == 1
    assert records("pairing_contacts", data, ["company"], Q4) == ids(pairings, "p1")


def test_union_visits_and_what_they_gave(data):
    visits = data["visits"]
    assert value("visits_made", data, ["company"], Q3) == 3
    assert records("visits_made", data, ["company"], Q3) == ids(visits, "va1", "va2", "vc")
    assert value("visits_made", data, ["team"], Q3) == 1
    assert value("visits_made", data, ["b"], Q4) == 1
    # va2's ¥80 was reversed: only va1's ¥100 counts; vb's ¥50 too was reversed.
    assert value("visit_cash_fen", data, ["company"], Q3) == 10_000
    assert records("visit_cash_fen", data, ["company"], Q3) == ids(visits, "va1")
    assert value("visit_cash_fen", data, ["company"], Q4) == 0
    assert records("visit_cash_fen", data, ["company"], Q4) == []
    assert value("visit_goods_fen", data, ["company"], Q3) == 9_000
    assert records("visit_goods_fen", data, ["company"], Q3) == ids(visits, "va1", "vc")
    assert value("visit_goods_fen", data, ["b"], Q4) == 2_000


def test_the_indicators_are_declared_with_their_breakdowns(app, company):
    declared = indicators.declared_indicators()
    codes = [code for code in declared if code.startswith("aid.")]
    assert codes == [
        "aid.applications_submitted", "aid.families_helped", "aid.children_reached",
        "aid.median_days_to_help", "aid.fund_income_fen", "aid.fund_spending_fen",
        "aid.pairings_active", "aid.pairing_contacts", "aid.visits_made", "aid.visit_cash_fen",
        "aid.visit_goods_fen"]
    money = {code for code in codes if declared[code][1].is_money}
    assert money == {"aid.fund_income_fen", "aid.fund_spending_fen", "aid.visit_cash_fen",
                     "aid.visit_goods_fen"}
    assert {declared[code][1].record_type for code in codes} == {
        "aid_application", "aid_ledger_entry", "aid_pairing", "aid_visit"}
    assert [code for code in codes if declared[code][1].kind == indicators.STOCK] == [
        "aid.pairings_active"]
    assert "中位数" in str(declared["aid.median_days_to_help"][1].definition)

    title, labels = indicators.describe_breakdown("aid.applications_submitted", "outcome",
                                                  ["approved", "open"])
    assert title == "办理结果" and labels["approved"].startswith("已批准")
    title, labels = indicators.describe_breakdown("aid.fund_spending_fen", "fund_kind",
                                                  ["union"])
    assert (title, labels) == ("基金类别", {"union": "工会帮扶资金"})
    assert indicators.describe_breakdown("aid.fund_income_fen", "source", ["donation"])[1] == {
        "donation": "捐赠"}
    with pytest.raises(ValidationError):
        indicators.breakdown("aid.families_helped", "reason", [company.path], *Q3)
