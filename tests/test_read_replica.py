"""Reports and the dashboard read figures from a streaming replica; a check-in never does.

The PostgreSQL tests run under ``scripts/with-postgres-replica.sh``, which starts a primary and a
hot standby streaming from it (``CAREBRIDGE_TEST_REPLICA_URL``). The app is given the standby as
``CAREBRIDGE_REPORTS_DATABASE_URL``. Replay on the standby is then paused
(``pg_wal_replay_pause()``) and a worker checks in on the primary: the check-in flow sees the
attendance at once, the report computed during the pause does not (it reads the standby), and
once replay resumes it does. Statements are counted per engine with SQLAlchemy events.

The last tests run on any database: without the setting nothing changes, and inside the block
the session refuses to write.
"""
from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, event, func, select, text
from sqlalchemy.engine import Engine, make_url

from plugin.attendance.codes import venue_code
from plugin.core import indicators
from plugin.core.clock import local_today, utcnow
from plugin.core.db import (
    ReplicaWriteRefused,
    reading_from_replica,
    reads_from_replica,
    replica_engine,
    session,
)
from plugin.dashboard.figures import build_dashboard
from plugin.lectures.models import Attendance
from plugin.org.models import OrgKind
from plugin.org.queries import get_root_unit
from plugin.org.services import create_company, create_unit
from plugin.reports import services as report_services
from plugin.reports.content import figure_values
from plugin.reports.models import ReportDraft
from plugin.reports.periods import Period
from plugin.reports.recipients import Recipient
from plugin.reports.units import unit_figures
from plugin.worker_access.cookies import COOKIE_NAME

from . import factories
from .attendance_support import make_lecture
from .concurrency_support import app_on_own_database
from .conftest import SYSTEM
from .reports_support import OFFICER
from .worker_phone_support import remembered_cookie

REPLICA_URL = os.environ.get("CAREBRIDGE_TEST_REPLICA_URL")
_needs_replica = pytest.mark.skipif(
    not REPLICA_URL or not (os.environ.get("CAREBRIDGE_TEST_DATABASE_URL") or "").startswith(
        "postgresql"),
    reason="needs a PostgreSQL primary and its streaming replica: "
           "scripts/with-postgres-replica.sh .venv/bin/python -m pytest tests/test_read_replica.py")



def needs_replica(test):
    """A PostgreSQL test on a database of its own with real commits, beside its replica."""
    return pytest.mark.committing(_needs_replica(test))


ATTENDANCES = "lectures.attendances"
SUFFIX = "read_replica"


# -- the primary and its replica ------------------------------------------------------------------

@pytest.fixture
def replicated_app(database_url, tmp_path):
    """A portal app on a fresh database of the primary, reading figures from the same database
    on the replica (the new database reaches the replica by streaming)."""
    name = f"{make_url(database_url).database}_{SUFFIX}"
    replica = make_url(REPLICA_URL).set(database=name).render_as_string(hide_password=False)
    admin = create_engine(make_url(REPLICA_URL).set(database="postgres"),
                          isolation_level="AUTOCOMMIT")
    with app_on_own_database(database_url, SUFFIX, tmp_path,
                             CAREBRIDGE_REPORTS_DATABASE_URL=replica) as app:
        try:
            yield app, admin
        finally:
            with admin.connect() as connection:  # never leave the standby paused
                connection.execute(text("SELECT pg_wal_replay_resume()"))
            replica_engine(app).dispose()  # the database is dropped next
            admin.dispose()


def primary_engine(app) -> Engine:
    with app.app_context():
        return app.extensions["sqlalchemy"].engine


def wait_for_replica(app, timeout: float = 20) -> None:
    """Until the replica has replayed everything the primary has written so far."""
    with primary_engine(app).connect() as connection:
        connection.execute(text("SELECT pg_switch_wal()"))  # nothing waits in a WAL buffer
        target = connection.execute(text("SELECT pg_current_wal_lsn()")).scalar_one()
    deadline = time.monotonic() + timeout
    with replica_engine(app).connect() as connection:
        while True:
            replayed = connection.execute(
                text("SELECT pg_last_wal_replay_lsn() >= CAST(:target AS pg_lsn)"),
                {"target": str(target)}).scalar_one()
            connection.rollback()
            if replayed:
                return
            assert time.monotonic() < deadline, "the replica did not catch up"
            time.sleep(0.05)


@contextmanager
def replay_paused(admin: Engine) -> Iterator[None]:
    with admin.connect() as connection:
        connection.execute(text("SELECT pg_wal_replay_pause()"))
        for _ in range(200):
            if connection.execute(text("SELECT pg_get_wal_replay_pause_state()")
                                  ).scalar_one() == "paused":
                break
            time.sleep(0.02)
        else:
            pytest.fail("replay on the replica did not pause")
    try:
        yield
    finally:
        with admin.connect() as connection:
            connection.execute(text("SELECT pg_wal_replay_resume()"))


class StatementLog:
    """The statements each engine ran inside :meth:`recording`, by engine name."""

    def __init__(self, engines: dict[str, Engine]):
        self.engines = engines
        self.statements: dict[str, list[str]] = {name: [] for name in engines}

    @contextmanager
    def recording(self) -> Iterator[dict[str, list[str]]]:
        seen: dict[str, list[str]] = {name: [] for name in self.engines}
        listeners = []
        for name, engine in self.engines.items():
            def listener(_connection, _cursor, statement, *_args, _name=name):
                seen[_name].append(statement)
            event.listen(engine, "before_cursor_execute", listener)
            listeners.append((engine, listener))
        try:
            yield seen
        finally:
            for engine, listener in listeners:
                event.remove(engine, "before_cursor_execute", listener)


def reading(statements: list[str], table: str) -> list[str]:
    return [statement for statement in statements if table in statement]


def set_up_world(app) -> dict:
    """A site, three workers with remembered phones, a lecture open for check-in now, a draft
    report of the SASAC template for the days around today; worker 0 has checked in."""
    with app.app_context():
        create_company("测试建工集团", actor=SYSTEM)
        session.flush()
        site = create_unit(get_root_unit(), OrgKind.SITE, "前海项目部", actor=SYSTEM)
        workers = [factories.make_worker(site) for _ in range(3)]
        lecture = make_lecture(site, starts_at=utcnow() + timedelta(minutes=5))
        cookies = [remembered_cookie(worker) for worker in workers]
        today = local_today()
        period = Period.custom(today - timedelta(days=7), today + timedelta(days=1))
        template = next(each for each in report_services.ensure_builtin_templates()
                        if each.recipient is Recipient.SASAC)
        draft = report_services.create_draft(template, site, period, OFFICER)
        world = {"lecture": (lecture.id, lecture.code_key), "cookies": cookies,
                 "draft_id": draft.id, "site_path": site.path, "site_id": site.id}
        session.commit()
        session.remove()
    return world


def check_in(app, world, number: int) -> str:
    """Worker ``number`` scans the lecture's code on their phone; the outcome shown."""
    lecture_id, code_key = world["lecture"]
    client = app.test_client()
    client.set_cookie(COOKIE_NAME, world["cookies"][number])
    response = client.get(f"/c/{venue_code(lecture_id, code_key, utcnow())}")
    assert response.status_code == 200, response.text
    return response.text.split('data-outcome="')[1].split('"')[0]


def report_attendances(app, world) -> int:
    """The attendance figure of the draft's report, as its page computes it."""
    with app.test_request_context():
        draft = session.get(ReportDraft, world["draft_id"])
        value = figure_values(report_services.draft_content(draft))[ATTENDANCES]
        session.remove()
        return value


def primary_attendances(app) -> int:
    with app.app_context():
        count = session.execute(select(func.count()).select_from(Attendance)).scalar_one()
        session.remove()
        return count


# -- the tests ------------------------------------------------------------------------------------

@needs_replica
def test_a_report_reads_the_replica_and_a_check_in_never_does(replicated_app):
    app, admin = replicated_app
    world = set_up_world(app)
    assert check_in(app, world, 0) == "accepted"
    wait_for_replica(app)
    assert report_attendances(app, world) == 1
    log = StatementLog({"primary": primary_engine(app), "replica": replica_engine(app)})

    with replay_paused(admin):
        with log.recording() as seen:
            assert check_in(app, world, 1) == "accepted"
        # The check-in ran on the primary only, reads and writes.
        assert seen["replica"] == []
        assert reading(seen["primary"], "cb_attendance")
        # It sees its own write at once: the same worker again is "already checked in".
        with log.recording() as seen:
            assert check_in(app, world, 1) == "already"
        assert seen["replica"] == []
        assert primary_attendances(app) == 2

        # The report computed during the pause does not see it: its figures come from the replica.
        with log.recording() as seen:
            assert report_attendances(app, world) == 1
        assert reading(seen["replica"], "cb_attendance")
        assert reading(seen["primary"], "cb_attendance") == []
        assert reading(seen["primary"], "cb_report_draft")  # the draft itself: the primary

    wait_for_replica(app)
    assert report_attendances(app, world) == 2


@needs_replica
def test_confirmation_figures_and_a_filing_read_the_replica_and_write_the_primary(replicated_app):
    app, admin = replicated_app
    world = set_up_world(app)
    assert check_in(app, world, 0) == "accepted"
    wait_for_replica(app)
    log = StatementLog({"primary": primary_engine(app), "replica": replica_engine(app)})
    with replay_paused(admin):
        assert check_in(app, world, 2) == "accepted"
        with app.test_request_context(), log.recording() as seen:
            draft = session.get(ReportDraft, world["draft_id"])
            assert unit_figures(draft.org_unit, draft.period)[ATTENDANCES] == 1
            filing = report_services.file_draft(draft, OFFICER)
            session.commit()
            filed = figure_values(json.loads(filing.content_json))
            number = filing.number
            session.remove()
        # Figures and the records behind them: the replica, one snapshot (1 attendance).
        assert filed[ATTENDANCES] == 1
        assert reading(seen["replica"], "cb_attendance")
        assert reading(seen["primary"], "cb_attendance") == []
        # The filing and its frozen records were written on the primary.
        assert any(statement.startswith("INSERT INTO cb_report_filing")
                   for statement in seen["primary"])
        assert any(statement.startswith("INSERT INTO cb_report_filed_records")
                   for statement in seen["primary"])
        assert not [statement for statement in seen["replica"]
                    if statement.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    with app.app_context():
        from plugin.reports.models import FiledRecords, ReportFiling

        stored = session.execute(select(ReportFiling).where(ReportFiling.number == number)
                                 ).scalar_one()
        records = session.execute(select(FiledRecords).where(
            FiledRecords.filing_id == stored.id, FiledRecords.indicator_code == ATTENDANCES)
        ).scalar_one()
        assert records.count == 1
        session.remove()


@needs_replica
def test_the_dashboard_reads_figures_on_the_replica_and_stores_its_cache_on_the_primary(
        replicated_app):
    app, admin = replicated_app
    world = set_up_world(app)
    assert check_in(app, world, 0) == "accepted"
    wait_for_replica(app)
    log = StatementLog({"primary": primary_engine(app), "replica": replica_engine(app)})
    with replay_paused(admin):
        assert check_in(app, world, 1) == "accepted"
        with app.test_request_context(), log.recording() as seen:
            board = build_dashboard([world["site_path"]], local_today(),
                                    link=lambda *_args: None, locale="zh_CN")
            session.commit()
            session.remove()
    figures = {figure.code: figure.value for section in board.sections
               for figure in section.figures}
    assert figures[ATTENDANCES] == 1  # the replica's, paused before the second check-in
    assert reading(seen["replica"], "cb_attendance")
    assert reading(seen["primary"], "cb_attendance") == []
    # Closed months' figures are kept for the day: written on the primary, never the replica.
    assert any(statement.startswith("INSERT INTO cb_dashboard_figure")
               for statement in seen["primary"])
    assert not reading(seen["replica"], "INSERT")


@needs_replica
def test_the_replica_session_is_read_only_and_ends_with_its_block(replicated_app):
    app, _admin = replicated_app
    set_up_world(app)
    wait_for_replica(app)
    with app.app_context():
        primary = session()
        with reads_from_replica():
            replica = session()
            assert replica is not primary and reading_from_replica()
            assert replica.get_bind() is replica_engine(app)
            with reads_from_replica():  # nested: the same session, the same snapshot
                assert session() is replica
            # The standby refuses writes whatever the session says.
            with pytest.raises(Exception, match="read-only"):
                session.execute(text("CREATE TABLE cb_never (id integer)"))
        assert session() is primary and not reading_from_replica()
        assert not replica.in_transaction()
        session.remove()


# -- on any database -------------------------------------------------------------------------------

def test_without_a_replica_the_block_reads_the_primary_in_the_same_transaction(app, company):
    """SQLite and single-server deployments: nothing changes, uncommitted writes included."""
    assert replica_engine(app) is None
    worker_unit = create_unit(company, OrgKind.SITE, "甲项目部", actor=SYSTEM)
    session.flush()
    before = session()
    with reads_from_replica():
        assert session() is before and not reading_from_replica()
        assert indicators.compute("registry.workers_employed", [worker_unit.path],
                                  local_today(), local_today()) == 0
        factories.make_worker(worker_unit)
    assert indicators.compute("registry.workers_employed", [worker_unit.path],
                              local_today(), local_today()) == 1


@pytest.mark.committing
def test_inside_the_block_a_flush_is_refused(database_url, tmp_path):
    """A replica given as the same database (a development set-up): reads work, and a change
    made inside the block is refused before it reaches any database."""
    with app_on_own_database(database_url, "replica_refusal", tmp_path) as app, \
            app.app_context():
        app.config["CAREBRIDGE_REPORTS_DATABASE_URL"] = (
            app.extensions["sqlalchemy"].engine.url.render_as_string(hide_password=False))
        create_company("测试建工集团", actor=SYSTEM)
        session.commit()
        with reads_from_replica():
            assert reading_from_replica()
            root = get_root_unit()
            assert root is not None and root.parent_id is None
            root.name = "改名"
            with pytest.raises(ReplicaWriteRefused):
                session.flush()
        assert get_root_unit().name == "测试建工集团"
        replica_engine(app).dispose()
        session.remove()
