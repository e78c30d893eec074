"""Work near home's figures: parents of left-behind children working within their home province
and prefecture on the period's last day (withdrawn hukou codes counted where their successors
are), transfer requests made in the period and moves home approved in it."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from plugin.core import indicators
from plugin.core.host import Actor
from plugin.org.models import OrgKind
from plugin.positions import transfers

from .positions_support import (
    NANBU,
    NANSHAN,
    SHUANGLIU,
    SHUNQING,
    ask,
    locate,
    make_opening,
    parent,
)

HR = Actor(key="hr", name="人事")


@pytest.fixture
def company_sites(company, make_unit, make_worker, make_child, clock):
    shunqing = make_unit(OrgKind.SITE, name="顺庆项目部")
    shuangliu = make_unit(OrgKind.SITE, name="双流构件厂")
    nanshan = make_unit(OrgKind.SITE, name="南山项目部")
    team = make_unit(OrgKind.TEAM, parent=shunqing, name="钢筋班组")
    locate(shunqing, SHUNQING)
    locate(shuangliu, SHUANGLIU)
    locate(nanshan, NANSHAN)
    workers = {
        # in the home prefecture (a team of the site counts under the site's county)
        "prefecture": parent(make_worker, make_child, team, NANBU),
        # 南充地区南部县's old code 512922 is 511321 today: home prefecture too
        "old_code": parent(make_worker, make_child, shunqing, "512922"),
        # in the home province only
        "province": parent(make_worker, make_child, shuangliu, NANBU),
        # far from home
        "far": parent(make_worker, make_child, nanshan, NANBU),
    }
    # near home but no left-behind child: not counted
    make_worker(shunqing, hukou_region_code=NANBU)
    return {"company": company, "shunqing": shunqing, "shuangliu": shuangliu,
            "nanshan": nanshan, "workers": workers}


def figure(code: str, paths, start=date(2026, 11, 1), end=date(2026, 11, 30)) -> int:
    return indicators.compute(code, paths, start, end)


def test_workers_within_their_home_province_and_prefecture(company_sites):
    paths = [company_sites["company"].path]
    workers = company_sites["workers"]
    assert figure("positions.workers_home_province", paths) == 3
    assert figure("positions.workers_home_prefecture", paths) == 2
    assert indicators.counted_records("positions.workers_home_prefecture", paths,
                                      date(2026, 11, 1), date(2026, 11, 30)) == sorted(
        [workers["prefecture"].id, workers["old_code"].id])
    assert figure("positions.workers_home_province", [company_sites["nanshan"].path]) == 0
    assert figure("positions.workers_home_province", [company_sites["shunqing"].path]) == 2


def test_transfer_requests_and_moves_home_by_day(company_sites, clock):
    paths = [company_sites["company"].path]
    far = company_sites["workers"]["far"]
    near_home = make_opening(company_sites["shunqing"], "电工")
    also = make_opening(company_sites["shuangliu"], "焊工")
    approved = ask(far, near_home)
    declined = ask(far, also)
    transfers.decide(declined, transfers.Outcome.DECLINED, reason="已招满", effective_on=None,
                     actor=HR)
    clock.advance(days=10)  # 2026-12-02 (Shanghai)
    transfers.decide(approved, transfers.Outcome.APPROVED, reason=None, effective_on=None,
                     actor=HR)
    november, december = (date(2026, 11, 1), date(2026, 11, 30)), \
        (date(2026, 12, 1), date(2026, 12, 31))
    assert figure("positions.transfer_requests", paths, *november) == 2
    assert figure("positions.transfer_requests", paths, *december) == 0
    assert figure("positions.moves_home", paths, *november) == 0
    assert figure("positions.moves_home", paths, *december) == 1
    assert indicators.counted_records("positions.moves_home", paths, *december) == [approved.id]
    # counted under the unit the worker asked from
    assert figure("positions.transfer_requests", [company_sites["nanshan"].path],
                  *november) == 2
    assert figure("positions.transfer_requests", [company_sites["shunqing"].path],
                  *november) == 0
    assert clock.now.date() - timedelta(days=10) == date(2026, 11, 22)
