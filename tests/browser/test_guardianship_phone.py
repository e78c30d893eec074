"""A worker on a small phone signs an entrusted-care agreement with a finger and logs a contact."""
from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from ..worker_phone_support import PIN

pytestmark = [pytest.mark.browser, pytest.mark.committing]

VIEWPORT = {"width": 360, "height": 640}


@pytest.fixture
def agreement(portal, company):
    from plugin.core.clock import local_today
    from plugin.core.host import Actor
    from plugin.guardianship.models import AgreementSigning
    from plugin.guardianship.services import AgreementDraft, create_agreement
    from plugin.org.models import OrgKind
    from plugin.org.queries import get_root_unit
    from plugin.org.services import create_unit
    from plugin.registry.schema import CHILD_FIELDS, WORKER_FIELDS, parse_record
    from plugin.registry.services import upsert_child, upsert_worker

    from ..worker_phone_support import give_pin

    system = Actor.system("tests")

    def work():
        today = local_today()
        site = create_unit(get_root_unit(), OrgKind.SITE, "前海项目部", actor=system)
        worker = upsert_worker(parse_record(
            {"employee_number": "E3001", "name": "钱小二", "phone": "13700001234",
             "entry_date": "2024-03-01", "other_parent_status": "在家", "other_parent_capable": "否"}, WORKER_FIELDS, today=today),
            unit=site, actor=system).record
        give_pin(worker, PIN)
        child = upsert_child(parse_record(
            {"parent_employee_number": "E3001", "parent_role": "父亲", "name": "钱小妹",
             "birth_date": "2016-05-05", "lives_in_home_area": "是"}, CHILD_FIELDS, today=today),
            actor=system, today=today).record
        draft = AgreementDraft(child_ids=[child.id], carer_name="钱奶奶", carer_relation="祖母",
                               carer_phone="13912345678", starts_on=today,
                               ends_on=today + timedelta(days=300), method=AgreementSigning.PHONE,
                               carer_capable_adult=True, no_bars_declared=True,
                               duties="接送上学，照料生活")
        return create_agreement(worker, draft, actor=system, today=today).id

    return portal.run(work)


def draw_signature(phone) -> None:
    """Write a zig-zag across the signature box with the pointer."""
    canvas = phone.locator("canvas[data-signature-for]")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    phone.mouse.move(box["x"] + box["width"] * 0.1, box["y"] + box["height"] * 0.7)
    phone.mouse.down()
    for step in range(1, 21):
        phone.mouse.move(box["x"] + box["width"] * (0.1 + 0.8 * step / 20),
                         box["y"] + box["height"] * (0.3 if step % 2 else 0.7), steps=4)
    phone.mouse.up()


def test_a_worker_signs_the_agreement_and_logs_a_contact(new_context, portal, agreement):
    context = new_context(base_url=portal.url, viewport=VIEWPORT, is_mobile=True, has_touch=True)
    phone = context.new_page()
    phone.goto("/w/")
    phone.locator("#employee_number").fill("E3001")
    phone.locator("#pin").fill(PIN)
    phone.locator("#worker-sign-in button").click()

    phone.locator("#record-link").click()
    phone.locator(".sign-link").click()
    expect(phone.locator("#agreement-summary")).to_contain_text("钱奶奶")
    phone.locator("#confirmed").check()
    phone.locator("#sign-form button[type=submit]").click()
    expect(phone.locator("#signature-errors")).to_contain_text("写下您的名字")
    draw_signature(phone)
    expect(phone.locator("canvas[data-signature-for]")).to_have_attribute("data-signed", "true")
    phone.locator("#confirmed").check()
    assert phone.evaluate("document.documentElement.scrollWidth") <= VIEWPORT["width"]
    phone.locator("#sign-form button[type=submit]").click()
    expect(phone.locator("#agreement-signed")).to_be_visible()
    expect(phone.locator("#my-agreements [data-status=active]")).to_contain_text("钱奶奶")
    expect(phone.locator("#timeline [data-kind=agreement_signed]")).to_be_visible()

    phone.goto("/w/contacts")
    phone.locator("#who").select_option(label="照护人：钱奶奶（钱小妹）")
    phone.locator("label", has_text="视频").click()
    phone.locator("#note").fill("奶奶说孩子感冒好了")
    assert phone.evaluate("document.documentElement.scrollWidth") <= VIEWPORT["width"]
    phone.locator("#contact-form button[type=submit]").click()
    expect(phone.locator("#contact-saved")).to_be_visible()
    expect(phone.locator("#recent-contacts")).to_contain_text("奶奶说孩子感冒好了")
    expect(phone.locator("#recent-contacts")).to_contain_text("视频 · 照护人（钱小妹）")
