"""First-run set-up in a browser: an empty deployment asks for the company and its administrator."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from ..conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.committing]


def fill_setup_form(page, *, confirm: str) -> None:
    page.locator("#company_name").fill("浙江示范建设集团")
    page.locator("#username").fill("founder")
    page.locator("#display_name").fill("李创始")
    page.locator("#password").fill(PASSWORD)
    page.locator("#confirm").fill(confirm)
    with page.expect_navigation():
        page.locator("#setup-form button[type=submit]").click()


def test_empty_deployment_opens_the_set_up_page_and_lands_on_the_dashboard(page, portal):
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/setup$"))
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.locator("h1")).to_have_text("欢迎使用关爱桥")

    fill_setup_form(page, confirm=PASSWORD)

    expect(page).to_have_url(f"{portal.url}/")
    expect(page.locator("main h1")).to_have_text("浙江示范建设集团")
    expect(page.locator("#current-user")).to_have_text("李创始")
    # Set-up happens once: the page now sends people to the dashboard.
    page.goto("/setup")
    expect(page).to_have_url(f"{portal.url}/")


def test_wrong_confirmation_shows_a_field_error_and_stays_on_the_set_up_page(page, portal):
    page.goto("/setup")
    fill_setup_form(page, confirm="Another-pass-2")

    expect(page).to_have_url(re.compile(r"/setup$"))
    expect(page.locator("#confirm-errors")).to_have_text("两次输入的密码不一致")
    expect(page.locator("#confirm")).to_have_class(re.compile(r"\bis-invalid\b"))
    # What was typed is kept, so only the passwords need typing again; nothing was created.
    expect(page.locator("#company_name")).to_have_value("浙江示范建设集团")
    page.goto("/login")
    expect(page).to_have_url(re.compile(r"/setup$"))
