"""How far a site is from a worker's home, by the region hierarchy: same county, prefecture,
province or not near home at all; withdrawn hukou codes read as their successors (and the
published :func:`plugin.registry.regions.current_code` that says so); suggestions ranked by
distance, first day and site name; the SQL twin agrees with the rule."""
from __future__ import annotations

import pytest
from sqlalchemy import String, column, literal, select

from plugin.core.db import session
from plugin.org.models import OrgKind
from plugin.positions import rules
from plugin.positions.queries import suggestions_for
from plugin.registry.regions import current_code, former_codes

from .positions_support import NANBU, NANSHAN, SHUANGLIU, SHUNQING, TODAY, make_opening, parent


@pytest.mark.parametrize(("home", "site", "expected"), [
    (NANBU, NANBU, rules.SAME_COUNTY),
    (NANBU, SHUNQING, rules.SAME_PREFECTURE),
    (NANBU, SHUANGLIU, rules.SAME_PROVINCE),
    (NANBU, NANSHAN, None),                       # another province: never suggested
    ("511300", NANBU, rules.SAME_PREFECTURE),     # a hukou recorded at the prefecture
    ("510000", NANBU, rules.SAME_PROVINCE),       # … or at the province
    (None, NANBU, None), (NANBU, None, None), ("5113", NANBU, None),
    # withdrawn codes: 镇雄县 532128 is 530627 today, in 昭通市 (532100 → 530600)
    ("532128", "530627", rules.SAME_COUNTY),
    ("532128", "530602", rules.SAME_PREFECTURE),  # 昭阳区, same prefecture under today's code
    ("532128", "530102", rules.SAME_PROVINCE),    # 昆明市五华区
    ("532100", "530602", rules.SAME_PREFECTURE),
    ("512922", SHUNQING, rules.SAME_PREFECTURE),  # 南充地区南部县, an ID number's old code
    # 密云县 110228 became 密云区 110118 (2015); 北京 districts share 1101
    ("110228", "110118", rules.SAME_COUNTY),
    ("110228", "110105", rules.SAME_PREFECTURE),
    ("110228", "120101", None),
])
def test_distance_by_the_region_hierarchy(home, site, expected):
    assert rules.distance(home, site) == expected


def test_the_registry_publishes_current_codes_through_every_renumbering():
    assert current_code("532128") == "530627"
    assert current_code("110228") == "110118"
    assert current_code("532100") == "530600"
    assert current_code("511321") == "511321"          # in use: itself
    assert current_code("110201") == "110114"          # 110201 → 110221 → 110114 (昌平)
    assert "532128" in former_codes("530627")
    assert {"110201", "110221"} <= set(former_codes("110114"))
    # 南部县 was 512922 while 南充 was a 地区 (5129), before 1993
    assert former_codes("511321") == ("512922",) and current_code("512922") == "511321"


@pytest.mark.parametrize("home", [NANBU, "532128", "110228", "511300", None])
def test_the_sql_twin_agrees_with_the_rule(app_context, home):
    sites = [NANBU, SHUNQING, SHUANGLIU, NANSHAN, "530627", "530602", "530102", "110118",
             "110105"]
    for site in sites:
        expression = rules.distance_sql(literal(home, String), literal(site, String), [home],
                                         sites)
        assert session.execute(select(expression)).scalar_one() == rules.distance(home, site), \
            (home, site)


def test_the_twin_maps_only_what_it_is_told(app_context):
    expression = rules.distance_sql(column("home"), column("site"), ["532128"], ["530627"])
    sql = str(expression.compile(compile_kwargs={"literal_binds": True}))
    assert "532128" in sql and "530627" in sql


def test_suggestions_are_ranked_by_distance_then_start_then_site(clock, make_unit, make_worker,
                                                                  make_child):
    home_site = make_unit(OrgKind.SITE, name="深圳项目部")
    worker = parent(make_worker, make_child, home_site, NANBU)
    county_b = make_unit(OrgKind.SITE, name="二号南部县项目部")
    county_a = make_unit(OrgKind.SITE, name="一号南部县项目部")
    prefecture = make_unit(OrgKind.SITE, name="顺庆项目部")
    province = make_unit(OrgKind.SITE, name="双流厂区")
    away = make_unit(OrgKind.SITE, name="南山项目部")
    late_near = make_opening(county_b, "普工", starts_on="2027-02-01", county=NANBU)
    early_b = make_opening(county_b, "电工", starts_on="2026-12-01")
    early_a = make_opening(county_a, "钢筋工", starts_on="2026-12-01", county=NANBU)
    middle = make_opening(prefecture, "木工", starts_on="2026-11-25", county=SHUNQING)
    far = make_opening(province, "焊工", starts_on="2026-11-23", county=SHUANGLIU)
    make_opening(away, "钢筋工", starts_on="2026-11-23", county=NANSHAN)
    make_opening(home_site, "电工", starts_on="2026-11-23", county=NANSHAN)
    ended = make_opening(province, "架子工", starts_on="2026-01-01", ends_on="2026-11-21")
    assert ended.ends_on < TODAY
    found = suggestions_for(worker, TODAY)
    assert [(each.opening.id, each.distance) for each in found] == [
        (early_a.id, 0), (early_b.id, 0), (late_near.id, 0), (middle.id, 1), (far.id, 2)]
    assert [str(each.distance_words) for each in found] == ["同县", "同县", "同县", "同市", "同省"]
    assert found[0].county_name == "四川省南充市南部县"


def test_a_worker_from_a_withdrawn_county_is_offered_work_at_home(clock, make_unit, make_worker,
                                                                   make_child):
    worker = parent(make_worker, make_child, make_unit(OrgKind.SITE, name="深圳项目部"),
                    "532128")
    zhenxiong = make_unit(OrgKind.SITE, name="镇雄项目部")
    zhaoyang = make_unit(OrgKind.SITE, name="昭阳项目部")
    at_home = make_opening(zhenxiong, county="530627")
    nearby = make_opening(zhaoyang, county="530602")
    found = suggestions_for(worker, TODAY)
    assert [(each.opening.id, each.distance) for each in found] == [(at_home.id, 0),
                                                                    (nearby.id, 1)]


def test_no_suggestion_across_provinces_or_without_a_home(clock, make_unit, make_worker,
                                                          make_child):
    site = make_unit(OrgKind.SITE, name="南山项目部")
    make_opening(site, county=NANSHAN)
    from_sichuan = parent(make_worker, make_child, make_unit(OrgKind.SITE), NANBU)
    homeless = parent(make_worker, make_child, make_unit(OrgKind.SITE), None)
    assert suggestions_for(from_sichuan, TODAY) == []
    assert suggestions_for(homeless, TODAY) == []
