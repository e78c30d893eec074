"""The scheduler holds no transaction between jobs.

``carebridge scheduler`` runs for months. It used to read the company's time zone in the
command's own app context and never end that transaction: on SQLite an open reader keeps the
write-ahead log from ever being checkpointed (it grew to 100 MB beside a 0.5 MB database), on
PostgreSQL the connection sits "idle in transaction" (holding back vacuum). Every unit of work
(a job, the lease renewal, the time zone) now ends its transaction when done.
"""
from __future__ import annotations

import sqlite3
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from plugin.core.db import session
from plugin.notifications.models import Notification
from plugin.notifications.services import notify
from plugin.org.services import create_company
from plugin.scheduling.runner import JobDefinition, SchedulerProcess

from .concurrency_support import app_on_own_database
from .conftest import SYSTEM

pytestmark = pytest.mark.committing


def open_transactions(app) -> int:
    """Other connections' open transactions: on SQLite, whether a reader keeps the WAL from being
    truncated; on PostgreSQL, connections idle in a transaction."""
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite":
        with sqlite3.connect(url.database, timeout=5) as connection:
            busy, _log, _done = connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        wal = Path(url.database + "-wal")
        return int(busy or (wal.exists() and wal.stat().st_size > 0))
    with app.app_context():
        count = session.scalar(text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND state LIKE 'idle in transaction%' AND pid <> pg_backend_pid()"))
        session.remove()
    return count


def wait_until(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def test_no_transaction_is_left_open_between_jobs(database_url, tmp_path):
    with app_on_own_database(database_url, "scheduler", tmp_path) as app:
        with app.app_context():
            create_company("测试建工集团", actor=SYSTEM)
            session.commit()
            session.remove()
        ran = threading.Event()

        def write_something():
            notify(["someone"], "首页")
            ran.set()

        job = JobDefinition("tests.write", write_something, "interval", {"seconds": 0.3})
        process = SchedulerProcess(app, [job], ttl=timedelta(seconds=0.9))

        def run_as_the_command_does():
            with app.app_context():  # `carebridge scheduler` runs inside one (with_appcontext)
                process.run()

        runner = threading.Thread(target=run_as_the_command_does)
        runner.start()
        try:
            assert ran.wait(10), "the job never ran"
            # Jobs run every 0.3 s and the lease is renewed every 0.3 s; between them nothing is open.
            assert wait_until(lambda: open_transactions(app) == 0, 5)
        finally:
            process.stop()
            runner.join(10)
        assert not runner.is_alive()
        with app.app_context():
            assert session.scalar(select(func.count()).select_from(Notification)) >= 1
            session.remove()
