"""A campaign's results: figures counted by the database match a small campaign counted by hand
(two sites, every status), the reader's scope narrows them, the reports' read function, the PDF
summary (embedded Chinese font, a chart) and the XLSX detail, and who may open them."""
from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from plugin.access.roles import Role
from plugin.access.scope import Scope
from plugin.org.models import OrgKind
from plugin.reunions import services, statistics

from .conftest import SYSTEM
from .factories import make_child, make_worker
from .reunions_support import apply, book, make_campaign

SICHUAN, HENAN = "511321", "411521"


@pytest.fixture
def campaign_setup(make_unit, company, clock):
    """Site 甲 (with a team) and site 乙 in a company-wide campaign, fully subsidised:

    甲: a1 (Sichuan, with a child, 280 + 140 booked, travelled), a2 (a team of 甲, Henan,
    250, travelled), a3 (Sichuan, 200, no-show: the ticket's money is spent), a4 (no hukou
    code, rejected);
    乙: b1 (Henan, 300 booked, cancelled with 270 refunded: 30 spent), b2 (Sichuan, approved,
    estimate 300 held), b3 (Henan, waitlisted), b4 (Sichuan, pending).
    """
    site_a = make_unit(OrgKind.SITE, name="甲项目部")
    team = make_unit(OrgKind.TEAM, parent=site_a, name="钢筋班组")
    site_b = make_unit(OrgKind.SITE, name="乙项目部")
    campaign = make_campaign(company, {site_a: 10, site_b: 10})
    a1 = make_worker(site_a, hukou_region_code=SICHUAN)
    first = apply(campaign, a1, children=[make_child(a1)])
    second = apply(campaign, make_worker(team, hukou_region_code=HENAN))
    third = apply(campaign, make_worker(site_a, hukou_region_code=SICHUAN))
    rejected = apply(campaign, make_worker(site_a))
    b1 = apply(campaign, make_worker(site_b, hukou_region_code=HENAN))
    b2 = apply(campaign, make_worker(site_b, hukou_region_code=SICHUAN))
    b3 = apply(campaign, make_worker(site_b, hukou_region_code=HENAN))
    apply(campaign, make_worker(site_b, hukou_region_code=SICHUAN))
    for application in (first, second, third, b1, b2):
        services.approve(application, actor=SYSTEM)
    book(first, 28_000, 14_000)
    book(second, 25_000)
    book(third, 20_000)
    book(b1, 30_000)
    services.mark_travelled(first, travelled=True, actor=SYSTEM)
    services.mark_travelled(second, travelled=True, actor=SYSTEM)
    services.mark_travelled(third, travelled=False, actor=SYSTEM)
    services.reject(rejected, "入职不满三个月", actor=SYSTEM)
    services.cancel(b1, "家中有事改期", actor=SYSTEM, refund_fen=27_000)
    services.waitlist(b3, actor=SYSTEM)
    return campaign, site_a, site_b


def test_the_figures_match_the_campaign_counted_by_hand(campaign_setup):
    campaign, site_a, site_b = campaign_setup
    results = statistics.campaign_results(campaign, Scope.company())
    assert results.totals == statistics.ReunionFigures(
        applications=8, approved=5, pending=1, waitlisted=1, offered=0, rejected=1, cancelled=1,
        no_show=1, travelled=2, places_requested=9, tickets_booked=5, tickets_refunded=1,
        workers_reunited=2, children_reunited=1, relatives_reunited=0, travellers_travelled=3,
        committed_fen=42_000 + 25_000 + 20_000 + 3_000 + 30_000,
        spent_fen=42_000 + 25_000 + 20_000 + 3_000, refunded_fen=27_000,
        travelled_subsidy_fen=67_000)
    assert results.totals.people_reunited == 3
    assert results.totals.subsidy_per_person_fen == 22_333  # 670.00 / 3, rounded down
    assert (results.budget_fen, results.campaign_committed_fen) == (1_000_000, 120_000)
    assert results.budget_left_fen == 880_000

    by_site = {group.name: group for group in results.by_site}
    assert [group.key for group in results.by_site] == [site_a.id, site_b.id]
    a, b = by_site["甲项目部"].figures, by_site["乙项目部"].figures
    assert (a.applications, a.approved, a.rejected, a.travelled, a.no_show, a.tickets_booked,
            a.people_reunited, a.children_reunited, a.spent_fen, a.committed_fen) == (
        4, 3, 1, 2, 1, 4, 3, 1, 87_000, 87_000)
    assert (b.applications, b.approved, b.waitlisted, b.pending, b.cancelled, b.tickets_booked,
            b.tickets_refunded, b.people_reunited, b.spent_fen, b.committed_fen,
            b.refunded_fen) == (4, 2, 1, 1, 1, 1, 1, 0, 3_000, 33_000, 27_000)

    provinces = [(group.key, group.name, group.figures.applications, group.figures.travelled)
                 for group in results.by_province]
    assert provinces == [("51", "四川省", 4, 1), ("41", "河南省", 3, 1),
                         (statistics.UNKNOWN_PROVINCE, "未登记", 1, 0)]


def test_the_scope_narrows_every_figure(campaign_setup):
    campaign, site_a, site_b = campaign_setup
    results = statistics.campaign_results(campaign, Scope.of_unit(site_b))
    totals = results.totals
    assert (totals.applications, totals.approved, totals.travelled, totals.people_reunited,
            totals.spent_fen, totals.committed_fen) == (4, 2, 0, 0, 3_000, 33_000)
    assert [group.name for group in results.by_site] == ["乙项目部"]
    assert sum(group.figures.applications for group in results.by_province) == 4
    # The budget is the whole campaign's.
    assert results.campaign_committed_fen == 120_000
    assert statistics.campaign_figures(campaign, [site_a.path]).applications == 4
    assert statistics.campaign_figures(campaign, Scope()).applications == 0


def test_the_reports_read_function_counts_campaigns_by_the_start_of_travel(campaign_setup):
    campaign, site_a, _site_b = campaign_setup
    period = statistics.reunion_figures([site_a.path], date(2027, 1, 1), date(2027, 1, 31))
    assert (period.campaigns, period.budget_fen) == (1, 1_000_000)
    assert (period.figures.applications, period.figures.people_reunited,
            period.figures.spent_fen) == (4, 3, 87_000)
    before = statistics.reunion_figures(Scope.company(), date(2026, 1, 1), date(2027, 1, 24))
    assert before.campaigns == 0 and before.figures == statistics.ReunionFigures()


def test_the_page_the_pdf_and_the_spreadsheet(campaign_setup, make_user, login):
    campaign, _site_a, _site_b = campaign_setup
    client = login(make_user(Role.UNION_OFFICER))
    page = client.get(f"/reunions/{campaign.id}/results")
    assert page.status_code == 200, page.text
    assert 'data-figure="people_reunited">3<' in page.text
    assert "900.00" in page.text and "四川省" in page.text and "甲项目部" in page.text

    pdf = client.get(f"/reunions/{campaign.id}/results.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF")
    assert b"/FontFile2" in pdf.data  # the TrueType font is embedded
    assert b"Helvetica" not in pdf.data  # every string, the chart's too, is in that font

    sheet = client.get(f"/reunions/{campaign.id}/results.xlsx")
    assert sheet.status_code == 200
    rows = list(load_workbook(io.BytesIO(sheet.data)).active.iter_rows(values_only=True))
    assert len(rows) == 1 + 8
    header = rows[0]
    by_status = {row[header.index("状态")]: row for row in rows[1:]}
    travelled = [row for row in rows[1:] if row[header.index("状态")] == "已出行"]
    assert sorted(row[header.index("补贴（元）")] for row in travelled) == [250, 420]
    family = next(row for row in travelled if row[header.index("出行人数")] == 2)
    assert family[header.index("项目部")] == "甲项目部"
    assert family[header.index("户籍省份")] == "四川省"
    assert by_status["已取消"][header.index("退票退款（元）")] == 270
    assert by_status["未通过"][header.index("未通过原因")] == "入职不满三个月"


def test_a_site_sees_its_part_and_another_subtree_gets_404(campaign_setup, make_user, login,
                                                           make_unit):
    campaign, site_a, site_b = campaign_setup
    client = login(make_user(Role.SITE_MANAGER, unit=site_b))
    page = client.get(f"/reunions/{campaign.id}/results")
    assert page.status_code == 200
    assert "乙项目部" in page.text and "甲项目部" not in page.text
    assert 'data-figure="applications">4<' in page.text
    sheet = client.get(f"/reunions/{campaign.id}/results.xlsx")
    assert len(list(load_workbook(io.BytesIO(sheet.data)).active.iter_rows())) == 1 + 4

    own = make_campaign(site_a, {site_a: 3}, name="甲项目部春节返乡")
    for suffix in ("results", "results.pdf", "results.xlsx"):
        assert client.get(f"/reunions/{own.id}/{suffix}").status_code == 404
    assert client.get("/reunions/99999999999/results").status_code == 404
