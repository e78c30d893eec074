"""The care team's demo loader (``carebridge seed-demo`` calls it with the demo company): both
demo sites get a team with trainings, services to families, and the commendations, one awarded
model guardian written into the integrity record."""
from __future__ import annotations

from sqlalchemy import func, select

from plugin.access.roles import Role
from plugin.care_team.demo import load
from plugin.care_team.models import (
    CareTeamMember,
    Commendation,
    CommendationStatus,
    Engagement,
    MemberKind,
    ServiceRecord,
    Training,
)
from plugin.core.db import session
from plugin.core.features import DemoContext
from plugin.guardianship.models import IntegrityEntry
from plugin.org.models import OrgKind

from .care_team_support import TODAY, actor_of
from .conftest import SYSTEM


def test_the_demo_loads_a_team_at_both_sites(company, make_unit, make_user, make_worker,
                                             make_child, clock):
    units = {company.name: company}
    accounts = {}
    for username, person in (("site", "张伟"), ("site2", "黄磊")):
        site = make_unit(OrgKind.SITE, name=f"{person}的项目部", responsible_person=person)
        units[site.name] = site
        accounts[username] = actor_of(make_user(Role.SITE_MANAGER, site, name=person))
        for number in range(3):
            worker = make_worker(site, name=f"{person}职工{number}")
            make_child(worker, name=f"{person}孩子{number}", birth_date="2016-01-01")
    accounts["union"] = actor_of(make_user(Role.UNION_OFFICER, name="刘洋"))
    accounts["care"] = actor_of(make_user(Role.CARE_WORKER, name="陈静"))
    load(DemoContext(units=units, actor=SYSTEM, today=TODAY, accounts=accounts))

    def count(*where, model=CareTeamMember):
        return session.scalar(select(func.count()).select_from(model).where(*where))

    assert count() == 8
    assert count(CareTeamMember.kind == MemberKind.VOLUNTEER) == 4
    assert count(CareTeamMember.engagement == Engagement.PURCHASED) == 2
    assert count(CareTeamMember.left_on.is_not(None)) == 2
    assert count(model=Training) > 0 and count(model=ServiceRecord) == 6
    statuses = session.execute(select(Commendation.category, Commendation.status)
                               .order_by(Commendation.id)).all()
    assert [(c.value, s) for c, s in statuses] == [
        ("model_guardian", CommendationStatus.AWARDED),
        ("model_guardian", CommendationStatus.NOMINATED),
        ("outstanding_volunteer", CommendationStatus.AWARDED),
        ("outstanding_collective", CommendationStatus.AWARDED),
        ("model_guardian", CommendationStatus.NOMINATED)]  # the second site's, waiting
    [entry] = session.scalars(select(IntegrityEntry)).all()
    assert entry.kind == "commendation" and entry.reference_type == "care_commendation"
