"""Fixtures shared by the whole suite.

The database is PostgreSQL when ``CAREBRIDGE_TEST_DATABASE_URL`` is set (``make test`` starts a
throwaway server for the second run) and a temporary SQLite file otherwise. The schema is built
once per run through the real Alembic migrations, the plugin's and then the portal's own (as
``carebridge db upgrade`` does); every test then runs inside a transaction that is rolled back,
so tests never see each other's rows.
"""
from __future__ import annotations

import os
import re
from contextlib import contextmanager
from datetime import UTC, datetime

import pytest
from flask import g, has_app_context
from flask.testing import FlaskClient
from sqlalchemy import text

from employer_portal import create_app
from employer_portal.accounts.services import create_user
from employer_portal.database import upgrade_database
from employer_portal.setup.services import forget_set_up
from plugin.access.roles import Role
from plugin.access.services import grant_role
from plugin.core.clock import FrozenClock, system_clock
from plugin.core.db import session
from plugin.core.host import Actor
from plugin.org.models import OrgKind
from plugin.org.queries import get_root_unit
from plugin.org.services import create_company, create_unit
from plugin.privacy.crypto import KeyRing

from . import factories
from .support import reset_database

PASSWORD = "Secret-pass-1"
#: One scrypt costs ~0.1 s of CPU and the suite would hash thousands of passwords and PINs; a
#: stored hash names its method, so the code paths are the same (tests of the cost set scrypt).
CHEAP_HASH_METHOD = "pbkdf2:sha256:1"
TEST_DATA_KEY = KeyRing.generate().serialize()
SYSTEM = Actor.system("tests")


def pytest_addoption(parser):
    parser.addoption(
        "--travel-to", metavar="YYYY-MM-DD[THH:MM]", default=os.environ.get("CAREBRIDGE_TEST_TRAVEL_TO"),
        help="run the whole suite as if the wall clock said this (UTC): finds tests that only pass "
             "until a date goes by. `make test` runs it after the last published holiday calendar "
             "year and on a 29 February.")


def pytest_configure(config):
    travel_to = config.getoption("--travel-to")
    if travel_to:
        import time_machine

        moment = datetime.fromisoformat(travel_to)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        # tick=True: time still passes (timeouts, throttles and live servers keep working).
        config._carebridge_travel = time_machine.travel(moment, tick=True)
        config._carebridge_travel.start()


def pytest_unconfigure(config):
    travel = getattr(config, "_carebridge_travel", None)
    if travel is not None:
        travel.stop()


def pytest_report_header(config):
    header = f"CareBridge test database: {os.environ.get('CAREBRIDGE_TEST_DATABASE_URL') or 'SQLite'}"
    if config.getoption("--travel-to"):
        header += f"; wall clock moved to {config.getoption('--travel-to')}"
    return header


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    return os.environ.get("CAREBRIDGE_TEST_DATABASE_URL") or (
        f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'carebridge.db'}")


def portal_test_config(database_url: str, **extra) -> dict:
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": "test-secret-key",
        "CAREBRIDGE_DATA_KEY": TEST_DATA_KEY,
        "SERVER_NAME": None,
        "CAREBRIDGE_PASSWORD_HASH_METHOD": CHEAP_HASH_METHOD,
        **extra,
    }


class PerRequestCacheClient(FlaskClient):
    """Test client that forgets per-request caches before each request.

    Requests made while a test holds an app context reuse that context, and so its ``g``: the
    signed-in user and role grants cached for one request would otherwise leak into the next.
    """

    def open(self, *args, **kwargs):
        if has_app_context():
            for name in ("_login_user", "_carebridge_grants", "_carebridge_worker", "csrf_token",
                         "_flask_babel"):
                g.pop(name, None)
        return super().open(*args, **kwargs)


@pytest.fixture(scope="session")
def app(database_url):
    app = create_app(portal_test_config(database_url))
    app.test_client_class = PerRequestCacheClient
    with app.app_context():
        reset_database(app.extensions["sqlalchemy"].engine)
        upgrade_database()
    return app


@contextmanager
def joined_session(app, connection):
    """Put ``connection`` in the place of the app's engine and give the app a session that joins
    its transaction through savepoints (Flask-SQLAlchemy picks the engine per query)."""
    extension = app.extensions["sqlalchemy"]
    engines = extension._app_engines[app]
    engine = engines[None]
    engines[None] = connection
    original_session = extension.session
    extension.session = extension._make_scoped_session({"join_transaction_mode": "create_savepoint"})
    try:
        yield extension.session
    finally:
        joined, extension.session = extension.session, original_session
        engines[None] = engine
        joined.remove()


#: The connection of :func:`shared_transaction` while its class of tests runs.
_SHARED_CONNECTION: list = []


@pytest.fixture(scope="class")
def shared_transaction(app):
    """One transaction for a class of tests that share records built once (by a class-scoped
    fixture that depends on this one, committing into it): rolled back after the class's last
    test. Each test of the class runs in a savepoint of it (see :func:`db`)."""
    with app.app_context():
        connection = app.extensions["sqlalchemy"].engine.connect()
        outer = connection.begin()
        _SHARED_CONNECTION.append(connection)
        try:
            yield connection
        finally:
            _SHARED_CONNECTION.clear()
            outer.rollback()
            connection.close()


@pytest.fixture(autouse=True)
def db(request, app):
    """Run the test in a transaction that is rolled back afterwards (a savepoint of the class's
    :func:`shared_transaction` when the test uses one)."""
    forget_set_up(app)
    app.extensions["carebridge"].forget_company_timezone()
    if "live_server" in request.fixturenames or "committing" in request.keywords:
        yield None
        return
    shared = "shared_transaction" in request.fixturenames
    with app.app_context():
        if shared:
            connection = _SHARED_CONNECTION[0]
            outer = connection.begin_nested()
        else:
            connection = app.extensions["sqlalchemy"].engine.connect()
            outer = connection.begin()
        try:
            with joined_session(app, connection) as test_session:
                yield test_session
        finally:
            if outer.is_active:
                outer.rollback()
            if not shared:
                connection.close()


@pytest.fixture
def app_context(app):
    with app.test_request_context():
        yield


#: Where :func:`clock` starts.
CLOCK_START = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)


@pytest.fixture
def clock(app):
    """A frozen clock the app reads for "now"; ``clock.advance(minutes=5)`` moves time."""
    frozen = FrozenClock(CLOCK_START)
    state = app.extensions["carebridge"]
    state.clock = frozen
    yield frozen
    state.clock = system_clock


@pytest.fixture
def set_setting(app):
    """``set_setting(name, value)`` changes a declared setting (plugin.core.settings) for one test;
    settings are read once at start, so changing ``app.config`` afterwards changes nothing."""
    settings = app.extensions["carebridge"].settings
    saved: dict = {}

    def set_(name: str, value) -> None:
        saved.setdefault(name, settings[name])
        settings.override(name, value)

    yield set_
    for name, value in saved.items():
        settings.restore(name, value)


def create_test_company():
    """A company named 测试建工集团; returns its root unit."""
    create_company("测试建工集团", actor=SYSTEM)
    session.flush()
    return get_root_unit()


def unit_maker(company):
    """``make(kind=SITE, parent=company, name=None, **fields)``: a new unit, named in order."""
    counter = iter(range(1, 10_000))

    def make(kind: OrgKind = OrgKind.SITE, parent=None, name: str | None = None, **fields):
        parent = parent or company
        return create_unit(parent, kind, name or f"{kind.value}-{next(counter)}", actor=SYSTEM, **fields)

    return make


def user_maker(company):
    """``make(role=ADMIN, unit=company, *, username, name, password)``: a new staff user with the
    role granted at the unit (no role: ``role=None``)."""
    counter = iter(range(1, 10_000))

    def make(role: Role | None = Role.ADMIN, unit=None, *, username: str | None = None,
             name: str | None = None, password: str = PASSWORD):
        number = next(counter)
        user = create_user(username or f"user{number}", name or f"用户{number}", password, actor=SYSTEM)
        if role is not None:
            grant_role(user.key, role, unit or company, actor=SYSTEM, check_actor=False)
        session.flush()
        return user

    return make


@pytest.fixture
def company(app_context):
    """A company named 测试建工集团 with its root unit."""
    return create_test_company()


@pytest.fixture
def make_unit(company):
    return unit_maker(company)


@pytest.fixture
def make_worker(company):
    """``make_worker(unit, **roster_fields)``: see :mod:`tests.factories`."""
    return factories.make_worker


@pytest.fixture
def make_child(company):
    """``make_child(worker, left_behind=False, **roster_fields)``: see :mod:`tests.factories`."""
    return factories.make_child


@pytest.fixture
def make_user(company):
    return user_maker(company)


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html)
    assert match, "page has no CSRF token"
    return match.group(1)


def submit(client, url: str, data: dict, *, form_url: str | None = None, **kwargs):
    """POST a form the way a browser does: load the page for its CSRF token first."""
    page = client.get(form_url or url)
    return client.post(url, data={"csrf_token": csrf_token(page.text), **data}, **kwargs)


@pytest.fixture
def login(app):
    def log_in(user, password: str = PASSWORD, client=None):
        client = client or app.test_client()
        response = submit(client, "/login", {"username": user.username, "password": password})
        assert response.status_code == 302, response.text
        return client

    return log_in


@pytest.fixture
def client(app):
    return app.test_client()


def database_dialect(app) -> str:
    with app.app_context():
        return app.extensions["sqlalchemy"].engine.dialect.name


__all__ = ["PASSWORD", "SYSTEM", "csrf_token", "submit", "portal_test_config", "text"]
