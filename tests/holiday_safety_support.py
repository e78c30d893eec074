"""Sites, families and officers for the holiday safety tests.

Everything goes through the real services (:mod:`plugin.holiday_safety.campaigns`, the drafting
job), so records are valid and audited exactly as in production::

    world = HolidayWorld.make(make_unit, make_worker, make_child, make_user)
    at(clock, date(2027, 6, 10))            # the company's local day, 10:00
    draft_campaigns()                       # the daily job
    campaign = campaign_of(world.site_a, HolidayKind.SUMMER, 2027)
    schedule(campaign, world.manager_a)     # its lecture, a week later; the checklist goes out
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from plugin.access.roles import Role
from plugin.core.db import session
from plugin.core.host import Actor
from plugin.holiday_safety import campaigns
from plugin.holiday_safety.models import CampaignStatus, HolidayKind, SafetyCampaign
from plugin.lectures.models import LectureFormat
from plugin.org.models import OrgKind

from .conftest import csrf_token

#: The summer holiday of 2027 (the default 1 July) and the day its campaigns are drafted.
SUMMER_2027 = date(2027, 7, 1)
SUMMER_DRAFT_DAY = SUMMER_2027 - timedelta(days=21)


def at(clock, day: date) -> None:
    """Move the frozen clock to 10:00 of ``day`` in Shanghai."""
    clock.now = datetime(day.year, day.month, day.day, 2, 0, tzinfo=UTC)


def actor_of(user) -> Actor:
    return Actor(key=user.key, name=user.display_name if hasattr(user, "display_name")
                 else user.username)


@dataclass
class HolidayWorld:
    site_a: object
    team_a: object
    site_b: object
    #: Child aged 10 in July 2027.
    parent_a: object
    #: In site A's team; child born 2011-08-01 (15 on 1 July 2027).
    parent_team: object
    #: Child born 2011-06-30: 16 on 1 July 2027, not in the audience.
    parent_of_16: object
    #: No children.
    single_a: object
    #: Left the company: not in the audience.
    left_a: object
    parent_b: object
    manager_a: object
    manager_b: object
    hr_a: object

    @classmethod
    def make(cls, make_unit, make_worker, make_child, make_user) -> HolidayWorld:
        site_a = make_unit(OrgKind.SITE, name="甲项目部")
        team_a = make_unit(OrgKind.TEAM, parent=site_a, name="甲项目部一班")
        site_b = make_unit(OrgKind.SITE, name="乙项目部")
        parent_a = make_worker(site_a, employee_number="A001", name="张大山")
        make_child(parent_a, name="张小明", birth_date="2017-03-03")
        parent_team = make_worker(team_a, employee_number="A002", name="王二河")
        make_child(parent_team, name="王小河", birth_date="2011-08-01")
        parent_of_16 = make_worker(site_a, employee_number="A003", name="李大树")
        make_child(parent_of_16, name="李小树", birth_date="2011-06-30")
        single_a = make_worker(site_a, employee_number="A004", name="赵单身")
        left_a = make_worker(site_a, employee_number="A005", name="钱已离",
                             employment_status="离职", left_on="2026-10-01")
        make_child(left_a, name="钱小离", birth_date="2018-01-01")
        parent_b = make_worker(site_b, employee_number="B001", name="孙隔壁")
        make_child(parent_b, name="孙小隔", birth_date="2016-01-01")
        manager_a = make_user(Role.SITE_MANAGER, site_a, username="manager-a", name="甲经理")
        manager_b = make_user(Role.SITE_MANAGER, site_b, username="manager-b", name="乙经理")
        hr_a = make_user(Role.HR_OFFICER, site_a, username="hr-a", name="甲人事")
        session.flush()
        return cls(site_a, team_a, site_b, parent_a, parent_team, parent_of_16, single_a,
                   left_a, parent_b, manager_a, manager_b, hr_a)


def campaign_of(unit, kind: HolidayKind, year: int) -> SafetyCampaign | None:
    return session.execute(select(SafetyCampaign).where(
        SafetyCampaign.org_unit_id == unit.id, SafetyCampaign.kind == kind,
        SafetyCampaign.year == year)).scalar_one_or_none()


def campaign_count() -> int:
    return session.execute(select(func.count()).select_from(SafetyCampaign)).scalar_one()


def schedule(campaign: SafetyCampaign, user, *, days_before: int = 7) -> int:
    """Schedule the campaign's lecture at 19:00 Shanghai ``days_before`` the holiday."""
    day = campaign.holiday_starts_on - timedelta(days=days_before)
    starts = datetime(day.year, day.month, day.day, 11, 0, tzinfo=UTC)
    lecture_id = campaigns.schedule_lecture(campaign, campaigns.LectureInput(
        title="暑假安全教育", format=LectureFormat.TALK, venue="职工活动室",
        topics=["drowning", "traffic_safety"], starts_at=starts,
        ends_at=starts + timedelta(hours=1)), actor_of(user))
    assert campaign.status == CampaignStatus.SCHEDULED
    return lecture_id


def lecture_form(campaign: SafetyCampaign, **overrides) -> dict:
    """The lecture form as a browser submits it (local wall-clock times)."""
    day = campaign.holiday_starts_on - timedelta(days=7)
    return {"title": "暑假安全教育宣讲", "format": "talk", "venue": "甲项目部职工活动室",
            "topics": ["drowning", "bullying"],
            "starts_at": f"{day.isoformat()}T19:00", "ends_at": f"{day.isoformat()}T20:30",
            "description": "防溺水、防欺凌", **overrides}


def post(client, url: str, data: dict, *, form_url: str | None = None):
    page = client.get(form_url or url)
    return client.post(url, data={"csrf_token": csrf_token(page.text), **data})
