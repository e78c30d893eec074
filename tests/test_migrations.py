import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from employer_portal import database as portal_database
from employer_portal.database import PortalBase
from plugin.core.db import TABLE_PREFIX, Base, exists_on
from plugin.extension import import_models

from .conftest import database_dialect

#: Each migration history: its tables' metadata, their name prefix and its version table.
HISTORIES = {
    "plugin": (Base.metadata, TABLE_PREFIX, "cb_alembic_version"),
    "portal": (PortalBase.metadata, portal_database.TABLE_PREFIX, portal_database.VERSION_TABLE),
}


def import_all_models() -> None:
    import_models()
    portal_database.import_models()


@pytest.mark.parametrize("history", HISTORIES)
def test_models_and_migrations_agree(app, db, history):
    """Autogenerate against the migrated database finds nothing to do, in either history."""
    import_all_models()
    metadata, prefix, version_table = HISTORIES[history]
    connection = db.connection()
    context = MigrationContext.configure(connection, opts={
        "compare_type": True,
        "include_name": lambda name, type_, parents: type_ != "table" or name.startswith(prefix),
        "include_object": lambda object_, *_: exists_on(object_, connection.dialect.name),
        "version_table": version_table,
    })
    assert compare_metadata(context, metadata) == []


def test_each_history_keeps_to_its_own_prefixed_tables_and_version_table(app, db):
    import_all_models()
    names = set(inspect(db.connection()).get_table_names())
    for metadata, prefix, version_table in HISTORIES.values():
        assert {name for name in names if name.startswith(prefix)} == {*metadata.tables,
                                                                       version_table}
        assert all(name.startswith(prefix) for name in metadata.tables)
    assert names == {name for name in names if name.startswith(("cb_", "portal_"))}
    assert "alembic_version" not in names
    # The plugin's metadata holds no table of the portal's (a host would get it).
    assert not [name for name in Base.metadata.tables if "portal" in name]


def test_sqlite_runs_in_wal_mode_with_foreign_keys(app, db):
    if database_dialect(app) != "sqlite":
        return
    connection = db.connection()
    assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


@pytest.mark.committing
def test_sqlite_autocommit_connections_keep_their_writes(app):
    """Our BEGIN listener (real SQLite transactions) leaves autocommit connections alone;
    ANALYZE or a pragma run that way used to be rolled back silently."""
    if database_dialect(app) != "sqlite":
        return
    with app.app_context():
        engine = app.extensions["sqlalchemy"].engine
        with engine.connect() as connection:
            original = connection.exec_driver_sql("PRAGMA user_version").scalar()
        try:
            with engine.connect() as connection:
                connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                    f"PRAGMA user_version={original + 7}")
            with engine.connect() as connection:
                assert connection.exec_driver_sql("PRAGMA user_version").scalar() == original + 7
        finally:
            with engine.connect() as connection:
                connection.exec_driver_sql(f"PRAGMA user_version={original}")
                connection.commit()


@pytest.mark.parametrize("history", HISTORIES)
def test_every_foreign_key_leads_an_index(history):
    """Deleting a referenced row, or joining from it, must not scan the referencing table."""
    import_all_models()
    unindexed = []
    for table in HISTORIES[history][0].sorted_tables:
        leading = {index.columns[0].name for index in table.indexes if index.columns}
        leading |= {list(constraint.columns)[0].name for constraint in table.constraints
                    if constraint.__class__.__name__ in ("PrimaryKeyConstraint", "UniqueConstraint")
                    and constraint.columns}
        unindexed += [f"{table.name}.{list(key.columns)[0].name}"
                      for key in table.foreign_key_constraints
                      if list(key.columns)[0].name not in leading]
    assert not unindexed, f"foreign keys without an index: {unindexed}"
