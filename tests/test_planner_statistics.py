"""The database's query planner learns the registry's size after an import and every night.

Without statistics SQLite drove the worker list's category filter from the wrong index (at a
million workers, seconds instead of milliseconds; ``bench worker-list`` measures it).
"""
from __future__ import annotations

from sqlalchemy.exc import OperationalError

from plugin.core.db import session
from plugin.imports import processing
from plugin.imports.models import ImportStatus
from plugin.jobs import default_jobs

from .imports_support import WORKER_HEADER, import_roster, worker, xlsx_roster

JOBS = default_jobs()

ROWS = 13  # an unusual count, so a figure left over from another test cannot pass for it


def planner_worker_rows() -> int | None:
    """How many workers the planner believes there are (None: it has no statistics)."""
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        if not connection.exec_driver_sql(
                "SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'").scalar():
            return None
        stat = connection.exec_driver_sql(
            "SELECT stat FROM sqlite_stat1 WHERE tbl = 'cb_worker' LIMIT 1").scalar()
        return int(stat.split()[0]) if stat else None
    rows = connection.exec_driver_sql(
        "SELECT reltuples FROM pg_class WHERE relname = 'cb_worker'").scalar()
    return None if rows is None or rows < 0 else int(rows)


def test_an_import_refreshes_the_planner_statistics(company, clock, tmp_path):
    rows = [worker(f"{n:04d}", f"职工{n}") for n in range(1, ROWS + 1)]
    job, rejected = import_roster(xlsx_roster(tmp_path / "r.xlsx", WORKER_HEADER, rows), company)
    assert rejected == {} and job.created_count == ROWS
    assert planner_worker_rows() == ROWS


def test_the_nightly_job_refreshes_them(company, make_worker):
    """Workers added one by one (the form, the API) refresh nothing by themselves."""
    job = next(job for job in JOBS if job.id == "core.refresh_planner_statistics")
    assert job.trigger == "cron"
    for _number in range(ROWS + 2):
        make_worker(company)
    session.flush()
    job.func()
    assert planner_worker_rows() == ROWS + 2


def test_an_import_is_done_even_if_the_statistics_cannot_be_refreshed(company, clock, tmp_path,
                                                                     monkeypatch):
    def locked():
        raise OperationalError("ANALYZE", {}, Exception("database is locked"))

    monkeypatch.setattr(processing, "refresh_planner_statistics", locked)
    rows = [worker(f"{n:04d}", f"职工{n}") for n in range(1, 4)]
    job, rejected = import_roster(xlsx_roster(tmp_path / "r.xlsx", WORKER_HEADER, rows), company)
    assert job.status == ImportStatus.DONE and job.created_count == 3 and rejected == {}
