"""The care team's figures: services, the families and children reached, trainings and awards are
flows over the period's days; volunteers and social workers are stocks at the end of its last
day, so a past period gives that day's team. Counted under the record's unit, per subtree."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from plugin.care_team import commendations, members
from plugin.care_team.models import CommendationCategory, Engagement, MemberKind, ServiceKind
from plugin.core import indicators
from plugin.org.models import OrgKind

from .care_team_support import TODAY, add_member, award, nominate_guardian, record_service
from .conftest import SYSTEM

DAY = timedelta(days=1)


@pytest.fixture
def team(company, make_unit, make_worker, make_child, clock):
    site = make_unit(OrgKind.SITE, name="甲项目部")
    other = make_unit(OrgKind.SITE, name="乙项目部")
    father = make_worker(site, name="赵铁柱")
    first, second = (make_child(father, name=name, birth_date=born)
                     for name, born in (("赵小花", "2015-03-03"), ("赵小草", "2017-05-05")))
    mother = make_worker(site, name="钱桂英")
    elsewhere = make_worker(other, name="孙大海")
    # Volunteers: one for 100 days, one who left 10 days ago, one who joined 5 days ago; a
    # social worker of each engagement (the purchased one left 3 days ago); one of site 乙.
    volunteer = add_member(site, joined_on=TODAY - 100 * DAY)
    add_member(site, name="已离队", joined_on=TODAY - 100 * DAY, left_on=TODAY - 10 * DAY)
    add_member(site, name="新来的", joined_on=TODAY - 5 * DAY)
    add_member(site, name="自有社工", kind=MemberKind.SOCIAL_WORKER,
               engagement=Engagement.IN_HOUSE, joined_on=TODAY - 50 * DAY)
    add_member(site, name="购买社工", kind=MemberKind.SOCIAL_WORKER,
               engagement=Engagement.PURCHASED, provider="阳光社工中心",
               joined_on=TODAY - 50 * DAY, left_on=TODAY - 3 * DAY)
    theirs = add_member(other, name="隔壁志愿者", joined_on=TODAY - 100 * DAY)
    for member, title, day, hours in ((volunteer, "心理危机识别", TODAY - 20 * DAY, "2"),
                                      (theirs, "心理危机识别", TODAY - 20 * DAY, "2"),
                                      (volunteer, "亲子沟通", TODAY - 2 * DAY, "1.5"),
                                      (volunteer, "绘本阅读", TODAY - 40 * DAY, "3")):
        members.record_training(member, members.TrainingInput(title, day, Decimal(hours)),
                                actor=SYSTEM, today=TODAY)
    services = [
        record_service(father, [volunteer], occurred_on=TODAY - 20 * DAY,
                       child_ids=[first.id, second.id]),
        record_service(father, [volunteer], occurred_on=TODAY - 2 * DAY,
                       kind=ServiceKind.TUTORING, child_ids=[first.id]),
        record_service(mother, [volunteer], occurred_on=TODAY - 1 * DAY,
                       kind=ServiceKind.TUTORING),
        record_service(elsewhere, [theirs], occurred_on=TODAY - 2 * DAY),
    ]
    guardian = nominate_guardian(father, nominated_on=TODAY - 30 * DAY)
    award(guardian, awarded_on=TODAY - 2 * DAY)
    nominate_guardian(mother)  # nominated only: never counted
    collective = commendations.nominate(commendations.NominationInput(
        category=CommendationCategory.OUTSTANDING_COLLECTIVE, awarding_body="市妇联",
        nominated_on=TODAY - 30 * DAY, reason="课业辅导小组", unit=site),
        scope=indicators_scope(), actor=SYSTEM, today=TODAY)
    award(collective, awarded_on=TODAY - 25 * DAY)
    return {"site": site, "other": other, "company": company, "services": services,
            "guardian": guardian, "collective": collective}


def indicators_scope():
    from plugin.access.scope import Scope

    return Scope.company()


def figure(code, unit, start, end=TODAY):
    return indicators.compute(f"care_team.{code}", [unit.path], start, end)


def test_services_families_and_children_in_a_period(team):
    site, week = team["site"], TODAY - 6 * DAY
    assert figure("services_delivered", site, week) == 2
    assert figure("services_delivered", site, TODAY - 30 * DAY) == 3
    assert figure("services_delivered", team["company"], week) == 3
    assert indicators.breakdown("care_team.services_delivered", "service_kind", [site.path],
                                TODAY - 30 * DAY, TODAY) == {"counselling": 1, "tutoring": 2}
    assert figure("workers_served", site, TODAY - 30 * DAY) == 2
    assert figure("children_served", site, TODAY - 30 * DAY) == 2
    assert figure("children_served", site, week) == 1
    first, second, third, _theirs = team["services"]
    assert indicators.counted_records("care_team.services_delivered", [site.path], week,
                                      TODAY) == sorted([second.id, third.id])
    assert indicators.counted_records("care_team.children_served", [site.path],
                                      TODAY - 30 * DAY, TODAY) == sorted([first.id, second.id])
    assert figure("services_delivered", site, TODAY - 60 * DAY, TODAY - 21 * DAY) == 0


def test_volunteers_and_social_workers_on_a_past_day(team, clock):
    site = team["site"]
    assert figure("volunteers", site, TODAY, TODAY) == 2  # the newcomer and the first one
    assert figure("volunteers", site, TODAY - 30 * DAY, TODAY - 20 * DAY) == 2  # before leaving
    assert figure("volunteers", site, TODAY - 10 * DAY, TODAY - 10 * DAY) == 1  # left that day
    assert figure("volunteers", team["company"], TODAY, TODAY) == 3
    assert figure("social_workers", site, TODAY, TODAY) == 1
    assert figure("social_workers", site, TODAY - 4 * DAY, TODAY - 4 * DAY) == 2
    assert indicators.breakdown("care_team.social_workers", "engagement", [site.path],
                                TODAY - 4 * DAY, TODAY - 4 * DAY) == {"in_house": 1,
                                                                      "purchased": 1}
    days = [TODAY - 200 * DAY, TODAY - 10 * DAY, TODAY - 4 * DAY, TODAY]
    for code in ("volunteers", "social_workers"):
        series = indicators.compute_series(f"care_team.{code}", [site.path], days)
        assert series == {day: figure(code, site, day, day) for day in days}
    # The clock moving on changes nothing about a past day.
    clock.advance(days=30)
    assert figure("volunteers", site, TODAY - 30 * DAY, TODAY - 20 * DAY) == 2


def test_trainings_held_their_hours_and_awards(team):
    site, month = team["site"], TODAY - 30 * DAY
    assert figure("trainings_held", site, month) == 2
    assert figure("trainings_held", team["company"], month) == 2  # one session, two sites
    assert figure("training_hours", site, month) == 4  # 2 + 1.5, half an hour up
    assert figure("training_hours", team["company"], month) == 6  # 2 + 2 + 1.5
    assert figure("trainings_held", site, TODAY - 60 * DAY) == 3
    assert figure("commendations_awarded", site, month) == 2
    assert figure("commendations_awarded", site, TODAY - 6 * DAY) == 1
    assert indicators.breakdown("care_team.commendations_awarded", "category", [site.path],
                                month, TODAY) == {"model_guardian": 1,
                                                  "outstanding_collective": 1}
    assert indicators.counted_records("care_team.commendations_awarded", [site.path], month,
                                      TODAY) == sorted([team["guardian"].id,
                                                        team["collective"].id])
    assert figure("commendations_awarded", team["other"], month) == 0
    title, labels = indicators.describe_breakdown("care_team.commendations_awarded", "category",
                                                  ["model_guardian"])
    assert title == "表彰类别" and labels == {"model_guardian": "依法履行监护职责模范"}
