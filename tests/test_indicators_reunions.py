"""The reunion campaigns' indicators (issue #18): households travelled, people and children
reunited and subsidy spent, each against figures counted by hand on two sites (one with a
team), counted in the period the campaign's travel starts in."""
from datetime import date

import pytest

from plugin.core import indicators
from plugin.org.models import OrgKind
from plugin.reunions import services

from .conftest import SYSTEM
from .factories import make_child, make_worker
from .reunions_support import apply, book, make_campaign

JANUARY = (date(2027, 1, 1), date(2027, 1, 31))
FEBRUARY = (date(2027, 2, 1), date(2027, 2, 28))


@pytest.fixture
def setup(make_unit, company, clock):
    """Two fully subsidised campaigns for the whole company: the Spring Festival one's travel
    starts on 31 January (the last day of January), the other's on 1 February.

    Spring Festival, 甲: a1 (worker, child and spouse, 280 + 140 + 100, travelled), a2 (a team
    of 甲, 250, travelled), a3 (200, no-show: spent), a4 (approved, estimate held: not spent);
    乙: b1 (worker and child, 300 + 150, travelled), b2 (300 booked, cancelled with 270
    refunded: 30 spent). The other campaign, 甲: a5 (300, travelled).
    """
    site_a = make_unit(OrgKind.SITE, name="甲项目部")
    team = make_unit(OrgKind.TEAM, parent=site_a, name="钢筋班组")
    site_b = make_unit(OrgKind.SITE, name="乙项目部")
    spring = make_campaign(company, {site_a: 10, site_b: 10}, travel_from=date(2027, 1, 31))
    later = make_campaign(company, {site_a: 10}, name="2027 春节后返乡",
                          travel_from=date(2027, 2, 1))
    worker = make_worker(site_a)
    a1 = apply(spring, worker, children=[make_child(worker)], relatives=[("王芳", "配偶")])
    a2 = apply(spring, make_worker(team))
    a3 = apply(spring, make_worker(site_a))
    a4 = apply(spring, make_worker(site_a))
    worker_b = make_worker(site_b)
    b1 = apply(spring, worker_b, children=[make_child(worker_b)])
    b2 = apply(spring, make_worker(site_b))
    a5 = apply(later, make_worker(site_a))
    for application in (a1, a2, a3, a4, b1, b2, a5):
        services.approve(application, actor=SYSTEM)
    book(a1, 28_000, 14_000, 10_000)
    book(a2, 25_000)
    book(a3, 20_000)
    book(b1, 30_000, 15_000)
    book(b2, 30_000)
    book(a5, 30_000)
    for application in (a1, a2, b1, a5):
        services.mark_travelled(application, travelled=True, actor=SYSTEM)
    services.mark_travelled(a3, travelled=False, actor=SYSTEM)
    services.cancel(b2, "家中有事改期", actor=SYSTEM, refund_fen=27_000)
    return (site_a, team, site_b), dict(a1=a1, a2=a2, a3=a3, a4=a4, b1=b1, b2=b2, a5=a5)


def figures(units, period):
    paths = [unit.path for unit in units]
    return tuple(indicators.compute(f"reunions.{code}", paths, *period) for code in (
        "households_travelled", "people_reunited", "children_reunited", "subsidy_spent_fen"))


def records(code, units, period):
    return indicators.counted_records(f"reunions.{code}", [unit.path for unit in units], *period)


def ids(applications, *keys):
    return sorted(applications[key].id for key in keys)


def test_the_figures_match_the_campaigns_counted_by_hand(setup, company):
    (site_a, team, site_b), _applications = setup
    # households, people (worker + children + relatives), children, fen spent
    assert figures([site_a], JANUARY) == (2, 3 + 1, 1, 52_000 + 25_000 + 20_000)
    assert figures([site_b], JANUARY) == (1, 2, 1, 45_000 + 3_000)
    assert figures([company], JANUARY) == (3, 6, 2, 97_000 + 48_000)
    assert figures([team], JANUARY) == (1, 1, 0, 25_000)
    assert figures([team, site_b], JANUARY) == (2, 3, 1, 73_000)
    assert figures([], JANUARY) == (0, 0, 0, 0)


def test_a_campaign_counts_in_the_period_its_travel_starts_in(setup, company):
    (site_a, _team, _site_b), _applications = setup
    # The Spring Festival campaign starts travelling on 31 January: in January, not in the
    # period ending the day before; the other starts on 1 February: only in February.
    assert figures([site_a], (date(2027, 1, 1), date(2027, 1, 30))) == (0, 0, 0, 0)
    assert figures([site_a], FEBRUARY) == (1, 1, 0, 30_000)
    assert figures([company], (date(2027, 1, 31), date(2027, 2, 1))) == (4, 7, 2, 175_000)
    assert figures([company], (date(2026, 1, 1), date(2026, 12, 31))) == (0, 0, 0, 0)


def test_the_records_behind_each_figure(setup, company):
    (site_a, team, _site_b), applications = setup
    travelled_a = ids(applications, "a1", "a2")
    assert records("households_travelled", [site_a], JANUARY) == travelled_a
    assert records("people_reunited", [site_a], JANUARY) == travelled_a
    assert records("children_reunited", [site_a], JANUARY) == ids(applications, "a1")
    assert records("subsidy_spent_fen", [site_a], JANUARY) == ids(applications, "a1", "a2", "a3")
    assert records("children_reunited", [company], JANUARY) == ids(applications, "a1", "b1")
    assert records("subsidy_spent_fen", [company], JANUARY) == ids(
        applications, "a1", "a2", "a3", "b1", "b2")
    assert records("households_travelled", [team], JANUARY) == ids(applications, "a2")
    assert records("households_travelled", [site_a], FEBRUARY) == ids(applications, "a5")
    assert records("subsidy_spent_fen", [company], (date(2027, 1, 1), date(2027, 1, 30))) == []


def test_the_indicators_are_declared(app):
    declared = indicators.declared_indicators()
    codes = [code for code in declared if code.startswith("reunions.")]
    assert codes == ["reunions.households_travelled", "reunions.people_reunited",
                     "reunions.children_reunited", "reunions.subsidy_spent_fen"]
    for code in codes:
        indicator = declared[code][1]
        assert indicator.kind == indicators.FLOW
        assert indicator.record_type == "reunion_application"
    assert str(declared["reunions.subsidy_spent_fen"][1].unit) == "分"
