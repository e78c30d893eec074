"""The mapping step in the browser: upload a roster with unfamiliar headers, see each column's
guessed field with sample values, change one, import; the next upload from the same source
reuses the choice and goes straight to the import."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from ..imports_support import worker, xlsx_roster
from .conftest import log_in
from .test_import import import_runner  # noqa: F401 (the fixture)

pytestmark = [pytest.mark.browser, pytest.mark.committing]

HEADER = ["工人编号", "工人姓名", "性别", "证件号码", "本人电话", "所属项目部名称", "所在班组", "进场时间"]
ROWS = [worker("2001", "张伟", sequence=11), worker("2002", "李强", sequence=12, phone="139-0013-9000"),
        worker("2003", "王五", sequence=13)]


def upload(page, path, source: str) -> None:
    page.goto("/imports/")
    page.locator("#file").set_input_files(str(path))
    page.locator("#kind").select_option("workers")
    page.locator("#source").fill(source)
    with page.expect_navigation():
        page.locator("#import-submit").click()


def test_guessed_mapping_is_confirmed_changed_and_reused(page, company, import_runner, tmp_path):  # noqa: F811
    roster = xlsx_roster(tmp_path / "进场登记表.xlsx", HEADER, ROWS)
    log_in(page, company.admin_username)
    upload(page, roster, "城南劳务")
    expect(page).to_have_url(re.compile(r"/imports/\d+/columns$"))

    guesses = page.locator("#column-guesses")
    site_row = guesses.locator('tr[data-column="所属项目部名称"]')
    expect(site_row.locator("select")).to_have_value("site")  # contains "所属项目部"
    expect(site_row.locator(".confidence")).to_have_text(re.compile(r"^[6-9]\d%$"))
    expect(guesses.locator('tr[data-column="工人编号"] .confidence')).to_have_text("100%")
    expect(guesses.locator('tr[data-column="工人姓名"] .samples')).to_have_text("张伟、李强、王五")
    expect(guesses.locator('tr[data-column="本人电话"] .samples')).to_contain_text("138****8000")  # masked
    team_row = guesses.locator('tr[data-column="所在班组"]')
    expect(team_row.locator("select")).to_have_value("team")
    team_row.locator("select").select_option("")  # not to be imported
    expect(page.locator("#source")).to_have_value("城南劳务")
    with page.expect_navigation():
        page.locator("#columns-submit").click()
    expect(page).to_have_url(re.compile(r"/imports/\d+$"))

    import_runner.go.set()
    expect(page.locator("#import-status")).to_have_attribute("data-status", "done")
    counts = page.locator("#import-counts")
    expect(counts.locator('[data-count="created"]')).to_have_text("3")
    expect(counts.locator('[data-count="rejected"]')).to_have_text("0")
    expect(page.locator("#created-units")).to_contain_text("测试建工集团 / 一号项目部")
    expect(page.locator("#created-units")).not_to_contain_text("钢筋班组")

    # the same source again: the saved choice is used, no mapping step, nothing changes
    upload(page, roster, "城南劳务")
    expect(page).to_have_url(re.compile(r"/imports/\d+$"))
    expect(page.locator("#import-status")).to_have_attribute("data-status", "done")
    expect(counts.locator('[data-count="unchanged"]')).to_have_text("3")
