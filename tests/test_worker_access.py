from datetime import date

import pytest
from sqlalchemy import select

from plugin.audit.models import AuditEvent
from plugin.core.db import session
from plugin.org.models import OrgKind
from plugin.registry.schema import CHILD_FIELDS, WORKER_FIELDS, parse_record
from plugin.registry.services import upsert_child, upsert_worker
from plugin.worker_access.cookies import COOKIE_NAME
from plugin.worker_access.models import WorkerDevice

from .conftest import SYSTEM, csrf_token
from .worker_phone_support import PIN, give_pin, sign_in

TODAY = date(2026, 11, 22)
WORKER_ID = "11010519491231002X"


@pytest.fixture
def worker(make_unit):
    site = make_unit(OrgKind.SITE, name="前海项目部")
    values = parse_record({"employee_number": "E2001", "name": "赵铁柱", "phone": "13800135678",
                           "id_number": WORKER_ID}, WORKER_FIELDS, today=TODAY)
    worker = upsert_worker(values, unit=site, actor=SYSTEM).record
    give_pin(worker)
    upsert_child(parse_record({"parent_employee_number": "E2001", "parent_role": "母亲", "name": "赵小妹",
                               "birth_date": "2016-01-01"}, CHILD_FIELDS, today=TODAY), actor=SYSTEM, today=TODAY)
    return worker


def actions():
    return list(session.execute(select(AuditEvent.action).where(
        AuditEvent.action.startswith("worker.")).order_by(AuditEvent.id)).scalars())


def test_worker_pages_send_unknown_phones_to_sign_in(worker, client):
    response = client.get("/w/")
    assert response.status_code == 302 and response.location.startswith("/w/sign-in?next=")


@pytest.mark.parametrize("pin", [PIN, "２５８０３６", " 258 036 "])
def test_the_employee_number_and_the_workers_pin_identify_the_worker(worker, client, pin):
    response = sign_in(client, " e2001 ", pin)
    assert response.status_code == 302 and response.location == "/w/"
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith(COOKIE_NAME))
    # Secure over HTTPS only (tests/test_site_network.py): this client speaks plain http.
    assert "HttpOnly" in cookie and "Max-Age=" in cookie
    home = client.get("/w/")
    assert "赵铁柱" in home.text and "赵小妹" in home.text
    assert actions()[-1] == "worker.phone_remembered"


def test_the_phone_is_remembered_for_the_next_visit(worker, app, client):
    sign_in(client, "E2001")
    device = session.execute(select(WorkerDevice)).scalar_one()
    assert len(device.token_hash) == 64
    assert client.get("/w/").status_code == 200
    other_phone = app.test_client()
    assert other_phone.get("/w/").status_code == 302


def test_wrong_pins_and_unknown_numbers_get_the_same_answer(worker, client):
    wrong = sign_in(client, "E2001", "111333")
    unknown = sign_in(client, "NOPE", PIN)
    assert wrong.status_code == 422 and unknown.status_code == 422
    assert "工号或个人密码不对" in wrong.text and "工号或个人密码不对" in unknown.text
    assert wrong.text.split('id="sign-in-error">')[1].split("<")[0] == (
        unknown.text.split('id="sign-in-error">')[1].split("<")[0])
    assert COOKIE_NAME not in (wrong.headers.get("Set-Cookie") or "")
    assert actions().count("worker.sign_in_failed") == 2  # unknown numbers are audited too


def test_five_wrong_answers_lock_the_worker_for_a_while(worker, client, clock):
    for _ in range(5):
        sign_in(client, "E2001", "000111")
    locked = sign_in(client, "E2001")
    assert "错误次数太多" in locked.text and "worker.sign_in_locked" in actions()
    clock.advance(minutes=16)
    assert sign_in(client, "E2001").status_code == 302


def test_an_officer_lifts_the_lock_after_checking_the_worker_in_person(worker, client, clock,
                                                                      app, login, make_user):
    for _ in range(5):
        sign_in(client, "E2001", "000111")
    assert "错误次数太多" in sign_in(client, "E2001").text
    officer = login(make_user())
    page = officer.get(f"/workers/{worker.id}/phones").text
    assert 'id="sign-in-locked"' in page
    response = officer.post(f"/workers/{worker.id}/phones/unlock",
                            data={"csrf_token": csrf_token(page)})
    assert response.status_code == 302
    assert "已解除登录锁定" in officer.get(response.location).text
    assert 'id="sign-in-locked"' not in officer.get(f"/workers/{worker.id}/phones").text
    assert actions()[-1] == "worker.sign_in_unlocked"
    assert sign_in(app.test_client(), "E2001").status_code == 302  # the right PIN works again
    again = officer.post(f"/workers/{worker.id}/phones/unlock", data={"csrf_token": csrf_token(page)})
    assert "没有被锁定" in officer.get(again.location).text


def test_a_forged_cookie_is_ignored(worker, client):
    client.set_cookie(COOKIE_NAME, "forged.value")
    assert client.get("/w/").status_code == 302


def test_workers_who_left_cannot_sign_in_and_lose_their_phone(worker, client):
    sign_in(client, "E2001")
    values = parse_record({"employee_number": "E2001", "name": "赵铁柱", "employment_status": "离职"},
                          WORKER_FIELDS, today=TODAY)
    upsert_worker(values, unit=worker.org_unit, actor=SYSTEM)
    assert client.get("/w/").status_code == 302
    assert "不在职" in sign_in(client, "E2001").text


def test_forgetting_the_phone_signs_out(worker, client):
    sign_in(client, "E2001")
    page = client.get("/w/")
    response = client.post("/w/sign-out", data={"csrf_token": csrf_token(page.text)})
    assert response.location == "/w/sign-in"
    assert client.get("/w/").status_code == 302
    assert session.execute(select(WorkerDevice.revoked_at)).scalar_one() is not None
    assert actions()[-1] == "worker.phone_forgotten"


def test_sign_in_returns_only_to_local_pages(worker, client):
    assert sign_in(client, "E2001", next_url="/w/?x=1").location == "/w/?x=1"
    assert sign_in(client, "E2001", next_url="//evil.example/").location == "/w/"


@pytest.mark.parametrize("url", ["/w/sign-in", "/w/activate"])
def test_worker_pages_are_tiny_and_need_no_javascript(worker, client, url):
    page = client.get(url)
    assert "<script" not in page.text
    assert 'inputmode="numeric"' in page.text  # the phone shows its number pad
    stylesheet = client.get(page.text.split('rel="stylesheet" href="')[1].split('"')[0])
    assert stylesheet.status_code == 200
    assert len(page.data) + len(stylesheet.data) < 30 * 1024
