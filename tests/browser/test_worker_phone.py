"""A worker on a small phone: identify once, then the phone is remembered."""
from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.committing]


@pytest.fixture
def worker(portal, company):
    from plugin.core.host import Actor
    from plugin.org.models import OrgKind
    from plugin.org.queries import get_root_unit
    from plugin.org.services import create_unit
    from plugin.registry.schema import WORKER_FIELDS, parse_record
    from plugin.registry.services import upsert_worker

    def work():
        site = create_unit(get_root_unit(), OrgKind.SITE, "前海项目部", actor=Actor.system("tests"))
        values = parse_record({"employee_number": "E3001", "name": "钱小二", "phone": "13700001234"},
                              WORKER_FIELDS, today=date(2026, 11, 22))
        upsert_worker(values, unit=site, actor=Actor.system("tests"))

    portal.run(work)
    return "E3001"


def test_worker_identifies_once_on_a_phone_and_is_remembered(new_context, portal, worker):
    context = new_context(base_url=portal.url, viewport={"width": 360, "height": 640},
                          is_mobile=True, has_touch=True)
    phone = context.new_page()
    phone.goto("/w/")
    expect(phone.locator("h1")).to_have_text("职工登录")
    phone.locator("#employee_number").fill(worker)
    phone.locator("#last_digits").fill("9999")
    phone.locator("#worker-sign-in button").click()
    expect(phone.locator("#sign-in-error")).to_contain_text("不对")
    phone.locator("#last_digits").fill("1234")
    phone.locator("#worker-sign-in button").click()
    expect(phone.locator("#worker-name")).to_have_text("钱小二")
    phone.goto("/w/")
    expect(phone.locator("#worker-name")).to_have_text("钱小二")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
