"""A pre-holiday safety campaign in the browser, as its users meet it (假期安全教育): the site
manager finds the draft on the home page's to-do list, opens it and schedules its lecture with
the form pre-filled from the campaign; the worker with a child under 16 gets the checklist on a
phone-sized page and confirms it; the manager sees the confirmation counted."""
from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from ..conftest import PASSWORD
from ..worker_phone_support import PIN
from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.committing]

PHONE = {"viewport": {"width": 360, "height": 640}, "is_mobile": True, "has_touch": True}
WORKER_NUMBER, WORKER_NAME, CHILD = "H7001", "韩长河", "韩小溪"
SITE_MANAGER = "site-han"


@pytest.fixture
def world(portal, company):
    """A site with the worker (a PIN, a child of 10), its manager, and the summer campaign the
    daily job drafted, the holiday 20 days ahead. Returns the campaign's id."""
    from employer_portal.accounts.services import create_user
    from plugin.access.roles import Role
    from plugin.access.services import grant_role
    from plugin.core.clock import local_today
    from plugin.core.host import Actor
    from plugin.holiday_safety import campaigns
    from plugin.holiday_safety.holidays import HolidayStart
    from plugin.holiday_safety.models import HolidayKind
    from plugin.org.models import OrgKind
    from plugin.org.queries import get_root_unit
    from plugin.org.services import create_unit

    from .. import factories
    from ..worker_phone_support import give_pin

    system = Actor.system("tests")

    def work():
        today = local_today()
        site = create_unit(get_root_unit(), OrgKind.SITE, "韩江大桥项目部", actor=system)
        worker = factories.make_worker(site, employee_number=WORKER_NUMBER, name=WORKER_NAME)
        factories.make_child(worker, name=CHILD,
                             birth_date=(today - timedelta(days=365 * 10)).isoformat())
        give_pin(worker)
        user = create_user(SITE_MANAGER, "韩经理", PASSWORD, actor=system)
        grant_role(user.key, Role.SITE_MANAGER, site, actor=system, check_actor=False)
        start = HolidayStart(HolidayKind.SUMMER, today.year, today + timedelta(days=20),
                             "entered")
        return campaigns.draft_campaign(site, start, Actor.system("holiday-safety-drafts")).id

    return portal.run(work)


def test_the_site_manager_schedules_the_drafts_lecture_and_the_worker_confirms(
        world, company, portal, new_context, page):
    campaign_id = world
    log_in(page, SITE_MANAGER)
    page.goto("/")
    expect(page.locator("[data-todo-count='holiday_safety_drafts']")).to_have_text("1")
    page.locator("[data-todo='holiday_safety_drafts'] a").click()
    page.locator(f"tr[data-campaign='{campaign_id}'] a").click()
    expect(page.locator("#campaign-title")).to_contain_text("韩江大桥项目部")
    expect(page.locator("[data-status='draft']")).to_be_visible()
    expect(page.locator("#topics")).to_contain_text("防溺水")
    page.locator("#schedule-lecture").click()
    # Pre-filled from the campaign: the holiday in the title, the site as the venue.
    expect(page.locator("#title")).to_have_value(f"{portal.run(_year)}年暑假假期安全教育")
    expect(page.locator("#venue")).to_have_value("韩江大桥项目部")
    expect(page.locator("#topics input[value='drowning']")).to_be_checked()
    page.locator("#venue").fill("韩江大桥项目部职工之家")
    page.locator("#save-lecture").click()
    expect(page.locator("[data-status='scheduled']")).to_be_visible()
    expect(page.locator("#lecture-link")).to_be_visible()
    expect(page.locator("#notified")).to_have_text("1")

    phone = new_context(base_url=portal.url, **PHONE).new_page()
    phone.goto("/w/")
    phone.locator("#employee_number").fill(WORKER_NUMBER)
    phone.locator("#pin").fill(PIN)
    phone.locator("#worker-sign-in button").click()
    phone.locator("#holiday-safety-link").click()
    phone.locator(f"[data-campaign='{campaign_id}'] a").click()
    expect(phone.locator("#children")).to_contain_text(CHILD)
    phone.locator("#carer").fill("爷爷奶奶在老家照看")
    form = phone.locator("#checklist-form")
    form.get_by_label("讲过了", exact=True).check()
    form.get_by_label("我回家陪孩子", exact=True).check()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["viewport"]["width"]
    phone.locator("#confirm-checklist").click()
    expect(phone.locator("#confirmed")).to_contain_text("爷爷奶奶在老家照看")

    page.reload()
    expect(page.locator("#confirmed")).to_contain_text("1")


def _year():
    from plugin.core.clock import local_today

    return local_today().year
