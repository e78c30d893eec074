"""Ordinary concurrency answers no 500: twenty people at once signing in, opening a child's record
(which writes an audit row), logging contacts and uploading rosters.

On SQLite one connection writes at a time. A transaction that has read and then writes after
another connection committed used to be refused at once ("database is locked": 110 of 320
requests of 8 clients, 39 of 50 identical uploads), whatever the busy timeout. Now a request that
may write takes the write lock first and waits its turn, and a page that writes after reading
(the audited child view) restarts its read-only transaction with the lock (plugin.core.db).
Runs on PostgreSQL too, where the same burst must pass as well.
"""
from __future__ import annotations

import io
import sqlite3
from datetime import timedelta

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.engine import make_url

from employer_portal.accounts.services import create_user
from plugin.access.roles import Role
from plugin.access.services import grant_role
from plugin.audit.models import AuditEvent
from plugin.audit.services import record_event
from plugin.core.clock import local_today, utcnow
from plugin.core.db import session
from plugin.guardianship.models import ContactLog
from plugin.imports.models import ImportJob
from plugin.org.models import OrgKind
from plugin.org.queries import get_company, get_root_unit
from plugin.org.services import create_company, create_unit

from . import factories
from .concurrency_support import all_at_once, app_on_own_database, sign_in, statuses
from .conftest import PASSWORD, SYSTEM, csrf_token

pytestmark = pytest.mark.committing

WRITERS = 20
ROUNDS = 2
ROSTER = "工号,姓名,手机号码\nB0001,赵一,13800000001\n".encode()


def token(page) -> str:
    """The page's CSRF token; none when the page itself failed (that answer is counted)."""
    return csrf_token(page.text) if page.status_code == 200 else ""


@pytest.fixture
def burst_app(database_url, tmp_path):
    with app_on_own_database(database_url, "burst", tmp_path) as app:
        with app.app_context():
            create_company("测试建工集团", actor=SYSTEM)
            session.flush()
            site = create_unit(get_root_unit(), OrgKind.SITE, "前海项目部", actor=SYSTEM)
            worker = factories.make_worker(site, name="张大山")
            child = factories.make_child(worker, left_behind=True, name="张小明")
            for number in range(WRITERS):
                user = create_user(f"hr{number}", f"专员{number}", PASSWORD, actor=SYSTEM)
                grant_role(user.key, Role.HR_OFFICER, site, actor=SYSTEM, check_actor=False)
            session.commit()
            ids = {"site": site.id, "worker": worker.id, "child": child.id,
                   "today": local_today()}
            session.remove()
        yield app, ids


def test_twenty_concurrent_writers_get_no_500(burst_app):
    app, ids = burst_app
    contacts_url = f"/guardianship/workers/{ids['worker']}/contacts"

    # Signed in one after the other beforehand; during the burst each also signs in again on
    # another device, so sign-ins race with everything else.
    signed_in = [sign_in(app, f"hr{number}", PASSWORD) for number in range(WRITERS)]

    def one_person(number, barrier):
        client, phone = signed_in[number], app.test_client()
        login_page = phone.get("/login")
        answers = []
        barrier.wait()
        answers.append(("login", phone.post("/login", data={
            "csrf_token": token(login_page), "username": f"hr{number}",
            "password": PASSWORD})))
        for round_ in range(ROUNDS):
            answers.append(("child", client.get(f"/children/{ids['child']}")))
            page = client.get(contacts_url)
            answers.append(("contact form", page))
            contact_on = ids["today"] - timedelta(days=number * ROUNDS + round_)
            answers.append(("contact", client.post(contacts_url, data={
                "csrf_token": token(page), "who": f"child-{ids['child']}",
                "kind": "call", "contact_on": contact_on.isoformat(), "note": f"第{round_}次"})))
            page = client.get("/imports/")
            answers.append(("upload form", page))
            answers.append(("upload", client.post("/imports/", data={
                "csrf_token": token(page), "file": (io.BytesIO(ROSTER), "花名册.csv"),
                "kind": "workers", "unit": str(ids["site"]), "source": ""},
                content_type="multipart/form-data")))
        return [(what, answer.status_code) for what, answer in answers]

    answers = [answer for person in all_at_once(WRITERS, one_person) for answer in person]
    failed = [(what, status) for what, status in answers if status >= 500]
    assert not failed, f"{len(failed)} of {len(answers)} requests failed: {statuses(failed)}"
    expected = {"login": 302, "child": 200, "contact form": 200, "contact": 302,
                "upload form": 200, "upload": 302}
    assert [(what, status) for what, status in answers if status != expected[what]] == []
    with app.app_context():
        assert session.scalar(select(func.count()).select_from(ContactLog)) == WRITERS * ROUNDS
        assert session.scalar(select(func.count()).select_from(ImportJob)) == WRITERS * ROUNDS
        assert session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "child.viewed")) == WRITERS * ROUNDS
        session.remove()


# -- how a transaction takes SQLite's write lock -------------------------------------------------

@pytest.fixture
def quiet_app(database_url, tmp_path):
    with app_on_own_database(database_url, "write_lock", tmp_path) as app:
        with app.app_context():
            create_company("测试建工集团", actor=SYSTEM)
            session.commit()
            session.remove()
        yield app


def sqlite_file(app) -> str | None:
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    return url.database if url.get_backend_name() == "sqlite" else None


def another_writer_commits(app) -> None:
    """Someone else writes and commits (on a connection of its own, outside any request)."""
    with app.app_context(), app.extensions["sqlalchemy"].engine.connect() as connection:
        connection.execute(insert(AuditEvent).values(
            occurred_at=utcnow(), action="tests.other_writer", actor_key="system:tests",
            actor_name="tests"))
        connection.commit()


def test_a_page_that_read_before_someone_else_wrote_can_still_write(quiet_app):
    """The audited child view: read (a snapshot), someone commits, then the audit row. SQLite used
    to refuse that write at once ("database is locked"), whatever the busy timeout."""
    with quiet_app.test_request_context("/children/1"):
        assert get_company() is not None
        another_writer_commits(quiet_app)
        with session.begin_nested():  # a savepoint held across the restart is kept
            record_event("tests.viewed", SYSTEM)
            nested = session.begin_nested()
            record_event("tests.undone", SYSTEM)
            nested.rollback()
        session.commit()
        actions = set(session.scalars(select(AuditEvent.action)))
        session.remove()
    assert {"tests.other_writer", "tests.viewed"} <= actions and "tests.undone" not in actions


@pytest.mark.parametrize("method, holds_lock", [("POST", True), ("GET", False)])
def test_writing_requests_hold_the_write_lock_from_their_first_statement(quiet_app, method,
                                                                         holds_lock):
    path = sqlite_file(quiet_app)
    if path is None:
        pytest.skip("SQLite's write lock; PostgreSQL locks rows")
    with quiet_app.test_request_context("/", method=method):
        assert get_company() is not None  # a read, nothing written yet
        other = sqlite3.connect(path, timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
            locked = False
        except sqlite3.OperationalError as error:
            assert "locked" in str(error)
            locked = True
        finally:
            other.close()
        session.rollback()
        session.remove()
    assert locked is holds_lock
