"""The migration that puts "one open agreement per child and period" into the database first
revokes the duplicates the old race left behind, so it runs on a real database's data."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory
from flask_migrate import upgrade
from sqlalchemy import JSON, Boolean, Date, DateTime, Integer, MetaData, Table, insert, select

from plugin.extension import MIGRATIONS_DIR

from .concurrency_support import app_on_own_database

pytestmark = pytest.mark.committing

RULE = "e4b7c2a19f53"
START = date(2026, 1, 1)


def revision_before(revision: str) -> str:
    """The revision the migration follows (wherever the history places it)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return ScriptDirectory.from_config(config).get_revision(revision).down_revision


def dummy(column):
    """A value for a required column the test does not care about."""
    kind = column.type
    if isinstance(kind, DateTime):
        return datetime(2026, 1, 1, tzinfo=UTC)
    if isinstance(kind, Date):
        return START
    if isinstance(kind, Boolean):
        return False
    if isinstance(kind, Integer):
        return 1
    if isinstance(kind, JSON):
        return {}
    return "x"


def add(connection, metadata: MetaData, table_name: str, **values) -> int:
    """Insert a row with ``values`` and dummies in the other required columns; returns its id."""
    table = Table(table_name, metadata, autoload_with=connection)
    row = {column.name: dummy(column) for column in table.columns
           if not column.nullable and column.server_default is None and not column.primary_key}
    row.update(values)
    result = connection.execute(insert(table).values(row).returning(table.c.id)
                                if "id" in table.c else insert(table).values(row))
    return result.scalar_one() if "id" in table.c else 0


def test_open_agreements_that_overlap_an_earlier_one_are_revoked(database_url, tmp_path):
    with app_on_own_database(database_url, "agreement_rule", tmp_path,
                             upgrade_to=revision_before(RULE)) as app, app.app_context():
        engine = app.extensions["sqlalchemy"].engine
        with engine.begin() as connection:
            metadata = MetaData()
            unit = add(connection, metadata, "cb_org_unit", name="前海项目部", path="/1/",
                       kind="site", depth=1, parent_id=None)
            worker = add(connection, metadata, "cb_worker", employee_number="E1",
                         name="张大山", org_unit_id=unit)
            child = add(connection, metadata, "cb_child", name="张小明", org_unit_id=unit)
            other_child = add(connection, metadata, "cb_child", name="张小红", org_unit_id=unit)

            def agreement(status, starts_on, days, *children):
                agreement_id = add(connection, metadata, "cb_entrustment_agreement",
                                   worker_id=worker, status=status, starts_on=starts_on,
                                   ends_on=starts_on + timedelta(days=days),
                                   verification_code=f"code-{status}-{starts_on}-{days}")
                for child_id in children:
                    add(connection, metadata, "cb_entrustment_child",
                        agreement_id=agreement_id, child_id=child_id)
                return agreement_id

            pending_copy = agreement("pending", START, 365, child)
            signed = agreement("active", START, 365, child, other_child)
            second_copy = agreement("active", START + timedelta(days=30), 30, child)
            next_year = agreement("pending", START + timedelta(days=366), 365, child)
            ended = agreement("ended", START, 365, child)
        upgrade(revision=RULE)
        with engine.connect() as connection:
            metadata = MetaData()
            agreements = Table("cb_entrustment_agreement", metadata, autoload_with=connection)
            status = dict(connection.execute(select(agreements.c.id, agreements.c.status)).all())
            assert status == {pending_copy: "revoked", signed: "active", second_copy: "revoked",
                              next_year: "pending", ended: "ended"}
            audit = Table("cb_audit_event", metadata, autoload_with=connection)
            logged = connection.execute(select(audit.c.target_id, audit.c.details).where(
                audit.c.action == "agreement.revoked")).all()
            assert sorted((int(target), details["kept"]) for target, details in logged) == [
                (pending_copy, signed), (second_copy, signed)]
            rows = Table("cb_entrustment_child", metadata, autoload_with=connection)
            copies = connection.execute(select(rows.c.agreement_id, rows.c.status)).all()
            assert {(agreement_id, copied) for agreement_id, copied in copies} == {
                (pending_copy, "revoked"), (signed, "active"), (second_copy, "revoked"),
                (next_year, "pending"), (ended, "ended")}
        upgrade()
