"""A site manager schedules the campaign's lecture; the workers with a child under 16 get the
checklist on their phone and confirm it; officers follow up those who have not; scoping and
refusals; the campaign follows its lecture; the indicators."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from plugin.audit.models import AuditEvent
from plugin.core.db import session
from plugin.holiday_safety import campaigns, indicators
from plugin.holiday_safety.jobs import draft_campaigns
from plugin.holiday_safety.models import CampaignStatus, HolidayKind, SafetyRecipient, TravelPlan
from plugin.lectures import services as lecture_services
from plugin.lectures.models import LectureSession
from plugin.worker_access.services import worker_actor
from plugin.worker_notices.models import WorkerNotice

from .attendance_support import remember_phone
from .conftest import csrf_token
from .holiday_safety_support import (
    SUMMER_DRAFT_DAY,
    HolidayWorld,
    actor_of,
    at,
    campaign_of,
    lecture_form,
    post,
    schedule,
)


@pytest.fixture
def world(clock, make_unit, make_worker, make_child, make_user):
    world = HolidayWorld.make(make_unit, make_worker, make_child, make_user)
    at(clock, SUMMER_DRAFT_DAY)
    draft_campaigns()
    return world


@pytest.fixture
def campaign(world):
    return campaign_of(world.site_a, HolidayKind.SUMMER, 2027)


def count(model, *where) -> int:
    return session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def phone(app, worker):
    client = app.test_client()
    remember_phone(client, worker)
    assert client.get("/w/holiday-safety/").status_code == 200  # stores it (a 404 rolls back)
    return client


def recipients(campaign) -> set[int]:
    return set(session.execute(select(SafetyRecipient.worker_id).where(
        SafetyRecipient.campaign_id == campaign.id)).scalars())


def test_the_site_manager_sees_the_draft_and_schedules_its_lecture(world, campaign, login):
    manager = login(world.manager_a)
    home = manager.get("/").text
    assert re.search(r'data-todo-count="holiday_safety_drafts">1<', home)
    page = manager.get(f"/holiday-safety/campaigns/{campaign.id}").text
    assert "甲项目部：2027年暑假前的假期安全教育" in page and 'id="schedule-lecture"' in page
    form = manager.get(f"/holiday-safety/campaigns/{campaign.id}/lecture").text
    # Pre-filled from the campaign: its holiday, the site, a week before, its lecture topics.
    assert 'value="2027年暑假假期安全教育"' in form and 'value="甲项目部"' in form
    assert 'value="2027-06-24T19:00"' in form
    for topic in ("drowning", "traffic_safety", "bullying", "sexual_assault"):
        assert re.search(rf'checked[^>]*value="{topic}"|value="{topic}"[^>]*checked', form), topic
    response = post(manager, f"/holiday-safety/campaigns/{campaign.id}/lecture",
                    lecture_form(campaign))
    assert response.status_code == 302, response.text
    session.refresh(campaign)
    assert campaign.status == CampaignStatus.SCHEDULED
    lecture = session.get(LectureSession, campaign.lecture_session_id)
    assert lecture.title == "暑假安全教育宣讲" and lecture.org_unit_id == world.site_a.id
    assert {topic.value for topic in lecture.topics} == {"drowning", "bullying"}
    assert campaign.lecture_on == date(2027, 6, 24)
    page = manager.get(f"/holiday-safety/campaigns/{campaign.id}").text
    assert f'href="/lectures/{lecture.id}"' in page and 'id="notified">2<' in page
    # Told: the site's and its team's workers with a child under 16 on 1 July, active.
    assert recipients(campaign) == {world.parent_a.id, world.parent_team.id}
    notices = session.execute(select(WorkerNotice.worker_id).where(
        WorkerNotice.kind == "holiday_safety.checklist")).scalars().all()
    assert sorted(notices) == sorted([world.parent_a.id, world.parent_team.id])


def test_a_refused_lecture_form_names_the_fields_and_writes_nothing(world, campaign, login):
    manager = login(world.manager_a)
    lectures_before = count(LectureSession)
    response = post(manager, f"/holiday-safety/campaigns/{campaign.id}/lecture",
                    lecture_form(campaign, title="", topics=[], ends_at="2027-06-24T18:00"))
    assert response.status_code == 422
    for message in ("请填写宣讲标题", "请至少选择一个宣讲主题", "结束时间必须晚于开始时间"):
        assert message in response.text
    response = post(manager, f"/holiday-safety/campaigns/{campaign.id}/lecture",
                    lecture_form(campaign, starts_at="2027-06-01T19:00",
                                 ends_at="2027-06-01T20:00"))
    assert response.status_code == 422 and "宣讲时间须晚于现在" in response.text
    session.refresh(campaign)
    assert campaign.status == CampaignStatus.DRAFT and campaign.lecture_session_id is None
    assert count(LectureSession) == lectures_before and not recipients(campaign)


def test_a_scheduled_campaign_is_not_scheduled_twice(world, campaign, login):
    schedule(campaign, world.manager_a)
    manager = login(world.manager_a)
    assert manager.get(f"/holiday-safety/campaigns/{campaign.id}/lecture").status_code == 302
    with pytest.raises(Exception, match="已经安排"):
        schedule(campaign, world.manager_a)


def test_the_worker_confirms_the_checklist_once_on_the_phone(app, world, campaign):
    schedule(campaign, world.manager_a)
    client = phone(app, world.parent_a)
    mine = client.get("/w/holiday-safety/").text
    assert f'data-campaign="{campaign.id}"' in mine and "请确认" in mine
    url = f"/w/holiday-safety/{campaign.id}"
    page = client.get(url).text
    assert "张小明" in page and "防溺水" in page and 'id="checklist-form"' in page
    # Refused: every missing answer named, nothing written.
    response = client.post(url, data={"csrf_token": csrf_token(page), "carer": " "})
    assert response.status_code == 422
    for message in ("请填写假期里谁照看孩子", "请选择是否已向孩子讲清防溺水规定", "请选择假期出行安排"):
        assert message in response.text
    recipient = session.execute(select(SafetyRecipient).where(
        SafetyRecipient.worker_id == world.parent_a.id)).scalar_one()
    assert recipient.confirmed_at is None
    audited = count(AuditEvent, AuditEvent.action == "holiday_safety.confirmed")
    assert audited == 0
    response = client.post(url, data={"csrf_token": csrf_token(page), "carer": "爷爷奶奶照看",
                                      "swimming_rules_explained": "yes",
                                      "travel_plan": "going_home", "travel_note": "7月20日回家"})
    assert response.status_code == 302
    session.refresh(recipient)
    assert (recipient.carer, recipient.swimming_rules_explained, recipient.travel_plan) == (
        "爷爷奶奶照看", True, TravelPlan.GOING_HOME)
    assert count(AuditEvent, AuditEvent.action == "holiday_safety.confirmed") == 1
    done = client.get(url + "?done=1").text
    assert "谢谢，已确认" in done and 'id="checklist-form"' not in done
    # A second confirmation is refused and changes nothing.
    response = client.post(url, data={"csrf_token": csrf_token(page), "carer": "别人",
                                      "swimming_rules_explained": "no",
                                      "travel_plan": "staying"})
    assert response.status_code == 422 and "您已经确认过" in response.text
    session.refresh(recipient)
    assert recipient.carer == "爷爷奶奶照看"


def test_a_worker_not_told_and_another_workers_campaign_answer_404(app, world, campaign):
    schedule(campaign, world.manager_a)
    other = campaign_of(world.site_b, HolidayKind.SUMMER, 2027)
    schedule(other, world.manager_b)
    assert phone(app, world.single_a).get(f"/w/holiday-safety/{campaign.id}").status_code == 404
    client = phone(app, world.parent_a)
    assert client.get(f"/w/holiday-safety/{other.id}").status_code == 404
    assert client.get("/w/holiday-safety/2000000000").status_code == 404
    assert client.get("/w/holiday-safety/99999999999").status_code == 404


def test_the_follow_up_list_and_reminders_once_a_day(app, world, campaign, clock, login):
    schedule(campaign, world.manager_a)
    campaigns.confirm(
        session.execute(select(SafetyRecipient).where(
            SafetyRecipient.worker_id == world.parent_a.id)).scalar_one(),
        campaigns.ChecklistAnswers("奶奶", "yes", "staying"), worker_actor(world.parent_a))
    manager = login(world.manager_a)
    page = manager.get(f"/holiday-safety/campaigns/{campaign.id}/pending").text
    assert f'data-worker="{world.parent_team.id}"' in page
    assert f'data-worker="{world.parent_a.id}"' not in page
    notices = count(WorkerNotice, WorkerNotice.worker_id == world.parent_team.id)
    # The first notice went out today: a reminder today is the same notice.
    response = manager.post(f"/holiday-safety/campaigns/{campaign.id}/remind",
                            data={"csrf_token": csrf_token(page)})
    assert response.status_code == 302
    assert count(WorkerNotice, WorkerNotice.worker_id == world.parent_team.id) == notices
    response = manager.post(f"/holiday-safety/campaigns/{campaign.id}/remind",
                            data={"csrf_token": csrf_token(page)}, follow_redirects=True)
    assert "今天已经提醒过" in response.text
    at(clock, SUMMER_DRAFT_DAY + timedelta(days=1))
    manager.post(f"/holiday-safety/campaigns/{campaign.id}/remind",
                 data={"csrf_token": csrf_token(page)})
    assert count(WorkerNotice, WorkerNotice.worker_id == world.parent_team.id) == notices + 1
    assert count(WorkerNotice, WorkerNotice.worker_id == world.parent_a.id) == 1
    # The confirmations page shows the answers, and reading it is audited.
    confirmed = manager.get(f"/holiday-safety/campaigns/{campaign.id}/confirmed").text
    assert "奶奶" in confirmed
    assert count(AuditEvent, AuditEvent.action == "holiday_safety.confirmations_viewed") == 1


def test_the_follow_up_list_runs_a_fixed_number_of_queries(world, campaign, make_worker,
                                                           make_child, login):
    from sqlalchemy import event

    for number in range(12):
        worker = make_worker(world.site_a, employee_number=f"A1{number:02d}")
        make_child(worker, birth_date="2018-05-05")
    schedule(campaign, world.manager_a)
    manager = login(world.manager_a)
    url = f"/holiday-safety/campaigns/{campaign.id}/pending"
    manager.get(url)
    statements = []
    engine = session.get_bind()
    listener = lambda *args, **kwargs: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        page = manager.get(url).text
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert page.count("data-worker=") == 14
    assert len(statements) < 25, len(statements)


def test_a_new_worker_is_told_with_the_send_button(world, campaign, make_worker, make_child,
                                                   login):
    schedule(campaign, world.manager_a)
    late = make_worker(world.site_a, employee_number="A099", name="周新来")
    make_child(late, birth_date="2015-01-01")
    manager = login(world.manager_a)
    page = manager.get(f"/holiday-safety/campaigns/{campaign.id}").text
    manager.post(f"/holiday-safety/campaigns/{campaign.id}/send",
                 data={"csrf_token": csrf_token(page)})
    assert late.id in recipients(campaign) and len(recipients(campaign)) == 3
    response = manager.post(f"/holiday-safety/campaigns/{campaign.id}/send",
                            data={"csrf_token": csrf_token(page)}, follow_redirects=True)
    assert "没有新的需要通知的职工" in response.text


def test_another_sites_campaign_answers_404_on_every_route(world, campaign, login):
    manager_b = login(world.manager_b)
    missing = 2_000_000_000
    for path in ("", "/lecture", "/pending", "/confirmed"):
        assert manager_b.get(f"/holiday-safety/campaigns/{campaign.id}{path}").status_code == \
            manager_b.get(f"/holiday-safety/campaigns/{missing}{path}").status_code == 404
    page = manager_b.get("/holiday-safety/").text
    token = csrf_token(page) if 'name="csrf_token"' in page else csrf_token(
        manager_b.get(f"/holiday-safety/campaigns/{campaign_of(world.site_b, HolidayKind.SUMMER, 2027).id}").text)
    for path in ("/lecture", "/send", "/close", "/remind"):
        response = manager_b.post(f"/holiday-safety/campaigns/{campaign.id}{path}",
                                  data={"csrf_token": token, **lecture_form(campaign)})
        assert response.status_code == 404, path
    session.refresh(campaign)
    assert campaign.status == CampaignStatus.DRAFT
    assert f'data-campaign="{campaign.id}"' not in page


def test_hr_sees_but_does_not_schedule(world, campaign, login):
    hr = login(world.hr_a)
    assert hr.get(f"/holiday-safety/campaigns/{campaign.id}").status_code == 200
    assert 'id="schedule-lecture"' not in hr.get(f"/holiday-safety/campaigns/{campaign.id}").text
    assert hr.get(f"/holiday-safety/campaigns/{campaign.id}/lecture").status_code == 403


def test_the_campaign_follows_its_lecture(app, world, campaign, clock):
    lecture_id = schedule(campaign, world.manager_a)
    lecture = session.get(LectureSession, lecture_id)
    moved = lecture.starts_at + timedelta(days=2)
    lecture_services.reschedule_session(lecture, starts_at=moved,
                                        ends_at=moved + timedelta(hours=1), reason="工期调整",
                                        actor=actor_of(world.manager_a))
    session.refresh(campaign)
    assert campaign.lecture_on == date(2027, 6, 26)
    lecture_services.cancel_session(lecture, "台风", actor=actor_of(world.manager_a))
    session.refresh(campaign)
    assert campaign.status == CampaignStatus.DRAFT and campaign.lecture_session_id is None
    told = recipients(campaign)
    schedule(campaign, world.manager_a, days_before=3)  # a new lecture; nobody told twice
    assert recipients(campaign) == told
    assert count(WorkerNotice, WorkerNotice.worker_id == world.parent_a.id) == 1


def test_closing_ends_reminders_and_confirmations(app, world, campaign, login):
    schedule(campaign, world.manager_a)
    manager = login(world.manager_a)
    page = manager.get(f"/holiday-safety/campaigns/{campaign.id}").text
    manager.post(f"/holiday-safety/campaigns/{campaign.id}/close",
                 data={"csrf_token": csrf_token(page)})
    session.refresh(campaign)
    assert campaign.status == CampaignStatus.CLOSED
    assert 'id="closed"' in phone(app, world.parent_a).get(
        f"/w/holiday-safety/{campaign.id}").text
    with pytest.raises(Exception, match="只有已安排"):
        campaigns.remind_pending(campaign, actor_of(world.manager_a))


def test_indicators_count_campaigns_held_workers_reached_and_confirmations(world, campaign):
    schedule(campaign, world.manager_a)
    other = campaign_of(world.site_b, HolidayKind.SUMMER, 2027)
    schedule(other, world.manager_b)
    campaigns.confirm(
        session.execute(select(SafetyRecipient).where(
            SafetyRecipient.worker_id == world.parent_a.id)).scalar_one(),
        campaigns.ChecklistAnswers("奶奶", "yes", "staying"), worker_actor(world.parent_a))
    june = (date(2027, 6, 1), date(2027, 6, 30))
    a, both = [world.site_a.path], [world.site_a.path, world.site_b.path]
    assert indicators.campaigns_held(a, *june) == 1
    assert indicators.campaigns_held(both, *june) == 2
    assert indicators.campaigns_held(both, date(2027, 7, 1), date(2027, 7, 31)) == 0
    assert indicators.campaigns_held_breakdown(both, *june, "holiday_kind") == {"summer": 2}
    assert indicators.workers_reached(a, *june) == 2
    assert indicators.workers_reached(both, *june) == 3
    assert indicators.confirmations(both, *june) == 1
    assert indicators.confirmations_breakdown(both, *june, "holiday_kind") == {"summer": 1}
    assert set(session.execute(indicators.confirmations_records(both, *june)).scalars()) == {
        world.parent_a.id}
    # A draft counts nowhere.
    assert indicators.campaigns_held(both, date(2027, 1, 1), date(2027, 12, 31)) == 2

