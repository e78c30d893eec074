"""Drafting holiday safety campaigns on the right days (issue: 假期安全教育): N days before the
summer holiday and Spring Festival, one campaign per site, from the official calendar where it
has data, from the dates an administrator entered otherwise, and none (said on the home page)
when there is neither."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from plugin.core.db import session
from plugin.holiday_safety import holidays
from plugin.holiday_safety.jobs import draft_campaigns
from plugin.holiday_safety.models import CampaignStatus, HolidayDates, HolidayKind
from plugin.holiday_safety.rules import born_after_for_under_16, under_16_on
from plugin.notifications.models import Notification

from .holiday_safety_support import (
    SUMMER_2027,
    SUMMER_DRAFT_DAY,
    HolidayWorld,
    at,
    campaign_count,
    campaign_of,
    post,
)


@pytest.fixture
def world(clock, make_unit, make_worker, make_child, make_user):
    return HolidayWorld.make(make_unit, make_worker, make_child, make_user)


def test_the_summer_campaigns_are_drafted_21_days_before_1_july_not_earlier(world, clock):
    at(clock, SUMMER_DRAFT_DAY - timedelta(days=1))
    assert draft_campaigns()["drafted"] == 0
    assert campaign_count() == 0
    at(clock, SUMMER_DRAFT_DAY)
    assert draft_campaigns()["drafted"] == 2  # the two sites, not the team
    campaign = campaign_of(world.site_a, HolidayKind.SUMMER, 2027)
    assert campaign.holiday_starts_on == SUMMER_2027
    assert campaign.status == CampaignStatus.DRAFT
    assert [topic.value for topic in campaign.topic_list] == [
        "drowning", "traffic", "bullying", "sexual_assault"]
    assert [item.value for item in campaign.checklist_items] == [
        "carer", "swimming_rules", "travel"]
    assert campaign_of(world.team_a, HolidayKind.SUMMER, 2027) is None
    # The site's manager is told, with a link to the draft; the other site's is not.
    told = session.execute(select(Notification).where(
        Notification.category == "holiday_safety.drafted")).scalars().all()
    assert {(n.recipient_key, n.link_args["campaign_id"]) for n in told} >= {
        (world.manager_a.key, campaign.id)}
    assert all(n.link_args["campaign_id"] != campaign.id for n in told
               if n.recipient_key == world.manager_b.key)


def test_a_second_run_and_the_next_days_add_nothing(world, clock):
    at(clock, SUMMER_DRAFT_DAY)
    draft_campaigns()
    assert draft_campaigns()["drafted"] == 0
    at(clock, SUMMER_DRAFT_DAY + timedelta(days=5))
    assert draft_campaigns()["drafted"] == 0
    assert campaign_count() == 2


def test_a_missed_day_is_caught_up_until_the_holiday_starts(world, clock):
    at(clock, SUMMER_2027 - timedelta(days=1))
    assert draft_campaigns()["drafted"] == 2
    at(clock, SUMMER_2027)
    assert draft_campaigns()["drafted"] == 0


def test_the_lead_days_are_a_setting(world, clock, set_setting):
    set_setting("CAREBRIDGE_HOLIDAY_SAFETY_LEAD_DAYS", 7)
    at(clock, SUMMER_DRAFT_DAY)
    assert draft_campaigns()["drafted"] == 0
    at(clock, SUMMER_2027 - timedelta(days=7))
    assert draft_campaigns()["drafted"] == 2


def test_spring_festival_from_the_official_calendar(world, clock):
    # Spring Festival 2026: the official days off run from 15 February.
    at(clock, date(2026, 1, 24))
    assert draft_campaigns()["drafted"] == 0
    at(clock, date(2026, 1, 25))
    assert draft_campaigns()["drafted"] == 2
    campaign = campaign_of(world.site_a, HolidayKind.SPRING_FESTIVAL, 2026)
    assert campaign.holiday_starts_on == date(2026, 2, 15)
    assert [topic.value for topic in campaign.topic_list] == [
        "drowning", "traffic", "bullying", "sexual_assault", "fire_gas", "online"]


def test_a_year_without_calendar_data_and_no_dates_drafts_nothing_and_says_so(
        world, clock, make_user, login):
    # The installed calendar has no data for 2027: Spring Festival 2027 has no date.
    at(clock, date(2027, 1, 20))
    outcome = draft_campaigns()
    assert outcome["drafted"] == 0 and outcome["without_dates"] == 1
    assert campaign_of(world.site_a, HolidayKind.SPRING_FESTIVAL, 2027) is None
    start = holidays.holiday_start(HolidayKind.SPRING_FESTIVAL, 2027)
    assert start.starts_on is None and start.source is None
    admin = login(make_user())
    home = admin.get("/").text
    assert re.search(r'data-todo-count="holiday_safety_dates">1<', home)
    page = admin.get("/holiday-safety/").text
    assert 'data-missing-dates="spring_festival-2027"' in page
    # A site manager does not enter dates: no such item, but the campaigns page says it too.
    manager = login(world.manager_a)
    assert 'data-todo="holiday_safety_dates"' not in manager.get("/").text
    assert 'data-missing-dates="spring_festival-2027"' in manager.get("/holiday-safety/").text


def test_dates_entered_by_an_administrator_draft_the_campaigns(world, clock, make_user, login):
    at(clock, date(2027, 1, 20))
    admin = login(make_user())
    response = post(admin, "/holiday-safety/dates",
                    {"kind": "spring_festival", "year": "2027", "starts_on": "2027-02-05"})
    assert response.status_code == 302, response.text
    row = session.execute(select(HolidayDates)).scalar_one()
    assert (row.kind, row.year, row.starts_on) == (HolidayKind.SPRING_FESTIVAL, 2027,
                                                   date(2027, 2, 5))
    assert re.search(r'data-todo-count="holiday_safety_dates">0<', admin.get("/").text)
    assert draft_campaigns()["drafted"] == 2  # 20 January is within 21 days of 5 February
    assert campaign_of(world.site_b, HolidayKind.SPRING_FESTIVAL, 2027).holiday_starts_on == \
        date(2027, 2, 5)


def test_bad_dates_are_refused_naming_the_field_and_nothing_is_stored(world, clock, make_user,
                                                                      login):
    at(clock, date(2027, 1, 20))
    admin = login(make_user())
    response = post(admin, "/holiday-safety/dates",
                    {"kind": "spring_festival", "year": "2027", "starts_on": "2027-05-01"})
    assert response.status_code == 422
    assert "春节第一天须在 2027-01-10 到 2027-02-28 之间" in response.text
    response = post(admin, "/holiday-safety/dates", {"kind": "", "year": "1999",
                                                     "starts_on": ""})
    assert response.status_code == 422
    for message in ("请选择假期", "年份须在 2026 到 2032 之间", "请填写假期第一天"):
        assert message in response.text
    assert session.execute(select(HolidayDates)).first() is None


def test_only_administrators_enter_dates(world, clock, login):
    assert login(world.manager_a).get("/holiday-safety/dates").status_code == 403
    assert login(world.hr_a).get("/holiday-safety/dates").status_code == 403


def test_under_16_in_python_and_sql_agree_on_birthdays_and_29_february():
    days = [date(2027, 2, 28), date(2028, 2, 28), date(2028, 2, 29), date(2027, 3, 1),
            date(2027, 7, 1)]
    births = [date(2011, 2, 28), date(2011, 3, 1), date(2012, 2, 29), date(2012, 2, 28),
              date(2011, 7, 1), date(2011, 6, 30), date(2011, 7, 2), date(2027, 7, 2)]
    for day in days:
        cutoff = born_after_for_under_16(day)
        for birth in births:
            assert under_16_on(birth, day) == (cutoff < birth <= day), (day, birth)
