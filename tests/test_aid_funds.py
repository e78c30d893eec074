"""Funds and their ledger: opening and closing funds, income, the ledger's invariants (never
negative, restricted money kept for its purpose, reversals once and never of money spent,
entries written once), who sees which fund, and the fund pages with each refusal."""
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from plugin.access.roles import Role
from plugin.access.scope import Scope
from plugin.aid import funds, ledger
from plugin.aid.models import (
    LEDGER_MESSAGE,
    AidFund,
    AidReason,
    EntryKind,
    FundBalance,
    FundKind,
    LedgerEntry,
)
from plugin.audit.models import AuditEvent
from plugin.core.db import session
from plugin.core.errors import ValidationError
from plugin.org.models import OrgKind

from .aid_funds_support import (
    TODAY,
    allocate,
    balance_sums,
    bare_application,
    donate,
    ledger_sums,
    open_fund,
    payment_for,
)
from .conftest import SYSTEM, submit


def entry_count() -> int:
    return session.scalar(select(func.count()).select_from(LedgerEntry))


def actions(code: str) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == code)))


@pytest.fixture
def sites(make_unit):
    return make_unit(OrgKind.SITE, name="甲项目部"), make_unit(OrgKind.SITE, name="乙项目部")


# -- services -------------------------------------------------------------------------------------

def test_a_fund_is_opened_audited_and_its_name_is_unique_within_its_unit(company, sites, clock):
    fund = open_fund(company)
    assert fund.org_unit_id == company.id and fund.kind == FundKind.SPECIAL
    assert actions("aid.fund_created")[0].details["aid_fund"] == "困难职工帮扶专项基金"
    with pytest.raises(ValidationError) as refused:
        open_fund(company)
    assert refused.value.field == "name" and "已有名为“困难职工帮扶专项基金”的基金" in str(
        refused.value.localized())
    assert open_fund(sites[0]).id  # the same name in another unit is another fund
    with pytest.raises(ValidationError) as empty:
        funds.create_fund(None, " ", None, None, SYSTEM)
    assert {error.field for error in empty.value.errors} == {"unit", "name", "kind"}


def test_income_is_recorded_with_its_rules(company, clock):
    fund = open_fund(company)
    entry = allocate(fund, 100_000)
    assert entry.kind == EntryKind.ALLOCATION and balance_sums(fund.id)["income"] == 100_000
    audit = actions("aid.income_recorded")[0].details
    assert audit["aid_amount_fen"] == 100_000 and audit["aid_entry"] == entry.id
    with pytest.raises(ValidationError) as refused:
        funds.record_income(fund, EntryKind.DONATION, 0, TODAY.replace(day=23), "holiday",
                            " ", None, None, SYSTEM)
    assert {error.field for error in refused.value.errors} == {
        "amount_fen", "booked_on", "purpose", "donor", "receipt_number"}
    assert {str(error) for error in refused.value.errors} >= {
        "捐赠请填写捐赠人", "捐赠请填写收据编号", "入账日期不能晚于今天"}
    donate(fund, 5_000, receipt="JZ-1")
    with pytest.raises(ValidationError, match="已在"):
        donate(fund, 5_000, receipt="JZ-1")
    assert balance_sums(fund.id)["income"] == 105_000


def test_reserving_more_than_is_available_is_refused_clearly_and_writes_nothing(
        company, make_worker, clock):
    fund = open_fund(company)
    allocate(fund, 50_000)
    application = bare_application(make_worker(company), amount_fen=60_000)
    before, sums = entry_count(), balance_sums(fund.id)
    with pytest.raises(ledger.FundShort) as short:
        ledger.reserve(fund, ("illness", "general"), 60_000, booked_on=TODAY, actor=SYSTEM,
                       application_id=application.id)
    assert short.value.localized() == (
        "困难职工帮扶专项基金可用余额不足：需要 600.00 元，可用 500.00 元")
    assert entry_count() == before and balance_sums(fund.id) == sums


def test_restricted_money_is_spent_only_on_its_purpose(company, make_worker, clock):
    fund = open_fund(company)
    donate(fund, 50_000, purpose=AidReason.SCHOOLING.value)
    worker = make_worker(company)
    illness = bare_application(worker, reason=AidReason.ILLNESS)
    with pytest.raises(ledger.FundShort):
        ledger.reserve(fund, ("illness", "general"), 10_000, booked_on=TODAY, actor=SYSTEM,
                       application_id=illness.id)
    allocate(fund, 20_000)
    reservation = ledger.reserve(fund, ("illness", "general"), 10_000, booked_on=TODAY,
                                 actor=SYSTEM, application_id=illness.id)
    assert reservation.balance.purpose == "general"
    schooling = bare_application(worker, reason=AidReason.SCHOOLING)
    first = ledger.reserve(fund, ("schooling", "general"), 10_000, booked_on=TODAY,
                           actor=SYSTEM, application_id=schooling.id)
    assert first.balance.purpose == "schooling"  # restricted money first
    rows = {row.purpose: row.available_fen for row in funds.balances_of(fund)}
    assert rows == {"general": 10_000, "schooling": 40_000}


def test_income_already_spent_cannot_be_reversed(company, make_worker, clock):
    fund = open_fund(company)
    entry = allocate(fund, 50_000)
    application = bare_application(make_worker(company), amount_fen=30_000)
    ledger.reserve(fund, ("illness", "general"), 30_000, booked_on=TODAY, actor=SYSTEM,
                   application_id=application.id)
    before = entry_count()
    with pytest.raises(ledger.FundShort) as refused:
        funds.reverse_entry(entry, "金额录错", SYSTEM)
    assert "已被使用" in refused.value.localized() and "200.00" in refused.value.localized()
    assert entry_count() == before and balance_sums(fund.id)["income"] == 50_000


def test_an_entry_is_reversed_once_with_a_reason_and_reservations_never_by_hand(
        company, make_worker, clock):
    fund = open_fund(company)
    allocate(fund, 100_000)
    wrong = allocate(fund, 20_000, note="录重了")
    with pytest.raises(ValidationError, match="请写明冲正原因"):
        funds.reverse_entry(wrong, "  ", SYSTEM)
    reversal = funds.reverse_entry(wrong, "重复登记", SYSTEM)
    assert reversal.reverses_id == wrong.id and reversal.kind == EntryKind.REVERSAL
    assert funds.reversals_of([wrong]) == {wrong.id: reversal}
    with pytest.raises(ValidationError, match="已经冲正过了"):
        funds.reverse_entry(wrong, "再冲一次", SYSTEM)
    application = bare_application(make_worker(company))
    held = ledger.reserve(fund, ("illness", "general"), 10_000, booked_on=TODAY, actor=SYSTEM,
                          application_id=application.id)
    with pytest.raises(ValidationError, match="不能冲正"):
        funds.reverse_entry(held, "不要了", SYSTEM)
    paid = ledger.pay_reserved(held, 10_000, booked_on=TODAY, actor=SYSTEM,
                               payment_id=payment_for(application, 10_000).id)
    funds.reverse_entry(paid, "银行退回", SYSTEM)
    assert balance_sums(fund.id) == ledger_sums(fund.id) == {
        "income": 100_000, "posted": 0, "reserved": 0}
    assert actions("aid.entry_reversed")[0].details["aid_reason_text"] == "重复登记"


def test_the_database_refuses_to_change_or_delete_an_entry(company, clock):
    fund = open_fund(company)
    entry = allocate(fund, 10_000)
    for statement in (f"UPDATE cb_aid_ledger_entry SET amount_fen = 1 WHERE id = {entry.id}",
                      f"DELETE FROM cb_aid_ledger_entry WHERE id = {entry.id}"):
        with pytest.raises(DBAPIError) as refused, session.begin_nested():
            session.execute(text(statement))
        assert LEDGER_MESSAGE in str(refused.value)
    with pytest.raises(DBAPIError), session.begin_nested():
        session.execute(text("UPDATE cb_aid_fund_balance SET posted_fen = income_fen + 1 "
                             f"WHERE fund_id = {fund.id}"))
    session.expire_all()
    assert session.get(LedgerEntry, entry.id).amount_fen == 10_000


def test_closing_a_fund_needs_a_reason_and_no_money_held(company, make_worker, clock):
    fund = open_fund(company)
    allocate(fund, 50_000)
    application = bare_application(make_worker(company), fund=fund)
    held = ledger.reserve(fund, ("illness", "general"), 10_000, booked_on=TODAY, actor=SYSTEM,
                          application_id=application.id)
    with pytest.raises(ValidationError, match="请写明关闭原因"):
        funds.close_fund(fund, SYSTEM, reason="")
    with pytest.raises(ValidationError, match="100.00 元已批准待发放"):
        funds.close_fund(fund, SYSTEM, reason="年度结束")
    ledger.release(held, 10_000, booked_on=TODAY, actor=SYSTEM)
    with pytest.raises(ValidationError, match="1 户按月救助"):
        funds.close_fund(fund, SYSTEM, reason="年度结束")
    application.fund_id = None
    funds.close_fund(fund, SYSTEM, reason="年度结束")
    assert fund.closed_at is not None and actions("aid.fund_closed")
    with pytest.raises(ValidationError, match="已关闭"):
        allocate(fund, 100)


def test_a_fund_is_seen_in_its_subtree_and_from_below(company, sites, make_unit, clock):
    site_a, site_b = sites
    team = make_unit(OrgKind.TEAM, parent=site_a, name="钢筋班")
    company_fund, fund_a, fund_b = (open_fund(company), open_fund(site_a, "甲工会帮扶金"),
                                    open_fund(site_b, "乙工会帮扶金"))
    seen = {fund.name for fund in funds.funds_in(Scope.of_paths([site_a.path]))}
    assert seen == {company_fund.name, fund_a.name}
    assert {f.id for f in funds.funds_in(Scope.of_paths([team.path]))} == {
        company_fund.id, fund_a.id}
    assert len(funds.funds_in(Scope.company())) == 3 and funds.funds_in(Scope()) == []
    assert funds.reaches(fund_a, Scope.of_paths([team.path]))
    assert not funds.reaches(fund_b, Scope.of_paths([site_a.path]))


# -- pages ----------------------------------------------------------------------------------------

@pytest.fixture
def books(company, sites, make_worker, clock):
    """The company's fund with income, a reservation paid and a reversal; a fund of site 乙."""
    fund = open_fund(company)
    allocate(fund, 100_000)
    donate(fund, 30_000, purpose="schooling", donor="=HYPERLINK(\"x\")", receipt="JZ-9")
    wrong = allocate(fund, 5_000, note="录重了")
    funds.reverse_entry(wrong, "重复登记", SYSTEM)
    application = bare_application(make_worker(sites[0]), amount_fen=20_000)
    held = ledger.reserve(fund, ("illness", "general"), 20_000, booked_on=TODAY, actor=SYSTEM,
                          application_id=application.id)
    ledger.pay_reserved(held, 20_000, booked_on=TODAY, actor=SYSTEM,
                        payment_id=payment_for(application, 20_000).id)
    return {"fund": fund, "wrong": wrong, "other": open_fund(sites[1], "乙工会帮扶金")}


def test_the_funds_list_shows_each_funds_money(books, company, make_user, login):
    client = login(make_user(Role.UNION_OFFICER, company))
    page = client.get("/aid/funds/")
    assert page.status_code == 200 and 'id="new-fund"' in page.text
    row = page.text.split(f'data-fund="{books["fund"].id}"')[1].split("</tr>")[0]
    assert "1,300.00" in row and "200.00" in row and "1,100.00" in row
    assert "乙工会帮扶金" in page.text


def test_the_fund_page_shows_balances_by_purpose_and_the_ledger(books, company, make_user,
                                                                login):
    client = login(make_user(Role.UNION_OFFICER, company))
    fund, wrong = books["fund"], books["wrong"]
    page = client.get(f"/aid/funds/{fund.id}")
    assert page.status_code == 200
    assert "子女上学费用" in page.text and "限定用途" in page.text and "不限用途" in page.text
    assert f'data-reversed-by="{wrong.id + 1}"' in page.text
    assert f'data-reverses="{wrong.id}"' in page.text
    ledger_ids = [int(part.split('"')[0]) for part in page.text.split('data-entry="')[1:]]
    assert ledger_ids == sorted(ledger_ids, reverse=True)  # newest first
    assert f'/aid/funds/entries/{ledger_ids[-1]}/reverse' in page.text


def test_the_ledger_is_paginated(company, make_user, login, clock):
    fund = open_fund(company)
    for _ in range(funds.LEDGER_PAGE_SIZE + 3):
        ledger.receive(fund, EntryKind.ALLOCATION, 100, booked_on=TODAY, actor=SYSTEM)
    client = login(make_user(Role.UNION_OFFICER, company))
    first, second = client.get(f"/aid/funds/{fund.id}"), client.get(f"/aid/funds/{fund.id}?page=2")
    assert first.text.count('data-entry="') == funds.LEDGER_PAGE_SIZE
    assert second.text.count('data-entry="') == 3


def test_funds_outside_the_users_subtree_answer_404_and_without_permission_403(
        books, sites, company, make_user, login):
    fund, other = books["fund"], books["other"]
    site_officer = login(make_user(Role.UNION_OFFICER, sites[0]))
    assert site_officer.get(f"/aid/funds/{fund.id}").status_code == 200  # seen from below
    assert site_officer.get(f"/aid/funds/{fund.id}/income").status_code == 403  # not its books
    for url in (f"/aid/funds/{other.id}", f"/aid/funds/{other.id}/income",
                f"/aid/funds/{other.id}/statement", f"/aid/funds/{other.id}/close",
                f"/aid/funds/{other.id}/statement.pdf", "/aid/funds/99999",
                f"/aid/funds/{2**40}"):
        assert site_officer.get(url).status_code == 404, url
    other_entry = allocate(other, 1_000)
    assert site_officer.get(f"/aid/funds/entries/{other_entry.id}/reverse").status_code == 404
    hr = login(make_user(Role.HR_OFFICER, company))
    for url in ("/aid/funds/", f"/aid/funds/{fund.id}", "/aid/funds/new"):
        assert hr.get(url).status_code == 403, url
    manager = login(make_user(Role.SITE_MANAGER, sites[0]))
    assert manager.get(f"/aid/funds/{fund.id}").status_code == 200
    for url in (f"/aid/funds/{fund.id}/income", f"/aid/funds/{fund.id}/statement",
                f"/aid/funds/entries/{books['wrong'].id}/reverse", "/aid/funds/new"):
        assert manager.get(url).status_code == 403, url


def test_a_fund_is_opened_through_the_form_and_each_error_is_named(sites, company, make_user,
                                                                  login, clock):
    client = login(make_user(Role.UNION_OFFICER, sites[0]))
    before = session.scalar(select(func.count()).select_from(AidFund))
    empty = submit(client, "/aid/funds/new", {})
    assert empty.status_code == 422
    for message in ("请选择基金所属单位", "请填写基金名称", "请选择基金类型"):
        assert message in empty.text, message
    elsewhere = submit(client, "/aid/funds/new", {"unit": str(sites[1].id), "name": "乙基金",
                                                 "kind": "union"})
    assert elsewhere.status_code == 422 and "请选择基金所属单位" in elsewhere.text
    assert session.scalar(select(func.count()).select_from(AidFund)) == before
    fields = {"unit": str(sites[0].id), "name": "甲工会帮扶金", "kind": "union",
              "keeper": "工会 王会计"}
    created = submit(client, "/aid/funds/new", fields)
    assert created.status_code == 302
    fund = session.scalars(select(AidFund).where(AidFund.name == "甲工会帮扶金")).one()
    assert created.headers["Location"].endswith(f"/aid/funds/{fund.id}")
    again = submit(client, "/aid/funds/new", fields)
    assert again.status_code == 422 and "甲项目部已有名为“甲工会帮扶金”的基金" in again.text


def test_income_forms_record_allocations_and_donations_and_refuse_errors(
        company, make_user, login, clock):
    fund = open_fund(company)
    client = login(make_user(Role.UNION_OFFICER, company))
    url = f"/aid/funds/{fund.id}/income"
    assert '<option selected value="donation">' in client.get(url + "?kind=donation").text
    refused = submit(client, url, {"kind": "donation", "amount_fen": "100.005",
                                   "booked_on": "2026-11-30", "purpose": "general"})
    assert refused.status_code == 422
    for message in ("金额最多精确到分", "入账日期不能晚于今天", "捐赠请填写捐赠人",
                    "捐赠请填写收据编号"):
        assert message in refused.text, message
    assert submit(client, url, {}).status_code == 422
    assert entry_count() == 0
    done = submit(client, url, {"kind": "donation", "amount_fen": "1,200.50",
                                "booked_on": "2026-11-20", "purpose": "schooling",
                                "donor": "张先生", "receipt_number": "JZ-0001"})
    assert done.status_code == 302
    entry = session.scalars(select(LedgerEntry)).one()
    assert (entry.amount_fen, entry.donor, entry.balance.purpose) == (120_050, "张先生",
                                                                     "schooling")
    duplicate = submit(client, url, {"kind": "donation", "amount_fen": "10", "booked_on":
                                     "2026-11-20", "purpose": "general", "donor": "李女士",
                                     "receipt_number": "JZ-0001"})
    assert duplicate.status_code == 422 and "已在" in duplicate.text and entry_count() == 1
    assert submit(client, url, {"kind": "allocation", "amount_fen": "50000", "purpose":
                                "general", "booked_on": "2026-11-01"}).status_code == 302
    assert balance_sums(fund.id)["income"] == 5_120_050


def test_an_entry_is_reversed_through_the_form_and_refusals_write_nothing(
        books, company, make_user, login, make_worker):
    client = login(make_user(Role.UNION_OFFICER, company))
    fund, wrong = books["fund"], books["wrong"]
    before = entry_count()
    assert submit(client, f"/aid/funds/entries/{wrong.id}/reverse",
                  {"reason": "再冲一次"}).status_code == 422
    page = client.get(f"/aid/funds/entries/{wrong.id}/reverse")
    assert 'id="already-reversed"' in page.text and 'id="reverse-form"' not in page.text
    first = session.scalars(select(LedgerEntry).where(
        LedgerEntry.fund_id == fund.id).order_by(LedgerEntry.id)).first()
    no_reason = submit(client, f"/aid/funds/entries/{first.id}/reverse", {"reason": ""})
    assert no_reason.status_code == 422 and "请写明冲正原因" in no_reason.text
    spent = submit(client, f"/aid/funds/entries/{first.id}/reverse", {"reason": "拨款撤回"})
    assert spent.status_code == 422 and "已被使用" in spent.text
    reservation = session.scalars(select(LedgerEntry).where(
        LedgerEntry.kind == EntryKind.RESERVATION)).first()
    assert submit(client, f"/aid/funds/entries/{reservation.id}/reverse",
                  {"reason": "x"}).status_code == 422
    assert entry_count() == before
    donation = session.scalars(select(LedgerEntry).where(
        LedgerEntry.kind == EntryKind.DONATION)).one()
    done = submit(client, f"/aid/funds/entries/{donation.id}/reverse", {"reason": "捐赠人撤回"})
    assert done.status_code == 302 and entry_count() == before + 1
    assert balance_sums(fund.id) == ledger_sums(fund.id)


def test_a_fund_is_closed_through_the_form(books, company, make_user, login):
    client = login(make_user(Role.UNION_OFFICER, company))
    fund = books["fund"]
    url = f"/aid/funds/{fund.id}/close"
    assert submit(client, url, {}).status_code == 422
    assert session.get(AidFund, fund.id).closed_at is None
    assert submit(client, url, {"reason": "并入新基金"}).status_code == 302
    session.expire_all()
    assert session.get(AidFund, fund.id).closed_at is not None
    page = client.get(f"/aid/funds/{fund.id}")
    assert "已关闭" in page.text and 'id="record-allocation"' not in page.text
    refused = submit(client, f"/aid/funds/{fund.id}/income", {
        "kind": "allocation", "amount_fen": "10", "booked_on": "2026-11-20",
        "purpose": "general"}, form_url=f"/aid/funds/{fund.id}/income")
    assert refused.status_code == 422 and "已关闭，不能再记账" in refused.text
    assert submit(client, url, {"reason": "再关一次"}).status_code == 422


def test_balance_rows_always_equal_the_ledger(books):
    assert balance_sums(books["fund"].id) == ledger_sums(books["fund"].id) == {
        "income": 130_000, "posted": 20_000, "reserved": 0}
    assert session.scalar(select(func.min(FundBalance.income_fen - FundBalance.posted_fen
                                          - FundBalance.reserved_fen))) >= 0
