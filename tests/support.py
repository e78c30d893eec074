"""Helpers for tests that need a real, committed database (live servers, hosts, concurrency),
and for counting the statements a page or a service sends."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import MetaData, event, inspect, text
from sqlalchemy.engine import Engine, make_url

_SAVEPOINTS = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")


@contextmanager
def recorded_statements() -> Iterator[list[str]]:
    """The SQL statements sent inside the block, savepoints left out (the test's own
    transaction makes and drops them). The test's pending writes are flushed first."""
    from plugin.core.db import session

    session.flush()
    statements: list[str] = []

    def listener(_connection, _cursor, statement, *_args):
        if not statement.startswith(_SAVEPOINTS):
            statements.append(statement)

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", listener)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", listener)


def reset_database(engine: Engine) -> None:
    """Drop every table (ours and any left by an earlier run), so migrations start from zero."""
    with engine.begin() as connection:
        metadata = MetaData()
        metadata.reflect(connection)
        if connection.dialect.name == "sqlite":
            connection.execute(text("PRAGMA foreign_keys=OFF"))
        metadata.drop_all(connection)
        inspector = inspect(connection)
        if "cb_alembic_version" in inspector.get_table_names():
            connection.execute(text("DROP TABLE cb_alembic_version"))


def sibling_database_url(base_url: str, suffix: str, tmp_path) -> str:
    """A fresh, empty database next to the test database (a new file, or a new PG database)."""
    url = make_url(base_url)
    if url.get_backend_name() == "sqlite":
        return f"sqlite:///{tmp_path / (suffix + '.db')}"
    from sqlalchemy import create_engine

    name = f"{url.database}_{suffix}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def delete_all_rows(engine: Engine) -> None:
    """Empty every CareBridge table and the portal's, children first (between browser tests)."""
    from employer_portal.database import PortalBase
    from employer_portal.database import import_models as import_portal_models
    from plugin.core.db import Base
    from plugin.extension import import_models

    import_models()
    import_portal_models()
    from plugin.aid.models import sqlite_ledger_triggers

    with engine.begin() as connection:
        # The fund ledger refuses deletes (a trigger); tests start from nothing all the same.
        if connection.dialect.name == "postgresql":
            connection.execute(text("ALTER TABLE cb_aid_ledger_entry DISABLE TRIGGER USER"))
        else:
            for when in ("update", "delete"):
                connection.execute(text(f"DROP TRIGGER IF EXISTS tr_cb_aid_ledger_entry_{when}"))
        for metadata in (PortalBase.metadata, Base.metadata):
            for table in reversed(metadata.sorted_tables):
                connection.execute(table.delete())
        if connection.dialect.name == "postgresql":
            connection.execute(text("ALTER TABLE cb_aid_ledger_entry ENABLE TRIGGER USER"))
        else:
            for statement in sqlite_ledger_triggers():
                connection.execute(text(statement))


def table_fingerprints(connection, tables) -> dict[str, tuple[int, str]]:
    """Each table's number of rows and a digest of all of them, to compare before and after a
    request: one statement on PostgreSQL (the server digests; a statement per table costs a round
    trip each, hundreds per request), a query per table on SQLite (in the process)."""
    import hashlib

    if connection.dialect.name == "postgresql":
        digests = " UNION ALL ".join(
            f"SELECT '{table.name}', count(*), md5(coalesce(string_agg(r::text, E'\\n' "
            f"ORDER BY r::text), '')) FROM \"{table.name}\" r" for table in tables)
        return {name: (rows, digest) for name, rows, digest in connection.execute(text(digests))}
    fingerprints = {}
    for table in tables:
        rows = sorted(repr(tuple(row)) for row in connection.execute(table.select()))
        fingerprints[table.name] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
    return fingerprints
