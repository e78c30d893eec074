"""What a site manager may see in a browser, next to what an administrator sees."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from ..conftest import PASSWORD
from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.committing]


@pytest.fixture
def two_sites(portal, company):
    """Sites A and B under the company, and a manager of site A only."""
    from employer_portal.accounts.services import create_user
    from plugin.access.roles import Role
    from plugin.access.services import grant_role
    from plugin.core.host import Actor
    from plugin.org.models import OrgKind
    from plugin.org.queries import get_root_unit
    from plugin.org.services import create_unit

    actor = Actor.system("tests")

    def work():
        root = get_root_unit()
        site_a = create_unit(root, OrgKind.SITE, "甲项目部", actor=actor)
        site_b = create_unit(root, OrgKind.SITE, "乙项目部", actor=actor)
        manager = create_user("manager-a", "张经理", PASSWORD, actor=actor)
        grant_role(manager.key, Role.SITE_MANAGER, site_a, actor=actor, check_actor=False)
        return site_a.id, site_b.id

    site_a, site_b = portal.run(work)
    return {"a": site_a, "b": site_b, "manager": "manager-a"}


def nav_link(page, label: str):
    return page.locator("#main-nav").get_by_role("link", name=label, exact=True)


def test_site_manager_sees_only_their_own_site(page, two_sites):
    log_in(page, two_sites["manager"])
    expect(page.locator("#current-user")).to_have_text("张经理")

    response = page.goto(f"/org/units/{two_sites['b']}")
    assert response.status == 404  # another site's unit is answered as if it did not exist

    response = page.goto(f"/org/units/{two_sites['a']}")
    assert response.status == 200
    expect(page.locator("main h1")).to_contain_text("甲项目部")

    page.goto("/org/")
    expect(page.locator("#org-tree")).to_contain_text("甲项目部")
    expect(page.locator("#org-tree")).not_to_contain_text("乙项目部")


def test_navigation_offers_audit_log_and_users_to_admins_only(page, new_portal_page, company, two_sites):
    log_in(page, two_sites["manager"])
    expect(nav_link(page, "组织架构")).to_have_count(1)
    expect(nav_link(page, "审计日志")).to_have_count(0)
    expect(nav_link(page, "用户")).to_have_count(0)
    assert page.goto("/audit/").status == 403
    assert page.goto("/users/").status == 403

    admin_page = new_portal_page()
    log_in(admin_page, company.admin_username)
    expect(admin_page.locator("#current-user")).to_have_text(company.admin_name)
    expect(nav_link(admin_page, "审计日志")).to_have_count(1)
    expect(nav_link(admin_page, "用户")).to_have_count(1)
    with admin_page.expect_navigation():
        nav_link(admin_page, "审计日志").click()
    expect(admin_page.locator("main h1")).to_be_visible()
    assert admin_page.url.endswith("/audit/")
