"""Indicators declared by the features, computed for subtrees and periods (issue #18): each
against figures counted by hand, stocks as of the period's last day."""
from datetime import date

import pytest

from plugin.core import indicators
from plugin.core.errors import ValidationError
from plugin.org.models import OrgKind
from plugin.registry import history
from plugin.registry.schema import WORKER_FIELDS, parse_record
from plugin.registry.services import upsert_worker

from .conftest import SYSTEM
from .factories import make_child, make_worker


def test_every_indicator_is_named_after_its_feature_with_a_definition(app):
    declared = indicators.declared_indicators()
    assert "registry.children_left_behind" in declared
    for code, (feature, indicator) in declared.items():
        assert code.startswith(f"{feature.name}.") and str(indicator.definition)
        assert indicator.kind in (indicators.FLOW, indicators.STOCK)


@pytest.fixture
def two_sites(make_unit):
    return make_unit(OrgKind.SITE, name="甲项目部"), make_unit(OrgKind.SITE, name="乙项目部")


def test_children_by_category_in_a_subtree_as_of_the_last_day(two_sites, clock):
    site_a, site_b = two_sites
    parent = make_worker(site_a)
    left_behind = make_child(parent, left_behind=True)
    make_child(make_worker(site_a))                       # lives with the parents
    make_child(make_worker(site_b), left_behind=True)
    year = (date(2026, 1, 1), date(2026, 12, 31))
    company = [site_a.parent.path]
    assert indicators.compute("registry.children_registered", company, *year) == 3
    assert indicators.compute("registry.children_left_behind", company, *year) == 2
    assert indicators.compute("registry.children_left_behind", [site_a.path], *year) == 1
    assert indicators.counted_records("registry.children_left_behind", [site_a.path],
                                      *year) == [left_behind.id]
    assert indicators.compute("registry.children_migrant", [site_a.path], *year) == 0

    # Last year's figure after this year's change: recorded on 21 November, then the child's
    # mother turns out capable the next day.
    history.record_day(date(2026, 11, 21))
    upsert_worker(parse_record({"employee_number": parent.employee_number, "name": parent.name,
                                "other_parent_status": "在家", "other_parent_capable": "是"},
                               WORKER_FIELDS, today=date(2026, 11, 22)), unit=site_a,
                  actor=SYSTEM)
    clock.advance(days=2)
    history.record_day(date(2026, 11, 23))
    up_to_21 = (date(2026, 11, 1), date(2026, 11, 21))
    assert indicators.compute("registry.children_left_behind", [site_a.path], *up_to_21) == 1
    assert indicators.compute("registry.children_left_behind", [site_a.path], *year) == 0


def test_workers_employed_on_the_last_day(two_sites):
    site_a, _ = two_sites
    make_worker(site_a, entry_date="2025-03-01")
    make_worker(site_a, entry_date="2026-06-01")
    make_worker(site_a, entry_date="2024-01-01", employment_status="离职", left_on="2026-02-01")
    assert indicators.compute("registry.workers_employed", [site_a.path],
                              date(2025, 1, 1), date(2025, 12, 31)) == 2  # the leaver was there
    assert indicators.compute("registry.workers_employed", [site_a.path],
                              date(2026, 1, 1), date(2026, 11, 22)) == 2


def test_unknown_indicators_and_reversed_periods_are_refused(app_context):
    with pytest.raises(ValidationError):
        indicators.compute("registry.nothing", [], date(2026, 1, 1), date(2026, 1, 31))
    with pytest.raises(ValidationError):
        indicators.compute("registry.children_registered", [], date(2026, 2, 1), date(2026, 1, 1))


def test_children_split_by_sex_age_band_province_and_flags(two_sites, clock):
    site_a, _ = two_sites
    parent = make_worker(site_a)
    # On 31 December 2026: 5, 6, 13 (turns 14 on 1 January), 14 (turned on 31 December), 17.
    for born, sex in (("2021-06-01", "男"), ("2020-12-31", "女"), ("2013-01-01", "男"),
                      ("2012-12-31", "女"), ("2009-06-01", "男")):
        make_child(parent, birth_date=born, sex=sex, hukou_region_code="540102",  # 拉萨 (三区三州)
                   family_poverty="低保" if born.startswith("2013") else "无")
    make_child(make_worker(site_a), birth_date="2015-05-05", hukou_region_code="511321")
    year = (date(2026, 1, 1), date(2026, 12, 31))
    paths = [site_a.path]

    def split(by):
        return indicators.breakdown("registry.children_registered", by, paths, *year)

    assert split("age_band") == {"0-5": 1, "6-13": 3, "14-15": 1, "16-17": 1}
    assert split("sex") == {"male": 3, "female": 2, "unknown": 1}
    assert split("hukou_province") == {"54": 5, "51": 1}
    assert split("three_areas") == {"true": 5, "false": 1}
    assert split("focus_flag") == {"family_hardship": 1}
    assert sum(split("age_band").values()) == indicators.compute(
        "registry.children_registered", paths, *year)
    with pytest.raises(ValidationError):
        indicators.breakdown("registry.children_registered", "shoe_size", paths, *year)


def test_workers_split_by_site_and_subcontractor(two_sites, make_unit):
    site_a, site_b = two_sites
    team = make_unit(OrgKind.TEAM, parent=site_a, name="钢筋班组")
    make_worker(site_a, subcontractor="某某劳务")
    make_worker(team, subcontractor="某某劳务")
    make_worker(site_b)
    year = (date(2026, 1, 1), date(2026, 11, 22))
    company = [site_a.parent.path]
    assert indicators.breakdown("registry.workers_employed", "site", company, *year) == {
        str(site_a.id): 2, str(site_b.id): 1}
    assert indicators.breakdown("registry.workers_employed", "subcontractor", company,
                                *year) == {"某某劳务": 2, "": 1}


def test_a_stock_series_equals_the_figure_of_each_day(company, make_unit, clock):
    """The dashboard's trends read stocks on several days in one statement: the same numbers as
    one day at a time."""
    from datetime import date as day_of

    from plugin.core import indicators
    from plugin.org.models import OrgKind

    from .factories import make_child, make_worker
    from .pledges_support import OFFICER, scan_png

    site = make_unit(OrgKind.SITE)
    workers = [make_worker(site, entry_date=f"2026-0{month}-15") for month in (6, 7, 8, 9)]
    make_worker(site, left_on="2026-08-10")
    from plugin.pledges import services
    services.log_paper_pledge(workers[0], [make_child(workers[0])], day_of(2026, 7, 1), "李专员",
                              scan_png(),
                              "image/png", OFFICER)
    days = [day_of(2026, month, 28) for month in (5, 6, 7, 8, 9, 10)]
    for code in ("registry.workers_employed", "pledges.workers_covered"):
        series = indicators.compute_series(code, [company.path], days)
        assert series == {day: indicators.compute(code, [company.path], day, day)
                          for day in days}, code
    assert list(indicators.compute_series("registry.workers_employed", [site.path],
                                          days).values()) == [1, 2, 3, 3, 4, 4]
