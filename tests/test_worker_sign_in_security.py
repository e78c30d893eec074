"""Issue #13, the workers' phones: nothing staff can see signs a worker in (finding 6b), phones
are masked for roles that do not need them (6a), guesses are counted before they are checked,
per employee number and per address, the same for known and unknown numbers (5), and HR revokes
a worker's remembered phones (9). The same tests under real concurrency are in
``test_worker_sign_in_concurrency``."""
from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from plugin.access.roles import ROLE_PERMISSIONS, Role
from plugin.audit.models import AuditEvent
from plugin.core.db import session
from plugin.org.models import OrgKind
from plugin.registry.permissions import WORKERS_CONTACT_VIEW
from plugin.worker_access import services
from plugin.worker_access.cookies import COOKIE_NAME
from plugin.worker_access.models import (
    WorkerActivationCode,
    WorkerDevice,
    WorkerPin,
    WorkerSignInThrottle,
)
from plugin.worker_access.permissions import WORKER_PHONES_MANAGE

from .attendance_support import NOW, code_url, make_lecture
from .conftest import CHEAP_HASH_METHOD, csrf_token
from .worker_phone_support import PIN, give_pin, sign_in, signed_in_phone

WORKER_ID = "11010519491231002X"
PHONE = "13800135678"
MASKED = "138****5678"
NEW_PIN = "470369"


@pytest.fixture
def sites(make_unit):
    return make_unit(OrgKind.SITE, name="前海项目部"), make_unit(OrgKind.SITE, name="后海项目部")


@pytest.fixture
def worker(sites, make_worker, make_child, clock):
    worker = make_worker(sites[0], employee_number="E2001", name="赵铁柱", phone=PHONE,
                         id_number=WORKER_ID)
    make_child(worker, left_behind=True, name="赵小妹")
    return worker


@pytest.fixture
def hr_user(sites, make_user):
    return make_user(Role.HR_OFFICER, sites[0])


@pytest.fixture
def hr(hr_user, login):
    return login(hr_user)


def events(action: str) -> list[AuditEvent]:
    return list(session.execute(select(AuditEvent).where(AuditEvent.action == action)
                                .order_by(AuditEvent.id)).scalars())


def error_of(response) -> str:
    return response.text.split('id="sign-in-error">')[1].split("<")[0]


def issue_code(hr_client, worker) -> str:
    """An HR officer presses "发放激活码" on the worker's phone page; the code on the answer."""
    page = hr_client.get(f"/workers/{worker.id}/phones")
    answer = hr_client.post(f"/workers/{worker.id}/phones/code", data={"csrf_token": csrf_token(page.text)},
                            follow_redirects=True)
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    return re.sub(r"\s", "", answer.text.split('id="activation-code"')[1].split(">")[1].split("<")[0])


def activate(client, number: str, code: str, pin: str = NEW_PIN, again: str | None = None,
             next_url: str | None = None):
    url = "/w/activate" + (f"?next={next_url}" if next_url else "")
    page = client.get(url)
    return client.post(url, data={"csrf_token": csrf_token(page.text), "employee_number": number,
                                  "code": code, "pin": pin, "pin_again": pin if again is None else again})


def throttle(prefix: str, value: str) -> WorkerSignInThrottle | None:
    session.expire_all()
    digest = hashlib.sha256(value.encode()).hexdigest() if prefix == "number" else value
    return session.get(WorkerSignInThrottle, f"{prefix}:{digest}")


# --- 6b: nothing staff can see signs a worker in --------------------------------------------------

@pytest.mark.parametrize("seen_by_staff", ["5678", "002X", "135678", "231002"])
def test_what_staff_can_see_never_signs_a_worker_in(worker, client, seen_by_staff):
    """The last digits of the phone or ID number signed a phone in; staff see both."""
    page = client.get("/w/sign-in")
    response = client.post("/w/sign-in", data={
        "csrf_token": csrf_token(page.text), "employee_number": "E2001",
        "last_digits": seen_by_staff, "pin": seen_by_staff})
    assert response.status_code == 422
    assert COOKIE_NAME not in (response.headers.get("Set-Cookie") or "")
    assert client.get("/w/").status_code == 302


def test_a_first_sign_in_needs_an_hr_code_shown_once_and_a_new_pin(worker, hr, hr_user, app):
    phone = app.test_client()
    assert 'id="activate-link"' in phone.get("/w/sign-in").text
    code = issue_code(hr, worker)
    assert re.fullmatch(r"\d{8}", code)
    again = hr.get(f"/workers/{worker.id}/phones").text
    assert code not in again.replace(" ", "") and code[:4] + " " + code[4:] not in again
    response = activate(phone, " e2001 ", code, next_url="/w/?from=code")
    assert response.status_code == 302 and response.location == "/w/?from=code"
    assert "赵铁柱" in phone.get("/w/").text
    assert session.get(WorkerPin, worker.id) is not None
    assert [event.details["method"] for event in events("worker.phone_remembered")] == ["activation_code"]
    assert events("worker.pin_set")[0].details == {"code_channel": "hr"}
    assert events("worker.activation_code_issued")[0].actor_key == hr_user.key
    # The code is used up; the PIN the worker chose signs in a later new phone.
    assert "激活码不对" in error_of(activate(app.test_client(), "E2001", code))
    assert sign_in(app.test_client(), "E2001", NEW_PIN).status_code == 302


def test_an_activation_code_expires_after_three_days(worker, hr, app, clock):
    code = issue_code(hr, worker)
    clock.advance(days=3, minutes=1)
    assert "已过期" in error_of(activate(app.test_client(), "E2001", code))


def test_a_new_code_replaces_the_previous_one(worker, hr, app):
    first = issue_code(hr, worker)
    second = issue_code(hr, worker)
    assert first != second
    assert activate(app.test_client(), "E2001", first).status_code == 422
    assert activate(app.test_client(), "E2001", second).status_code == 302


def test_codes_are_kept_as_keyed_hashes_and_never_logged(worker, hr):
    code = issue_code(hr, worker)
    row = session.execute(select(WorkerActivationCode)).scalar_one()
    assert code not in repr(vars(row)) and row.code_hash != hashlib.sha256(code.encode()).hexdigest()
    assert row.code_hash != hashlib.sha256(f"{worker.id}:{code}".encode()).hexdigest()
    assert all(code not in repr(event.details) for event in session.execute(select(AuditEvent)).scalars())


@pytest.mark.parametrize("pin,again,message", [
    ("111111", None, "太容易被猜到"), ("123456", None, "太容易被猜到"), ("987654", None, "太容易被猜到"),
    ("121212", None, "太容易被猜到"), ("47036", None, "6 位数字"), (NEW_PIN, "470360", "不一样")])
def test_easy_or_mistyped_pins_are_refused_before_the_code_is_checked(worker, hr, app, pin, again, message):
    code = issue_code(hr, worker)
    response = activate(app.test_client(), "E2001", code, pin=pin, again=again)
    assert response.status_code == 422 and message in response.text
    assert throttle("number", "E2001") is None  # not an attempt: the code was never checked
    assert activate(app.test_client(), "E2001", code).status_code == 302


@pytest.mark.parametrize("pin", ["135678", "800135", "491231", "231002"])
def test_a_pin_taken_from_the_phone_or_id_number_is_refused(worker, hr, app, pin):
    """Staff see those numbers (some of them in full): a PIN out of them is a secret they know."""
    code = issue_code(hr, worker)
    response = activate(app.test_client(), "E2001", code, pin=pin)
    assert response.status_code == 422 and "不能取自您的工号、手机号或身份证号" in response.text
    assert activate(app.test_client(), "E2001", code).status_code == 302  # the code still works


def test_a_pin_taken_from_the_employee_number_is_refused(sites, make_worker, hr, app):
    worker = make_worker(sites[0], employee_number="30471958")
    code = issue_code(hr, worker)
    response = activate(app.test_client(), "30471958", code, pin="471958")
    assert "不能取自您的工号" in response.text


class FakeTexts:
    """A notification channel that also sends text messages (as an SMS integration would)."""

    name = "fake-sms"

    def __init__(self):
        self.sent: list[tuple[str, str]] = []

    def deliver(self, notification):
        pass

    def send_text(self, phone, text):
        self.sent.append((phone, text))


def send_code(client, number):
    page = client.get("/w/activate")
    token = re.search(r'name="text-csrf_token" type="hidden" value="([^"]+)"', page.text).group(1)
    return client.post("/w/activate/send-code",
                       data={"text-csrf_token": token, "text-employee_number": number})


def test_a_text_message_code_where_a_channel_sends_texts(worker, app, client, monkeypatch):
    assert 'id="send-code"' not in client.get("/w/activate").text  # no channel: HR codes only
    texts = FakeTexts()
    monkeypatch.setattr(app.extensions["carebridge"], "channels", [texts])
    sent = send_code(client, "E2001")
    unknown = send_code(app.test_client(), "E9999")
    notice = sent.text.split('id="code-sent">')[1].split("<")[0]
    assert notice == unknown.text.split('id="code-sent">')[1].split("<")[0]
    assert len(texts.sent) == 1 and texts.sent[0][0] == PHONE
    code = re.search(r"验证码是 (\d{6})", texts.sent[0][1]).group(1)
    assert "包括管理人员" in texts.sent[0][1]
    assert activate(client, "E2001", code).status_code == 302
    assert events("worker.pin_set")[0].details == {"code_channel": "sms"}
    for _ in range(2):
        send_code(app.test_client(), "E2001")
    assert "发送太频繁" in send_code(app.test_client(), "E2001").text  # 3 texts an hour per number
    assert len(texts.sent) == 3


def test_a_code_is_texted_only_once_it_is_stored(worker, app, monkeypatch):
    """Work that is rolled back takes its code with it, so no text may carry that code."""
    texts = FakeTexts()
    monkeypatch.setattr(app.extensions["carebridge"], "channels", [texts])
    with app.test_request_context("/w/activate/send-code", method="POST"):
        refused = session.begin_nested()
        services.send_code_by_text("E2001", ip="10.0.0.9", user_agent="test")
        refused.rollback()
        services.send_code_by_text("E2001", ip="10.0.0.9", user_agent="test")
        assert texts.sent == []  # not before the commit
        session.commit()
    assert len(texts.sent) == 1 and texts.sent[0][0] == PHONE
    code = re.search(r"验证码是 (\d{6})", texts.sent[0][1]).group(1)
    stored = session.execute(select(WorkerActivationCode)).scalars().all()
    assert [row.code_hash for row in stored] == [services.code_hash(worker.id, code)]


def test_staff_pages_show_whether_a_pin_is_set_and_nothing_of_it(worker, hr):
    give_pin(worker)
    page = hr.get(f"/workers/{worker.id}/phones").text
    pin_hash = session.get(WorkerPin, worker.id).pin_hash
    assert "已设置" in page.split('id="pin-status">')[1].split("</dd>")[0]
    assert pin_hash not in page and pin_hash.split("$")[-1] not in page and PIN not in page


# --- 6a: phones masked for roles that do not need them -------------------------------------------

def staff_pages(worker, sites):
    return [f"/workers/{worker.id}", "/workers/", f"/pledges/coverage?unit={sites[0].id}",
            "/guardianship/follow-up"]


@pytest.mark.parametrize("role,full", [(Role.SITE_MANAGER, False), (Role.UNION_OFFICER, False),
                                       (Role.CARE_WORKER, False), (Role.HR_OFFICER, True),
                                       (Role.ADMIN, True)])
def test_phones_are_masked_for_roles_that_do_not_need_them(worker, sites, make_user, login, role, full):
    client = login(make_user(role, sites[0]))
    shown = 0
    for url in staff_pages(worker, sites):
        page = client.get(url)
        if page.status_code == 403:
            continue
        assert page.status_code == 200, url
        assert "赵铁柱" in page.text, url
        assert (PHONE in page.text) is full, url
        assert (MASKED in page.text) is not full, url
        shown += 1
    assert shown >= 3


def test_the_worker_list_finds_phones_by_prefix_only_where_they_are_shown(worker, sites, make_user, login):
    manager = login(make_user(Role.SITE_MANAGER, sites[0]))
    assert "赵铁柱" not in manager.get("/workers/?q=1380013").text
    assert "赵铁柱" not in manager.get("/workers/?q=1380013567").text
    assert "赵铁柱" in manager.get(f"/workers/?q={PHONE}").text
    officer = login(make_user(Role.HR_OFFICER, sites[0]))
    assert "赵铁柱" in officer.get("/workers/?q=1380013").text
    elsewhere = login(make_user(Role.HR_OFFICER, sites[1]))
    assert "赵铁柱" not in elsewhere.get(f"/workers/?q={PHONE}").text


def test_only_hr_officers_and_admins_see_phones_and_manage_phone_sign_in():
    for permission in (WORKERS_CONTACT_VIEW, WORKER_PHONES_MANAGE):
        assert {role for role, held in ROLE_PERMISSIONS.items() if permission in held} == {
            Role.ADMIN, Role.HR_OFFICER}


# --- 9: HR revokes a worker's remembered phones ----------------------------------------------------

def revoke(hr_client, worker, **fields):
    page = hr_client.get(f"/workers/{worker.id}/phones")
    return hr_client.post(f"/workers/{worker.id}/phones/revoke",
                          data={"csrf_token": csrf_token(page.text), **fields})


def test_hr_revokes_one_phone_and_its_cookie_stops_at_once(worker, hr, hr_user, app, sites):
    lost, kept = signed_in_phone(app.test_client(), worker), signed_in_phone(app.test_client(), worker)
    page = hr.get(f"/workers/{worker.id}/phones")
    assert page.text.count("data-device-id=") == 2
    lost_id = session.execute(select(WorkerDevice.id).order_by(WorkerDevice.id)).scalars().first()
    response = revoke(hr, worker, device_id=str(lost_id))
    assert response.status_code == 302
    assert lost.get("/w/").status_code == 302 and kept.get("/w/").status_code == 200
    lecture = make_lecture(sites[0])
    scan = lost.get(code_url(lecture, NOW))
    assert scan.status_code == 302 and scan.location.startswith("/w/sign-in")  # no check-in either
    device = session.get(WorkerDevice, lost_id)
    assert device.revoked_at is not None and device.revoked_by == hr_user.key
    event = events("worker.phones_revoked")[0]
    assert event.details == {"phones": 1, "device_id": lost_id, "pin_cleared": False}
    assert event.target_id == str(worker.id) and event.actor_key == hr_user.key


def test_revoking_all_phones_and_the_pin_leaves_only_a_new_code(worker, hr, app):
    phone = signed_in_phone(app.test_client(), worker)
    stale = issue_code(hr, worker)
    assert revoke(hr, worker, clear_pin="y").status_code == 302
    assert phone.get("/w/").status_code == 302
    assert "工号或个人密码不对" in error_of(sign_in(app.test_client(), "E2001"))
    assert activate(app.test_client(), "E2001", stale).status_code == 422  # codes cancelled too
    assert activate(app.test_client(), "E2001", issue_code(hr, worker)).status_code == 302


def test_phone_sign_in_pages_are_for_hr_within_their_subtree(worker, sites, make_user, login):
    outsider = login(make_user(Role.HR_OFFICER, sites[1]))
    manager = login(make_user(Role.SITE_MANAGER, sites[0]))
    officer = login(make_user(Role.HR_OFFICER, sites[0]))
    for client, status in ((outsider, 404), (manager, 403)):
        assert client.get(f"/workers/{worker.id}/phones").status_code == status
        token = csrf_token(client.get("/w/sign-in").text)  # a valid token of this user's session
        for action in ("code", "revoke"):
            assert client.post(f"/workers/{worker.id}/phones/{action}",
                               data={"csrf_token": token}).status_code == status
    assert outsider.get("/workers/99999999/phones").status_code == 404
    assert "赵铁柱" not in outsider.get(f"/workers/{worker.id}/phones").text
    assert session.execute(select(func.count()).select_from(WorkerActivationCode)).scalar_one() == 0
    assert f"/workers/{worker.id}/phones" in officer.get(f"/workers/{worker.id}").text
    assert f"/workers/{worker.id}/phones" not in manager.get(f"/workers/{worker.id}").text


# --- 5: counted before checked, per number and per address, uniform -------------------------------

def test_unknown_numbers_lock_exactly_like_known_ones(worker, app):
    give_pin(worker)
    answers = {}
    for number in ("E2001", "E9999"):
        client = app.test_client()
        for _ in range(5):
            sign_in(client, number, "000111")
        answers[number] = error_of(sign_in(client, number))
    assert answers["E2001"] == answers["E9999"] and "错误次数太多" in answers["E2001"]


@pytest.mark.parametrize("number,has_pin", [("E2001", True), ("E2001", False), ("E9999", False)])
def test_every_answer_costs_one_pin_check_known_or_not(worker, client, monkeypatch, number, has_pin):
    """The same work, so the same time, whether the number exists and has a PIN or not."""
    if has_pin:
        give_pin(worker)
    checks = []
    real = services.check_password_hash
    monkeypatch.setattr(services, "check_password_hash",
                        lambda stored, pin: checks.append(stored) or real(stored, pin))
    response = sign_in(client, number, "000111")
    assert response.status_code == 422 and len(checks) == 1
    assert checks[0].startswith(f"{CHEAP_HASH_METHOD}$")  # the configured cost, known or not


def test_an_attempt_is_counted_before_its_answer_is_checked(worker, app, monkeypatch):
    """Whatever happens while checking (here the check itself fails), the attempt stays counted."""
    give_pin(worker)

    def broken(_stored, _pin):
        raise RuntimeError("checking failed")

    monkeypatch.setattr(services, "check_password_hash", broken)
    with pytest.raises(RuntimeError):
        sign_in(app.test_client(), "E2001", "000111")
    session.rollback()
    counted = throttle("number", "E2001")
    assert counted is not None and counted.failures == 1


def client_at(app, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_one_address_cannot_spread_guesses_over_many_workers(sites, make_worker, app, set_setting, clock):
    set_setting("CAREBRIDGE_WORKER_SIGN_IN_ADDRESS_MAX_FAILURES", 8)
    workers = [make_worker(sites[0]) for _ in range(6)]
    for worker in workers:
        give_pin(worker)
    wifi = "203.0.113.9"
    # Workers signing in right behind the same address (a lecture on the site's WiFi) use nothing up.
    for worker in workers[:3]:
        assert sign_in(client_at(app, wifi), worker.employee_number).status_code == 302
    guesser = client_at(app, wifi)
    for worker in workers[:4]:
        for _ in range(2):  # under the per-number limit of 5
            assert "工号或个人密码不对" in error_of(sign_in(guesser, worker.employee_number, "000111"))
    refused = sign_in(client_at(app, wifi), workers[5].employee_number)
    assert "这个网络上输错的次数太多" in error_of(refused)
    assert len(events("worker.sign_in_address_locked")) == 1
    elsewhere = client_at(app, "198.51.100.4")
    assert sign_in(elsewhere, workers[5].employee_number).status_code == 302
    clock.advance(minutes=16)
    assert sign_in(client_at(app, wifi), workers[5].employee_number).status_code == 302


def test_limits_count_ipv6_clients_by_their_64_prefix():
    assert services.client_address("2001:db8:1:2:aaaa::1") == services.client_address("2001:db8:1:2:bbbb::9")
    assert services.client_address("2001:db8:1:2::1") != services.client_address("2001:db8:1:3::1")
    assert services.client_address("::ffff:203.0.113.9") == "203.0.113.9"
    assert services.client_address(None) == "unknown"


def test_the_default_limits(app_context):
    assert services.number_limit().max_attempts == 5 and services.number_limit().lock == timedelta(minutes=15)
    assert services.address_limit().max_attempts == 30


def test_stale_counters_and_old_codes_are_purged_daily(worker, hr, app, clock):
    from plugin.jobs import default_jobs
    JOBS = default_jobs()
    from plugin.worker_access.jobs import purge_sign_in_records

    assert any(job.func is purge_sign_in_records for job in JOBS)
    issue_code(hr, worker)
    sign_in(app.test_client(), "E9999", "000111")
    clock.advance(days=2)
    assert purge_sign_in_records() == 2  # the number's and the address's counters
    assert session.execute(select(func.count()).select_from(WorkerSignInThrottle)).scalar_one() == 0
    assert session.execute(select(func.count()).select_from(WorkerActivationCode)).scalar_one() == 1
    clock.advance(days=32)  # a month after the code's end
    assert purge_sign_in_records() == 1
    assert session.execute(select(func.count()).select_from(WorkerActivationCode)).scalar_one() == 0
