"""A quarterly SASAC report filed in the browser, as its users do it (issue 18): the site
manager confirms the site's figures for the quarter; the company's report officer generates the
quarterly SASAC report, sees the site's confirmation, writes the work done, downloads the draft
PDF, files the report, downloads the sealed PDF and opens the verification page its QR code
carries (the URL printed under the code), which says the report is genuine and current.

The live server runs on the real (or travelled) clock: the quarter is the last one that ended
by the portal's own ``local_today()``.
"""
from __future__ import annotations

import hashlib
import re
import subprocess

import pytest
from playwright.sync_api import expect

from ..conftest import PASSWORD
from ..lectures_support import pdf_fonts, pdf_text
from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.committing]

SITE = "前海项目部"
MANAGER = "site-zhang"
OFFICER = "report-yang"


@pytest.fixture
def world(portal, company):
    """A site with three workers (two left-behind children), its manager, and a report officer
    of the whole company. Returns the last quarter that ended, as the portal sees it."""
    from employer_portal.accounts.services import create_user
    from plugin.access.roles import Role
    from plugin.access.services import grant_role
    from plugin.core.clock import local_today
    from plugin.core.host import Actor
    from plugin.org.models import OrgKind
    from plugin.org.queries import get_root_unit
    from plugin.org.services import create_unit, update_unit
    from plugin.reports.periods import Period, PeriodKind

    from .. import factories

    system = Actor.system("tests")

    def work():
        root = get_root_unit()
        update_unit(root, actor=system, responsible_department="社会责任部",
                    responsible_person="杨帆", responsible_phone="010-66778899")
        site = create_unit(root, OrgKind.SITE, SITE, actor=system)
        workers = [factories.make_worker(site) for _ in range(3)]
        factories.make_child(workers[0], left_behind=True)
        factories.make_child(workers[1], left_behind=True)
        manager = create_user(MANAGER, "张伟", PASSWORD, actor=system)
        grant_role(manager.key, Role.SITE_MANAGER, site, actor=system, check_actor=False)
        officer = create_user(OFFICER, "杨帆", PASSWORD, actor=system)
        grant_role(officer.key, Role.REPORT_OFFICER, root, actor=system, check_actor=False)
        return Period.containing(PeriodKind.QUARTER, local_today()).previous()

    return portal.run(work)


def test_a_site_confirms_then_the_company_files_its_quarterly_sasac_report(
        new_portal_page, world, tmp_path):
    quarter = world

    # -- the site manager confirms the site's figures for the quarter ------------------------
    manager = new_portal_page()
    log_in(manager, MANAGER)
    manager.goto("/reports/confirm/")
    expect(manager.locator("#period")).to_have_value(quarter.code)
    manager.get_by_role("link", name=SITE).click()
    expect(manager.locator('#confirmation-state [data-state="unconfirmed"]')).to_be_visible()
    expect(manager.locator('tr[data-figure="registry.workers_employed"] [data-value]')
           ).to_contain_text("3")
    manager.locator("#note").fill("已与项目部花名册核对")
    manager.locator("#confirm-figures").click()
    expect(manager.get_by_role("alert")).to_contain_text(f"已确认 {SITE}")
    expect(manager.locator('#confirmation-state [data-state="confirmed"]')).to_be_visible()

    # -- the report officer generates the quarterly SASAC report -----------------------------
    page = new_portal_page()
    log_in(page, OFFICER)
    page.goto("/reports/")
    page.locator("#new-report").click()
    sasac = page.locator("#template option", has_text="国资委 · ").get_attribute("value")
    page.locator("#template").select_option(sasac)
    expect(page.locator("#period_kind")).to_have_value("quarter")
    expect(page.locator("#year")).to_have_value(str(quarter.start.year))
    expect(page.locator("#number")).to_have_value(str(quarter.number))
    page.get_by_role("button", name="生成草稿").click()
    expect(page).to_have_url(re.compile(r"/reports/drafts/\d+$"))
    expect(page.locator("h1")).to_contain_text(quarter.label)
    expect(page.locator("#confirmation-summary")).to_have_text("已确认 1 / 共 1 个单位")
    expect(page.locator('tr[data-figure="registry.children_left_behind"] [data-value]')
           ).to_have_text("2")
    page.locator("#text-work_done").fill("本季度在前海项目部开展监护责任宣讲一场。")
    page.get_by_role("button", name="保存文字").click()
    expect(page.get_by_role("alert")).to_contain_text("已保存文字部分")
    with page.expect_download() as download_info:
        page.locator("#draft-pdf").click()
    draft_pdf = tmp_path / "draft.pdf"
    download_info.value.save_as(draft_pdf)
    assert "草稿（未报送）" in pdf_text(draft_pdf)

    # -- files it, downloads the sealed PDF, opens its verification page ---------------------
    page.locator("#file-report").click()
    expect(page).to_have_url(re.compile(r"/reports/filings/\d+$"))
    expect(page.locator("#filing-status")).to_contain_text("第 1 号报送")
    expect(page.locator('#filing-status [data-status="current"]')).to_be_visible()
    with page.expect_download() as download_info:
        page.locator("#filing-pdf").click()
    sealed = tmp_path / "filed.pdf"
    download_info.value.save_as(sealed)
    digest = hashlib.sha256(sealed.read_bytes()).hexdigest()
    expect(page.locator('#filing-hashes [data-hash="pdf"]')).to_have_text(digest)
    fonts = pdf_fonts(sealed)
    assert fonts and all(row[-5] == "yes" for row in fonts), fonts  # every font embedded
    subprocess.run(["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", str(sealed),
                    str(tmp_path / "cover")], check=True)
    text = pdf_text(sealed)
    assert "本季度在前海项目部开展监护责任宣讲一场" in text.replace(" ", "").replace("\n", "")
    verify_url = re.search(r"(https?://\S+/verify/[A-Za-z0-9_-]+)", text.replace("\n", " "))
    assert verify_url, text
    public = new_portal_page()
    public.goto(verify_url.group(1))
    expect(public.locator('#verify-result [data-status="current"]')).to_have_text("真实有效（现行）")
    expect(public.locator("#verify-pdf-hash")).to_have_text(digest)
    expect(public.locator("#verify-number")).to_have_text("1")
