from datetime import timedelta

import pytest
from sqlalchemy import select

from employer_portal.accounts import services
from plugin.access.roles import Role
from plugin.audit.models import AuditEvent
from plugin.core.db import session

from .conftest import PASSWORD, SYSTEM, submit


def actions(user=None):
    statement = select(AuditEvent.action).order_by(AuditEvent.id)
    if user is not None:
        statement = statement.where(AuditEvent.target_id == str(user.id), AuditEvent.target_type == "user")
    return list(session.execute(statement).scalars())


def attempt(client, username, password):
    return submit(client, "/login", {"username": username, "password": password})


def test_login_and_logout_are_audited(company, make_user, client):
    user = make_user(Role.HR_OFFICER, name="李秀英")
    response = attempt(client, user.username, PASSWORD)
    assert response.status_code == 302 and response.location == "/"
    assert "李秀英" in client.get("/").text
    submit(client, "/logout", {}, form_url="/")
    assert client.get("/").status_code == 302
    assert actions(user)[-2:] == ["auth.login", "auth.logout"]
    login_event = session.execute(select(AuditEvent).where(AuditEvent.action == "auth.login")).scalar_one()
    assert login_event.ip == "127.0.0.1" and login_event.actor_key == user.key


def test_wrong_password_is_refused_and_audited(company, make_user, client):
    user = make_user()
    response = attempt(client, user.username, "wrong-password")
    assert response.status_code == 422 and "用户名或密码错误" in response.text
    event = session.execute(select(AuditEvent).where(AuditEvent.action == "auth.login_failed")).scalar_one()
    assert event.details == {"reason": "wrong_password", "failures": 1}


def test_unknown_user_gets_the_same_message(company, client):
    response = attempt(client, "nobody", "whatever-1")
    assert "用户名或密码错误" in response.text
    event = session.execute(select(AuditEvent).where(AuditEvent.action == "auth.login_failed")).scalar_one()
    assert event.details["reason"] == "unknown_user"


def test_lockout_after_five_failures_even_for_the_right_password(company, make_user, client, clock):
    user = make_user()
    for _ in range(4):
        assert "用户名或密码错误" in attempt(client, user.username, "nope-nope-1").text
    locked = attempt(client, user.username, "nope-nope-1")
    assert "已锁定 15 分钟" in locked.text
    refused = attempt(client, user.username, PASSWORD)
    assert refused.status_code == 422 and "账户已被锁定" in refused.text
    assert "auth.locked" in actions(user)
    clock.advance(minutes=16)
    assert attempt(client, user.username, PASSWORD).status_code == 302
    assert user.failed_login_count == 0 and user.locked_until is None


def test_admin_unlocks_a_locked_account(company, make_user, login, clock):
    user = make_user(Role.HR_OFFICER)
    for _ in range(5):
        with pytest.raises(services.SignInRefused):
            services.sign_in(user.username, "wrong-pass-1", ip=None, user_agent=None)
    admin_client = login(make_user())
    page = admin_client.get(f"/users/{user.id}")
    assert "解除锁定" in page.text
    submit(admin_client, f"/users/{user.id}", {"action": "unlock"})
    assert user.locked_until is None
    assert "user.unlocked" in actions(user)


def test_a_success_resets_the_failure_count(company, make_user):
    user = make_user()
    for _ in range(4):
        with pytest.raises(services.SignInRefused):
            services.sign_in(user.username, "wrong-pass-1", ip=None, user_agent=None)
    services.sign_in(user.username, PASSWORD, ip=None, user_agent=None)
    with pytest.raises(services.SignInRefused) as refusal:
        services.sign_in(user.username, "wrong-pass-1", ip=None, user_agent=None)
    assert refusal.value.message == "用户名或密码错误"


def test_disabled_account_cannot_sign_in(company, make_user, client):
    user = make_user()
    user.active = False
    session.flush()
    assert "账户已停用" in attempt(client, user.username, PASSWORD).text


def test_disabling_a_user_ends_their_session(company, make_user, login):
    user = make_user(Role.AUDITOR)
    client = login(user)
    assert client.get("/audit/").status_code == 200
    services.update_user(user, actor=SYSTEM, display_name=user.display_name, active=False)
    assert client.get("/audit/").status_code == 302


def test_login_redirects_only_to_local_paths(company, make_user, client):
    user = make_user()
    page = client.get("/login?next=//evil.example/x")
    response = client.post("/login?next=//evil.example/x", data={
        "csrf_token": _token(page.text), "username": user.username, "password": PASSWORD})
    assert response.location == "/"


def test_login_follows_a_local_next(company, make_user, client):
    user = make_user()
    page = client.get("/login?next=/audit/")
    response = client.post("/login?next=/audit/", data={
        "csrf_token": _token(page.text), "username": user.username, "password": PASSWORD})
    assert response.location == "/audit/"


def test_posts_without_csrf_token_are_refused(company, make_user, client):
    user = make_user()
    response = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert response.status_code == 400
    assert not any(a == "auth.login" for a in actions())


def test_passwords_are_hashed(company, make_user):
    user = make_user()
    assert PASSWORD not in user.password_hash and user.password_hash.startswith(("scrypt:", "pbkdf2:"))


def test_user_changes_are_audited(company, make_user, login):
    user = make_user(Role.AUDITOR, name="赵敏")
    admin = make_user()
    client = login(admin)
    submit(client, f"/users/{user.id}", {"action": "profile", "profile-display_name": "赵敏敏",
                                         "profile-active": "y"})
    submit(client, f"/users/{user.id}", {"action": "password", "password-password": "Newpass-123",
                                         "password-confirm": "Newpass-123"})
    grant_page = client.get(f"/users/{user.id}")
    assert "赵敏敏" in grant_page.text
    assert {"user.updated", "user.password_changed"} <= set(actions(user))
    mismatch = submit(client, f"/users/{user.id}", {"action": "password", "password-password": "Newpass-123",
                                                    "password-confirm": "Other-1234"})
    assert "两次输入的密码不一致" in mismatch.text


def test_admin_cannot_disable_themselves(company, make_user, login):
    admin = make_user()
    client = login(admin)
    response = submit(client, f"/users/{admin.id}", {"action": "profile",
                                                     "profile-display_name": admin.display_name})
    assert "不能停用自己的账户" in response.text and admin.active


def test_session_cookie_is_hardened(app, company, make_user, client):
    user = make_user()
    response = attempt(client, user.username, PASSWORD)
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    # Secure whenever the request came over HTTPS (plain http: tests/test_site_network.py).
    response = app.test_client().get("/login", base_url="https://localhost")
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def _token(html):
    from .conftest import csrf_token

    return csrf_token(html)


def test_lock_duration_is_configurable(app, company, make_user, clock, monkeypatch):
    monkeypatch.setitem(app.config, "CAREBRIDGE_LOGIN_MAX_FAILURES", 2)
    monkeypatch.setitem(app.config, "CAREBRIDGE_LOGIN_LOCK_MINUTES", 1)
    user = make_user()
    for _ in range(2):
        with pytest.raises(services.SignInRefused):
            services.sign_in(user.username, "wrong-pass-1", ip=None, user_agent=None)
    assert user.locked_until == clock.now + timedelta(minutes=1)
