"""The demo company in a browser (issue #16): ``seed-demo`` on an empty portal, then each demo
account signs in and opens every page of its menu, and the notifications: none is an empty list.

A list is empty when its table shows the muted "nothing here" row, or the notifications their
muted "no notifications" item; a page with lists must show rows (a form, such as the company's
settings, has none and passes).
"""
from __future__ import annotations

import os
import re
from pathlib import Path

from .conftest import ACTION_TIMEOUT, log_in

PASSWORD = "Demo-2026-browser"
#: Where the pages are photographed for the user guide (docs/guide/), when set: the pages a
#: role's chapter shows. ``CAREBRIDGE_GUIDE_SHOTS=docs/guide/img make test-sqlite`` renews them.
SHOTS_DIR = os.environ.get("CAREBRIDGE_GUIDE_SHOTS")
GUIDE_SHOTS = {
    "hrofficer": ("/", "/workers/", "/imports/", "/children/review/", "/pledges/",
                  "/contact/allowances/"),
    "site": ("/", "/lectures/", "/reunions/on-site", "/aid/", "/contact/rooms/"),
    "union": ("/", "/guardianship/follow-up", "/pledges/", "/reunions/", "/aid/", "/aid/funds/",
              "/aid/visits/"),
    "care": ("/children/review/", "/guardianship/agreements/", "/aid/pairings/"),
    "report": ("/", "/lectures/", "/reports/"),
    "auditor": ("/audit/",),
    "admin": ("/users/", "/org/", "/api-tokens/"),
}
ACCOUNTS = ("admin", "hrofficer", "site", "site2", "union", "care", "report", "auditor")

#: Rows of the page's lists, and the "nothing here" placeholders among them.
COUNT_ROWS = """() => {
    const placeholder = row => row.matches('tr') && row.cells.length === 1
        && row.cells[0].colSpan > 1 && row.cells[0].classList.contains('text-muted');
    const rows = [...document.querySelectorAll('main table tbody tr, .container table tbody tr')];
    const items = [...document.querySelectorAll('.list-group-item')];
    return {
        lists: document.querySelectorAll('main table, .container table, .list-group').length,
        rows: rows.filter(row => !placeholder(row)).length
              + items.filter(item => !item.classList.contains('text-muted')).length,
        empty: rows.filter(placeholder).length
               + items.filter(item => item.classList.contains('text-muted')).length,
    };
}"""


def test_every_demo_account_finds_something_on_every_page_of_its_menu(portal, new_context):
    result = portal.app.test_cli_runner().invoke(args=["seed-demo", "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    empty_pages = []
    visited = 0
    for username in ACCOUNTS:
        context = new_context(base_url=portal.url)
        context.set_default_timeout(ACTION_TIMEOUT)
        page = context.new_page()
        log_in(page, username, PASSWORD)
        assert page.locator("#current-user").is_visible(), username
        menu = page.locator("#main-nav ul.me-auto a.nav-link:not(.dropdown-toggle), "
                            "#main-nav ul.me-auto a.dropdown-item")
        paths = [menu.nth(index).get_attribute("href") for index in range(menu.count())]
        paths.append(page.locator("#notification-bell").get_attribute("href"))
        assert len(paths) >= 3, (username, paths)
        for path in dict.fromkeys(paths):
            response = page.goto(path)
            assert response.status == 200, (username, path, response.status)
            counted = page.evaluate(COUNT_ROWS)
            visited += 1
            if SHOTS_DIR and path in GUIDE_SHOTS.get(username, ()):
                name = re.sub(r"[^a-z0-9]+", "-", path.strip("/").lower()) or "home"
                page.screenshot(path=Path(SHOTS_DIR) / f"{username}-{name}.png")
            if counted["empty"] or (counted["lists"] and not counted["rows"]):
                empty_pages.append((username, path, counted))
        context.close()
    assert not empty_pages, empty_pages
    assert visited >= 40
