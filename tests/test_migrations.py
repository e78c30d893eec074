from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from plugin.core.db import TABLE_PREFIX, Base
from plugin.extension import import_models

from .conftest import database_dialect


def test_models_and_migrations_agree(app, db):
    """Autogenerate against the migrated database finds nothing to do."""
    import_models()
    connection = db.connection()
    context = MigrationContext.configure(connection, opts={
        "compare_type": True,
        "include_name": lambda name, type_, parents: type_ != "table" or name.startswith(TABLE_PREFIX),
        "version_table": "cb_alembic_version",
    })
    assert compare_metadata(context, Base.metadata) == []


def test_only_prefixed_tables_with_own_version_table(app, db):
    names = set(inspect(db.connection()).get_table_names())
    assert names and all(name.startswith(TABLE_PREFIX) for name in names)
    assert "cb_alembic_version" in names and "alembic_version" not in names


def test_sqlite_runs_in_wal_mode_with_foreign_keys(app, db):
    if database_dialect(app) != "sqlite":
        return
    connection = db.connection()
    assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
