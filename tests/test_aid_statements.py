"""A fund's period statements: the figures reconcile across periods (opening + in − out =
closing, each closing the next opening, reversals counted in the period they were booked), and
the page, the PDF (embedded Chinese font, pages that render, numbered) and the XLSX (numbers as
numbers, text never a formula) say the same."""
import io
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from plugin.access.roles import Role
from plugin.aid import ledger, statement_documents, statements
from plugin.aid.models import AidReason, EntryKind
from plugin.audit.models import AuditEvent
from plugin.core.db import session
from plugin.org.models import OrgKind

from .aid_funds_support import (
    allocate,
    balance_sums,
    bare_application,
    donate,
    open_fund,
    payment_for,
)
from .conftest import SYSTEM
from .guardianship_support import first_page_ink, pdf_fonts, pdf_text, write

OCTOBER = (date(2026, 10, 1), date(2026, 10, 31))
NOVEMBER = (date(2026, 11, 1), date(2026, 11, 30))
FORMULA_DONOR = '=HYPERLINK("http://evil.example","点我")'


@pytest.fixture
def fund(company, make_unit, make_worker, clock):
    """A fund's autumn: income, a paid application, a cash visit, two reversals, one held."""
    fund = open_fund(company)
    worker = make_worker(make_unit(OrgKind.SITE, name="甲项目部"))
    allocate(fund, 100_000, booked_on=date(2026, 9, 15))
    donate(fund, 30_000, booked_on=date(2026, 10, 5), purpose=AidReason.SCHOOLING.value,
           donor=FORMULA_DONOR)
    wrong = allocate(fund, 5_000, booked_on=date(2026, 10, 10), note="录重了")
    first = bare_application(worker, amount_fen=20_000)
    held = ledger.reserve(fund, ("illness", "general"), 20_000, booked_on=date(2026, 10, 12),
                          actor=SYSTEM, application_id=first.id)
    ledger.pay_reserved(held, 20_000, booked_on=date(2026, 10, 20), actor=SYSTEM,
                        payment_id=payment_for(first, 20_000, date(2026, 10, 20)).id)
    cash = ledger.pay_directly(fund, ("general",), 3_000, booked_on=date(2026, 10, 25),
                               actor=SYSTEM)
    ledger.reverse(wrong, reason="重复登记", booked_on=date(2026, 11, 3), actor=SYSTEM)
    second = bare_application(worker, amount_fen=15_000)
    ledger.reserve(fund, ("illness", "general"), 15_000, booked_on=date(2026, 11, 5),
                   actor=SYSTEM, application_id=second.id)
    ledger.reverse(cash, reason="慰问未成行，现金退回", booked_on=date(2026, 11, 8), actor=SYSTEM)
    allocate(fund, 50_000, booked_on=date(2026, 11, 10))
    return fund


def figures(statement) -> tuple:
    return (statement.opening_fen, statement.in_fen, statement.out_fen, statement.closing_fen,
            statement.reserved_fen, statement.available_fen)


def test_statements_reconcile_across_two_periods(fund):
    october = statements.build_statement(fund, *OCTOBER)
    november = statements.build_statement(fund, *NOVEMBER)
    assert figures(october) == (100_000, 35_000, 23_000, 112_000, 0, 112_000)
    assert (october.allocations_fen, october.donations_fen, october.payouts_fen) == (
        5_000, 30_000, 23_000)
    # November: the October allocation reversed (−50) and the cash payout put back (−30 out).
    assert figures(november) == (112_000, 45_000, -3_000, 160_000, 15_000, 145_000)
    assert (november.income_reversed_fen, november.payouts_reversed_fen) == (5_000, 3_000)
    assert november.opening_fen == october.closing_fen
    for statement in (october, november):
        assert statement.opening_fen + statement.in_fen - statement.out_fen == \
            statement.closing_fen
    whole = statements.build_statement(fund, date(2026, 1, 1), NOVEMBER[1])
    assert whole.opening_fen == 0 and whole.closing_fen == november.closing_fen
    sums = balance_sums(fund.id)  # the statement to today agrees with the balance rows
    assert november.closing_fen == sums["income"] - sums["posted"]
    assert november.reserved_fen == sums["reserved"]


def test_every_entry_of_the_period_is_listed_and_the_columns_add_up(fund):
    november = statements.build_statement(fund, *NOVEMBER)
    kinds = [(row.entry.kind, row.undoes) for row in november.rows]
    assert kinds == [(EntryKind.REVERSAL, EntryKind.ALLOCATION), (EntryKind.RESERVATION, None),
                     (EntryKind.REVERSAL, EntryKind.PAYOUT), (EntryKind.ALLOCATION, None)]
    assert sum(row.in_fen for row in november.rows) == november.in_fen
    assert sum(row.out_fen for row in november.rows) == november.out_fen
    assert november.rows[-1].balance_fen == november.closing_fen
    assert sum(row.reserved_fen for row in november.rows) == (
        november.reserved_fen - november.reserved_opening_fen)
    texts = statements.row_texts(november.rows[0])
    assert "冲正第" in texts[4] and "重复登记" in texts[4] and texts[5] == "-50.00"
    empty = statements.build_statement(fund, date(2026, 8, 1), date(2026, 8, 31))
    assert empty.rows == [] and figures(empty) == (0, 0, 0, 0, 0, 0)


def test_the_default_period_is_the_last_calendar_month():
    assert statements.last_month(date(2026, 11, 22)) == OCTOBER
    assert statements.last_month(date(2027, 1, 1)) == (date(2026, 12, 1), date(2026, 12, 31))
    assert statements.last_month(date(2028, 3, 31)) == (date(2028, 2, 1), date(2028, 2, 29))


def test_the_pdf_embeds_its_font_renders_and_reconciles(fund, tmp_path):
    path = write(tmp_path, statement_documents.render_pdf(statements.build_statement(fund, *NOVEMBER),
                                                  SYSTEM))
    fonts = pdf_fonts(path)
    assert fonts and all(row[-5] == "yes" for row in fonts), fonts
    assert any(row[1] == "TrueType" for row in fonts), fonts
    assert first_page_ink(path, tmp_path) > 0.01
    text = pdf_text(path)
    for expected in ("困难职工帮扶专项基金收支对账单", "期初余额", "1,120.00", "期末余额",
                     "1,600.00", "期末可用余额", "1,450.00", "重复登记"):
        assert expected in text, expected
    assert "第1页/共1页" in text.replace(" ", "")


def test_a_long_statement_numbers_its_pages(company, clock, tmp_path):
    fund = open_fund(company)
    for day in range(1, 31):
        for _ in range(3):
            ledger.receive(fund, EntryKind.ALLOCATION, 100, booked_on=date(2026, 9, day),
                           actor=SYSTEM, note="分批拨款")
    statement = statements.build_statement(fund, date(2026, 9, 1), date(2026, 9, 30))
    text = pdf_text(write(tmp_path, statement_documents.render_pdf(statement))).replace(" ", "")
    pages = text.count("\f")
    assert pages > 1 and f"第1页/共{pages}页" in text and f"第{pages}页/共{pages}页" in text
    assert len(statement.rows) == 90 and statement.closing_fen == 9_000


def test_the_xlsx_holds_numbers_that_reconcile_and_text_that_is_never_a_formula(fund):
    fund.keeper = "=cmd|' /C calc'!A0"
    data = statement_documents.render_xlsx(statements.build_statement(fund, *OCTOBER), SYSTEM)
    sheet = load_workbook(io.BytesIO(data)).active
    values = {row[0].value: row[1].value for row in sheet.iter_rows(max_col=2)
              if row[0].value is not None}
    opening, money_in, money_out, closing = (values["期初余额"], values["本期收入"],
                                             values["本期支出"], values[
                                                 "期末余额（期初余额 + 本期收入 − 本期支出）"])
    assert all(isinstance(value, int | float) for value in (opening, money_in, money_out))
    assert (opening, money_in, money_out, closing) == (1000, 350, 230, 1120)
    assert opening + money_in - money_out == closing
    keeper = sheet.cell(row=5, column=2)
    assert keeper.value == fund.keeper and keeper.data_type == "s"  # shown, never run
    donor = [cell for row in sheet.iter_rows() for cell in row
             if isinstance(cell.value, str) and FORMULA_DONOR in cell.value]
    assert donor and all(cell.data_type == "s" for cell in donor)
    balances = [row[8].value for row in sheet.iter_rows()
                if isinstance(row[1].value, int) and isinstance(row[8].value, int | float)]
    assert len(balances) == 5 and balances[-1] == closing


def test_the_statement_page_and_its_downloads(fund, company, make_user, login, tmp_path):
    client = login(make_user(Role.UNION_OFFICER, company))
    page = client.get(f"/aid/funds/{fund.id}/statement")
    assert page.status_code == 200 and 'value="2026-10-01"' in page.text
    assert "期初余额 1,000.00 元 + 本期收入 350.00 元 − 本期支出 230.00 元 = 期末余额 1,120.00 元" \
        in page.text
    backwards = client.get(f"/aid/funds/{fund.id}/statement?start=2026-11-30&end=2026-11-01")
    assert backwards.status_code == 200 and "开始日期不能晚于结束日期" in backwards.text
    assert 'id="statement-downloads"' not in backwards.text
    assert client.get(f"/aid/funds/{fund.id}/statement.pdf?start=2026-11-30&end=2026-11-01"
                      ).status_code == 400
    assert client.get(f"/aid/funds/{fund.id}/statement.xlsx?start=bad").status_code == 400
    pdf = client.get(f"/aid/funds/{fund.id}/statement.pdf?start=2026-11-01&end=2026-11-30")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert "20261101-20261130.pdf" in pdf.headers["Content-Disposition"]
    assert "1,600.00" in pdf_text(write(tmp_path, pdf.data))
    xlsx = client.get(f"/aid/funds/{fund.id}/statement.xlsx")
    assert xlsx.status_code == 200 and load_workbook(io.BytesIO(xlsx.data)).active
    audits = session.scalars(select(AuditEvent).where(
        AuditEvent.action == "aid.statement_downloaded").order_by(AuditEvent.id)).all()
    assert [event.details["aid_format"] for event in audits] == ["pdf", "xlsx"]
    assert audits[1].details["aid_period_start"] == "2026-10-01"
