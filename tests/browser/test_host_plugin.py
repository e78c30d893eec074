"""CareBridge mounted in another company's HR app (``tests/dummy_host.py``), in a browser."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from ..dummy_host import ADMIN_NAME, ADMIN_PASSWORD, ADMIN_USERNAME, COMPANY_NAME
from .conftest import ACTION_TIMEOUT

pytestmark = [pytest.mark.browser, pytest.mark.committing]


def test_host_user_signs_in_at_the_host_and_sees_the_org_tree_in_the_host_layout(new_context, host_server):
    context = new_context(base_url=host_server.url)
    context.set_default_timeout(ACTION_TIMEOUT)
    page = context.new_page()

    page.goto("/care/org/")
    expect(page).to_have_url(re.compile(r"/host-login\?next=/care/org/$"))
    expect(page.locator("#host-banner")).to_contain_text("HR Host")

    page.locator("#host-username").fill(ADMIN_USERNAME)
    page.locator("#host-password").fill(ADMIN_PASSWORD)
    with page.expect_navigation():
        page.locator("#host-login-form button[type=submit]").click()

    expect(page).to_have_url(f"{host_server.url}/care/org/")
    expect(page.locator("#host-banner")).to_contain_text("HR Host")
    expect(page.locator("#host-user")).to_have_text(ADMIN_NAME)
    expect(page).to_have_title("组织架构 · HR Host")
    tree = page.locator("#host-main #org-tree")
    expect(tree.get_by_role("link", name=COMPANY_NAME)).to_be_visible()

    # CareBridge's links sit in the host's navigation and stay inside the host.
    with page.expect_navigation():
        page.locator("#host-nav").get_by_role("link", name="首页", exact=True).click()
    expect(page).to_have_url(f"{host_server.url}/care/")
    expect(page.locator("#host-main h1")).to_have_text(COMPANY_NAME)
    expect(page.locator("#host-banner")).to_be_visible()
