"""Five wrong passwords lock the account; then even the right one is refused."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import MAX_FAILURES, log_in

pytestmark = [pytest.mark.browser, pytest.mark.committing]


def test_five_wrong_passwords_lock_the_account(page, portal, company):
    for _attempt in range(MAX_FAILURES - 1):
        log_in(page, company.admin_username, "Wrong-pass-9")
        expect(page.locator("#login-error")).to_have_text("用户名或密码错误")
        expect(page.locator("#login-error")).not_to_contain_text("锁定")

    log_in(page, company.admin_username, "Wrong-pass-9")
    expect(page.locator("#login-error")).to_contain_text("锁定")

    log_in(page, company.admin_username, company.password)
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.locator("#login-error")).to_contain_text("锁定")
    expect(page.locator("#current-user")).to_have_count(0)
