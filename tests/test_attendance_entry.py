"""Officers enter attendance by hand or from a paper sheet, and annul a mistaken check-in within
15 minutes; all of it audited."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from plugin.access.roles import Role
from plugin.audit.models import AuditEvent
from plugin.core.db import session
from plugin.lectures.models import Attendance, CheckInMethod
from plugin.org.models import OrgKind

from .attendance_support import NOW, code_url, make_lecture, remember_phone
from .conftest import submit


@pytest.fixture
def site(make_unit):
    return make_unit(OrgKind.SITE, name="前海项目部")


@pytest.fixture
def lecture(site):
    return make_lecture(site)


@pytest.fixture
def workers(site, make_worker):
    return [make_worker(site, employee_number=f"E30{n}", name=name)
            for n, name in enumerate(("李大壮", "王小花", "陈阿强"), start=1)]


@pytest.fixture
def officer(site, make_user, login):
    user = make_user(Role.CARE_WORKER, site)
    return user, login(user)


def page_url(lecture, **query):
    suffix = "&".join(f"{key}={value}" for key, value in query.items())
    return f"/attendance/sessions/{lecture.id}" + (f"?{suffix}" if suffix else "")


def events(action):
    return session.execute(select(AuditEvent).where(AuditEvent.action == action)).scalars().all()


def test_manual_entry_finds_the_worker_by_name_and_records_who_entered_it(lecture, workers, officer, clock):
    user, client = officer
    found = client.get(page_url(lecture, q="王小"))
    assert 'data-worker="E302"' in found.text and "E301" not in found.text
    response = submit(client, f"/attendance/sessions/{lecture.id}/manual",
                      {"worker_id": str(workers[1].id)}, form_url=page_url(lecture, q="王小"))
    assert response.status_code == 302
    row = session.execute(select(Attendance)).scalar_one()
    assert (row.worker_id, row.method, row.officer, row.checked_in_at) == (
        workers[1].id, CheckInMethod.MANUAL, user.key, NOW)
    assert events("attendance.manual_entry")[0].details["worker_id"] == workers[1].id
    after = client.get(page_url(lecture, q="E302"))
    assert "王小花 签到成功 10:00" in after.text and "已签到" in after.text


def test_manual_entry_of_a_worker_of_another_unit_is_refused_and_logged(site, officer, make_unit, make_worker,
                                                                      clock):
    _user, client = officer
    team_lecture = make_lecture(make_unit(OrgKind.TEAM, parent=site, name="钢筋班组"))
    # In the officer's scope (the site), not in the team's: the officer may see who it was.
    stranger = make_worker(make_unit(OrgKind.TEAM, parent=site, name="木工班组"), name="木工老周")
    response = submit(client, f"/attendance/sessions/{team_lecture.id}/manual", {"worker_id": str(stranger.id)},
                      form_url=page_url(team_lecture), follow_redirects=True)
    assert "木工老周 不是本项目的职工" in response.text
    assert session.execute(select(Attendance)).first() is None
    assert events("attendance.manual_entry") == []
    log = client.get(f"/attendance/sessions/{team_lecture.id}/attempts")
    assert 'data-reason="not_this_site"' in log.text and "非本项目职工" in log.text and "木工老周" in log.text


def test_a_paper_sheet_is_entered_with_its_times(lecture, workers, officer, clock):
    user, client = officer
    clock.advance(hours=3)  # after the lecture
    response = submit(client, f"/attendance/sessions/{lecture.id}/paper-sheet",
                      {"default_time": "10:20", "lines": "E301 10:05\n\ne302\nE303，10:31\nE301"},
                      form_url=page_url(lecture))
    assert response.status_code == 302, response.text
    rows = {row.worker.employee_number: row for row in session.execute(select(Attendance)).scalars()}
    assert {number: row.checked_in_at for number, row in rows.items()} == {
        "E301": NOW + timedelta(minutes=5), "E302": NOW + timedelta(minutes=20),
        "E303": NOW + timedelta(minutes=31)}
    assert {row.method for row in rows.values()} == {CheckInMethod.PAPER_SHEET}
    assert {row.officer for row in rows.values()} == {user.key}
    event = events("attendance.paper_sheet")[0]
    assert event.details == {"accepted": ["E301", "E302", "E303"], "already": ["E301"]}
    assert "新增 3 人，已签到过 1 人" in client.get(page_url(lecture)).text


def test_a_paper_sheet_with_bad_lines_stores_nothing_and_names_each_line(lecture, workers, officer,
                                                                         make_unit, make_worker, clock):
    _user, client = officer
    make_worker(make_unit(OrgKind.SITE, name="后海项目部"), employee_number="X900")
    clock.advance(hours=2)
    response = submit(client, f"/attendance/sessions/{lecture.id}/paper-sheet",
                      {"lines": "E301 10:05\nNOBODY 10:05\nE302 7:05\nE303 half past\nX900 10:10\nE301"},
                      form_url=page_url(lecture))
    assert response.status_code == 422
    # X900 is another site's: outside the officer's scope, so a number nobody has (issue #13).
    for expected in ("第 2 行：NOBODY 不能签到（查无此人）", "第 3 行：时间不在签到时段内",
                     "第 4 行：时间 half past 看不懂", "第 5 行：X900 不能签到（查无此人）",
                     "第 6 行：请写上签到时间"):
        assert expected in response.text
    # What was saved (nothing) and what was not comes first: 5 bad lines, line 1 fine.
    assert "签到表有 5 行不能登记，整张表未保存；其余 1 行无误" in response.text
    assert response.text.index("整张表未保存") < response.text.index("第 2 行")
    assert session.execute(select(Attendance)).first() is None
    assert events("attendance.paper_sheet") == []


def test_annulment_within_fifteen_minutes_with_a_reason(app, lecture, workers, officer, clock):
    user, client = officer
    phone = app.test_client()
    remember_phone(phone, workers[0])
    phone.get(code_url(lecture, NOW))
    row = session.execute(select(Attendance)).scalar_one()
    no_reason = submit(client, f"/attendance/check-ins/{row.id}/annul", {"reason": " "}, form_url=page_url(lecture))
    assert no_reason.status_code == 302 and row.annulled_at is None
    clock.advance(minutes=14)
    submit(client, f"/attendance/check-ins/{row.id}/annul", {"reason": "替别人扫码"}, form_url=page_url(lecture))
    session.refresh(row)
    assert (row.annulled_at, row.annulled_by, row.annul_reason) == (clock.now, user.key, "替别人扫码")
    event = events("attendance.annulled")[0]
    assert event.details["reason"] == "替别人扫码" and event.details["worker_id"] == workers[0].id
    listing = client.get(page_url(lecture))
    assert "已作废：替别人扫码" in listing.text and 'id="present-count">0<' in listing.text
    # The worker scanning again brings the row back, once.
    again = phone.get(code_url(lecture, clock.now))
    assert 'data-level="green"' in again.text
    session.refresh(row)
    assert row.annulled_at is None and row.checked_in_at == clock.now
    assert len(session.execute(select(Attendance)).scalars().all()) == 1


def test_annulment_is_refused_after_fifteen_minutes(app, lecture, workers, officer, clock):
    _user, client = officer
    phone = app.test_client()
    remember_phone(phone, workers[0])
    phone.get(code_url(lecture, NOW))
    row = session.execute(select(Attendance)).scalar_one()
    clock.advance(minutes=15, seconds=1)
    assert 'class="d-flex gap-1 annul-form"' not in client.get(page_url(lecture)).text
    response = submit(client, f"/attendance/check-ins/{row.id}/annul", {"reason": "代签"}, form_url=page_url(lecture))
    assert response.status_code == 302
    session.refresh(row)
    assert row.annulled_at is None and events("attendance.annulled") == []
    assert "超过 15 分钟" in client.get(page_url(lecture)).text


def test_officers_of_other_units_cannot_touch_the_session(lecture, make_user, login, make_unit, workers, clock):
    outsider = login(make_user(Role.SITE_MANAGER, make_unit(OrgKind.SITE)))
    # Outside their scope the session does not exist for them, whatever its id (issue #13).
    assert outsider.get(page_url(lecture)).status_code == 404
    assert outsider.get(f"/attendance/sessions/{lecture.id}/attempts").status_code == 404
    report_officer = login(make_user(Role.REPORT_OFFICER))
    assert report_officer.get(page_url(lecture)).status_code == 403
