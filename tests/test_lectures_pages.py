import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from plugin.access.roles import Role
from plugin.core.db import session
from plugin.lectures.models import LectureSession, LectureTopic
from plugin.notifications.models import Notification
from plugin.org.models import OrgKind

from .conftest import submit
from .lectures_support import AFTERNOON, attend, make_lecture, make_lecturer


@pytest.fixture
def sites(make_unit):
    return make_unit(OrgKind.SITE, name="前海项目部"), make_unit(OrgKind.SITE, name="后海项目部")


@pytest.fixture
def manager_a(sites, make_user, login):
    return login(make_user(Role.SITE_MANAGER, sites[0], name="前海经理"))


FORM = {"title": "家长学校：亲子沟通", "format": "parents_school", "venue": "工人夜校",
        "starts_at": "2026-11-25T19:00", "ends_at": "2026-11-25T20:30",
        "topics": ["parent_child_communication", "guardianship_law"],
        "check_in_opens_minutes": "30", "check_in_closes_minutes": "15", "brochures_handed_out": "80",
        "description": "请带上孩子的照片"}


def test_an_empty_lecture_form_names_every_missing_field_at_once(sites, manager_a, company, clock):
    response = submit(manager_a, "/lectures/new", {"check_in_opens_minutes": "30",
                                                   "check_in_closes_minutes": "30",
                                                   "brochures_handed_out": "0"})
    assert response.status_code == 422
    for message in ("请选择举办单位", "请填写宣讲标题", "请选择宣讲形式", "请填写宣讲地点",
                    "请至少选择一个宣讲主题", "请填写开始时间"):
        assert message in response.text, message
    assert session.execute(select(LectureSession)).first() is None


def test_lecturers_are_picked_with_checkboxes_not_ctrl_click(sites, manager_a, company, clock):
    first, second = make_lecturer(company, "陈律师"), make_lecturer(company, "王老师")
    page = manager_a.get("/lectures/new").text
    assert 'multiple' not in page[page.index('id="lecturers"') - 200:page.index('id="lecturers"')]
    assert page.count('name="lecturers" type="checkbox"') == 2 and "Ctrl" not in page
    response = submit(manager_a, "/lectures/new", {**FORM, "unit": str(sites[0].id),
                                                   "lecturers": [str(first.id), str(second.id)]})
    assert response.status_code == 302, response.text
    lecture = session.execute(select(LectureSession)).scalar_one()
    assert {lecturer.name for lecturer in lecture.lecturers} == {"陈律师", "王老师"}


def test_a_site_manager_plans_a_lecture_through_the_form(sites, manager_a, company, clock):
    lecturer = make_lecturer(company, "陈律师")
    response = submit(manager_a, "/lectures/new", {**FORM, "unit": str(sites[0].id),
                                                   "lecturers": [str(lecturer.id)]})
    assert response.status_code == 302, response.text
    lecture = session.execute(select(LectureSession)).scalar_one()
    assert response.location == f"/lectures/{lecture.id}"
    # 19:00 in Shanghai is 11:00 UTC.
    assert lecture.starts_at == datetime(2026, 11, 25, 11, 0, tzinfo=UTC)
    assert lecture.ends_at - lecture.starts_at == timedelta(minutes=90)
    assert lecture.check_in_closes_minutes == 15 and lecture.brochures_handed_out == 80
    assert set(lecture.topics) == {LectureTopic.PARENT_CHILD_COMMUNICATION, LectureTopic.GUARDIANSHIP_LAW}
    assert [lecturer.name for lecturer in lecture.lecturers] == ["陈律师"]
    page = manager_a.get(response.location)
    assert page.status_code == 200
    assert "家长学校：亲子沟通" in page.text and "陈律师" in page.text and "亲子沟通" in page.text
    assert "签到表 PDF" in page.text and "/edit" in page.text
    listing = manager_a.get("/lectures/")
    assert "家长学校：亲子沟通" in listing.text


def test_form_errors_are_shown_on_their_fields(sites, manager_a):
    response = submit(manager_a, "/lectures/new", {**FORM, "unit": str(sites[0].id), "ends_at": "2026-11-25T18:00"})
    assert response.status_code == 422
    assert 'id="ends_at-errors">结束时间必须晚于开始时间<' in response.text
    assert session.execute(select(LectureSession)).first() is None
    response = submit(manager_a, "/lectures/new", {**FORM, "unit": str(sites[0].id), "topics": []})
    assert 'id="topics-errors"' in response.text and "请至少选择一个宣讲主题" in response.text
    response = submit(manager_a, "/lectures/new", {**FORM, "unit": str(sites[1].id)})
    assert "您无权管理“后海项目部”的宣讲" in response.text and 'id="unit-errors"' in response.text
    response = submit(manager_a, "/lectures/new", {**FORM, "unit": str(sites[0].id), "check_in_opens_minutes": "300"})
    assert 'id="check_in_opens_minutes-errors">签到提前开放时间须在 0 到 240 分钟之间<' in response.text
    assert session.execute(select(LectureSession)).first() is None


def test_a_site_manager_sees_and_edits_only_their_site(sites, manager_a):
    mine = make_lecture(sites[0], title="前海的宣讲")
    theirs = make_lecture(sites[1], title="后海的宣讲")
    listing = manager_a.get("/lectures/")
    assert "前海的宣讲" in listing.text and "后海的宣讲" not in listing.text
    assert manager_a.get(f"/lectures/{theirs.id}").status_code == 404
    assert manager_a.get(f"/lectures/{theirs.id}/edit").status_code == 404
    assert manager_a.get(f"/lectures/{theirs.id}/cancel").status_code == 404
    assert manager_a.get(f"/lectures/{theirs.id}/sign-in-sheet.pdf").status_code == 404
    calendar = manager_a.get("/lectures/calendar?month=2026-11")
    assert "前海的宣讲" in calendar.text and "后海的宣讲" not in calendar.text
    assert manager_a.get(f"/lectures/{mine.id}/edit").status_code == 200
    assert manager_a.get(f"/lectures/statistics?unit={sites[1].id}").status_code == 403


def test_the_edit_form_keeps_the_times_and_saves_the_rest(sites, manager_a):
    lecture = make_lecture(sites[0])
    page = manager_a.get(f"/lectures/{lecture.id}/edit")
    assert 'name="starts_at"' not in page.text
    assert re.search(r'<input checked[^>]*value="drowning"', page.text)
    assert not re.search(r'<input checked[^>]*value="bullying"', page.text)
    response = submit(manager_a, f"/lectures/{lecture.id}/edit", {
        **{key: value for key, value in FORM.items() if key not in ("starts_at", "ends_at")},
        "unit": str(sites[0].id)})
    assert response.status_code == 302
    assert lecture.title == "家长学校：亲子沟通" and lecture.starts_at == AFTERNOON


def test_cancel_and_reschedule_through_the_forms_notify_the_officers(sites, manager_a, make_user, company, clock):
    hr = make_user(Role.HR_OFFICER, company, name="人事")
    lecture = make_lecture(sites[0])
    response = submit(manager_a, f"/lectures/{lecture.id}/reschedule", {
        "starts_at": "2026-11-26T14:00", "ends_at": "2026-11-26T16:00", "reason": "下雨"})
    assert response.status_code == 302
    assert lecture.starts_at == datetime(2026, 11, 26, 6, 0, tzinfo=UTC)
    detail = manager_a.get(f"/lectures/{lecture.id}")
    assert 'id="reschedule-notice"' in detail.text and "下雨" in detail.text
    missing = submit(manager_a, f"/lectures/{lecture.id}/cancel", {"reason": ""})
    assert missing.status_code == 422 and "请填写取消原因" in missing.text and not lecture.is_cancelled
    response = submit(manager_a, f"/lectures/{lecture.id}/cancel", {"reason": "台风"})
    assert response.status_code == 302 and lecture.is_cancelled
    notes = session.execute(select(Notification).where(Notification.recipient_key == hr.key)
                            .order_by(Notification.id)).scalars().all()
    assert [note.category for note in notes] == ["lectures.rescheduled", "lectures.cancelled"]
    detail = manager_a.get(f"/lectures/{lecture.id}")
    assert 'id="cancel-notice"' in detail.text and 'id="session-actions"' not in detail.text
    assert manager_a.get(f"/lectures/{lecture.id}/edit").status_code == 302


def test_the_list_filters_by_unit_period_and_status(sites, make_user, login, company):
    client = login(make_user(Role.HR_OFFICER, company))
    make_lecture(sites[0], title="十一月前海")
    make_lecture(sites[1], title="十一月后海", cancelled=True)
    make_lecture(sites[0], title="十月前海", starts_at=AFTERNOON - timedelta(days=40))
    assert "十一月后海" not in client.get(f"/lectures/?unit={sites[0].id}").text
    november = client.get("/lectures/?start=2026-11-01&end=2026-11-30").text
    assert "十一月前海" in november and "十一月后海" in november and "十月前海" not in november
    cancelled = client.get("/lectures/?status=cancelled").text
    assert "十一月后海" in cancelled and "十一月前海" not in cancelled


def test_the_calendar_puts_sessions_on_their_local_day(sites, manager_a, clock):
    # 17:30 UTC on the 24th is 01:30 on the 25th in Shanghai.
    make_lecture(sites[0], title="深夜的宣讲", starts_at=datetime(2026, 11, 24, 17, 30, tzinfo=UTC))
    make_lecture(sites[0], title="取消了", cancelled=True, starts_at=AFTERNOON + timedelta(days=1))
    make_lecture(sites[0], title="下个月的", starts_at=AFTERNOON + timedelta(days=30))
    page = manager_a.get("/lectures/calendar?month=2026-11")
    assert page.status_code == 200
    text = page.text
    headers = [text.index(day) for day in ("周一", "周二", "周三", "周四", "周五", "周六", "周日")]
    assert headers == sorted(headers)
    day_25 = text[text.index('data-day="2026-11-25"'):text.index('data-day="2026-11-26"')]
    assert "01:30 深夜的宣讲" in day_25
    day_26 = text[text.index('data-day="2026-11-26"'):text.index('data-day="2026-11-27"')]
    assert "取消了" in day_26 and "text-decoration-line-through" in day_26
    # November 2026 starts on a Sunday: the grid starts on Monday 26 October and shows 6 weeks.
    assert 'data-day="2026-10-26"' in text and 'data-day="2026-12-06"' in text
    assert "下个月的" not in text  # 25 December is beyond the grid
    assert "month=2026-10" in text and "month=2026-12" in text
    assert "2026 年 11 月" in text
    today = manager_a.get("/lectures/calendar").text
    assert "2026 年 11 月" in today and 'table-info" data-day="2026-11-22"' in today


def test_a_report_officer_sees_statistics_but_no_names_and_plans_nothing(sites, make_user, login, company,
                                                                     make_worker, make_child):
    worker = make_worker(sites[0], name="从未来过", entry_date="2024-03-01")
    make_child(worker, left_behind=True)
    lecture = make_lecture(sites[0])
    client = login(make_user(Role.REPORT_OFFICER, company))
    page = client.get("/lectures/statistics?start=2026-11-01&end=2026-11-30")
    assert page.status_code == 200
    assert 'data-figure="sessions_held">1<' in page.text
    assert 'data-figure="share_reached">0.0%<' in page.text
    assert "从未来过" not in page.text and 'id="never-attended"' not in page.text
    assert client.get("/lectures/new").status_code == 403
    assert client.get(f"/lectures/{lecture.id}/edit").status_code == 403
    assert client.get(f"/lectures/{lecture.id}/sign-in-sheet.xlsx").status_code == 403
    assert client.get("/lectures/team/new").status_code == 403
    assert "签到表 PDF" not in client.get(f"/lectures/{lecture.id}").text


def test_the_statistics_page_shows_the_right_counts_and_the_never_attended_list(
        sites, manager_a, make_worker, make_child):
    came = make_worker(sites[0], name="来过的", entry_date="2024-03-01")
    make_child(came, left_behind=True)
    never = make_worker(sites[0], name="没来过", entry_date="2024-03-01")
    make_child(never, left_behind=True)
    make_child(never, left_behind=True, birth_date="2019-02-02")
    annulled = make_worker(sites[0], name="被作废的", entry_date="2024-03-01")
    make_child(annulled, left_behind=True)
    other_site = make_worker(sites[1], name="后海的", entry_date="2024-03-01")
    make_child(other_site, left_behind=True)
    lecture = make_lecture(sites[0])
    attend(lecture, came)
    attend(lecture, annulled, annulled=True)
    page = manager_a.get("/lectures/statistics?start=2026-11-01&end=2026-11-30")
    text = page.text
    assert 'data-figure="sessions_held">1<' in text and 'data-figure="attendances">1<' in text
    assert 'data-figure="unique_attendees">1<' in text and 'data-figure="children_reached">1<' in text
    assert 'data-figure="share_reached">33.3%<' in text
    table = text[text.index('id="never-attended"'):]
    assert "没来过" in table and "被作废的" in table and "来过的" not in table and "后海的" not in table
    assert f'data-worker="{never.id}"' in table
    row = table[table.index(f'data-worker="{never.id}"'):]
    assert '<td class="left-behind-count">2</td>' in row[:row.index("</tr>")]
    reversed_period = manager_a.get("/lectures/statistics?start=2026-12-01&end=2026-11-01")
    assert "起始日期不能晚于截止日期" in reversed_period.text


def table_of(html: str) -> str:
    return html[html.index('id="lecturers"'):]


def test_the_lecture_team_pages(sites, manager_a):
    response = submit(manager_a, "/lectures/team/new", {"name": "刘志愿", "kind": "volunteer",
                                                        "unit": str(sites[0].id), "phone": "13800138000"})
    assert response.status_code == 302
    page = manager_a.get("/lectures/team/")
    assert "刘志愿" in page.text and "志愿者" in page.text
    bad = submit(manager_a, "/lectures/team/new", {"name": "", "kind": "volunteer", "unit": str(sites[0].id)})
    assert "请填写姓名" in bad.text
    lecturer = make_lecturer(sites[0], "王专家")
    response = submit(manager_a, f"/lectures/team/{lecturer.id}/deactivate", {}, form_url="/lectures/team/")
    assert response.status_code == 302 and not lecturer.active
    assert "王专家" not in table_of(manager_a.get("/lectures/team/").text)
    assert "王专家" in table_of(manager_a.get("/lectures/team/?all=1").text)
    response = submit(manager_a, f"/lectures/team/{lecturer.id}/edit", {
        "name": "王专家", "kind": "expert", "unit": str(sites[0].id), "active": "y"})
    assert response.status_code == 302 and lecturer.active
    other = make_lecturer(sites[1], "后海专家")
    assert manager_a.get(f"/lectures/team/{other.id}/edit").status_code == 404


def test_the_navigation_shows_lectures(sites, manager_a):
    assert "宣讲活动" in manager_a.get("/lectures/").text
