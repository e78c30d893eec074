"""Importing a roster through the browser: upload an XLSX with a title row, watch the progress bar,
download the error file, fix it, import it again.

The live portal runs no scheduler. The ``import_runner`` fixture plays its part: a thread that
calls the real scheduled job (:func:`plugin.imports.jobs.run_queued_imports`) against the live
app, as ``carebridge scheduler`` would, but only once the test lets it go, so the page is seen
waiting before it is seen finished. Uploads stay asynchronous exactly as in production.
"""
from __future__ import annotations

import re
import threading

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from plugin.core.db import session

from ..imports_support import (
    REASON_HEADER,
    WORKER_HEADER,
    id_number,
    worker,
    wrong_check,
    xlsx_roster,
)
from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.committing]


class ImportRunner:
    """The scheduler's import job in a thread of the test process, started on demand."""

    def __init__(self, app):
        self.app = app
        self.go = threading.Event()
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._loop, name="import-runner", daemon=True)
        self.thread.start()

    def _loop(self) -> None:
        from plugin.imports.jobs import run_queued_imports

        while not self.stopped.is_set():
            if self.go.wait(0.1):
                with self.app.app_context():
                    try:
                        run_queued_imports()
                    finally:
                        session.remove()
                self.stopped.wait(0.2)

    def stop(self) -> None:
        self.stopped.set()
        self.thread.join(timeout=10)


@pytest.fixture
def import_runner(portal):
    runner = ImportRunner(portal.app)
    yield runner
    runner.stop()


def upload(page, path) -> None:
    page.goto("/imports/")
    page.locator("#file").set_input_files(str(path))
    page.locator("#kind").select_option("workers")
    with page.expect_navigation():
        page.locator("#import-submit").click()
    expect(page).to_have_url(re.compile(r"/imports/\d+$"))


def test_roster_with_a_title_row_imports_and_its_error_file_round_trips(page, company, import_runner, tmp_path):
    script_errors = []  # uncaught exceptions and CSP refusals (a missing favicon does not count)
    page.on("pageerror", lambda error: script_errors.append(str(error)))
    page.on("console", lambda message: "Content Security Policy" in message.text
            and script_errors.append(message.text))
    good = [worker("1001", "张伟"), worker("1002", "李娜", sex="女", id=id_number(sequence="124"))]
    bad = [worker("1003", "王强", id=wrong_check(id_number(sequence="125")), site="二号项目部"),
           worker("1004", "赵六", id=id_number(sequence="127")[:17])]
    roster = xlsx_roster(tmp_path / "十一月花名册.xlsx", WORKER_HEADER, [good[0], bad[0], good[1], bad[1]])

    log_in(page, company.admin_username)
    expect(page.locator("#main-nav")).to_contain_text("花名册导入")
    upload(page, roster)

    # queued: nothing has run yet, the bar waits at the start
    bar = page.locator("#import-progress-bar")
    expect(page.locator("#import-status")).to_have_attribute("data-status", "queued")
    assert bar.evaluate("bar => bar.position") in (-1, 0)  # indeterminate or at zero

    import_runner.go.set()
    expect(page.locator("#import-status")).to_have_attribute("data-status", "done")
    expect(bar).to_have_attribute("max", "4")
    expect(bar).to_have_attribute("value", "4")
    assert bar.evaluate("bar => bar.position") == 1
    counts = page.locator("#import-counts")
    expect(counts.locator('[data-count="created"]')).to_have_text("2")
    expect(counts.locator('[data-count="rejected"]')).to_have_text("2")
    expect(page.locator("#created-units")).to_contain_text("测试建工集团 / 一号项目部")
    expect(page.locator("#rejected-rows")).to_contain_text("校验位")

    with page.expect_download() as download_info:
        page.locator("#error-file").click()
    download = download_info.value
    assert download.suggested_filename == "十一月花名册.errors.xlsx"
    error_file = tmp_path / "errors.xlsx"
    download.save_as(error_file)

    book = load_workbook(error_file)
    sheet = book.active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == [*WORKER_HEADER, REASON_HEADER]
    assert [row[0] for row in rows[1:]] == ["1003", "1004"]
    assert "校验位" in rows[1][8] and "17 位" in rows[2][8]
    sheet["D2"] = id_number(sequence="125")
    sheet["D3"] = id_number(sequence="127")
    book.save(error_file)

    upload(page, error_file)
    expect(page.locator("#import-status")).to_have_attribute("data-status", "done")
    expect(counts.locator('[data-count="rejected"]')).to_have_text("0")
    expect(counts.locator('[data-count="created"]')).to_have_text("2")
    expect(page.locator("#created-units")).to_contain_text("测试建工集团 / 二号项目部")
    expect(page.locator("#error-file")).to_have_count(0)

    page.goto("/imports/")
    expect(page.locator("#import-jobs tbody tr")).to_have_count(2)
    assert script_errors == []
