"""A worker checks in by scanning the venue's code with their phone: remembered phones are
scan-and-done, new phones identify once and come back, every refusal has its reason."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from plugin.attendance.models import AttemptOutcome, CheckInAttempt
from plugin.attendance.views import SEEN_COOKIE
from plugin.core.db import session
from plugin.lectures.models import Attendance, CheckInMethod, SessionStatus
from plugin.org.models import OrgKind
from plugin.registry.models import EmploymentStatus
from plugin.worker_access.cookies import COOKIE_NAME, _serializer
from plugin.worker_access.models import WorkerDevice
from plugin.worker_access.services import forget_device

from .attendance_support import NOW, code_url, make_lecture, remember_phone
from .conftest import csrf_token
from .support import recorded_statements
from .worker_phone_support import give_pin


@pytest.fixture
def site(make_unit):
    return make_unit(OrgKind.SITE, name="前海项目部")


@pytest.fixture
def lecture(site):
    return make_lecture(site)


@pytest.fixture
def worker(site, make_unit, make_worker):
    team = make_unit(OrgKind.TEAM, parent=site, name="钢筋班组")
    return make_worker(team, employee_number="E2001", name="赵铁柱", phone="13800135678")


@pytest.fixture
def phone(app, worker):
    client = app.test_client()
    remember_phone(client, worker)
    return client


def result_of(response):
    assert response.status_code == 200, response.status_code
    text = response.text
    level = text.split('data-level="')[1].split('"')[0]
    message = text.split('id="check-in-message">')[1].split("<")[0]
    return level, message


def attempts():
    return list(session.execute(select(CheckInAttempt).order_by(CheckInAttempt.id)).scalars())


def test_a_remembered_phone_checks_in_with_one_scan(phone, lecture, worker, clock):
    response = phone.get(code_url(lecture, NOW))
    assert result_of(response) == ("green", "签到成功 10:00")
    assert "赵铁柱" in response.text and lecture.title in response.text
    assert response.headers["Cache-Control"] == "no-store"
    row = session.execute(select(Attendance)).scalar_one()
    assert (row.worker_id, row.method, row.checked_in_at, row.late_upload) == (
        worker.id, CheckInMethod.WORKER_SCAN, NOW, False)
    assert row.officer is None and row.device
    logged = attempts()[-1]
    assert (logged.outcome, logged.reason, logged.worker_id, logged.session_id) == (
        AttemptOutcome.ACCEPTED, None, worker.id, lecture.id)


def test_scanning_again_says_when_the_worker_already_checked_in(phone, lecture, clock):
    phone.get(code_url(lecture, NOW))
    clock.advance(minutes=7)
    assert result_of(phone.get(code_url(lecture, clock.now))) == ("amber", "已于 10:00 签到，无需重复签到")
    assert session.execute(select(Attendance)).scalars().all().__len__() == 1
    assert [a.outcome for a in attempts()] == [AttemptOutcome.ACCEPTED, AttemptOutcome.ALREADY]


def test_the_worker_page_is_tiny_and_needs_no_javascript(phone, lecture, clock):
    page = phone.get(code_url(lecture, NOW))
    assert "<script" not in page.text
    stylesheet = phone.get(page.text.split('rel="stylesheet" href="')[1].split('"')[0])
    assert len(page.data) + len(stylesheet.data) <= 30 * 1024


def test_the_previous_slot_is_accepted_and_older_codes_expire(app, lecture, site, make_worker, clock):
    first, second = (make_worker(site) for _ in range(2))
    url = code_url(lecture, NOW)
    clock.advance(seconds=30)
    client = app.test_client()
    remember_phone(client, first)
    assert result_of(client.get(url))[0] == "green"
    clock.advance(seconds=30)
    client = app.test_client()
    remember_phone(client, second)
    assert result_of(client.get(url)) == ("amber", "二维码已过期，请重新扫描屏幕上的二维码")
    assert attempts()[-1].reason == "expired"


def test_a_new_phone_identifies_and_comes_back_to_the_check_in(app, lecture, worker, clock):
    client = app.test_client()
    url = code_url(lecture, NOW)
    response = client.get(url)
    assert response.status_code == 302
    assert response.location == f"/w/sign-in?next={url}"
    assert any(SEEN_COOKIE in header for header in response.headers.getlist("Set-Cookie"))
    assert attempts() == []  # nobody to log yet
    clock.advance(minutes=3)  # typing the number takes a while; the code on screen has changed
    form = client.get(response.location)
    signed_in = client.post(response.location, data={"csrf_token": csrf_token(form.text),
                                                     "employee_number": "E2001", "pin": give_pin(worker)})
    assert signed_in.location == url
    assert result_of(client.get(url)) == ("green", "签到成功 10:00")
    assert session.execute(select(Attendance.checked_in_at)).scalar_one() == NOW
    clock.advance(minutes=1)
    assert result_of(client.get(code_url(lecture, clock.now)))[0] == "amber"  # remembered now


def test_the_first_seen_time_counts_for_a_few_minutes_only(app, lecture, worker, clock):
    client = app.test_client()
    url = code_url(lecture, NOW)
    sign_in_url = client.get(url).location
    clock.advance(minutes=6)
    form = client.get(sign_in_url)
    client.post(sign_in_url, data={"csrf_token": csrf_token(form.text), "employee_number": "E2001",
                                   "pin": give_pin(worker)})
    assert result_of(client.get(url)) == ("amber", "二维码已过期，请重新扫描屏幕上的二维码")


def test_a_first_seen_cookie_for_another_code_does_not_help(app, lecture, worker, clock):
    client = app.test_client()
    client.get(code_url(lecture, NOW))
    clock.advance(minutes=3)
    remember_phone(client, worker)
    # Valid at the moment the cookie names, but not the code the cookie was made for.
    other = code_url(lecture, NOW - timedelta(seconds=30))
    assert result_of(client.get(other))[0] == "amber"
    assert attempts()[-1].reason == "expired"


def test_the_window_decides_when_codes_work(phone, site, clock):
    later = make_lecture(site, starts_at=NOW + timedelta(hours=2))
    assert result_of(phone.get(code_url(later, NOW))) == ("amber", "签到还没开始（11:30 开始）")
    earlier = make_lecture(site, starts_at=NOW - timedelta(hours=3))
    assert result_of(phone.get(code_url(earlier, NOW))) == ("red", "签到已结束（08:30 截止）")
    assert [a.reason for a in attempts()] == ["not_open", "closed"]


def test_a_cancelled_session_takes_no_check_in(phone, site, clock):
    cancelled = make_lecture(site, cancelled=True)
    assert result_of(phone.get(code_url(cancelled, NOW))) == ("red", "本场宣讲已取消")


def test_workers_of_other_sites_are_sent_to_the_officer(app, lecture, make_unit, make_worker, clock):
    stranger = make_worker(make_unit(OrgKind.SITE, name="后海项目部"))
    client = app.test_client()
    remember_phone(client, stranger)
    assert result_of(client.get(code_url(lecture, NOW))) == ("red", "不是本项目的职工（请找现场工作人员）")
    assert attempts()[-1].reason == "not_this_site"
    assert session.execute(select(Attendance)).first() is None


@pytest.mark.parametrize("edit, reason", [
    (lambda code: code[:-1] + ("A" if code[-1] != "A" else "B"), "forged"),
    (lambda code: code.replace(code.split(".")[0], str(int(code.split(".")[0]) + 1000), 1), "forged"),
    (lambda code: code[:-3], "tampered"),
    (lambda code: "hello", "tampered"),
])
def test_forged_and_tampered_codes_are_refused(phone, lecture, clock, edit, reason):
    code = code_url(lecture, NOW).removeprefix("/c/")
    level, _message = result_of(phone.get("/c/" + edit(code)))
    assert level == "red"
    assert attempts()[-1].reason == reason and attempts()[-1].outcome == AttemptOutcome.REFUSED


def test_a_code_from_the_future_is_tampered(phone, lecture, clock):
    assert result_of(phone.get(code_url(lecture, NOW + timedelta(minutes=2))))[0] == "red"
    assert attempts()[-1].reason == "tampered"


def test_an_unknown_phone_with_an_expired_code_is_told_at_once(app, lecture, clock):
    client = app.test_client()
    response = client.get(code_url(lecture, NOW - timedelta(minutes=2)))
    assert result_of(response)[0] == "amber"
    assert attempts()[-1].worker_id is None and attempts()[-1].reason == "expired"


def test_a_worker_who_left_is_no_longer_recognised(phone, lecture, worker, clock):
    worker.employment_status = EmploymentStatus.LEFT
    session.flush()
    response = phone.get(code_url(lecture, NOW))
    assert response.status_code == 302 and response.location.startswith("/w/sign-in")


# --- the usual scan is one guarded INSERT; what it relies on is checked in that statement ------

def test_changes_to_a_session_count_at_the_next_scan(app, phone, lecture, site, make_worker, clock):
    """The scan path keeps a per-process snapshot of the session; the database has the last word."""
    assert result_of(phone.get(code_url(lecture, NOW)))[0] == "green"
    others = []
    for number in range(3):
        client = app.test_client()
        remember_phone(client, make_worker(site, employee_number=f"E30{number}", phone=f"1390000{number:04d}"))
        others.append(client)
    clock.advance(seconds=1)
    lecture.title = "家长学校：改了题目"
    session.flush()
    response = others[0].get(code_url(lecture, clock.now))
    assert result_of(response)[0] == "green" and "家长学校：改了题目" in response.text
    lecture.starts_at, lecture.ends_at = NOW + timedelta(hours=3), NOW + timedelta(hours=4)
    session.flush()
    assert result_of(others[1].get(code_url(lecture, clock.now))) == ("amber", "签到还没开始（12:30 开始）")
    lecture.starts_at, lecture.ends_at = NOW, NOW + timedelta(hours=1)
    lecture.status = SessionStatus.CANCELLED
    session.flush()
    assert result_of(others[2].get(code_url(lecture, clock.now))) == ("red", "本场宣讲已取消")
    assert session.execute(select(func.count()).select_from(Attendance)).scalar() == 2


def test_a_forgotten_phone_signs_in_again(phone, lecture, site, worker, clock):
    assert result_of(phone.get(code_url(lecture, NOW)))[0] == "green"
    forget_device(_serializer().loads(phone.get_cookie(COOKIE_NAME).value), ip=None, user_agent=None)
    session.flush()
    response = phone.get(code_url(make_lecture(site), NOW))
    assert response.status_code == 302 and response.location.startswith("/w/sign-in")


def test_a_phone_seen_long_ago_is_marked_seen(phone, lecture, worker, clock):
    device = session.execute(select(WorkerDevice).where(WorkerDevice.worker_id == worker.id)).scalar_one()
    device.last_seen_at = NOW - timedelta(days=30)
    session.flush()
    assert result_of(phone.get(code_url(lecture, NOW)))[0] == "green"
    session.refresh(device)
    assert device.last_seen_at == NOW


def test_the_usual_scan_is_one_statement_on_postgresql_two_on_sqlite(app, lecture, site, make_worker,
                                                                    clock):
    """Count an attendance, log the attempt, name the worker: nothing else, at 2,000 scans a lecture."""
    def statements_of_a_first_scan(number: int) -> list[str]:
        client = app.test_client()
        remember_phone(client, make_worker(site, employee_number=f"E40{number}", name=f"扫码人{number}",
                                           phone=f"1370000{number:04d}"))
        url = code_url(lecture, NOW)
        with recorded_statements() as statements:
            response = client.get(url)
        assert result_of(response)[0] == "green"
        assert f"扫码人{number} <span" in response.text and f"E40{number}" in response.text
        return [" ".join(statement.split()[:3]) for statement in statements]

    statements_of_a_first_scan(1)  # the session's snapshot and the time zone, read once
    if session.get_bind().dialect.name == "postgresql":
        assert statements_of_a_first_scan(2) == ["WITH counted AS"]
    else:
        assert statements_of_a_first_scan(2) == ["INSERT INTO cb_attendance",
                                                 "INSERT INTO cb_check_in_attempt"]
    logged = attempts()[-1]
    assert (logged.outcome, logged.reason, logged.method, logged.session_id) == (
        AttemptOutcome.ACCEPTED, None, CheckInMethod.WORKER_SCAN, lecture.id)
    assert logged.device and logged.ip == "127.0.0.1"
