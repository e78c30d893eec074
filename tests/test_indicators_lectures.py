"""The lectures' indicators (issue #18) against figures counted by hand: a quarter in
Asia/Shanghai, two sites, subtree scoping, the quarter's boundaries, cancelled sessions and
annulled attendances, and the records behind each figure."""
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from plugin.core import indicators
from plugin.lectures.statistics import lecture_figures
from plugin.org.models import OrgKind

from .lectures_support import attend, make_lecture

Q4 = (date(2026, 10, 1), date(2026, 12, 31))
CODES = ("lectures.sessions_held", "lectures.attendances", "lectures.workers_reached",
         "lectures.brochures_handed_out")


def shanghai(year, month, day, hour, minute=0) -> datetime:
    """A wall-clock time in the company's zone, as the UTC datetime stored."""
    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo("Asia/Shanghai")).astimezone(UTC)


@pytest.fixture
def world(company, make_unit, make_worker):
    site_a = make_unit(OrgKind.SITE, name="甲项目部")
    team_a = make_unit(OrgKind.TEAM, parent=site_a, name="钢筋班")
    site_b = make_unit(OrgKind.SITE, name="乙项目部")
    w = {"a1": make_worker(site_a), "a2": make_worker(team_a), "a3": make_worker(site_a),
         "a4": make_worker(site_a), "a5": make_worker(site_a), "a6": make_worker(site_a),
         "b1": make_worker(site_b), "b2": make_worker(site_b)}
    s = {
        # The quarter's first local minute (still 30 September in UTC): inside.
        "first": make_lecture(site_a, starts_at=shanghai(2026, 10, 1, 0, 0), brochures=30),
        # 23:59 on the quarter's last local day: inside.
        "last": make_lecture(team_a, starts_at=shanghai(2026, 12, 31, 23, 59), brochures=20),
        # 00:00 the next day (still 31 December in UTC): outside.
        "after": make_lecture(site_a, starts_at=shanghai(2027, 1, 1, 0, 0), brochures=100),
        # 23:59 the day before the quarter: outside.
        "before": make_lecture(site_a, starts_at=shanghai(2026, 9, 30, 23, 59), brochures=5),
        "cancelled": make_lecture(site_a, starts_at=shanghai(2026, 11, 5, 14), cancelled=True,
                                  brochures=40),
        "b_lecture": make_lecture(site_b, starts_at=shanghai(2026, 11, 10, 14)),
    }
    att = {
        "first_a1": attend(s["first"], w["a1"]),
        "first_a2": attend(s["first"], w["a2"]),
        "first_b1": attend(s["first"], w["b1"]),          # site B's worker at site A's lecture
        "last_a1": attend(s["last"], w["a1"]),
        "last_a3": attend(s["last"], w["a3"], annulled=True),
        "after_a4": attend(s["after"], w["a4"]),
        "before_a6": attend(s["before"], w["a6"]),
        "cancelled_a5": attend(s["cancelled"], w["a5"]),
        "b_a2": attend(s["b_lecture"], w["a2"]),           # site A's worker at site B's lecture
        "b_b2": attend(s["b_lecture"], w["b2"]),
    }
    return {"site_a": site_a, "team_a": team_a, "site_b": site_b, "company": company,
            "w": w, "s": s, "att": att}


def figures(paths, start, end):
    return tuple(indicators.compute(code, paths, start, end) for code in CODES)


def test_the_lectures_declare_their_four_flows(app):
    declared = indicators.declared_indicators()
    for code in CODES:
        feature, indicator = declared[code]
        assert feature.name == "lectures" and indicator.kind == indicators.FLOW
    assert str(declared["lectures.sessions_held"][1].unit) == "场"
    assert str(declared["lectures.attendances"][1].unit) == "人次"
    assert str(declared["lectures.workers_reached"][1].unit) == "人"


def test_a_quarter_counted_by_hand(world):
    company, site_a, team_a, site_b = (world[key].path for key in
                                       ("company", "site_a", "team_a", "site_b"))
    # Held: first, last, b_lecture (not after, before or the cancelled one).
    # Attendances: first ×3, last ×1 (a3 annulled), b_lecture ×2.
    # Reached: a1, a2, b1, b2 (a3 annulled, a4 after, a5 cancelled, a6 before).
    # Brochures: 30 + 20.
    assert figures([company], *Q4) == (3, 6, 4, 50)
    assert figures([site_a], *Q4) == (2, 4, 2, 50)     # reached: a1, a2 (a2 at site B's lecture)
    assert figures([team_a], *Q4) == (1, 1, 1, 20)     # the last session; reached: a2
    assert figures([site_b], *Q4) == (1, 2, 2, 0)      # reached: b1 (at site A), b2
    assert figures([site_a, site_b], *Q4) == figures([company], *Q4)
    assert figures([], *Q4) == (0, 0, 0, 0)


def test_the_quarter_ends_at_local_midnight(world):
    assert figures([world["company"].path], date(2026, 12, 31), date(2026, 12, 31)) == (1, 1, 1, 20)
    assert figures([world["company"].path], date(2027, 1, 1), date(2027, 3, 31)) == (1, 1, 1, 100)
    assert figures([world["company"].path], date(2026, 9, 30), date(2026, 9, 30)) == (1, 1, 1, 5)


def test_the_same_figures_as_the_statistics_page(world):
    for path in (world["company"].path, world["site_a"].path, world["site_b"].path):
        page = lecture_figures([path], *Q4)
        assert figures([path], *Q4) == (page.sessions_held, page.attendances,
                                         page.workers_reached, page.brochures_handed_out)


def test_the_records_behind_each_figure(world):
    s, w, att = world["s"], world["w"], world["att"]
    company, site_a = [world["company"].path], [world["site_a"].path]
    assert indicators.counted_records("lectures.sessions_held", company, *Q4) == sorted(
        [s["first"].id, s["last"].id, s["b_lecture"].id])
    assert indicators.counted_records("lectures.attendances", site_a, *Q4) == sorted(
        [att["first_a1"].id, att["first_a2"].id, att["first_b1"].id, att["last_a1"].id])
    assert indicators.counted_records("lectures.workers_reached", site_a, *Q4) == sorted(
        [w["a1"].id, w["a2"].id])
    assert indicators.counted_records("lectures.workers_reached", company, *Q4) == sorted(
        [w["a1"].id, w["a2"].id, w["b1"].id, w["b2"].id])
    # Only the sessions that handed out brochures (not b_lecture).
    assert indicators.counted_records("lectures.brochures_handed_out", company, *Q4) == sorted(
        [s["first"].id, s["last"].id])
    for code in CODES:  # each figure is the number of its records, brochures aside
        if code != "lectures.brochures_handed_out":
            assert indicators.compute(code, company, *Q4) == len(
                indicators.counted_records(code, company, *Q4))
