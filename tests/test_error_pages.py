"""Every error page (issue #16) is a page in the user's language inside the layout, with a way
back: 400, 403, 404, 405, 413, 429, 500, a refused CSRF token and an expired session; phone pages
get the phone layout; the HR API keeps answering JSON; a 500 shows no traceback."""
from __future__ import annotations

import re

import pytest
from flask import abort

from plugin.access.roles import Role

from .conftest import csrf_token, submit
from .support import sibling_database_url

PORTAL_NAV = 'class="navbar'            # portal/layout.html
PHONE_HEADER = "<body><header>关爱桥</header>"  # carebridge/worker_access/layout.html
TRACEBACK_WORDS = ("Traceback", "RuntimeError", "boom-secret", "File \"")


def error_of(response) -> dict:
    text = response.text
    kind = re.search(r'id="error-page"[^>]*data-kind="([^"]+)"', text)
    title = re.search(r'<h1 id="error-title">([^<]*)</h1>', text)
    back = re.search(r'id="error-back"[^>]*href="([^"]*)"', text)
    home = re.search(r'id="error-home"[^>]*href="([^"]*)"', text)
    return {"status": response.status_code, "kind": kind and kind.group(1),
            "title": title and title.group(1), "back": back and back.group(1),
            "home": home and home.group(1),
            "layout": "phone" if PHONE_HEADER in text else "portal" if PORTAL_NAV in text else None}


@pytest.fixture
def set_up(company, make_user):
    """A set-up portal: the company and its first administrator."""
    return make_user(Role.ADMIN)


@pytest.fixture
def admin(set_up, login):
    return login(set_up)


@pytest.fixture
def failing_view(app, monkeypatch):
    """``failing_view(endpoint, raise_)``: the view of ``endpoint`` raises (for 400, 429, 500)."""

    def make(endpoint: str, fail):
        def view(*args, **kwargs):
            fail()

        monkeypatch.setitem(app.view_functions, endpoint, view)

    return make


def test_404_for_staff_is_a_chinese_page_in_the_portal_layout(set_up, admin):
    error = error_of(admin.get("/no-such-page", headers={"Referer": "http://localhost/org/"}))
    assert error == {"status": 404, "kind": "404", "title": "页面不存在", "back": "/org/",
                     "home": "/", "layout": "portal"}
    # A record page of the plugin that names nothing (its blueprint's handler).
    error = error_of(admin.get("/org/units/987654"))
    assert error["status"] == 404 and error["layout"] == "portal" and error["title"] == "页面不存在"


def test_a_referrer_from_elsewhere_is_no_way_back(set_up, admin):
    error = error_of(admin.get("/no-such-page", headers={"Referer": "http://evil.example/x"}))
    assert error["back"] is None and error["home"] == "/"


def test_404_on_a_phone_is_in_the_phone_layout(set_up, client):
    error = error_of(client.get("/w/no-such-page"))
    assert error == {"status": 404, "kind": "404", "title": "页面不存在", "back": None,
                     "home": "/w/", "layout": "phone"}
    assert error_of(client.get("/c/"))["layout"] == "phone"  # a venue code cut short


def test_403_is_a_page(set_up, make_unit, make_user, login):
    from plugin.core.db import session
    from plugin.org.models import OrgKind

    site = make_unit(OrgKind.SITE)
    session.flush()
    clerk = login(make_user(Role.CARE_WORKER, site))
    error = error_of(clerk.get("/api-tokens/"))
    assert error["status"] == 403 and error["title"] == "没有权限" and error["layout"] == "portal"


def test_405_is_a_page_with_the_allowed_methods(set_up, client):
    response = client.get("/w/sign-out")
    error = error_of(response)
    assert error["status"] == 405 and error["layout"] == "phone"
    assert error["title"] == "不能这样打开这个页面" and "POST" in response.headers["Allow"]
    error = error_of(client.get("/logout"))
    assert error["status"] == 405 and error["layout"] == "portal"


def test_413_is_a_page(app, set_up, client, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1000)
    error = error_of(client.post("/login", data={"username": "x" * 5000}))
    assert error["status"] == 413 and error["title"] == "文件太大" and error["layout"] == "portal"
    error = error_of(client.post("/w/sign-in", data={"employee_number": "x" * 5000}))
    assert error["status"] == 413 and error["layout"] == "phone"


@pytest.mark.parametrize("code,title", [(400, "请求有误"), (429, "尝试太频繁")])
def test_400_and_429_are_pages(set_up, client, failing_view, code, title):
    failing_view("carebridge.worker_access.sign_in", lambda: abort(code))
    failing_view("auth.login", lambda: abort(code))
    assert error_of(client.get("/w/sign-in")) == {
        "status": code, "kind": str(code), "title": title, "back": None, "home": "/w/",
        "layout": "phone"}
    error = error_of(client.get("/login"))
    assert error["status"] == code and error["title"] == title and error["layout"] == "portal"


def test_500_is_a_page_without_a_traceback(app, client, admin, failing_view, monkeypatch):
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)

    def boom():
        raise RuntimeError("boom-secret")

    failing_view("carebridge.worker_access.sign_in", boom)
    failing_view("carebridge.org.tree", boom)
    response = client.get("/w/sign-in")
    assert error_of(response)["status"] == 500 and error_of(response)["layout"] == "phone"
    assert error_of(response)["title"] == "系统出错了"
    assert not any(word in response.text for word in TRACEBACK_WORDS)
    response = admin.get("/org/")
    assert error_of(response)["status"] == 500 and error_of(response)["layout"] == "portal"
    assert not any(word in response.text for word in TRACEBACK_WORDS)


def test_a_500_after_a_failed_database_statement_still_renders(app, admin, failing_view,
                                                               monkeypatch):
    from sqlalchemy import text

    from plugin.core.db import session

    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)

    def broken_query():
        session.execute(text("SELECT * FROM no_such_table"))

    failing_view("carebridge.org.tree", broken_query)
    response = admin.get("/org/")
    assert error_of(response)["status"] == 500 and error_of(response)["title"] == "系统出错了"
    assert "no_such_table" not in response.text


def test_a_refused_csrf_token_explains_itself(set_up, client):
    """No token, or the session that held it is gone (the page was open too long, or cookies
    are blocked): a page that says so, with the form one click away."""
    response = client.post("/login", data={"username": "a", "password": "b"})
    error = error_of(response)
    assert error == {"status": 400, "kind": "csrf", "title": "页面已过期，请重新提交",
                     "back": "/login", "home": "/", "layout": "portal"}
    assert "Cookie" in response.text and "CSRF" not in response.text


def test_a_phone_whose_session_expired_while_the_form_was_open(set_up, client):
    token = csrf_token(client.get("/w/sign-in").text)
    client.delete_cookie("session")  # the session expired while the form was open
    error = error_of(client.post("/w/sign-in", data={"csrf_token": token, "employee_number": "E1",
                                                     "pin": "258036"},
                                 headers={"Referer": "http://localhost/w/sign-in?next=/w/"}))
    assert error == {"status": 400, "kind": "csrf", "title": "页面已过期，请重新提交",
                     "back": "/w/sign-in?next=/w/", "home": "/w/", "layout": "phone"}


def test_an_expired_staff_session_sends_to_the_login_page(set_up, admin):
    admin.delete_cookie("session")
    response = admin.get("/org/")
    assert response.status_code == 302 and response.location.startswith("/login?next=")


def test_error_pages_switch_to_english(set_up, client):
    client.get("/lang/en")
    response = client.get("/w/no-such-page")
    assert error_of(response)["title"] == "Page not found" and 'lang="en"' in response.text
    response = client.post("/login", data={})
    assert error_of(response)["title"] == "The page has expired: please submit it again"


def test_the_hr_api_keeps_answering_json(set_up, client):
    for response in (client.get("/api/v1/no-such-thing"), client.delete("/api/v1/openapi.json"),
                     client.get("/api/v1/workers")):
        assert response.is_json and response.json["errors"][0]["code"], response.text
    assert client.get("/api/v1/no-such-thing").status_code == 404
    assert client.delete("/api/v1/openapi.json").status_code == 405


@pytest.mark.committing
def test_carebridge_pages_in_another_host_get_the_page_in_the_hosts_layout(database_url,
                                                                           tmp_path_factory):
    from .dummy_host import ADMIN_PASSWORD, ADMIN_USERNAME, create_host_app
    from .dummy_host import db as host_db

    app = create_host_app(sibling_database_url(database_url, "host_errors",
                                               tmp_path_factory.mktemp("host-errors")))
    try:
        client = app.test_client()
        submit(client, "/host-login", {"username": ADMIN_USERNAME, "password": ADMIN_PASSWORD})
        response = client.get("/care/org/units/987654")
        assert response.status_code == 404 and 'id="host-banner"' in response.text
        assert '<h1 id="error-title">页面不存在</h1>' in response.text
        response = client.post("/care/w/sign-in", data={"employee_number": "E1"})  # no token
        assert response.status_code == 400 and PHONE_HEADER in response.text
        assert 'data-kind="csrf"' in response.text
        # The host's own URLs are the host's business.
        assert "error-title" not in client.get("/no-such-host-page").text
    finally:
        with app.app_context():
            host_db.engine.dispose()


def test_a_host_not_trusted_gets_the_bare_page(app, set_up, client, monkeypatch):
    monkeypatch.setitem(app.config, "TRUSTED_HOSTS", ["care.example.com"])
    response = client.get("/w/", headers={"Host": "evil.example"})
    assert response.status_code == 400 and error_of(response)["title"] == "请求有误"
    assert "evil.example" not in response.text and error_of(response)["home"] is None


def test_when_the_layout_itself_fails_the_bare_page_answers(app, set_up, client, monkeypatch):
    monkeypatch.setattr(app.extensions["carebridge"].adapter, "layout_template", "no/such.html")
    response = client.get("/no-such-page")
    assert response.status_code == 404 and error_of(response)["title"] == "页面不存在"
    assert error_of(response)["layout"] is None and error_of(response)["home"] == "/"
