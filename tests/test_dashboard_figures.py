"""The home page's figures (issue 18): key figures of the user's scope with the change since last
month, trends per month, the children's category mix, read through the indicators; a feature not
mounted shows nothing; each figure links to the list behind it for users who may open it; the
numbers are text on the page and the charts (ECharts, served from the plugin's static files) only
draw them."""
from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from jinja2 import ChoiceLoader, DictLoader
from sqlalchemy import func, select

from plugin.access.roles import Role
from plugin.core import features
from plugin.core.db import session
from plugin.dashboard.figures import (
    FLOW_POINTS,
    STOCK_POINTS,
    build_dashboard,
    previous_month,
    recent_months,
)
from plugin.org.models import OrgKind
from plugin.pledges import services as pledges

from .lectures_support import attend, make_lecture
from .pledges_support import OFFICER, scan_png

#: The ``clock`` fixture's day: 22 November 2026 (10:00 in Shanghai).
TODAY = date(2026, 11, 22)


def shanghai(year, month, day, hour=14) -> datetime:
    return datetime(year, month, day, hour, tzinfo=ZoneInfo("Asia/Shanghai")).astimezone(UTC)


@pytest.fixture
def world(company, make_unit, make_worker, make_child, clock):
    """Site 甲: three workers (one came on 10 November), lectures in September (1 attendance),
    October (2) and November (1, and one annulled), a pledge signed in October and one in
    November; site 乙: one worker, a November lecture with one attendance."""
    site_a = make_unit(OrgKind.SITE, name="甲项目部")
    site_b = make_unit(OrgKind.SITE, name="乙项目部")
    a1 = make_worker(site_a, name="张一")
    a2 = make_worker(site_a, name="张二", entry_date="2026-11-10")
    a3 = make_worker(site_a, name="张三")
    b1 = make_worker(site_b, name="李一")
    a1_child = make_child(a1, left_behind=True, birth_date="2016-05-05")
    a3_child = make_child(a3, birth_date="2021-03-03")
    make_child(b1, left_behind=True, birth_date="2012-01-01")
    attend(make_lecture(site_a, starts_at=shanghai(2026, 9, 10)), a1)
    october = make_lecture(site_a, starts_at=shanghai(2026, 10, 15))
    attend(october, a1)
    attend(october, a3)
    november = make_lecture(site_a, starts_at=shanghai(2026, 11, 5))
    attend(november, a1)
    attend(november, a2, annulled=True)
    attend(make_lecture(site_b, starts_at=shanghai(2026, 11, 6)), b1)
    for worker, children, day in ((a1, [a1_child], date(2026, 10, 20)),
                                  (a3, [a3_child], date(2026, 11, 15))):
        clock.now = shanghai(day.year, day.month, day.day, 12)
        pledges.log_paper_pledge(worker, children, day, "李专员", scan_png(), "image/png", OFFICER)
    clock.now = shanghai(2026, 11, 22, 10)
    session.commit()
    return {"site_a": site_a, "site_b": site_b, "company": company}


def board_of(unit, *, link=lambda code, start, end: None):
    return build_dashboard([unit.path], TODAY, link=link, locale="zh_CN")


def key_figures(board) -> dict:
    return {figure.code: figure for section in board.sections for figure in section.figures}


def trend(board, code):
    return next(trend for trend in board.trends if trend.code == code)


def figure_on(page: str, code: str) -> int:
    match = re.search(rf'data-figure="{re.escape(code)}">([\d,]+)<', page)
    assert match, code
    return int(match.group(1).replace(",", ""))


# -- periods ------------------------------------------------------------------------------------

def test_months_end_today_and_last_month_is_the_full_one():
    assert previous_month(TODAY) == (date(2026, 10, 1), date(2026, 10, 31))
    assert previous_month(date(2026, 1, 15)) == (date(2025, 12, 1), date(2025, 12, 31))
    months = recent_months(TODAY, 12)
    assert months[0] == (date(2025, 12, 1), date(2025, 12, 31))
    assert months[-1] == (date(2026, 11, 1), TODAY)
    assert months[2] == (date(2026, 2, 1), date(2026, 2, 28))


# -- figures ------------------------------------------------------------------------------------

def test_key_figures_compare_this_month_with_last_month(world):
    figures = key_figures(board_of(world["site_a"]))
    workers = figures["registry.workers_employed"]      # a stock: today against 31 October
    assert (workers.value, workers.previous, workers.change) == (3, 2, 1)
    attendances = figures["lectures.attendances"]      # a flow: 1–22 November against October
    assert (attendances.value, attendances.previous, attendances.change) == (1, 2, -1)
    sessions = figures["lectures.sessions_held"]
    assert (sessions.value, sessions.previous, sessions.change) == (1, 1, 0)
    covered = figures["pledges.workers_covered"]
    assert (covered.value, covered.previous) == (2, 1)
    signed = figures["pledges.signed"]
    assert (signed.value, signed.previous) == (1, 1)
    left_behind = figures["registry.children_left_behind"]
    assert left_behind.value == 1 and left_behind.is_stock


def test_key_figures_sit_under_their_features_label(world):
    sections = {section.feature: section for section in board_of(world["site_a"]).sections}
    assert sections["registry"].title == "职工与儿童"
    assert sections["lectures"].title == "监护责任宣讲"
    assert [figure.code for figure in sections["pledges"].figures] == [
        "pledges.signed", "pledges.workers_covered"]


def test_trends_per_month(world):
    board = board_of(world["site_a"])
    attendances = trend(board, "lectures.attendances")
    assert len(attendances.points) == FLOW_POINTS
    assert [point.value for point in attendances.points][-4:] == [0, 1, 2, 1]
    assert attendances.points[-1].label == "2026年11月" and attendances.points[-1].end == TODAY
    coverage = trend(board, "pledges.coverage")
    assert len(coverage.points) == STOCK_POINTS and coverage.percent
    assert coverage.points[0].end == date(2026, 6, 30)
    # 31 October: 1 of the 2 workers then employed; today: 2 of 3.
    assert [(point.value, point.parts) for point in coverage.points[-2:]] == [
        (50.0, (1, 2)), (66.7, (2, 3))]
    reunited = trend(board, "reunions.people_reunited")
    assert [point.value for point in reunited.points] == [0] * FLOW_POINTS


def test_category_mix_and_age_bands(world):
    board = board_of(world["company"])
    mixes = {mix.code: mix for mix in board.mixes}
    categories = {part.key: part.value for part in mixes["registry.categories"].slices}
    assert categories["registry.children_left_behind"] == 2
    assert set(categories) == {"registry.children_left_behind", "registry.children_migrant",
                               "registry.children_in_difficulty",
                               "registry.children_de_facto_unsupported", "registry.children_orphan"}
    ages = mixes["registry.children_left_behind.age_band"]
    # Born 2016-05-05 (10) and 2012-01-01 (14), youngest band first.
    assert [(part.key, part.label, part.value) for part in ages.slices] == [
        ("6-13", "6-13 岁", 1), ("14-15", "14-15 岁", 1)]


def test_a_feature_not_mounted_shows_nothing_not_a_zero(world, monkeypatch):
    monkeypatch.delitem(features._declared, "reunions")
    monkeypatch.delitem(features._declared, "pledges")
    board = board_of(world["site_a"])
    assert "reunions" not in {section.feature for section in board.sections}
    assert "pledges" not in {section.feature for section in board.sections}
    assert {trend.code for trend in board.trends} == {"lectures.attendances"}
    assert not any(chart["id"].startswith(("reunions", "pledges")) for chart in board.chart_data())


# -- the page -----------------------------------------------------------------------------------

def test_a_site_manager_sees_only_the_sites_figures(world, make_user, login):
    site = login(make_user(Role.SITE_MANAGER, world["site_a"])).get("/").text
    assert figure_on(site, "registry.workers_employed") == 3
    assert figure_on(site, "lectures.attendances") == 1
    assert figure_on(site, "registry.children_left_behind") == 1
    whole = login(make_user(Role.HR_OFFICER)).get("/").text
    assert figure_on(whole, "registry.workers_employed") == 4
    assert figure_on(whole, "lectures.attendances") == 2
    assert figure_on(whole, "registry.children_left_behind") == 2


def test_each_figure_links_to_the_list_behind_it(world, make_user, login):
    client = login(make_user(Role.HR_OFFICER, world["site_a"]))
    page = client.get("/").text
    for href in ('/workers/?status=active', '/workers/?category=left_behind',
                 '/lectures/statistics?start=2026-11-01&amp;end=2026-11-22',
                 '/lectures/statistics?start=2026-10-01&amp;end=2026-10-31',
                 '/pledges/coverage', '/reunions/'):
        assert f'href="{href}"' in page, href
        assert client.get(href.replace("&amp;", "&")).status_code == 200, href
    assert re.search(r'data-change="lectures.attendances">较上月 -1<', page)
    assert re.search(r'data-change="registry.workers_employed">较上月 \+1<', page)


def test_without_the_lists_permissions_the_figures_have_no_links(world, make_user, login):
    page = login(make_user(Role.AUDITOR)).get("/").text
    assert figure_on(page, "registry.workers_employed") == 4
    assert figure_on(page, "lectures.attendances") == 2
    for target in ("/workers/", "/lectures/", "/pledges/", "/reunions/", "/guardianship/"):
        assert f'href="{target}' not in page, target


def test_every_number_is_text_and_the_charts_only_draw_it(world, make_user, login):
    page = login(make_user(Role.SITE_MANAGER, world["site_a"])).get("/").text
    # The trend's points as table rows: month, value.
    assert re.search(r'data-point="2026-10-01" data-value="2"', page)
    assert re.search(r'data-point="2026-11-01" data-value="66.7"', page)
    # Chart boxes stay hidden unless the script draws them.
    boxes = re.findall(r"<div data-chart=\"[^\"]+\"[^>]*>", page)
    assert len(boxes) == 5 and all(" hidden" in box for box in boxes)
    # No inline script (the portal's Content-Security-Policy forbids them): data, then files.
    scripts = re.findall(r"<script([^>]*)>", page)
    assert all('type="application/json"' in attrs or "src=" in attrs for attrs in scripts)
    data = json.loads(re.search(
        r'<script type="application/json" id="dashboard-charts">(.*?)</script>', page,
        re.S).group(1))
    assert data["locale"] == "ZH"
    charts = {chart["id"]: chart for chart in data["charts"]}
    assert charts["lectures-attendances"]["values"][-3:] == [1, 2, 1]
    assert charts["lectures-attendances"]["urls"][-1] == (
        "/lectures/statistics?start=2026-11-01&end=2026-11-22")
    assert charts["registry-categories"]["type"] == "hbar"
    assert '/cb-static/vendor/echarts/echarts.min.js"' in page
    assert '/dashboard/static/dashboard.js"' in page


def test_charts_speak_english_on_english_pages(world, make_user, login):
    client = login(make_user(Role.HR_OFFICER))
    client.get("/lang/en?next=/")
    page = client.get("/").text
    data = json.loads(re.search(r'id="dashboard-charts">(.*?)</script>', page, re.S).group(1))
    assert data["locale"] == "EN"


def test_echarts_and_the_charts_script_are_served(company, client):
    for url, marker in (("/cb-static/vendor/echarts/echarts.min.js", 't.version="5.'),
                        ("/dashboard/static/dashboard.js", "dashboard-charts")):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.mimetype in ("text/javascript", "application/javascript"), url
        assert marker in response.text, url
        response.close()


def test_other_features_put_panels_below_the_figures(world, make_user, login, app, monkeypatch):
    assert "home.panels" in features.SLOTS
    state = app.extensions["carebridge"]
    monkeypatch.setitem(state.panels, "home.panels",
                        [*state.panels.get("home.panels", ()), "tests/_home_panel.html"])
    monkeypatch.setattr(app.jinja_env, "loader", ChoiceLoader([
        DictLoader({"tests/_home_panel.html":
                    '<div id="test-panel">{{ actor.key }} {{ board.today }}</div>'}),
        app.jinja_env.loader]))
    user = make_user(Role.SITE_MANAGER, world["site_a"])
    page = login(user).get("/").text
    panels = page[page.index('id="home-panels"'):]
    assert f'<div id="test-panel">{user.key} 2026-11-22</div>' in panels
    assert page.index('id="dashboard-trends"') < page.index('id="home-panels"')


def test_closed_periods_are_computed_once_a_day_and_today_always_live(company, make_unit, clock):
    """Last month's figures come from the day's cache the second time; today's are computed
    again (a worker joining shows at once); the next day the cache is computed anew."""
    from plugin.core.clock import local_today
    from plugin.dashboard.figures import build_dashboard
    from plugin.dashboard.models import DashboardFigure
    from plugin.org.models import OrgKind

    from .factories import make_worker
    from .support import recorded_statements

    site = make_unit(OrgKind.SITE)
    for _ in range(3):
        make_worker(site)
    today = local_today()

    def workers(board):
        figure = next(figure for section in board.sections for figure in section.figures
                      if figure.code == "registry.workers_employed")
        return figure.value, figure.previous

    first = build_dashboard([company.path], today, link=lambda *args: None, locale="zh_CN")
    stored = session.execute(select(func.count()).select_from(DashboardFigure)).scalar_one()
    assert stored > 0 and workers(first) == (3, 3)
    make_worker(site)
    session.flush()
    with recorded_statements() as statements:
        second = build_dashboard([company.path], today, link=lambda *args: None, locale="zh_CN")
    # Today's count is live; last month's end comes from the day's cache, computed before the
    # worker was added (recomputed, a worker with no entry date would count there too).
    assert workers(second) == (4, 3)
    assert len(statements) < 40
    clock.advance(days=1)
    third = build_dashboard([company.path], local_today(), link=lambda *args: None,
                            locale="zh_CN")
    assert workers(third) == (4, 4)
    assert session.execute(select(func.min(DashboardFigure.computed_on))).scalar_one() == \
        local_today()
