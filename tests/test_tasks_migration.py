"""The migration to one background queue keeps every import job and pledge batch: their state,
progress and failures move to their tasks, their encrypted files to the tasks' chunks (still
readable), and the downgrade puts everything back."""
from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import Boolean, DateTime, Integer, MetaData, Table, insert, select

from plugin.core import task_files, tasks
from plugin.core.db import session
from plugin.extension import MIGRATIONS_DIR
from plugin.imports.models import ROSTER_IMPORT, FileRole, ImportJob, ImportStatus
from plugin.imports.queries import stored_file
from plugin.pledges.batches import stored_zip
from plugin.pledges.models import SITE_ZIP, BatchStatus, PledgeBatch
from plugin.privacy.crypto import current_cipher

from .concurrency_support import app_on_own_database

pytestmark = pytest.mark.committing

MIGRATION = "40b6ecb5bd14"
AT = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
UPLOAD, ERRORS, ZIP = b"roster " * 3, "错误文件".encode() * 3, b"PK\x03\x04 zip"


def revision_before(revision: str) -> str:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return ScriptDirectory.from_config(config).get_revision(revision).down_revision


def rows(connection, name: str, order_by: str = "id") -> list[dict]:
    table = Table(name, MetaData(), autoload_with=connection)
    return [dict(row._mapping) for row in connection.execute(
        select(table).order_by(table.c[order_by]))]


def filler(column):
    """A value for a required column the test does not care about."""
    kind = column.type
    if isinstance(kind, DateTime):
        return AT
    if isinstance(kind, Boolean):
        return False
    if isinstance(kind, Integer):
        return 0
    return "x"


def add(connection, table_name: str, /, **values) -> int:
    table = Table(table_name, MetaData(), autoload_with=connection)
    row = {column.name: filler(column) for column in table.columns
           if not column.nullable and column.server_default is None and not column.primary_key}
    return connection.execute(insert(table).values({**row, **values})).inserted_primary_key[0]


def chunks(connection, name: str, owner: str) -> list[tuple]:
    """A chunk table's rows without their ids (moving the rows back draws new ones)."""
    return sorted((row[owner], row.get("role"), row["seq"], bytes(row["data"]))
                  for row in rows(connection, name))


def chunk(data: bytes, context: str) -> bytes:
    return current_cipher().encrypt_bytes(data, context=context)


def seed(connection) -> dict[str, int]:
    """Rows as the separate queues left them: a job waiting for its mapping, a finished job with
    its error file in two chunks, a failed job, and a finished batch with its zip."""
    unit = add(connection, "cb_org_unit", name="前海项目部", path="/1/", kind="site", depth=1)
    common = dict(kind="workers", is_dry_run=False, format_name="xlsx", org_unit_id=unit,
                  created_by="u1", created_by_name="王专员", created_count=0, updated_count=0,
                  unchanged_count=0, rejected_count=0, withheld_count=0, created_at=AT)
    ids = {}
    ids["mapping"] = add(connection, "cb_import_job", status="mapping", filename="a.xlsx",
                         processed_rows=0, **common)
    add(connection, "cb_import_file", job_id=ids["mapping"], role="upload", seq=0,
        data=chunk(UPLOAD, "import.file"))
    ids["done"] = add(connection, "cb_import_job", status="done", filename="b.xlsx",
                      total_rows=7, processed_rows=7, started_at=AT, heartbeat_at=AT,
                      finished_at=AT, **{**common, "rejected_count": 2})
    for seq, part in enumerate((ERRORS[:12], ERRORS[12:])):
        add(connection, "cb_import_file", job_id=ids["done"], role="errors", seq=seq,
            data=chunk(part, "import.file"))
    ids["failed"] = add(connection, "cb_import_job", status="failed", filename="c.csv",
                        processed_rows=0, started_at=AT, finished_at=AT,
                        failure={"message": "文件是空的", "params": {}}, **common)
    ids["batch"] = add(connection, "cb_pledge_batch", org_unit_id=unit, status="done",
                       only_valid=True, as_of=date(2026, 11, 30),
                       verify_url_base="https://care.example.com/v/", created_by="u1",
                       created_by_name="王专员", total=2, processed=2, size_bytes=len(ZIP),
                       created_at=AT, started_at=AT, heartbeat_at=AT, finished_at=AT)
    add(connection, "cb_pledge_batch_chunk", batch_id=ids["batch"], seq=0,
        data=chunk(ZIP, "pledge.batch_zip"))
    return ids


def test_jobs_and_batches_move_to_tasks_and_back(database_url, tmp_path):
    before = revision_before(MIGRATION)
    with (app_on_own_database(database_url, "tasks_migration", tmp_path,
                              upgrade_to=before) as app, app.app_context()):
        engine = app.extensions["sqlalchemy"].engine
        with engine.begin() as connection:
            ids = seed(connection)
            jobs_before = rows(connection, "cb_import_job")
            batches_before = rows(connection, "cb_pledge_batch")
            files_before = chunks(connection, "cb_import_file", "job_id")
            zip_before = chunks(connection, "cb_pledge_batch_chunk", "batch_id")

        upgrade(revision=MIGRATION)
        with engine.connect() as connection:
            by_id = {task["id"]: task for task in rows(connection, "cb_task")}
            jobs = {job["id"]: job for job in rows(connection, "cb_import_job")}
            [batch] = rows(connection, "cb_pledge_batch")
        assert {job_id: job["task_id"] for job_id, job in jobs.items()} == {
            job_id: job_id for job_id in jobs}  # an import job's task has its id
        assert batch["task_id"] == max(jobs) + 1
        mapping, done, failed = (by_id[jobs[ids[name]]["task_id"]]
                                 for name in ("mapping", "done", "failed"))
        assert (mapping["kind"], mapping["status"], mapping["attempts"], mapping["queued_at"]) \
            == ("imports.roster", "held", 0, None)
        assert (done["status"], done["total"], done["processed"], done["attempts"]) == (
            "done", 7, 7, 1)
        assert failed["failure"] == {"message": "文件是空的", "params": {}}
        zipped = by_id[batch["task_id"]]
        assert (zipped["kind"], zipped["status"], zipped["total"]) == ("pledges.site_zip",
                                                                       "done", 2)
        assert not any(task["is_foreground"] for task in by_id.values())

        downgrade(revision=before)
        with engine.connect() as connection:
            assert rows(connection, "cb_import_job") == jobs_before
            assert rows(connection, "cb_pledge_batch") == batches_before
            assert chunks(connection, "cb_import_file", "job_id") == files_before
            assert chunks(connection, "cb_pledge_batch_chunk", "batch_id") == zip_before

        upgrade()
        waiting = session.get(ImportJob, ids["mapping"])
        assert waiting.status == ImportStatus.MAPPING and not waiting.is_finished
        assert b"".join(stored_file(waiting.id, FileRole.UPLOAD).chunks()) == UPLOAD
        finished = session.get(ImportJob, ids["done"])
        assert (finished.status, finished.total_rows, finished.rejected_count) == (
            ImportStatus.DONE, 7, 2)
        assert b"".join(stored_file(finished.id, FileRole.ERRORS).chunks()) == ERRORS
        assert session.get(ImportJob, ids["failed"]).failure["message"] == "文件是空的"
        batch = session.get(PledgeBatch, ids["batch"])
        assert batch.status == BatchStatus.DONE and batch.total == 2
        assert b"".join(stored_zip(batch).chunks()) == ZIP
        # Tasks made from now on draw ids after the moved ones.
        new = tasks.new_task(SITE_ZIP)
        session.flush()
        assert new.id > batch.task_id
        assert ROSTER_IMPORT.name == "imports.roster" and task_files.has_file(
            finished.task_id, "errors")
        session.rollback()
        session.remove()
