"""Browser tests: Debian's Chromium, driven by Playwright (pytest-playwright), against live servers.

One browser for the whole session and a fresh context (cookies, storage) per test. The portal
runs on a database of its own (a sibling of the test database) in a thread of this process;
every CareBridge table is emptied before each test, and tests seed what they need through the
real services. Nothing here ever runs ``playwright install``: the browser is ``/usr/bin/chromium``.
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import pytest
from flask import Flask
from werkzeug.serving import make_server

from employer_portal import create_app
from employer_portal.database import upgrade_database
from employer_portal.setup.services import forget_set_up
from plugin.core.db import session

from ..conftest import PASSWORD, portal_test_config
from ..support import delete_all_rows, sibling_database_url

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
#: Playwright's own timeouts, short enough that a broken page fails fast (milliseconds).
ACTION_TIMEOUT = 10_000

COMPANY = "测试建工集团"
ADMIN_USERNAME = "admin"
ADMIN_NAME = "王管理员"
#: Wrong passwords in a row that lock an account (set explicitly, whatever the environment says).
MAX_FAILURES = 5

T = TypeVar("T")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "headless": True,
            "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def base_url():
    """No suite-wide base URL: every context gets its live server's address (``new_context(
    base_url=...)``), which a ``--base-url`` would collide with. Also replaces pytest-playwright's
    fallback ``base_url`` fixture, whose instance-method form pytest 9 warns about."""
    return None


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}


@dataclass
class LiveServer:
    """A Flask app served over HTTP from a thread of the test process."""

    app: Flask
    url: str

    def run(self, work: Callable[[], T]) -> T:
        """Call ``work()`` in the app's context and commit (seed data through the services)."""
        with self.app.app_context():
            try:
                result = work()
                session.commit()
                return result
            finally:
                session.remove()

    def empty(self) -> None:
        with self.app.app_context():
            delete_all_rows(self.app.extensions["sqlalchemy"].engine)
        forget_set_up(self.app)
        self.app.extensions["carebridge"].forget_company_timezone()


def serve(app: Flask):
    """Start ``app`` on a free loopback port; returns (LiveServer, stop function)."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()

    def stop() -> None:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        with app.app_context():
            app.extensions["sqlalchemy"].engine.dispose()

    return LiveServer(app, f"http://127.0.0.1:{server.server_port}"), stop


@pytest.fixture(scope="session")
def live_server(database_url, tmp_path_factory):
    """The standalone portal on a fresh database migrated with the real migrations.

    The portal's cookie settings are its defaults: ``Secure`` when a request comes over HTTPS,
    so over this plain-http server they are not (as on a site's WiFi), nothing relaxed for tests.
    """
    url = sibling_database_url(database_url, "browser", tmp_path_factory.mktemp("browser-db"))
    app = create_app(portal_test_config(url, CAREBRIDGE_LOGIN_MAX_FAILURES=MAX_FAILURES,
                                        CAREBRIDGE_LOGIN_LOCK_MINUTES=15))
    with app.app_context():
        upgrade_database()
    server, stop = serve(app)
    yield server
    stop()


@pytest.fixture(scope="session")
def host_server(database_url, tmp_path_factory):
    """The dummy HR host (``tests/dummy_host.py``) with CareBridge mounted at ``/care``."""
    from ..dummy_host import create_host_app

    url = sibling_database_url(database_url, "browser_host", tmp_path_factory.mktemp("host-db"))
    server, stop = serve(create_host_app(url))
    yield server
    stop()


@pytest.fixture
def portal(live_server) -> LiveServer:
    """The live portal with every CareBridge table emptied (a never set-up deployment)."""
    live_server.empty()
    return live_server


@pytest.fixture
def new_portal_page(new_context, portal):
    """Open a page in a new browser context (a second, independent visitor) on the portal."""

    def open_page():
        context = new_context(base_url=portal.url)
        context.set_default_timeout(ACTION_TIMEOUT)
        return context.new_page()

    return open_page


@pytest.fixture
def page(new_portal_page):
    """A page of a fresh browser context whose relative URLs point at the (emptied) portal."""
    return new_portal_page()


@dataclass(frozen=True)
class SetUpCompany:
    company: str
    root_id: int
    admin_username: str
    admin_name: str
    password: str


@pytest.fixture
def company(portal) -> SetUpCompany:
    """A portal that went through first-run set-up: the company and its administrator."""
    from employer_portal.setup.services import set_up_company
    from plugin.core.host import Actor
    from plugin.org.queries import get_root_unit

    def work():
        set_up_company(COMPANY, ADMIN_USERNAME, ADMIN_NAME, PASSWORD, actor=Actor.system("tests"))
        session.flush()
        return get_root_unit().id

    return SetUpCompany(COMPANY, portal.run(work), ADMIN_USERNAME, ADMIN_NAME, PASSWORD)


def log_in(page, username: str, password: str = PASSWORD) -> None:
    """Sign in through the login form, the way a person does."""
    page.goto("/login")
    page.locator("#username").fill(username)
    page.locator("#password").fill(password)
    page.locator("#login-form button[type=submit]").click()
    page.wait_for_load_state()
