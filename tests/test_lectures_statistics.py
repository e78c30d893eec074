"""Lecture figures from hand-made attendance rows (see the definitions in plugin.lectures.statistics)."""
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event

from plugin.core.db import session
from plugin.core.errors import ValidationError
from plugin.lectures.models import CheckInMethod
from plugin.lectures.statistics import (
    lecture_figures,
    narrow_paths,
    never_attended,
    session_figures,
)
from plugin.org.models import OrgKind
from plugin.registry.models import EmploymentStatus

from .lectures_support import attend, make_lecture

NOVEMBER = (date(2026, 11, 1), date(2026, 11, 30))


def shanghai(year, month, day, hour, minute=0) -> datetime:
    """A wall-clock time in the company's zone, as the UTC datetime stored."""
    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo("Asia/Shanghai")).astimezone(UTC)


@pytest.fixture
def world(company, make_unit, make_worker, make_child):
    site_a = make_unit(OrgKind.SITE, name="甲项目部")
    team_a = make_unit(OrgKind.TEAM, parent=site_a, name="钢筋班")
    site_b = make_unit(OrgKind.SITE, name="乙项目部")
    away = {"entry_date": "2024-03-01"}
    w = {}
    w["a1"] = make_worker(site_a, employee_number="A01", name="甲一", **away)
    make_child(w["a1"], left_behind=True)
    make_child(w["a1"], left_behind=True, birth_date="2018-01-01")
    w["a2"] = make_worker(team_a, employee_number="A02", name="甲二", **away)
    make_child(w["a2"], left_behind=True)
    w["a3"] = make_worker(site_a, employee_number="A03", name="甲三")
    make_child(w["a3"])
    w["a4"] = make_worker(site_a, employee_number="A04", name="甲四")
    w["a5"] = make_worker(site_a, employee_number="A05", name="甲五", **away)
    make_child(w["a5"], left_behind=True)
    w["a5"].employment_status = EmploymentStatus.LEFT
    w["a6"] = make_worker(site_a, employee_number="A06", name="甲六", **away)
    w["a7"] = make_worker(site_a, employee_number="A07", name="甲七", **away)
    make_child(w["a7"], left_behind=True, other_parent_employee_number="A06")
    w["a8"] = make_worker(site_a, employee_number="A08", name="甲八", **away)
    make_child(w["a8"], left_behind=True)
    w["b1"] = make_worker(site_b, employee_number="B01", name="乙一", **away)
    make_child(w["b1"], left_behind=True)
    w["b2"] = make_worker(site_b, employee_number="B02", name="乙二", **away)
    make_child(w["b2"], left_behind=True)
    session.flush()

    s = {
        "s1": make_lecture(site_a, starts_at=shanghai(2026, 11, 10, 14), brochures=50),
        # 1 November 00:30 in Shanghai is still 31 October in UTC: inside November.
        "first_night": make_lecture(team_a, starts_at=shanghai(2026, 11, 1, 0, 30)),
        # 1 December 00:30 in Shanghai is 30 November in UTC: outside November.
        "december": make_lecture(team_a, starts_at=shanghai(2026, 12, 1, 0, 30), brochures=7),
        "group_lecture": make_lecture(company, starts_at=shanghai(2026, 11, 15, 9)),
        "cancelled": make_lecture(site_a, starts_at=shanghai(2026, 11, 12, 14), cancelled=True, brochures=9),
        "october": make_lecture(site_a, starts_at=shanghai(2026, 10, 20, 14)),
        "b_lecture": make_lecture(site_b, starts_at=shanghai(2026, 11, 11, 14)),
    }
    attend(s["s1"], w["a1"])
    attend(s["s1"], w["a2"], annulled=True)
    attend(s["s1"], w["a3"], late_upload=True)
    attend(s["s1"], w["b1"], method=CheckInMethod.BADGE_SCAN)
    attend(s["first_night"], w["a3"])
    attend(s["group_lecture"], w["a4"])
    attend(s["group_lecture"], w["a6"])
    attend(s["group_lecture"], w["a7"])
    attend(s["october"], w["a8"])
    attend(s["december"], w["a8"])
    attend(s["b_lecture"], w["b1"])
    return {"site_a": site_a, "team_a": team_a, "site_b": site_b, "company": company, **w, **s}


def test_figures_of_a_site_for_a_month(world):
    figures = lecture_figures([world["site_a"].path], *NOVEMBER)
    assert figures.sessions_held == 2  # s1 and the first night; not cancelled, October or December
    assert figures.brochures_handed_out == 50
    assert figures.attendances == 4  # s1: a1, a3, b1 (a2 annulled); first night: a3
    assert figures.unique_attendees == 3  # a1, a3, b1 (b1 works at site B but came)
    assert figures.workers_reached == 5  # a1, a3, a4, a6, a7 (the last three at the company lecture)
    assert figures.workers_with_left_behind_children == 5  # a1, a2, a6, a7, a8 (a5 left)
    assert figures.workers_with_left_behind_children_reached == 3  # a1, a6, a7
    assert figures.share_reached == pytest.approx(0.6)
    assert figures.children_reached == 4  # a1's two, a3's one, the child of a6 and a7
    assert figures.left_behind_children_reached == 3
    assert figures.families_reached == 3  # a1's; a3's; a6 and a7 together


def test_figures_of_the_whole_company(world):
    figures = lecture_figures([world["company"].path], *NOVEMBER)
    assert figures.sessions_held == 4
    assert figures.attendances == 8
    assert figures.unique_attendees == 6
    assert figures.workers_with_left_behind_children == 7
    assert figures.workers_with_left_behind_children_reached == 4  # a1, a6, a7, b1


def test_a_period_with_nothing_gives_zeros_and_no_share(world):
    figures = lecture_figures([world["site_b"].path], date(2025, 1, 1), date(2025, 12, 31))
    assert (figures.sessions_held, figures.attendances, figures.unique_attendees, figures.workers_reached,
            figures.families_reached, figures.children_reached) == (0, 0, 0, 0, 0, 0)
    assert figures.workers_with_left_behind_children == 2 and figures.share_reached == 0
    assert lecture_figures([], *NOVEMBER).share_reached is None


def test_december_counts_the_session_of_the_first_local_day(world):
    figures = lecture_figures([world["team_a"].path], date(2026, 12, 1), date(2026, 12, 1))
    assert figures.sessions_held == 1 and figures.brochures_handed_out == 7 and figures.attendances == 1


def test_a_reversed_period_is_refused(world):
    with pytest.raises(ValidationError) as error:
        lecture_figures([world["site_a"].path], date(2026, 12, 1), date(2026, 11, 1))
    assert error.value.field == "start"


def test_session_figures_count_valid_check_ins_by_method(world):
    figures = session_figures(world["s1"])
    assert figures.attendances == 3
    assert figures.by_method == {CheckInMethod.WORKER_SCAN: 2, CheckInMethod.BADGE_SCAN: 1}
    assert figures.with_left_behind_children == 2  # a1, b1; a3's child is not left-behind
    assert figures.late_uploads == 1
    assert session_figures(world["cancelled"]).attendances == 0


def test_never_attended_lists_active_parents_of_left_behind_children_without_a_valid_check_in(world):
    page = never_attended([world["site_a"].path])
    assert [worker.employee_number for worker in page.items] == ["A02"]  # annulled only
    company_page = never_attended([world["company"].path], per_page=1)
    assert company_page.total == 2 and company_page.pages == 2
    assert [worker.employee_number for worker in company_page.items] == ["A02"]
    second = never_attended([world["company"].path], page=2, per_page=1)
    assert [worker.employee_number for worker in second.items] == ["B02"]


def test_figures_take_a_fixed_number_of_queries(world, app):
    statements = []
    engine = app.extensions["sqlalchemy"].engine
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        lecture_figures([world["company"].path], *NOVEMBER)
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert 0 < len(statements) <= 6  # the time zone, then five aggregates


def test_narrow_paths_keeps_the_common_subtrees():
    assert narrow_paths(["/1/"], ["/1/2/", "/1/3/"]) == ["/1/2/", "/1/3/"]
    assert narrow_paths(["/1/2/4/"], ["/1/2/"]) == ["/1/2/4/"]
    assert narrow_paths(["/1/2/"], ["/1/3/"]) == []
