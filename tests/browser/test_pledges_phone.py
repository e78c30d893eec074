"""A worker signs a guardianship pledge on a small phone with a finger-drawn signature."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from ..worker_phone_support import PIN

pytestmark = [pytest.mark.browser, pytest.mark.committing]

VIEWPORT = {"width": 360, "height": 640}


@pytest.fixture
def worker(portal, company):
    from plugin.core.host import Actor
    from plugin.org.models import OrgKind
    from plugin.org.queries import get_root_unit
    from plugin.org.services import create_unit
    from plugin.registry.schema import CHILD_FIELDS, WORKER_FIELDS, parse_record
    from plugin.registry.services import upsert_child, upsert_worker

    from ..worker_phone_support import give_pin

    today = date(2026, 11, 22)
    system = Actor.system("tests")

    def work():
        site = create_unit(get_root_unit(), OrgKind.SITE, "前海项目部", actor=system)
        values = parse_record({"employee_number": "E3001", "name": "钱小二", "phone": "13700001234",
                               "entry_date": "2024-03-01", "works_away_since": "2024-03-01",
                               "other_parent_status": "在家", "other_parent_capable": "否"},
                              WORKER_FIELDS, today=today)
        worker = upsert_worker(values, unit=site, actor=system).record
        give_pin(worker)
        upsert_child(parse_record({"parent_employee_number": "E3001", "parent_role": "父亲", "name": "钱小妹",
                                   "birth_date": "2016-05-05", "lives_in_home_area": "是"},
                                  CHILD_FIELDS, today=today), actor=system, today=today)

    portal.run(work)
    return "E3001"


def draw_signature(phone) -> None:
    """Write a zig-zag "name" across the signature box with the pointer."""
    canvas = phone.locator("canvas[data-signature-for]")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    left, top, width, height = box["x"], box["y"], box["width"], box["height"]
    phone.mouse.move(left + width * 0.1, top + height * 0.7)
    phone.mouse.down()
    for step in range(1, 25):
        x = left + width * (0.1 + 0.75 * step / 24)
        y = top + height * (0.3 if step % 2 else 0.7)
        phone.mouse.move(x, y, steps=4)
    phone.mouse.up()


def test_a_worker_signs_a_pledge_with_a_finger_and_downloads_it(new_context, portal, worker):
    context = new_context(base_url=portal.url, viewport=VIEWPORT, is_mobile=True, has_touch=True)
    phone = context.new_page()
    phone.goto("/w/")
    phone.locator("#employee_number").fill(worker)
    phone.locator("#pin").fill(PIN)
    phone.locator("#worker-sign-in button").click()
    phone.locator("#pledges-link").click()
    expect(phone.locator("#no-pledges")).to_be_visible()
    phone.locator("#sign-pledge").click()
    expect(phone.locator("#pledge-text")).to_contain_text("每周至少与子女和照护人联系一次")
    expect(phone.locator("#sign-form")).to_contain_text("钱小妹")

    # Confirming without a signature is refused with a message.
    phone.locator("#agree").check()
    phone.locator("#confirm-sign").click()
    expect(phone.locator("#signature-errors")).to_contain_text("写下您的名字")

    draw_signature(phone)
    expect(phone.locator("canvas[data-signature-for]")).to_have_attribute("data-signed", "true")
    assert phone.locator("#signature").input_value().startswith("data:image/png;base64,")
    # "Clear" empties the box and the field; then sign again.
    phone.locator("[data-signature-clear]").click()
    assert phone.locator("#signature").input_value() == ""
    draw_signature(phone)
    phone.locator("#agree").check()
    assert phone.evaluate("document.documentElement.scrollWidth") <= VIEWPORT["width"]
    phone.locator("#confirm-sign").click()

    expect(phone.locator("#signed-notice")).to_be_visible()
    valid_until = datetime.now(ZoneInfo("Asia/Shanghai")).date() + timedelta(days=364)
    expect(phone.locator(".pledge[data-status=valid]")).to_contain_text(valid_until.isoformat())
    with phone.expect_download() as download_info:
        phone.locator(".pdf-link").first.click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as handle:
        assert handle.read(5) == b"%PDF-"
