"""Phones on the site's network (issue #16): the portal reached over plain http at a network
address keeps its sessions (cookies follow the scheme actually used, Secure behind HTTPS or a
trusted proxy that says so), and links that leave the screen use the public URL when one is set
and the address the request reached otherwise."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from werkzeug.middleware.proxy_fix import ProxyFix

from employer_portal.config import load_config, secure_cookie_mode
from plugin.access.roles import Role
from plugin.attendance.views import SEEN_COOKIE
from plugin.core.urls import public_url
from plugin.worker_access.cookies import COOKIE_NAME

from .attendance_support import code_url, make_lecture
from .conftest import PASSWORD, csrf_token, portal_test_config
from .worker_phone_support import PIN, give_pin, sign_in

ROOT = Path(__file__).resolve().parent.parent
SITE = "http://192.168.1.10:5000"
HTTPS = "https://care.example.com"
PROXIED_HTTPS = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}


def set_cookie(response, name: str) -> str:
    return next(value for value in response.headers.getlist("Set-Cookie")
                if value.startswith(name + "="))


def is_secure(cookie: str) -> bool:
    return "secure" in [part.strip().lower() for part in cookie.split(";")]


def office_at(app, user, base_url: str):
    """A staff browser signed in at ``base_url`` (the site's network address)."""
    client = app.test_client()
    page = client.get("/login", base_url=base_url)
    response = client.post("/login", base_url=base_url, data={
        "csrf_token": csrf_token(page.text), "username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.text
    return client


# -- cookies follow the scheme ------------------------------------------------------------------

def test_office_sign_in_over_plain_http_on_the_site_network(app, company, make_user):
    """A browser drops a Secure cookie on http://192.168.1.10, and with it the CSRF token: the
    session cookie is Secure only when the request came over HTTPS."""
    user = make_user(Role.ADMIN)
    client = app.test_client()
    page = client.get("/login", base_url=SITE)
    assert page.status_code == 200
    cookie = set_cookie(page, "session")
    assert not is_secure(cookie) and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    response = client.post("/login", base_url=SITE, data={
        "csrf_token": csrf_token(page.text), "username": user.username,
        "password": PASSWORD})
    assert response.status_code == 302 and not is_secure(set_cookie(response, "session"))
    assert "Strict-Transport-Security" not in response.headers
    assert client.get("/", base_url=SITE).status_code == 200


def test_over_https_the_session_cookie_is_secure_and_hsts_is_sent(app, company):
    response = app.test_client().get("/login", base_url=HTTPS)
    assert is_secure(set_cookie(response, "session"))
    assert "max-age" in response.headers["Strict-Transport-Security"]


def test_worker_cookies_follow_the_scheme(app, company, make_unit, make_worker, clock):
    site = make_unit()
    worker = make_worker(site, employee_number="E8001")
    give_pin(worker)
    lecture = make_lecture(site)
    for base_url, secure in ((SITE, False), (HTTPS, True)):
        client = app.test_client()
        # The check-in detour's cookie, set before the phone signs in.
        detour = client.get(code_url(lecture, clock.now), base_url=base_url)
        assert detour.status_code == 302 and is_secure(set_cookie(detour, SEEN_COOKIE)) is secure
        page = client.get("/w/sign-in", base_url=base_url)
        # Over HTTPS, Flask-WTF also wants the Referer of this site (browsers send it).
        response = client.post("/w/sign-in", base_url=base_url,
                               headers={"Referer": f"{base_url}/w/sign-in"}, data={
            "csrf_token": csrf_token(page.text), "employee_number": "E8001", "pin": PIN})
        assert response.status_code == 302, response.text
        assert is_secure(set_cookie(response, COOKIE_NAME)) is secure


def test_always_secure_cookies_when_configured(app, company, make_unit, make_worker, monkeypatch):
    monkeypatch.setitem(app.config, "CAREBRIDGE_SECURE_COOKIES", "always")
    worker = make_worker(make_unit(), employee_number="E8002")
    give_pin(worker)
    client = app.test_client()
    assert is_secure(set_cookie(client.get("/login", base_url=SITE), "session"))
    assert is_secure(set_cookie(sign_in(client, "E8002"), COOKIE_NAME))


def test_behind_a_trusted_proxy_that_says_https_cookies_are_secure(app, company, monkeypatch):
    monkeypatch.setattr(app, "wsgi_app", ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1))
    client = app.test_client()
    response = client.get("/login", headers=PROXIED_HTTPS)
    assert is_secure(set_cookie(response, "session"))
    assert "Strict-Transport-Security" in response.headers
    # The form posts back through the proxy: CSRF's HTTPS referrer check sees the public host.
    posted = client.post("/login", headers={**PROXIED_HTTPS, "X-Forwarded-Host": "care.example.com",
                                            "Referer": "https://care.example.com/login"},
                         data={"csrf_token": csrf_token(response.text), "username": "nobody",
                               "password": "x"})
    assert posted.status_code == 422  # a refused sign-in, not a CSRF failure


def test_without_proxy_hops_a_forwarded_scheme_is_not_believed(app, company):
    response = app.test_client().get("/login", headers=PROXIED_HTTPS)
    assert not is_secure(set_cookie(response, "session"))


def test_proxy_hops_install_proxy_fix(database_url):
    from employer_portal import create_app

    proxied = create_app(portal_test_config(database_url, CAREBRIDGE_PROXY_HOPS=2))
    assert isinstance(proxied.wsgi_app, ProxyFix) and proxied.wsgi_app.x_proto == 2
    assert not isinstance(create_app(portal_test_config(database_url)).wsgi_app, ProxyFix)


@pytest.mark.parametrize("value,mode", [
    (None, "auto"), ("", "auto"), ("auto", "auto"), ("1", "always"), ("true", "always"),
    ("0", "never"), ("Off", "never"),
])
def test_the_secure_cookie_setting(value, mode):
    assert secure_cookie_mode(value) == mode


def test_the_secure_cookie_setting_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.delenv("CAREBRIDGE_SECURE_COOKIES", raising=False)
    config = load_config(tmp_path, {"SECRET_KEY": "x"})
    assert config["CAREBRIDGE_SECURE_COOKIES"] == "auto" and config["SESSION_COOKIE_SECURE"] is False
    monkeypatch.setenv("CAREBRIDGE_SECURE_COOKIES", "1")
    config = load_config(tmp_path, {"SECRET_KEY": "x"})
    assert config["CAREBRIDGE_SECURE_COOKIES"] == "always" and config["SESSION_COOKIE_SECURE"] is True
    monkeypatch.setenv("CAREBRIDGE_SECURE_COOKIES", "maybe")
    with pytest.raises(ValueError, match="CAREBRIDGE_SECURE_COOKIES"):
        load_config(tmp_path, {"SECRET_KEY": "x"})


# -- links that leave the screen ----------------------------------------------------------------

def test_without_a_public_url_the_projector_code_carries_the_site_address(
        app, company, make_unit, make_user, clock):
    """Development on the site's WiFi: the officer opened http://192.168.1.10:5000, and that is
    the address the phones reach."""
    lecture = make_lecture(make_unit())
    client = office_at(app, make_user(Role.ADMIN), SITE)
    state = client.get(f"/attendance/sessions/{lecture.id}/projector.json", base_url=SITE).json
    assert state["url"].startswith(f"{SITE}/c/")


def test_with_a_public_url_every_link_that_leaves_the_screen_uses_it(
        app, company, make_unit, make_user, clock, set_setting):
    set_setting("CAREBRIDGE_PUBLIC_URL", "https://care.example.com/portal")
    lecture = make_lecture(make_unit())
    client = office_at(app, make_user(Role.ADMIN), SITE)
    state = client.get(f"/attendance/sessions/{lecture.id}/projector.json", base_url=SITE).json
    assert state["url"].startswith("https://care.example.com/portal/c/")
    with app.test_request_context("/", base_url="http://127.0.0.1:5000"):
        assert public_url("carebridge.pledges_public.verify", code="K") == (
            "https://care.example.com/portal/v/K")
        assert public_url("carebridge.guardianship.verify", code="K") == (
            "https://care.example.com/portal/guardianship/verify/K")


# -- make run HOST=0.0.0.0 ----------------------------------------------------------------------

def test_make_run_passes_the_host():
    dry_run = subprocess.run(["make", "-n", "run", "HOST=0.0.0.0", "PORT=5050"], cwd=ROOT,
                             capture_output=True, text=True, check=True).stdout
    assert "carebridge run --host 0.0.0.0 --port 5050" in dry_run

