"""Signing in and out in a browser."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.committing]


def test_sign_in_shows_the_user_and_sign_out_returns_to_the_login_page(page, portal, company):
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login\?next=(/|%2F)$"))
    expect(page.locator("#current-user")).to_have_count(0)

    log_in(page, company.admin_username)

    expect(page).to_have_url(f"{portal.url}/")
    expect(page.locator("#current-user")).to_have_text(company.admin_name)
    expect(page.locator("main h1")).to_have_text(company.company)
    # The portal's session cookie keeps its production flags: Secure over HTTPS only (this is
    # plain http; tests/browser/test_site_network.py signs in at a host that is not localhost).
    session_cookie = {cookie["name"]: cookie for cookie in page.context.cookies()}["session"]
    assert session_cookie["secure"] is portal.app.config["SESSION_COOKIE_SECURE"]
    assert session_cookie["httpOnly"] is True

    with page.expect_navigation():
        page.locator("#logout").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.locator("#login-form")).to_be_visible()
    expect(page.locator("[role=alert]")).to_contain_text("您已退出登录")
    expect(page.locator("#current-user")).to_have_count(0)

    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login\?next=(/|%2F)$"))


def test_login_returns_to_the_page_asked_for(page, portal, company):
    page.goto("/org/")
    expect(page).to_have_url(re.compile(r"/login\?next=(/|%2F)org(/|%2F)$"))
    page.locator("#username").fill(company.admin_username)
    page.locator("#password").fill(company.password)
    with page.expect_navigation():
        page.locator("#login-form button[type=submit]").click()
    expect(page).to_have_url(f"{portal.url}/org/")
    expect(page.locator("#org-tree")).to_contain_text(company.company)
