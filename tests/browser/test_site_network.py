"""Phones on the site's WiFi (issue #16): the portal served over plain http under a host name that
is not localhost, as a phone sees ``http://192.168.1.10:5000``. Chromium maps ``site.test`` to the
live server's loopback address (``--host-resolver-rules``), so the origin is an ordinary insecure
one: a ``Secure`` cookie would be dropped there, and with it the session and its CSRF token.

An officer signs in and opens the projector; a worker's phone scans the code, signs in with the
PIN and is checked in; error pages are Chinese pages inside the layouts.
"""
from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from plugin.core.clock import FrozenClock, system_clock, utcnow

from ..attendance_support import make_lecture
from ..worker_phone_support import PIN
from .conftest import ACTION_TIMEOUT, CHROMIUM_ARGS, log_in

pytestmark = [pytest.mark.browser, pytest.mark.committing]

HOST = "site.test"
PHONE = {"viewport": {"width": 360, "height": 640}, "is_mobile": True, "has_touch": True}


@pytest.fixture(scope="module")
def site_browser(browser_type, browser_type_launch_args):
    """Chromium resolving ``site.test`` to 127.0.0.1: a plain-http origin that is not localhost."""
    args = [*CHROMIUM_ARGS, f"--host-resolver-rules=MAP {HOST} 127.0.0.1"]
    browser = browser_type.launch(**{**browser_type_launch_args, "args": args})
    yield browser
    browser.close()


@pytest.fixture
def site_url(portal) -> str:
    return f"http://{HOST}:{urlsplit(portal.url).port}"


@pytest.fixture
def open_context(site_browser, browser_context_args, site_url):
    contexts = []

    def open_(**extra):
        context = site_browser.new_context(**{**browser_context_args, "base_url": site_url, **extra})
        context.set_default_timeout(ACTION_TIMEOUT)
        contexts.append(context)
        return context

    yield open_
    for context in contexts:
        context.close()


@pytest.fixture
def frozen(portal):
    state = portal.app.extensions["carebridge"]
    state.clock = FrozenClock(system_clock().replace(microsecond=0))
    yield state.clock
    state.clock = system_clock


@pytest.fixture
def lecture_id(portal, company, frozen) -> int:
    from plugin.core.host import Actor
    from plugin.org.models import OrgKind
    from plugin.org.queries import get_root_unit
    from plugin.org.services import create_unit
    from plugin.worker_access.services import set_pin

    from .. import factories

    def work():
        site = create_unit(get_root_unit(), OrgKind.SITE, "前海项目部", actor=Actor.system("tests"))
        set_pin(factories.make_worker(site, employee_number="E7001", name="钱小二",
                                      phone="13800007001"), PIN)
        return make_lecture(site, starts_at=utcnow() + timedelta(minutes=10),
                            title="家长学校：防溺水").id

    return portal.run(work)


def test_a_phone_on_the_site_network_signs_in_and_checks_in(open_context, site_url, company,
                                                            lecture_id):
    office = open_context().new_page()
    log_in(office, company.admin_username)
    expect(office.locator("#current-user")).to_have_text(company.admin_name)
    office.goto(f"/attendance/sessions/{lecture_id}/projector")
    code_url = office.locator("#venue-code").get_attribute("data-url")
    # No public URL configured: the code carries the address the officer reached the site at.
    assert code_url.startswith(f"{site_url}/c/")
    cookies = {cookie["name"]: cookie for cookie in office.context.cookies()}
    assert cookies["session"]["secure"] is False and cookies["session"]["httpOnly"] is True

    phone_context = open_context(**PHONE)
    phone = phone_context.new_page()
    phone.goto(code_url)
    expect(phone.locator("h1")).to_have_text("职工登录")
    phone.locator("#employee_number").fill("E7001")
    phone.locator("#pin").fill(PIN)
    phone.locator("#worker-sign-in button").click()
    expect(phone.locator("#check-in-result")).to_have_attribute("data-level", "green")
    expect(phone.locator("#check-in-message")).to_contain_text("签到成功")
    device = {cookie["name"]: cookie for cookie in phone_context.cookies()}["cb_worker_device"]
    assert device["secure"] is False and device["httpOnly"] is True
    phone.goto("/w/")
    expect(phone.locator("#worker-name")).to_have_text("钱小二")


def test_error_pages_on_the_site_network_are_chinese_pages_in_the_layouts(open_context, company):
    office = open_context().new_page()
    log_in(office, company.admin_username)
    response = office.goto("/no-such-page")
    assert response.status == 404
    expect(office.locator("#error-title")).to_have_text("页面不存在")
    expect(office.locator("#current-user")).to_have_text(company.admin_name)  # the portal layout
    office.locator("#error-home").click()
    expect(office.locator("main h1")).to_have_text(company.company)

    phone_context = open_context(**PHONE)
    phone = phone_context.new_page()
    assert phone.goto("/w/no-such-page").status == 404
    expect(phone.locator("body > header")).to_have_text("关爱桥")  # the phone layout
    expect(phone.locator("#error-title")).to_have_text("页面不存在")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360

    # The sign-in form left open until the session is gone (here: its cookie cleared).
    phone.goto("/w/sign-in")
    phone_context.clear_cookies()
    phone.locator("#employee_number").fill("E7001")
    phone.locator("#pin").fill(PIN)
    phone.locator("#worker-sign-in button").click()
    expect(phone.locator("#error-page")).to_have_attribute("data-kind", "csrf")
    expect(phone.locator("#error-title")).to_have_text("页面已过期，请重新提交")
    expect(phone.locator("#error-message")).to_contain_text("刷新页面")
    phone.locator("#error-back").click()
    expect(phone.locator("h1")).to_have_text("职工登录")
