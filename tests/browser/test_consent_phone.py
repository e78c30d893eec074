"""A worker, the guardian, consents on a small phone for a child whose details an import held,
and the child's record has them at once, with no second import (issue #15)."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from ..imports_support import id_number
from ..worker_phone_support import PIN

pytestmark = [pytest.mark.browser, pytest.mark.committing]

VIEWPORT = {"width": 360, "height": 640}
CHILD_ID = id_number(birth="20160505", sequence="111")


@pytest.fixture
def child_id(portal, company):
    """Worker E3001's child of 10, stored from a roster without consent: ID number and school
    held."""
    from plugin.core.clock import local_today
    from plugin.core.host import Actor
    from plugin.org.models import OrgKind
    from plugin.org.queries import get_root_unit
    from plugin.org.services import create_unit
    from plugin.registry.schema import CHILD_FIELDS, WORKER_FIELDS, parse_record
    from plugin.registry.services import upsert_child, upsert_worker

    from ..worker_phone_support import give_pin

    system = Actor.system("tests")

    def work():
        # Today as the portal sees it (the suite also runs with the wall clock moved): the
        # details are held from today for 30 days.
        today = local_today()
        site = create_unit(get_root_unit(), OrgKind.SITE, "前海项目部", actor=system)
        worker = upsert_worker(parse_record({"employee_number": "E3001", "name": "钱小二",
                                             "phone": "13700001234"}, WORKER_FIELDS, today=today),
                               unit=site, actor=system).record
        give_pin(worker)
        child = upsert_child(parse_record({
            "parent_employee_number": "E3001", "parent_role": "父亲", "name": "钱小妹",
            "birth_date": "2016-05-05", "lives_in_home_area": "是", "school": "希望小学",
            "id_number": CHILD_ID}, CHILD_FIELDS, today=today), actor=system, today=today).record
        assert child.school is None
        return child.id

    return portal.run(work)


def test_consent_on_the_phone_fills_the_record_without_a_second_import(new_context, portal,
                                                                       child_id):
    phone = new_context(base_url=portal.url, viewport=VIEWPORT, is_mobile=True,
                        has_touch=True).new_page()
    phone.goto("/w/")
    phone.locator("#employee_number").fill("E3001")
    phone.locator("#pin").fill(PIN)
    phone.locator("#worker-sign-in button").click()
    phone.locator("#children-consent-link").click()
    card = phone.locator(f"#child-{child_id}")
    expect(card).to_have_attribute("data-consent", "needed")
    expect(card.locator(".held")).to_be_visible()
    card.locator(".consent-link").click()
    expect(phone.locator("#guardian-notice")).to_contain_text("儿童个人信息处理告知书")
    # Confirming without ticking is refused, with the reason next to the box.
    phone.locator("#confirm-consent").click()
    expect(phone.locator("#agree-errors")).to_contain_text("请先勾选同意")
    phone.locator("#agree").check()
    assert phone.evaluate("document.documentElement.scrollWidth") <= VIEWPORT["width"]
    phone.locator("#confirm-consent").click()
    expect(phone.locator("#consented-notice")).to_contain_text("已补入孩子的档案")
    expect(phone.locator(f"#child-{child_id}")).to_have_attribute("data-consent", "given")

    def stored():
        from plugin.core.db import session
        from plugin.registry.models import Child

        child = session.get(Child, child_id)
        return child.school, child.id_number

    assert portal.run(stored) == ("希望小学", CHILD_ID)
