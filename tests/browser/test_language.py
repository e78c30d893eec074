"""Switching between Chinese and English in a browser."""
from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.committing]

ROOT = Path(__file__).resolve().parents[2]
PORTAL_EN_CATALOG = ROOT / "employer_portal/translations/en/LC_MESSAGES/messages.mo"


def english_for(msgid: str) -> str | None:
    """The compiled English translation of ``msgid``, or None while the catalog is not there yet.

    The English catalogs are being written separately; the English wording of a page is only
    checked once the portal's compiled catalog translates it.
    """
    if not PORTAL_EN_CATALOG.exists():
        return None
    from babel.messages.mofile import read_mo

    with PORTAL_EN_CATALOG.open("rb") as handle:
        message = read_mo(handle).get(msgid)
    return message.string if message is not None and message.string else None


def test_language_switch_turns_the_login_page_english_and_back(page, portal, company):
    page.goto("/login")
    html = page.locator("html")
    switch = page.locator("#language-switch a")
    expect(html).to_have_attribute("lang", "zh-CN")
    expect(page).to_have_title("登录 · 关爱桥")
    expect(switch).to_have_text("English")

    with page.expect_navigation():
        switch.click()
    expect(page).to_have_url(f"{portal.url}/login")
    expect(html).to_have_attribute("lang", "en")
    expect(switch).to_have_text("中文")
    log_in_in_english = english_for("登录")
    if log_in_in_english:  # only once the compiled English catalog has this entry
        assert "登录" not in page.title()
        expect(page.locator("#login-form button[type=submit]")).to_have_text(log_in_in_english)

    # The choice is remembered for the rest of the visit.
    page.goto("/login")
    expect(html).to_have_attribute("lang", "en")

    with page.expect_navigation():
        switch.click()
    expect(html).to_have_attribute("lang", "zh-CN")
    expect(switch).to_have_text("English")
    expect(page).to_have_title("登录 · 关爱桥")
    expect(page.locator("#login-form button[type=submit]")).to_have_text("登录")

