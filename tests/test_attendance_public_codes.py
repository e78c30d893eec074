"""Issue #13, finding 9: the public check-in URL ``/c/<code>`` under abuse.

- The "first seen" cookie of the sign-in detour lets a phone that opened a code before signing in
  be judged as of that moment. Copied to another phone it must not check that phone in.
- A code with a wrong signature says nothing about any session, and a flood of them writes a
  bounded number of rows to the attempts log.
"""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from plugin.attendance.models import CheckInAttempt
from plugin.attendance.views import SEEN_COOKIE
from plugin.core.db import session
from plugin.lectures.models import Attendance
from plugin.org.models import OrgKind

from .attendance_support import NOW, code_url, make_lecture, remember_phone

OTHER_DEVICE = "这个签到码是在另一部手机上打开的，请用本机扫描现场屏幕上的二维码"


@pytest.fixture
def site(make_unit):
    return make_unit(OrgKind.SITE, name="前海项目部")


@pytest.fixture
def lecture(site):
    return make_lecture(site, title="家长学校：防溺水")


@pytest.fixture
def worker(site, make_worker):
    return make_worker(site, employee_number="E2001", name="赵铁柱", phone="13800135678")


@pytest.fixture
def friend(site, make_worker):
    return make_worker(site, employee_number="E2002", name="钱二虎", phone="13900135679")


def phone_of(app, user_agent: str):
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = user_agent
    return client


def result_of(response):
    assert response.status_code == 200, response.status_code
    text = response.text
    return (text.split('data-reason="')[1].split('"')[0],
            text.split('id="check-in-message">')[1].split("<")[0])


def first_seen_cookie(app, lecture, user_agent="Phone A") -> tuple[str, str]:
    """A phone not signed in opens the code now: (the code's URL, the cookie it gets)."""
    phone = phone_of(app, user_agent)
    url = code_url(lecture, NOW)
    assert phone.get(url).status_code == 302
    return url, phone.get_cookie(SEEN_COOKIE, path="/c/").value


def attendances():
    return session.execute(select(Attendance)).scalars().all()


# --- 9a: the first-seen cookie stays on the phone that made it ---------------------------------------

def test_the_first_seen_cookie_copied_to_a_remembered_phone_does_not_check_it_in(app, lecture, friend, clock):
    elsewhere = phone_of(app, "Phone A")  # even the same browser build
    clock.now = NOW - timedelta(days=1)
    remember_phone(elsewhere, friend)  # remembered before the code was opened: not the phone that opened it
    clock.now = NOW
    url, cookie = first_seen_cookie(app, lecture)
    clock.advance(minutes=3)  # the code on the screen has changed twice since
    elsewhere.set_cookie(SEEN_COOKIE, cookie, path="/c/")
    assert result_of(elsewhere.get(url)) == ("other_device", OTHER_DEVICE)
    assert attendances() == []
    logged = session.execute(select(CheckInAttempt)).scalar_one()
    assert (logged.reason, logged.worker_id) == ("other_device", friend.id)


def test_the_first_seen_cookie_copied_to_another_browser_fails_after_signing_in_there(app, lecture, friend,
                                                                                     clock):
    url, cookie = first_seen_cookie(app, lecture, user_agent="Phone A")
    clock.advance(minutes=2)
    elsewhere = phone_of(app, "Phone B")
    elsewhere.set_cookie(SEEN_COOKIE, cookie, path="/c/")
    assert result_of(elsewhere.get(url)) == ("other_device", OTHER_DEVICE)  # told at once, not signed in
    remember_phone(elsewhere, friend)  # signed in there anyway, after the code was opened
    elsewhere.set_cookie(SEEN_COOKIE, cookie, path="/c/")
    assert result_of(elsewhere.get(url)) == ("other_device", OTHER_DEVICE)
    assert attendances() == []


def test_the_phone_that_opened_the_code_still_checks_in_as_of_then(app, lecture, worker, clock):
    phone = phone_of(app, "Phone A")
    url = code_url(lecture, NOW)
    assert phone.get(url).status_code == 302
    clock.advance(minutes=4)
    remember_phone(phone, worker)  # as the sign-in page does (tests/test_attendance_check_in.py)
    assert result_of(phone.get(url)) == ("", "签到成功 10:00")
    assert [row.checked_in_at for row in attendances()] == [NOW]


def test_a_copied_cookie_changes_nothing_while_the_code_is_still_valid(app, lecture, friend, clock):
    url, cookie = first_seen_cookie(app, lecture)
    clock.advance(seconds=40)  # the code is in its second slot: anyone may still open it
    elsewhere = phone_of(app, "Phone B")
    remember_phone(elsewhere, friend)
    elsewhere.set_cookie(SEEN_COOKIE, cookie, path="/c/")
    assert result_of(elsewhere.get(url)) == ("", "签到成功 10:00")
    assert [row.checked_in_at for row in attendances()] == [clock.now]  # as of now, not of the mark


# --- 9b: codes with a wrong signature ---------------------------------------------------------------

def forged(lecture_id: int, slot_code: str) -> str:
    """The URL of ``slot_code`` moved to session ``lecture_id`` (so its signature is wrong)."""
    _id, slot, mac = slot_code.removeprefix("/c/").split(".")
    return f"/c/{lecture_id}.{slot}.{mac[:-1]}{'A' if mac[-1] != 'A' else 'B'}"


def test_a_code_with_a_wrong_signature_tells_nothing_about_the_session(app, site, lecture, worker, clock):
    other = make_lecture(site, title="隔壁的宣讲")
    genuine = code_url(lecture, NOW)
    anonymous = app.test_client()
    theirs = anonymous.get(forged(other.id, genuine))
    nobodys = anonymous.get(forged(2_000_000_000, genuine))
    assert theirs.status_code == nobodys.status_code == 200
    assert "隔壁的宣讲" not in theirs.text and "生活区食堂" not in theirs.text
    assert theirs.text == nobodys.text
    assert result_of(theirs)[0] == "forged"
    phone = app.test_client()
    remember_phone(phone, worker)
    signed_in = phone.get(forged(other.id, genuine))
    assert result_of(signed_in)[0] == "forged" and "隔壁的宣讲" not in signed_in.text
    assert 'id="check-in-lecture"' not in signed_in.text


def invalid_attempts() -> int:
    return session.execute(select(func.count()).select_from(CheckInAttempt)
                           .where(CheckInAttempt.reason.in_(("forged", "tampered")))).scalar_one()


def test_a_flood_of_invalid_codes_logs_a_bounded_number_per_client_and_minute(app, lecture, clock):
    from plugin.attendance.throttle import PER_CLIENT

    bad = forged(lecture.id, code_url(lecture, NOW))
    flooder = app.test_client()
    answers = {flooder.get(bad, environ_base={"REMOTE_ADDR": "203.0.113.7"}).text
               for _ in range(3 * PER_CLIENT)}
    answers |= {flooder.get("/c/garbage", environ_base={"REMOTE_ADDR": "203.0.113.7"}).text
                for _ in range(3)}
    assert len({result_of_text(text) for text in answers}) == 2  # forged, damaged: same page each time
    assert invalid_attempts() == PER_CLIENT
    logged = session.execute(select(CheckInAttempt).order_by(CheckInAttempt.id)).scalars().first()
    assert (logged.session_id, logged.ip, logged.reason) == (lecture.id, "203.0.113.7", "forged")
    # Another client is still logged; so is the same client a minute later.
    app.test_client().get(bad, environ_base={"REMOTE_ADDR": "198.51.100.2"})
    assert invalid_attempts() == PER_CLIENT + 1
    clock.advance(minutes=1)
    flooder.get(bad, environ_base={"REMOTE_ADDR": "203.0.113.7"})
    assert invalid_attempts() == PER_CLIENT + 2


def result_of_text(text: str) -> str:
    return text.split('data-reason="')[1].split('"')[0]


def test_all_clients_together_are_bounded_too_and_old_counters_go(app, lecture, clock):
    from plugin.attendance.models import CheckInLogThrottle
    from plugin.attendance.throttle import ALL_CLIENTS, KEPT_MINUTES

    bad = forged(lecture.id, code_url(lecture, NOW))
    client = app.test_client()
    for number in range(ALL_CLIENTS + 20):
        client.get(bad, environ_base={"REMOTE_ADDR": f"10.0.{number // 250}.{number % 250}"})
    assert invalid_attempts() == ALL_CLIENTS
    counters = session.execute(select(func.count()).select_from(CheckInLogThrottle)).scalar_one()
    assert counters <= ALL_CLIENTS + 1
    clock.advance(minutes=KEPT_MINUTES + 1)
    client.get(bad, environ_base={"REMOTE_ADDR": "10.9.9.9"})
    assert session.execute(select(func.count()).select_from(CheckInLogThrottle)).scalar_one() == 2


def test_refusals_of_genuine_codes_are_all_logged(app, lecture, worker, clock):
    """The throttle is for codes that are not ours: expired codes at a busy lecture all count."""
    expired = code_url(lecture, NOW - timedelta(minutes=2))
    for _ in range(15):
        app.test_client().get(expired, environ_base={"REMOTE_ADDR": "203.0.113.7"})
    assert session.execute(select(func.count()).select_from(CheckInAttempt)
                           .where(CheckInAttempt.reason == "expired")).scalar_one() == 15


def test_ids_too_large_for_the_database_name_nothing(app, lecture, worker, clock):
    """A session id past 32 bits names no session: the code is forged, not a database error."""
    slot, mac = code_url(lecture, NOW).removeprefix("/c/").split(".")[1:]
    anonymous, phone = app.test_client(), app.test_client()
    remember_phone(phone, worker)
    for client in (anonymous, phone):
        assert result_of(client.get(f"/c/999999999999.{slot}.{mac}"))[0] == "forged"
