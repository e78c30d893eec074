"""Work near home end to end in the browser: a worker from 南部县 with a left-behind child, working
in Shenzhen, sees the company's positions near home on a phone-sized page — the one in the home
county first, marked 同县, then one in the same province — asks for a transfer to it, and the
HR officer finds the request among those waiting and approves it; the worker's phone shows it
approved with the day to start."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from ..conftest import PASSWORD
from ..worker_phone_support import PIN
from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.committing]

PHONE = {"viewport": {"width": 360, "height": 640}, "is_mobile": True, "has_touch": True}
WORKER_NUMBER, WORKER_NAME = "E6001", "王大川"
HR_OFFICER = "hr-wang"


@pytest.fixture
def world(portal, company):
    """Three sites (Shenzhen where the worker works, 南部县 and 成都双流 with openings), the worker
    (a PIN, a left-behind child) and an HR officer of the company. Returns the openings' ids."""
    from employer_portal.accounts.services import create_user
    from plugin.access.roles import Role
    from plugin.access.scope import Scope
    from plugin.access.services import grant_role
    from plugin.core.clock import local_today
    from plugin.core.host import Actor
    from plugin.org.models import OrgKind
    from plugin.org.queries import get_root_unit
    from plugin.org.services import create_unit
    from plugin.positions import workplaces

    from .. import factories
    from ..worker_phone_support import give_pin

    system = Actor.system("tests")

    def work():
        today = local_today()
        root = get_root_unit()
        sites = {name: create_unit(root, OrgKind.SITE, name, actor=system)
                 for name in ("深圳湾项目部", "南部县城项目部", "双流构件厂")}
        openings = {}
        for (name, county), trade in zip((("深圳湾项目部", "440305"), ("南部县城项目部", "511321"),
                                          ("双流构件厂", "510116")), ("木工", "钢筋工", "焊工"),
                                         strict=True):
            workplaces.save_location(sites[name], {"county_code": county},
                                     scope=Scope.company(), actor=system)
            openings[name] = workplaces.save_opening(
                None, {"trade": trade, "headcount": "6", "starts_on": today.isoformat()},
                site=sites[name], scope=Scope.company(), actor=system, today=today).id
        worker = factories.make_worker(sites["深圳湾项目部"], employee_number=WORKER_NUMBER,
                                       name=WORKER_NAME, hukou_region_code="511321")
        factories.make_child(worker, left_behind=True, name="王小川")
        give_pin(worker)
        user = create_user(HR_OFFICER, "王人事", PASSWORD, actor=system)
        grant_role(user.key, Role.HR_OFFICER, root, actor=system, check_actor=False)
        return openings

    return portal.run(work)


def test_a_worker_asks_for_a_position_near_home_and_hr_approves(world, company, portal,
                                                               new_context, page):
    phone = new_context(base_url=portal.url, **PHONE).new_page()
    phone.goto("/w/")
    phone.locator("#employee_number").fill(WORKER_NUMBER)
    phone.locator("#pin").fill(PIN)
    phone.locator("#worker-sign-in button").click()
    phone.locator("#positions-link").click()

    cards = phone.locator("[data-opening]")
    expect(cards).to_have_count(2)  # Shenzhen is the worker's own site, in another province
    expect(cards.nth(0)).to_contain_text("南部县城项目部")
    expect(cards.nth(0)).to_contain_text("同县")
    expect(cards.nth(0)).to_contain_text("四川省南充市南部县")
    expect(cards.nth(1)).to_contain_text("同省")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["viewport"]["width"]
    near_home = world["南部县城项目部"]
    phone.locator(f"[data-apply='{near_home}']").click()
    phone.locator("#note").fill("孩子在老家上小学，想回去照顾")
    phone.locator("#ask-transfer").click()
    expect(phone.locator("#asked-notice")).to_be_visible()
    mine = phone.locator("[data-request]")
    expect(mine).to_have_attribute("data-status", "requested")
    expect(mine).to_contain_text("等待单位答复")

    # HR finds it among the requests waiting and approves it with the day to start.
    log_in(page, HR_OFFICER)
    page.goto("/positions/requests?status=requested")
    page.locator("#requests a", has_text=WORKER_NAME).click()
    expect(page.locator("#transfer")).to_contain_text("孩子在老家上小学")
    expect(page.locator("#distance")).to_have_text("同县")
    page.get_by_label("同意调动").check()
    page.locator("#effective_on").fill("2027-01-04")
    page.locator("#reason").fill("请到南部县城项目部综合办报到")
    page.locator("#decide").click()
    expect(page.locator("h1 [data-status]")).to_have_attribute("data-status", "approved")

    phone.reload()
    expect(mine).to_have_attribute("data-status", "approved")
    expect(mine).to_contain_text("单位已同意调动")
    expect(mine).to_contain_text("2027-01-04")
    expect(mine).to_contain_text("综合办报到")
