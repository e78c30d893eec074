"""A worker on a small phone: activate once with HR's code and a PIN of their own, then the phone
is remembered; a later new phone signs in with the PIN."""
from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.committing]

PHONE = {"viewport": {"width": 360, "height": 640}, "is_mobile": True, "has_touch": True}
PIN = "470369"


@pytest.fixture
def code(portal, company):
    """Worker E3001 and the activation code an HR officer gave them."""
    from plugin.core.host import Actor
    from plugin.org.models import OrgKind
    from plugin.org.queries import get_root_unit
    from plugin.org.services import create_unit
    from plugin.registry.schema import WORKER_FIELDS, parse_record
    from plugin.registry.services import upsert_worker
    from plugin.worker_access.phones import issue_activation_code

    def work():
        site = create_unit(get_root_unit(), OrgKind.SITE, "前海项目部", actor=Actor.system("tests"))
        values = parse_record({"employee_number": "E3001", "name": "钱小二", "phone": "13700001234"},
                              WORKER_FIELDS, today=date(2026, 11, 22))
        worker = upsert_worker(values, unit=site, actor=Actor.system("tests")).record
        return issue_activation_code(worker, actor=Actor.system("tests")).code

    return portal.run(work)


def test_worker_activates_a_phone_once_and_is_remembered(new_context, portal, code):
    phone = new_context(base_url=portal.url, **PHONE).new_page()
    phone.goto("/w/")
    expect(phone.locator("h1")).to_have_text("职工登录")
    # The last digits of the phone number (which staff see) sign nobody in.
    phone.locator("#employee_number").fill("E3001")
    phone.locator("#pin").fill("001234")
    phone.locator("#worker-sign-in button").click()
    expect(phone.locator("#sign-in-error")).to_contain_text("不对")

    phone.locator("#activate-link").click()
    expect(phone.locator("h1")).to_have_text("用激活码登录")
    assert phone.locator("#code").get_attribute("inputmode") == "numeric"
    phone.locator("#employee_number").fill("E3001")
    phone.locator("#code").fill(code)
    phone.locator("#pin").fill(PIN)
    phone.locator("#pin_again").fill("470360")
    phone.locator("#worker-activate button").click()
    expect(phone.locator("#pin_again-error")).to_contain_text("不一样")
    phone.locator("#code").fill(code)
    phone.locator("#pin").fill(PIN)
    phone.locator("#pin_again").fill(PIN)
    phone.locator("#worker-activate button").click()
    expect(phone.locator("#worker-name")).to_have_text("钱小二")
    phone.goto("/w/")
    expect(phone.locator("#worker-name")).to_have_text("钱小二")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360

    # A new phone later: the employee number and the PIN.
    other = new_context(base_url=portal.url, **PHONE).new_page()
    other.goto("/w/")
    other.locator("#employee_number").fill("E3001")
    other.locator("#pin").fill(PIN)
    other.locator("#worker-sign-in button").click()
    expect(other.locator("#worker-name")).to_have_text("钱小二")
