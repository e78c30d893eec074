"""Helpers for tests that send many requests at the same moment to a database of their own.

Each test gets a fresh sibling database (a new SQLite file, or a new PostgreSQL database) with
real commits; each request is a thread with its own test client, session and connection, all
released together by a barrier (the pattern of ``test_attendance_concurrency``).
"""
from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

from flask import Flask
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from employer_portal import create_app
from employer_portal.database import upgrade_database

from .conftest import csrf_token, portal_test_config
from .support import sibling_database_url

#: Enough connections that no request waits for the pool rather than for the database.
POOL = {"pool_size": 20, "max_overflow": 60, "pool_timeout": 60}


@contextmanager
def app_on_own_database(database_url: str, suffix: str, tmp_path,
                        upgrade_to: str = "head", **config) -> Iterator[Flask]:
    """A portal app (with ``config``) on a fresh sibling database, the plugin's tables migrated to
    ``upgrade_to`` and the portal's to their head, dropped afterwards."""
    url = sibling_database_url(database_url, suffix, tmp_path)
    # A request that fails answers 500 as in production (counted by the test), not an exception.
    app = create_app(portal_test_config(url, SQLALCHEMY_ENGINE_OPTIONS=POOL,
                                        PROPAGATE_EXCEPTIONS=False, **config))
    with app.app_context():
        upgrade_database(upgrade_to)
    try:
        yield app
    finally:
        with app.app_context():
            app.extensions["sqlalchemy"].engine.dispose()
        parsed = make_url(url)
        if parsed.get_backend_name() == "postgresql":
            admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
            admin.dispose()


def all_at_once(count: int, request: Callable[[int, threading.Barrier], Any]) -> list[Any]:
    """Run ``request(number, barrier)`` in ``count`` threads; each waits at the barrier before
    its first request, so they all arrive together. Returns their answers in order."""
    barrier = threading.Barrier(count, timeout=120)
    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(lambda number: request(number, barrier), range(count)))


def sign_in(app: Flask, username: str, password: str):
    """A test client signed in as ``username`` (through the real sign-in form)."""
    client = app.test_client()
    page = client.get("/login")
    response = client.post("/login", data={"csrf_token": csrf_token(page.text),
                                           "username": username, "password": password})
    assert response.status_code == 302, response.text
    return client


def cloned_client(app: Flask, signed_in):
    """Another client carrying the same session cookie (the same user, CSRF token and all)."""
    client = app.test_client()
    for cookie in signed_in._cookies.values():
        client.set_cookie(cookie.key, cookie.value, domain=cookie.domain, path=cookie.path)
    return client


def statuses(answers) -> Counter:
    return Counter(answer.status_code if hasattr(answer, "status_code") else answer
                   for answer in answers)
