"""The monthly allowance: exactly one grant per eligible worker and month, whichever policy
version and unit it comes from, with eligibility following the registry."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from plugin.core.db import session
from plugin.family_contact import grants, rules
from plugin.family_contact.models import AllowanceGrant, AllowancePolicy, Eligibility
from plugin.org.models import OrgKind
from plugin.registry.models import Child

from .conftest import SYSTEM

DEC = date(2026, 12, 1)


def policy(unit, *, version=1, eligibility=Eligibility.LEFT_BEHIND_PARENTS, minutes=300,
           data_mb=1024, starts_on=date(2026, 11, 1), prorate=False, suspended=False):
    made = AllowancePolicy(org_unit_id=unit.id, version=version, eligibility=eligibility,
                           minutes_per_month=minutes, data_mb_per_month=data_mb,
                           carrier="china_mobile", minute_cost_fen=10, mb_cost_fen=2,
                           starts_on=starts_on, prorate_joiners=prorate, suspended=suspended,
                           created_by="test")
    session.add(made)
    session.flush()
    return made


def grants_of(month=DEC):
    return {grant.worker_id: grant for grant in session.scalars(
        select(AllowanceGrant).where(AllowanceGrant.month == month))}


@pytest.fixture
def families(company, make_unit, make_worker, make_child):
    site = make_unit(OrgKind.SITE, name="前海项目部")
    left_behind = make_worker(site, name="留守家长")
    make_child(left_behind, left_behind=True)
    lives_with = make_worker(site, name="随迁家长")
    make_child(lives_with)
    no_children = make_worker(site, name="单身职工")
    return {"site": site, "left_behind": left_behind, "lives_with": lives_with,
            "no_children": no_children}


def test_each_eligible_worker_is_granted_once_however_often_the_month_runs(company, families):
    made = policy(company)
    assert grants.grant_month(DEC, SYSTEM) == {"granted": 1}
    assert grants.grant_month(DEC, SYSTEM) == {"granted": 0}
    assert grants.grant_month(DEC + timedelta(days=9), SYSTEM) == {"granted": 0}
    granted = grants_of()
    assert list(granted) == [families["left_behind"].id]
    grant = granted[families["left_behind"].id]
    assert (grant.policy_id, grant.minutes, grant.data_mb, grant.cost_fen) == (
        made.id, 300, 1024, 300 * 10 + 1024 * 2)
    assert grant.line_id == f"202612-{families['left_behind'].id}"
    assert grant.phone == families["left_behind"].phone


def test_all_workers_and_parents_in_need(company, families, make_unit, make_worker):
    policy(company, eligibility=Eligibility.ALL_WORKERS)
    grants.grant_month(DEC, SYSTEM)
    assert set(grants_of()) == {families[name].id for name in
                                ("left_behind", "lives_with", "no_children")}


def test_a_subsidiarys_policy_overrides_the_companys_and_the_newest_version_applies(
        company, families, make_unit, make_worker, make_child):
    policy(company, minutes=100)
    policy(company, version=2, minutes=200, starts_on=DEC)
    policy(company, version=3, minutes=999, starts_on=date(2027, 1, 1))
    subsidiary = make_unit(OrgKind.SUBSIDIARY, name="二公司")
    factory = make_unit(OrgKind.SITE, parent=subsidiary, name="二公司工厂")
    theirs = make_worker(factory)
    make_child(theirs, left_behind=True)
    own = policy(subsidiary, minutes=50)
    grants.grant_month(DEC, SYSTEM)
    granted = grants_of()
    assert granted[families["left_behind"].id].minutes == 200
    assert (granted[theirs.id].minutes, granted[theirs.id].policy_id) == (50, own.id)
    # A suspended version grants nothing in its subtree (and the company's does not step in).
    policy(subsidiary, version=2, starts_on=date(2027, 1, 1), suspended=True)
    grants.grant_month(date(2027, 1, 1), SYSTEM)
    january = grants_of(date(2027, 1, 1))
    assert theirs.id not in january and january[families["left_behind"].id].minutes == 999


def test_leavers_stop_and_joiners_are_prorated_where_the_policy_says(company, families,
                                                                     make_worker, make_child):
    november = date(2026, 11, 1)
    policy(company, prorate=True, minutes=310, data_mb=0)
    joiner, leaver = make_worker(families["site"]), make_worker(families["site"])
    for worker in (joiner, leaver):
        make_child(worker, left_behind=True)
    # As the roster says (the factory's left-behind parent is written without these dates).
    joiner.entry_date, leaver.left_on = date(2026, 11, 11), date(2026, 10, 31)
    session.flush()
    grants.grant_month(november, SYSTEM)
    granted = grants_of(november)
    assert joiner.id not in granted and leaver.id not in granted
    assert granted[families["left_behind"].id].minutes == 310
    grants.grant_month(date(2026, 11, 11), SYSTEM)  # the joiner's first day: 20 of 30 days
    grant = grants_of(november)[joiner.id]
    assert grant.minutes == 310 * 20 // 30 == rules.prorated(310, november, date(2026, 11, 11),
                                                            grant.policy)


def test_eligibility_follows_the_registry(company, families):
    policy(company)
    grants.grant_month(DEC, SYSTEM)
    child = session.scalars(select(Child).where(Child.left_behind.is_(True))).one()
    child.left_behind = False  # as the nightly recomputation records a parent come home
    session.flush()
    grants.grant_month(date(2027, 1, 1), SYSTEM)
    assert grants_of(date(2027, 1, 1)) == {}
    assert session.scalar(select(func.count(AllowanceGrant.id))) == 1


def test_a_run_stopped_half_way_is_finished_by_the_next(company, families, make_unit,
                                                        make_worker, make_child):
    subsidiary = make_unit(OrgKind.SUBSIDIARY, name="二公司")
    factory = make_unit(OrgKind.SITE, parent=subsidiary, name="二公司工厂")
    theirs = make_worker(factory)
    make_child(theirs, left_behind=True)
    policy(company)
    policy(subsidiary, minutes=50)

    def commit_then_stop():
        session.commit()
        raise RuntimeError("the server stopped")

    with pytest.raises(RuntimeError):
        grants.grant_month(DEC, SYSTEM, commit_each=commit_then_stop)
    session.rollback()
    assert list(grants_of()) == [theirs.id]  # the subsidiary's (deepest) policy went first
    assert grants.grant_month(DEC, SYSTEM) == {"granted": 1}
    assert sorted(grants_of()) == sorted([theirs.id, families["left_behind"].id])
