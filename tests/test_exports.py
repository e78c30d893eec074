"""Every officer list leaves the screen (issue #16): each list page's export, as XLSX and CSV,
holds the page's rows (same filters, same scope), numbers as numbers, dates as dates,
formula-like text neutralised, and every download is audited."""
from __future__ import annotations

import csv
import io
from datetime import date, datetime
from html.parser import HTMLParser
from urllib.parse import unquote

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from plugin.audit.models import AuditEvent
from plugin.core.db import session
from plugin.core.exports import (
    DATE,
    DATETIME,
    NUMBER,
    Column,
    ExportTable,
    build_export,
)
from plugin.core.host import Actor
from plugin.core.roles import Role
from plugin.guardianship.services import create_agreement
from plugin.org.models import OrgKind
from tests.guardianship_support import TODAY, log, paper_draft
from tests.lectures_support import attend, make_lecture

SYSTEM = Actor.system("tests")
FORMULA_NAME = "=HYPERLINK(\"http://x\",\"y\")"


# -- reading pages and files ----------------------------------------------------------------------

class _Table(HTMLParser):
    """The body rows of ``<table id=...>`` as lists of cell texts."""

    def __init__(self, table_id: str):
        super().__init__()
        self.table_id, self.inside, self.body = table_id, False, False
        self.rows: list[list[str]] = []
        self.cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table" and dict(attrs).get("id") == self.table_id:
            self.inside = True
        elif self.inside and tag == "tbody":
            self.body = True
        elif self.body and tag == "tr":
            self.rows.append([])
        elif self.body and tag == "td":
            self.cell = []

    def handle_endtag(self, tag):
        if tag == "table" and self.inside:
            self.inside = self.body = False
        elif tag == "td" and self.cell is not None:
            self.rows[-1].append(" ".join("".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def page_rows(html: str, table_id: str) -> list[list[str]]:
    parser = _Table(table_id)
    parser.feed(html)
    return [row for row in parser.rows if len(row) > 1]  # "nothing here" rows span all columns


def xlsx_rows(response) -> tuple[list, list[tuple]]:
    assert response.status_code == 200, response.status_code
    assert response.mimetype == ("application/vnd.openxmlformats-officedocument."
                                 "spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.values)
    return list(rows[0]), rows[1:]


def csv_rows(response) -> tuple[list, list[list[str]]]:
    assert response.status_code == 200
    assert response.data.startswith(b"\xef\xbb\xbf"), "CSV without a UTF-8 BOM"
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    return rows[0], rows[1:]


def export_events(code: str) -> list[AuditEvent]:
    return list(session.execute(
        select(AuditEvent).where(AuditEvent.action == "export.downloaded",
                                 AuditEvent.target_id == code)
        .order_by(AuditEvent.id)).scalars())


# -- the world: site 甲 (the officers'), site 乙 (someone else's) ---------------------------------

@pytest.fixture
def world(clock, make_unit, make_worker, make_child, make_user):
    site_a = make_unit(OrgKind.SITE, name="甲项目部")
    team_a = make_unit(OrgKind.TEAM, parent=site_a, name="钢筋班")
    site_b = make_unit(OrgKind.SITE, name="乙项目部")
    formula = make_worker(team_a, employee_number="A1001", name=FORMULA_NAME, phone="13800001111")
    make_child(formula, left_behind=True, name="小甲")
    plain = make_worker(site_a, employee_number="A1002", name="本部张三", phone="13800002222")
    make_child(plain, name="小乙")
    attended = make_worker(site_a, employee_number="A1003", name="参加过的", phone="13800003333")
    make_child(attended, left_behind=True, name="小丙")
    other = make_worker(site_b, employee_number="C9001", name="隔壁王五", phone="13700009001")
    make_child(other, left_behind=True, name="隔壁小宝")
    lecture = make_lecture(site_a)
    attend(lecture, attended)
    session.flush()
    return dict(site_a=site_a, site_b=site_b, team_a=team_a, formula=formula, plain=plain,
                attended=attended, other=other,
                hr=make_user(Role.HR_OFFICER, site_a, username="hr_a"),
                care=make_user(Role.CARE_WORKER, site_a, username="care_a"),
                auditor=make_user(Role.AUDITOR, username="auditor"))


# -- the helper ----------------------------------------------------------------------------------

def test_the_helper_types_cells_and_neutralises_formulas(app_context):
    table = ExportTable("things", "东西", (
        Column("名称", lambda row: row[0]), Column("数量", lambda row: row[1], NUMBER),
        Column("日期", lambda row: row[2], DATE), Column("时间", lambda row: row[3], DATETIME)))
    moment = datetime.fromisoformat("2026-11-22T02:30:00+00:00")
    rows = [("=1+2", 3, date(2026, 11, 22), moment), ("@SUM(A1)", None, None, None),
            ("-5", 2.5, None, None), ("\tTAB", 0, None, None), ("普通", 7, None, None)]
    export = build_export(table, iter(rows), "xlsx", today=date(2026, 11, 22))
    assert export.rows == 5 and export.filename == "东西-20261122.xlsx"
    sheet = load_workbook(export.file).active
    cells = list(sheet.iter_rows(min_row=2))
    assert cells[0][0].value == "=1+2" and cells[0][0].data_type == "s"
    assert cells[0][1].value == 3 and cells[0][1].data_type == "n"
    assert cells[0][2].value == datetime(2026, 11, 22) and cells[0][2].is_date
    assert cells[0][3].value == datetime(2026, 11, 22, 10, 30)  # Shanghai time, no zone
    assert cells[1][1].value is None
    assert cells[2][0].value == "-5" and cells[2][0].data_type == "s"
    export = build_export(table, iter(rows), "csv", today=date(2026, 11, 22))
    text = export.file.read().decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))
    assert lines[0] == ["名称", "数量", "日期", "时间"]
    assert lines[1] == ["'=1+2", "3", "2026-11-22", "2026-11-22 10:30"]
    assert [line[0] for line in lines[2:]] == ["'@SUM(A1)", "'-5", "'\tTAB", "普通"]


def test_long_lists_are_read_in_chunks_with_a_query_per_chunk(world, login, monkeypatch,
                                                              make_worker, make_child):
    """Three rows a chunk: the file still holds every row in the page's order, and the number of
    queries grows with the chunks, not with the rows (no query per worker)."""
    from plugin.core import exports
    from tests.support import recorded_statements

    for number in range(7):
        make_child(make_worker(world["site_a"], employee_number=f"B{number:04d}"), left_behind=True)
    session.flush()
    monkeypatch.setattr(exports, "CHUNK_SIZE", 3)
    client = login(world["hr"])
    shown = [cells[0] for cells in page_rows(client.get("/workers/").text, "workers")]
    with recorded_statements() as statements:
        _header, rows = xlsx_rows(client.get("/workers/export.xlsx"))
    assert [row[0] for row in rows] == shown and len(rows) == 10
    children_queries = [sql for sql in statements if "cb_child_parent" in sql]
    assert len(children_queries) == 4  # ceil(10 / 3) chunks
    _header, rows = xlsx_rows(login(world["care"]).get("/guardianship/follow-up/export.xlsx"))
    assert len(rows) == 9  # 7 new and A1001, A1003 (no contact logged)


# -- workers -------------------------------------------------------------------------------------

def test_the_workers_export_holds_the_pages_rows(world, login):
    client = login(world["hr"])
    for query in ("", "?category=left_behind", f"?unit={world['team_a'].id}", "?q=A1002"):
        shown = page_rows(client.get(f"/workers/{query}").text, "workers")
        header, rows = xlsx_rows(client.get(f"/workers/export.xlsx{query}"))
        assert header[:4] == ["工号", "姓名", "项目部/班组", "手机号码"]
        assert [row[0] for row in rows] == [cells[0] for cells in shown], query
        assert [row[1] for row in rows] == [cells[1] for cells in shown]
        assert [row[3] for row in rows] == [cells[3] for cells in shown]  # phone as shown
        assert all(isinstance(row[4], int) for row in rows)  # children: numbers
        assert "C9001" not in [row[0] for row in rows]
    _header, rows = xlsx_rows(client.get("/workers/export.xlsx?category=left_behind"))
    assert {row[0] for row in rows} == {"A1001", "A1003"}
    formula_row = next(row for row in rows if row[0] == "A1001")
    assert formula_row[1] == FORMULA_NAME and formula_row[5] == 1
    sheet = load_workbook(io.BytesIO(client.get("/workers/export.xlsx").data)).active
    name_cell = next(row[1] for row in sheet.iter_rows(min_row=2) if row[0].value == "A1001")
    assert name_cell.data_type == "s"  # never a formula


def test_the_workers_csv_opens_in_excel_and_is_audited(world, login):
    client = login(world["hr"])
    response = client.get("/workers/export.csv?q=A100&status=active&page=2")
    header, rows = csv_rows(response)
    assert header[:3] == ["工号", "姓名", "项目部/班组"]
    assert "'" + FORMULA_NAME in [row[1] for row in rows]
    assert "隔壁王五" not in response.data.decode("utf-8-sig")
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment; filename=\"carebridge-workers-20261122.csv\"")
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == "职工-20261122.csv"
    event = export_events("workers")[-1]
    assert event.actor_key == world["hr"].key
    assert event.details == {"list": "workers", "format": "csv", "rows": len(rows),
                             "filters": {"q": "A100", "status": "active"}}


def test_the_children_export_lists_the_children_of_the_workers_on_screen(world, login):
    client = login(world["hr"])
    assert 'id="export-children"' in client.get("/workers/").text
    header, rows = xlsx_rows(client.get("/workers/children.xlsx"))
    assert header[:5] == ["儿童姓名", "性别", "出生日期", "家长", "项目部/班组"]
    assert {row[0] for row in rows} == {"小甲", "小乙", "小丙"}  # not site 乙's 隔壁小宝
    by_name = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    assert by_name["小甲"]["农村留守儿童"] == "是" and by_name["小乙"]["农村留守儿童"] == "否"
    assert isinstance(by_name["小甲"]["出生日期"], datetime)  # a real date cell
    assert by_name["小甲"]["家长"] == f"{FORMULA_NAME}（A1001）"
    assert by_name["小乙"]["监护人同意"] == "待同意"
    assert not any("身份证" in cell for cell in header)
    # The list's filters narrow the children too, not only the workers.
    _header, rows = xlsx_rows(client.get("/workers/children.xlsx?category=left_behind"))
    assert {row[0] for row in rows} == {"小甲", "小丙"}
    # Each child in a file is an audited read of its record.
    reads = session.execute(select(AuditEvent.target_id).where(
        AuditEvent.action == "child.viewed", AuditEvent.actor_key == world["hr"].key)).scalars()
    assert len(list(reads)) == 3 + 2 and export_events("children")[-1].details["rows"] == 2
    assert login(world["auditor"]).get("/workers/children.csv").status_code == 403


def test_phones_are_masked_for_those_who_see_them_masked(world, login):
    _header, rows = xlsx_rows(login(world["care"]).get("/workers/export.xlsx"))
    phones = {row[0]: row[3] for row in rows}
    assert phones["A1002"] == "138****2222"
    _header, rows = xlsx_rows(login(world["hr"]).get("/workers/export.xlsx"))
    assert {row[0]: row[3] for row in rows}["A1002"] == "13800002222"


def test_no_id_numbers_leave_in_any_export(world, login):
    """The lists show no ID numbers, so their files hold none either (not even masked)."""
    client = login(world["hr"])
    for url in ("/workers/export.csv", "/guardianship/agreements/export.csv",
                "/guardianship/follow-up/export.csv", "/lectures/statistics/never-attended.csv",
                f"/pledges/coverage/uncovered.csv?unit={world['site_a'].id}"):
        header, _rows = csv_rows(client.get(url))
        assert not any("身份证" in cell for cell in header), url


@pytest.mark.parametrize("url", [
    "/workers/export.xlsx", "/lectures/statistics/export.xlsx",
    "/lectures/statistics/never-attended.xlsx", "/pledges/coverage/export.xlsx",
    "/guardianship/agreements/export.xlsx", "/guardianship/follow-up/export.csv",
])
def test_exports_need_the_pages_permission(world, login, url):
    client = login(world["auditor"])  # sees the audit log, none of these lists
    assert client.get(url).status_code == 403
    assert not session.execute(select(AuditEvent).where(
        AuditEvent.action == "export.downloaded")).first()


def test_the_audit_export_needs_the_audit_permission(world, login):
    assert login(world["hr"]).get("/audit/export.xlsx").status_code == 403
    assert login(world["hr"]).get("/audit/").status_code == 403


# -- lectures ------------------------------------------------------------------------------------

def test_the_never_attended_export_holds_the_pages_rows(world, login):
    client = login(world["hr"])
    shown = page_rows(client.get("/lectures/statistics").text, "never-attended")
    _header, rows = xlsx_rows(client.get("/lectures/statistics/never-attended.xlsx"))
    assert [list(row[:3]) for row in rows] == [cells[:3] for cells in shown]
    assert [row[1] for row in rows] == ["A1001"]  # 乙's 王五 is out of scope, 丙 attended
    assert rows[0][3] == 1
    # 乙 is outside the officer's subtree: the page answers 403 for it, so does the export
    other = world["site_b"].id
    assert (client.get(f"/lectures/statistics/never-attended.csv?unit={other}").status_code
            == client.get(f"/lectures/statistics?unit={other}").status_code == 403)


def test_the_never_attended_export_is_refused_where_people_are_not_seen(world, login, make_user):
    """A report officer sees lecture figures but no workers: the page leaves the list out."""
    client = login(make_user(Role.REPORT_OFFICER, world["site_a"]))
    page = client.get("/lectures/statistics")
    assert page.status_code == 200 and 'id="never-attended"' not in page.text
    assert client.get("/lectures/statistics/never-attended.xlsx").status_code == 403


def test_the_statistics_export_gives_the_pages_figures_then_each_site(world, login):
    client = login(world["hr"])
    query = "?start=2026-11-01&end=2026-11-30"
    page = client.get(f"/lectures/statistics{query}").text
    header, rows = xlsx_rows(client.get(f"/lectures/statistics/export.xlsx{query}"))
    assert header[:4] == ["单位", "起始日期", "截止日期", "举办宣讲（场）"]
    total = rows[0]
    assert total[1] == datetime(2026, 11, 1) and total[2] == datetime(2026, 11, 30)
    assert f'data-figure="sessions_held">{total[3]}<' in page
    assert f'data-figure="attendances">{total[4]}<' in page
    assert total[3] == 1 and total[4] == 1 and isinstance(total[-1], (int, float))
    sites = {row[0]: row for row in rows[1:]}
    assert set(sites) == {"甲项目部"}  # 乙 is outside the officer's scope
    assert sites["甲项目部"][4] == 1
    event = export_events("lecture-statistics")[-1]
    assert event.details["filters"]["start"] == "2026-11-01"


# -- pledges -------------------------------------------------------------------------------------

def test_the_coverage_exports_hold_the_pages_rows(world, login):
    client = login(world["hr"])
    shown = page_rows(client.get("/pledges/coverage").text, "coverage")
    _header, rows = xlsx_rows(client.get("/pledges/coverage/export.xlsx"))
    assert [row[0] for row in rows] == [cells[0] for cells in shown] == ["甲项目部"]
    assert [row[1:4] for row in rows] == [(2, 0, 2)]  # numbers, not text
    site = world["site_a"].id
    shown = page_rows(client.get(f"/pledges/coverage?unit={site}").text, "uncovered")
    _header, rows = xlsx_rows(client.get(f"/pledges/coverage/uncovered.xlsx?unit={site}"))
    assert [list(row[:3]) for row in rows] == [cells[:3] for cells in shown]
    assert {row[0] for row in rows} == {"A1001", "A1003"}
    other = world["site_b"].id
    assert (client.get(f"/pledges/coverage/uncovered.xlsx?unit={other}").status_code
            == client.get(f"/pledges/coverage?unit={other}").status_code == 403)


# -- guardianship --------------------------------------------------------------------------------

def test_the_agreements_export_holds_the_pages_rows(world, login):
    create_agreement(world["formula"], paper_draft([world["formula"].child_links[0].child]),
                     actor=SYSTEM, today=TODAY)
    create_agreement(world["other"], paper_draft([world["other"].child_links[0].child]),
                     actor=SYSTEM, today=TODAY)
    session.flush()
    client = login(world["hr"])
    for query in ("", "?status=active", "?q=A1001", "?status=ended"):
        shown = page_rows(client.get(f"/guardianship/agreements/{query}").text, "agreements")
        _header, rows = xlsx_rows(client.get(f"/guardianship/agreements/export.xlsx{query}"))
        assert len(rows) == len(shown), query
        for row, cells in zip(rows, shown, strict=True):
            assert cells[0] == f"{row[1]} {row[0]}" and cells[1] == row[2]
    _header, rows = xlsx_rows(client.get("/guardianship/agreements/export.xlsx"))
    assert rows[0][0] == "A1001" and rows[0][5] == datetime(2026, 11, 22)  # a real date


def test_the_follow_up_export_holds_the_pages_rows(world, login):
    log(world["attended"], 14)
    session.flush()
    client = login(world["care"])
    page = client.get("/guardianship/follow-up").text
    shown = page_rows(page, "follow-up")
    header, rows = xlsx_rows(client.get("/guardianship/follow-up/export.xlsx"))
    assert header[-2:] == ["最近一次联系", "已过天数"]
    assert [row[0] for row in rows] == ["A1001", "A1003"]
    assert [f"{row[1]} {row[0]}" for row in rows] == [cells[0] for cells in shown]
    assert rows[0][5] is None and rows[0][6] is None  # never logged
    assert rows[1][5] == datetime(2026, 11, 8) and rows[1][6] == 14
    assert rows[1][3] == "138****3333"  # a care worker sees phones masked, as on the page
    assert "隔壁王五" not in client.get("/guardianship/follow-up/export.csv").data.decode()


# -- the audit log -------------------------------------------------------------------------------

def test_the_audit_export_holds_the_pages_rows_and_audits_itself(world, login):
    client = login(world["auditor"])
    login(world["hr"]).get("/workers/export.xlsx")
    query = "?action=export.downloaded"
    shown = page_rows(client.get(f"/audit/{query}").text, "audit-events")
    header, rows = xlsx_rows(client.get(f"/audit/export.xlsx{query}"))
    assert header[:3] == ["时间", "操作人", "操作"]
    assert len(rows) == len(shown) == 1
    assert [list(row[1:6]) for row in rows] == [[cell or None for cell in cells[1:6]]
                                                 for cells in shown]
    assert rows[0][2] == "导出列表" and rows[0][6] == "export.downloaded"
    assert isinstance(rows[0][0], datetime)
    assert export_events("audit-log")[-1].details["filters"] == {"action": "export.downloaded"}


def test_export_links_are_on_every_list_page(world, login):
    client = login(world["hr"])
    for url, endpoint_path in (
            ("/workers/?q=A1", "/workers/export.xlsx?q=A1"),
            ("/lectures/statistics", "/lectures/statistics/export.xlsx"),
            ("/lectures/statistics", "/lectures/statistics/never-attended.xlsx"),
            ("/pledges/coverage", "/pledges/coverage/export.xlsx"),
            ("/guardianship/agreements/", "/guardianship/agreements/export.xlsx"),
            ("/guardianship/follow-up", "/guardianship/follow-up/export.xlsx")):
        assert endpoint_path in client.get(url).text.replace("&amp;", "&"), url
    assert "/audit/export.csv" in login(world["auditor"]).get("/audit/").text


def test_headers_follow_the_ui_language(world, login):
    from tests.test_i18n import forget_cached_locale

    client = login(world["hr"])
    assert client.get("/lang/en?next=/workers/").status_code == 302
    forget_cached_locale()
    header, _rows = xlsx_rows(client.get("/workers/export.xlsx"))
    forget_cached_locale()
    assert header[0] != "工号" and header[0].isascii(), header


def test_a_site_officers_export_is_filed_under_their_site(world, login):
    """So the auditors of the site see it, not only the company's."""
    login(world["hr"]).get("/guardianship/agreements/export.csv")
    assert export_events("agreements")[-1].org_unit_id == world["site_a"].id
    login(world["hr"]).get(f"/workers/export.csv?unit={world['team_a'].id}")
    assert export_events("workers")[-1].org_unit_id == world["team_a"].id
