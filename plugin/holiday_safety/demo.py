"""Holiday safety of the demo company (``carebridge seed-demo``), made through the services: the
last summer holiday's campaign of the site manager's site, its lecture held and most of its
workers' checklists confirmed; and the coming Spring Festival's campaign drafted for the same
site (the date entered by the administrator when the official calendar has no data yet)."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from ..attendance.services import Origin, check_in
from ..core.features import DemoContext
from ..lectures import services as lectures
from ..lectures.models import CheckInMethod, LectureFormat
from ..lectures.periods import local_to_utc
from ..org.models import OrgKind
from ..worker_access.services import worker_actor
from . import campaigns, holidays, queries
from .models import HolidayKind, TravelPlan

#: (who looks after the children, swimming rules explained, plan, note), in turn per worker.
ANSWERS = (
    ("爷爷奶奶在老家照看", "yes", TravelPlan.STAYING, None),
    ("外婆照看，妈妈也在家", "yes", TravelPlan.GOING_HOME, "7月20日坐火车回家"),
    ("孩子暑假来工地，跟我们住", "yes", TravelPlan.CHILD_VISITING, "7月10日外婆送来"),
    ("姑姑家照看", "no", TravelPlan.STAYING, None),
)


def load(context: DemoContext) -> None:
    actor = context.actor
    manager = context.accounts.get("site")
    site = _site(context, manager)
    if site is None:
        return
    manager_actor = manager or actor
    summer_year = context.today.year if context.today >= date(context.today.year, 8, 1) \
        else context.today.year - 1
    summer = holidays.holiday_start(HolidayKind.SUMMER, summer_year)
    campaign = campaigns.draft_campaign(site, summer, actor)
    if campaign is not None:
        day = summer.starts_on - timedelta(days=6)
        lecture = lectures.create_session(lectures.SessionDetails(
            title=f"{summer_year}年暑假安全教育：防溺水、交通安全、防欺凌、防性侵",
            format=LectureFormat.TALK, unit=site, venue=f"{site.name}职工活动室",
            topics=campaigns.lecture_defaults(campaign, context.today)["topics"],
            description="请有 16 岁以下子女的职工参加，会后在手机上确认假期安全清单。"),
            starts_at=local_to_utc(datetime.combine(day, time(19, 0))),
            ends_at=local_to_utc(datetime.combine(day, time(20, 0))), actor=manager_actor)
        campaigns.attach_lecture(campaign, lecture, manager_actor)
        page = queries.pending_page(campaign, page=1)
        # Most confirm; the last few are the follow-up list.
        for index, (recipient, worker, _unit) in enumerate(page.items[:-3]):
            carer, swimming, plan, note = ANSWERS[index % len(ANSWERS)]
            campaigns.confirm(recipient, campaigns.ChecklistAnswers(carer, swimming, plan, note),
                              worker_actor(worker))
            # Those who confirmed came to the lecture too (scanned in on their phones).
            check_in(lecture, worker, CheckInMethod.WORKER_SCAN,
                     at=lecture.starts_at + timedelta(minutes=index % 10),
                     origin=Origin(device="手机 / phone"))
    spring = next(start for start in holidays.upcoming(context.today)
                  if start.kind == HolidayKind.SPRING_FESTIVAL)
    spring_year = spring.year
    if spring.starts_on is None:
        # The official calendar has no data for the year yet: the administrator enters it.
        campaigns.enter_dates(HolidayKind.SPRING_FESTIVAL, spring_year,
                              _new_year_eve(spring_year), actor)
        spring = holidays.holiday_start(HolidayKind.SPRING_FESTIVAL, spring_year)
    # The coming Spring Festival's drafts, for every site (as the job drafts them).
    for each in sorted((unit for unit in context.units.values() if unit.kind == OrgKind.SITE),
                       key=lambda unit: unit.path):
        campaigns.draft_campaign(each, spring, actor)


def _site(context: DemoContext, manager):
    sites = sorted((unit for unit in context.units.values() if unit.kind == OrgKind.SITE),
                   key=lambda unit: (manager is None
                                     or unit.responsible_person != manager.name, unit.path))
    return sites[0] if sites else None


#: The eve of the lunar new year (除夕), the first day off, for the years the demo may need.
NEW_YEAR_EVES = {2027: date(2027, 2, 5), 2028: date(2028, 1, 25), 2029: date(2029, 2, 12),
                 2030: date(2030, 2, 2), 2031: date(2031, 1, 22)}


def _new_year_eve(year: int) -> date:
    return NEW_YEAR_EVES.get(year, date(year, 2, 1))
