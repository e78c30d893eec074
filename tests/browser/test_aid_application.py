"""One hardship-aid application end to end in the browser, as its users do it (issue #19): a
worker applies on a phone-sized page with a photo of the hospital bill; the site manager, the
union officer and the company's administrator approve it in turn (the last choosing the fund);
the union officer pays it; the worker's phone shows it paid; and the fund's statement shows the
money in and out, reconciling, and downloads as a PDF.

¥3,000 is above the ¥2,000 tier, so the chain has the three default steps.
"""
from __future__ import annotations

import io
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from ..conftest import PASSWORD
from ..worker_phone_support import PIN
from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.committing]

PHONE = {"viewport": {"width": 360, "height": 640}, "is_mobile": True, "has_touch": True}
WORKER_NUMBER, WORKER_NAME, CHILD = "E5001", "冯长江", "冯小雨"
SITE_MANAGER, UNION_OFFICER = "site-feng", "union-he"


def bill_photo() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def world(portal, company):
    """A site with the worker (a PIN, a child), its manager, a union officer of the company and
    the company's special fund with ¥10,000 allocated before this month. Returns the fund's id
    and today as the portal sees it."""
    from employer_portal.accounts.services import create_user
    from plugin.access.roles import Role
    from plugin.access.services import grant_role
    from plugin.aid.funds import create_fund, record_income
    from plugin.aid.models import UNRESTRICTED, EntryKind, FundKind
    from plugin.core.clock import local_today
    from plugin.core.host import Actor
    from plugin.org.models import OrgKind
    from plugin.org.queries import get_root_unit
    from plugin.org.services import create_unit

    from .. import factories
    from ..worker_phone_support import give_pin

    system = Actor.system("tests")

    def work():
        today = local_today()
        root = get_root_unit()
        site = create_unit(root, OrgKind.SITE, "长江大桥项目部", actor=system)
        worker = factories.make_worker(site, employee_number=WORKER_NUMBER, name=WORKER_NAME)
        factories.make_child(worker, name=CHILD)
        give_pin(worker)
        for username, name, role, unit in ((SITE_MANAGER, "冯经理", Role.SITE_MANAGER, site),
                                           (UNION_OFFICER, "何工会", Role.UNION_OFFICER, root)):
            user = create_user(username, name, PASSWORD, actor=system)
            grant_role(user.key, role, unit, actor=system, check_actor=False)
        fund = create_fund(root, "关爱专项基金", FundKind.SPECIAL, "集团工会财务", system)
        record_income(fund, EntryKind.ALLOCATION, 1_000_000, today.replace(day=1) - timedelta(
            days=3), UNRESTRICTED, None, None, "年度专项拨款", system)
        return fund.id, today

    return portal.run(work)


def test_a_phone_application_through_three_approvers_to_payout_and_the_statement(
        world, company, portal, new_context, page):
    fund_id, today = world
    phone = new_context(base_url=portal.url, **PHONE).new_page()
    phone.goto("/w/")
    phone.locator("#employee_number").fill(WORKER_NUMBER)
    phone.locator("#pin").fill(PIN)
    phone.locator("#worker-sign-in button").click()
    phone.locator("#aid-link").click()
    expect(phone.locator("#no-applications")).to_be_visible()
    phone.locator("#apply-link").click()
    form = phone.locator("#apply-form")
    form.get_by_label("重大疾病", exact=True).check()
    phone.locator("#circumstances").fill("孩子肺炎住院一周，自付医药费三千多元。")
    form.get_by_label("现金救助", exact=True).check()
    phone.locator("#amount").fill("3000")
    form.get_by_label("银行转账", exact=True).check()
    phone.locator("#account_holder").fill(WORKER_NAME)
    phone.locator("#bank_name").fill("中国农业银行")
    phone.locator("#account_number").fill("6228480012345678")
    form.get_by_label(CHILD).check()
    phone.locator("#evidence").set_input_files(
        [{"name": "医院收费单.png", "mimeType": "image/png", "buffer": bill_photo()}])
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["viewport"]["width"]
    phone.locator("#submit-application").click()
    expect(phone.locator("#applied-notice")).to_be_visible()
    expect(phone.locator("#application-status")).to_have_attribute("data-status", "in_review")
    application_id = int(phone.url.split("?")[0].rstrip("/").rsplit("/", 1)[-1])

    # Three approvers in turn, each finding it among those waiting for them.
    for username, password in ((SITE_MANAGER, PASSWORD), (UNION_OFFICER, PASSWORD),
                               (company.admin_username, company.password)):
        page.context.clear_cookies()
        log_in(page, username, password)
        page.goto("/aid/?mine=1")
        page.locator(f"tr[data-application='{application_id}'] a").click()
        expect(page.locator("#evidence")).to_contain_text("医院收费单.png")
        if username == company.admin_username:
            page.locator("#decision-fund").select_option(value=str(fund_id))
        page.locator("#decision-comment").fill("情况属实，同意救助。")
        page.locator("#approve").click()
        expect(page.locator("#decision-conflict")).to_have_count(0)
    expect(page.locator("#chain")).to_contain_text("公司审批")

    # The union officer pays it, and the family sees it paid.
    page.context.clear_cookies()
    log_in(page, UNION_OFFICER)
    page.goto(f"/aid/applications/{application_id}")
    page.locator("#pay-reference").fill("NH20261204-0001")
    page.locator("#pay").click()
    expect(page.locator("#payments")).to_contain_text("3,000.00")
    phone.reload()
    expect(phone.locator("#application-status")).to_have_attribute("data-status", "paid")

    # The menu keeps hardship aid's pages under one drop-down.
    page.locator("#main-nav .dropdown-toggle", has_text="困难帮扶").click()
    page.locator("#main-nav .dropdown-menu.show a", has_text="帮扶基金").click()
    expect(page.locator("main h1")).to_contain_text("基金")
    assert page.url.rstrip("/").endswith("/aid/funds")

    # The fund's statement from last month to today: ¥10,000 in before, ¥3,000 out.
    start = today.replace(day=1) - timedelta(days=10)
    page.goto(f"/aid/funds/{fund_id}/statement?start={start.isoformat()}&end={today.isoformat()}")
    summary = page.locator("#statement-summary")
    expect(summary).to_contain_text("10,000.00")
    expect(summary).to_contain_text("3,000.00")
    expect(summary).to_contain_text("7,000.00")
    # Entries name the application by its number, not the family (a statement is passed round).
    expect(page.locator("#statement-entries")).to_contain_text(f"救助申请第 {application_id} 号")
    with page.expect_download() as download:
        page.locator("#statement-downloads a", has_text="PDF").click()
    assert download.value.suggested_filename.endswith(".pdf")
