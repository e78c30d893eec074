"""Issue #13, findings 9b and 9c: a sign-out, a new password or a deactivation ends every session
of the user, server-side (a copied cookie stops working too); pages are never cached."""
from __future__ import annotations

from employer_portal.accounts import services
from plugin.access.roles import Role

from .conftest import SYSTEM, submit

NEW_PASSWORD = "Brand-new-pass-1"


def copy_of_session(app, client):
    """Another browser holding the same session cookie (a stolen or copied cookie)."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def signed_in(client) -> bool:
    return client.get("/audit/").status_code == 200


def test_a_copied_session_cookie_dies_with_the_sign_out(app, company, make_user, login):
    user = make_user(Role.AUDITOR)
    client = login(user)
    thief = copy_of_session(app, client)
    assert signed_in(thief)
    submit(client, "/logout", {}, form_url="/")
    assert not signed_in(client)
    assert not signed_in(thief)
    response = thief.get("/audit/")
    assert response.status_code == 302 and response.location.startswith("/login")


def test_a_password_reset_ends_every_session_of_the_user(app, company, make_user, login):
    user = make_user(Role.AUDITOR)
    client = login(user)
    other_browser = login(user)
    admin = login(make_user(Role.ADMIN))
    assert submit(admin, f"/users/{user.id}", {
        "action": "password", "password-password": NEW_PASSWORD,
        "password-confirm": NEW_PASSWORD}).status_code == 302
    assert not signed_in(client) and not signed_in(other_browser)
    assert signed_in(admin)
    assert signed_in(login(user, NEW_PASSWORD))


def test_ones_own_new_password_keeps_this_session_and_ends_the_others(company, make_user, login):
    admin = make_user(Role.ADMIN)
    client = login(admin)
    elsewhere = login(admin)
    response = submit(client, f"/users/{admin.id}", {
        "action": "password", "password-password": NEW_PASSWORD, "password-confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert signed_in(client) and not signed_in(elsewhere)


def test_deactivation_ends_sessions_and_reactivation_does_not_revive_them(app, company, make_user,
                                                                         login):
    user = make_user(Role.AUDITOR)
    client = login(user)
    services.update_user(user, actor=SYSTEM, display_name=user.display_name, active=False)
    services.update_user(user, actor=SYSTEM, display_name=user.display_name, active=True)
    assert not signed_in(client)
    assert signed_in(login(user))


def test_a_session_from_before_session_versions_signs_in_no_one(app, company, make_user, login):
    """Cookies that hold the bare user id (signed before the upgrade) are no longer accepted."""
    user = make_user(Role.AUDITOR)
    client = login(user)
    with client.session_transaction() as http_session:
        assert http_session["_user_id"] == f"{user.id}:{user.session_version}"
        http_session["_user_id"] = str(user.id)
    assert not signed_in(client)


# --- caching -------------------------------------------------------------------------------

def assert_not_stored(response):
    assert response.headers.get("Cache-Control") == "no-store", response.headers
    assert response.headers.get("Pragma") == "no-cache"


def test_staff_pages_and_downloads_are_never_stored(company, make_user, login):
    admin = login(make_user(Role.ADMIN))
    for url in ("/", "/users/", "/audit/", "/org/", "/notifications/", "/users/new"):
        assert_not_stored(admin.get(url))
    assert_not_stored(admin.get("/no-such-page"))


def test_worker_phone_pages_are_never_stored(company, client):
    """Every page under /w/ (the sign-in page, and the pages that send a phone there)."""
    for url in ("/w/", "/w/sign-in", "/w/lectures", "/w/pledges/", "/w/contacts", "/w/record"):
        response = client.get(url)
        assert response.status_code in {200, 302}, url
        assert_not_stored(response)


def test_the_sign_in_page_is_never_stored(client, company):
    assert_not_stored(client.get("/login"))


def test_static_files_keep_normal_caching(client):
    for url in ("/static/portal.css", "/cb-static/progress.js"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" not in response.headers.get("Cache-Control", "")
        assert "Pragma" not in response.headers
