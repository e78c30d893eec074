"""A risk report end to end in the browser (issue: child protection): a worker raises an anonymous
concern from a phone; nobody records a police report, so when the statutory two hours have passed
the escalation job takes the case up to the bureau; the bureau's care worker finds it among their
notifications, sees the escalation and no reporter on the case page, records the police report
and closes the case.

The live server's clock is frozen at the real now and moved on by the test; the job runs as the
scheduler runs it, in an app context of its own that commits.
"""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from plugin.core.clock import FrozenClock, system_clock

from ..conftest import PASSWORD
from ..worker_phone_support import PIN
from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.committing]

PHONE = {"viewport": {"width": 360, "height": 640}, "is_mobile": True, "has_touch": True}
WORKER_NUMBER, WORKER_NAME = "E6001", "冯长江"
CARE_WORKER, SITE_MANAGER = "care-zhou", "site-qian"


@pytest.fixture
def frozen(portal):
    """The live portal's clock, frozen at the real now, moved on by the test."""
    state = portal.app.extensions["carebridge"]
    state.clock = FrozenClock(system_clock().replace(microsecond=0))
    yield state.clock
    state.clock = system_clock


@pytest.fixture
def world(portal, company, frozen):
    """A bureau with a site; the worker (a PIN) on the site; the site's manager and the bureau's
    care worker."""
    from employer_portal.accounts.services import create_user
    from plugin.access.roles import Role
    from plugin.access.services import grant_role
    from plugin.core.host import Actor
    from plugin.org.models import OrgKind
    from plugin.org.queries import get_root_unit
    from plugin.org.services import create_unit

    from .. import factories
    from ..worker_phone_support import give_pin

    system = Actor.system("tests")

    def work():
        root = get_root_unit()
        bureau = create_unit(root, OrgKind.SUBSIDIARY, "第一工程局", actor=system)
        site = create_unit(bureau, OrgKind.SITE, "长江大桥项目部", actor=system)
        worker = factories.make_worker(site, employee_number=WORKER_NUMBER, name=WORKER_NAME)
        give_pin(worker)
        for username, name, role, unit in ((SITE_MANAGER, "钱经理", Role.SITE_MANAGER, site),
                                           (CARE_WORKER, "周社工", Role.CARE_WORKER, bureau)):
            user = create_user(username, name, PASSWORD, actor=system)
            grant_role(user.key, role, unit, actor=system, check_actor=False)
        return site.id

    return portal.run(work)


def test_an_anonymous_phone_concern_escalates_unhandled_then_is_reported_and_closed(
        world, portal, frozen, new_context, page):
    from plugin.risk_reports.jobs import escalate_risk_reports
    from plugin.scheduling.runner import JobDefinition, run_job

    phone = new_context(base_url=portal.url, **PHONE).new_page()
    phone.goto("/w/")
    phone.locator("#employee_number").fill(WORKER_NUMBER)
    phone.locator("#pin").fill(PIN)
    phone.locator("#worker-sign-in button").click()
    phone.locator("#risk-link").click()
    phone.locator("#raise-link").click()
    expect(phone.locator("#call-110")).to_be_visible()
    form = phone.locator("#raise-form")
    form.get_by_label("独自居住或无人照料", exact=True).check()
    phone.locator("#facts").fill("老乡的孩子小军一个人在家三天了，爷爷住院，没有大人照顾。")
    phone.locator("#child_name").fill("小军")
    phone.locator("#parent").fill("老乡王大力")
    phone.locator("#child_location").fill("四川省南充市南部县大桥镇青龙村")
    form.get_by_label("老乡、邻居或老师说的", exact=True).check()
    phone.locator("#anonymous").check()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["viewport"]["width"]
    phone.locator("#submit-concern").click()
    expect(phone.locator("#raised-notice")).to_be_visible()
    expect(phone.locator("#anonymous-notice")).to_be_visible()
    phone.locator("#mine-link").click()
    expect(phone.locator("#no-reports")).to_be_visible()  # anonymous: not the worker's

    # Nobody records the police report: two hours and a few minutes later the job runs.
    frozen.advance(hours=2, minutes=5)
    job = JobDefinition("risk_reports.escalate", escalate_risk_reports, "interval",
                        {"minutes": 5})
    assert run_job(portal.app, job)["escalations"] == 1
    assert run_job(portal.app, job)["escalations"] == 0

    # The bureau's care worker is told, and finds the case escalated to the bureau.
    log_in(page, CARE_WORKER)
    page.goto("/notifications/")
    notice = page.locator("#notifications")
    expect(notice).to_contain_text("逐级上报（第 1 级）")
    page.goto("/risk-reports/")
    row = page.locator("#reports tr[data-overdue='1']")
    expect(row).to_have_count(1)
    row.locator("a").click()
    expect(page.locator("#clock")).to_have_attribute("data-overdue", "1")
    expect(page.locator("#overdue-by")).to_be_visible()
    expect(page.locator("#escalations tr[data-level='1']")).to_contain_text("第一工程局")
    expect(page.locator("#reporter [data-anonymous='1']")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text(WORKER_NAME)
    expect(page.locator("main")).not_to_contain_text(WORKER_NUMBER)

    # The police report: station and receipt number; the clock moves to the follow-up.
    page.locator("#police-station").fill("南部县公安局大桥派出所")
    page.locator("#police-officer").fill("李警官")
    page.locator("#police-receipt").fill("JJ20261205-0088")
    page.locator("#record-police").click()
    expect(page.locator("#police-report")).to_contain_text("JJ20261205-0088")
    expect(page.locator("#clock")).to_have_attribute("data-kind", "follow_up")

    # Closed: handled by the police.
    page.locator("#close-outcome").select_option("police_court")
    page.locator("#close-summary").fill("派出所民警已上门，孩子由姑姑接走照顾，民政部门跟进。")
    page.locator("#close-case").click()
    expect(page.locator("#outcome")).to_have_attribute("data-outcome", "police_court")
    expect(page.locator("#clock")).to_have_attribute("data-kind", "closed")
