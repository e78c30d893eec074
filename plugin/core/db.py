"""The plugin's declarative base and its access to the host's Flask-SQLAlchemy session.

CareBridge never creates its own ``SQLAlchemy()``: a host may already own one, and Flask-SQLAlchemy
refuses a second on the same app. Models live on :class:`Base` (own metadata, ``cb_`` tables, a
naming convention so migrations get stable constraint names) and are used through the host's
session, reached via ``app.extensions["sqlalchemy"]``.
"""
from __future__ import annotations

import enum
from datetime import datetime, timezone

from flask import current_app
from sqlalchemy import DateTime, Enum, Index, MetaData
from sqlalchemy.orm import DeclarativeBase, Session
from sqlalchemy.types import TypeDecorator
from werkzeug.local import LocalProxy

TABLE_PREFIX = "cb_"

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """A timezone-aware datetime stored in UTC on every database.

    SQLite has no time zone type, so values are normalised to naive UTC on the way in and made
    aware again on the way out; PostgreSQL gets ``timestamptz``. Naive datetimes are refused so a
    local time can never be stored by mistake.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime refused: store aware UTC datetimes only")
        value = value.astimezone(timezone.utc)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def enum_column(enum_class: type[enum.Enum], length: int = 32) -> Enum:
    """Store an enum by its value as a plain string column (no native DB enum to migrate)."""
    return Enum(
        enum_class,
        native_enum=False,
        length=length,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


def prefix_searched(name: str, column: str) -> Index:
    """An index that serves ``column LIKE 'term%'`` on PostgreSQL as well.

    Under a linguistic collation (``zh_CN.UTF-8``, ``en_US.UTF-8``, even ``C.UTF-8``) a plain
    B-tree index cannot serve ``LIKE``; ``varchar_pattern_ops`` can, and equality too. SQLite
    ignores the option: its prefix searches are ranges, which a plain index serves.
    """
    return Index(name, column, postgresql_ops={column: "varchar_pattern_ops"})


def postgresql_only(index: Index) -> Index:
    """``index`` exists on PostgreSQL only.

    ``ddl_if`` keeps ``create_all`` from making it elsewhere; Alembic's comparison does not read
    ``ddl_if``, so the marker in ``info`` lets :func:`exists_on` leave it out there.
    """
    index.info["only_on_dialect"] = "postgresql"
    return index.ddl_if(dialect="postgresql")


def exists_on(schema_object, dialect_name: str) -> bool:
    """Whether ``schema_object`` belongs in a database of ``dialect_name`` (see postgresql_only)."""
    only_on = getattr(schema_object, "info", {}).get("only_on_dialect")
    return only_on is None or only_on == dialect_name


class Base(DeclarativeBase):
    """Declarative base of every CareBridge table (names start with ``cb_``)."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime}


def _host_session() -> Session:
    try:
        sqlalchemy_ext = current_app.extensions["sqlalchemy"]
    except KeyError as exc:  # pragma: no cover - configuration error surfaced at startup
        raise RuntimeError("CareBridge needs the host app to initialise Flask-SQLAlchemy") from exc
    return sqlalchemy_ext.session


#: The host's scoped session. Services ``flush()``; the request boundary commits once.
session: Session = LocalProxy(_host_session)  # type: ignore[assignment]


def commit_on_success(response):
    """``after_request`` hook: commit when the view succeeded, roll back otherwise.

    Registered on every CareBridge blueprint (and the portal's), so a request commits exactly once
    and a failed request leaves nothing half-written. Unhandled exceptions never reach this hook;
    Flask-SQLAlchemy's teardown then discards the session. A view that committed already (the
    check-in does, before rendering) leaves no transaction, and none is begun just to end it.
    """
    if not _host_session()().in_transaction():  # scoped_session does not proxy in_transaction
        return response
    if response.status_code < 400:
        session.commit()
    else:
        session.rollback()
    return response


#: Rows ANALYZE samples per index on SQLite: enough for the planner's choices, and it stays
#: far under a second at a million rows (a full ANALYZE reads every index).
SQLITE_ANALYSIS_LIMIT = 1000


def refresh_planner_statistics() -> None:
    """Tell the database's query planner how large the tables now are (``ANALYZE``).

    SQLite keeps no statistics until ANALYZE runs, and without them it may drive a list's
    category filter from the wrong index: at a million workers, seconds instead of milliseconds.
    Run after every roster import and daily (:mod:`plugin.jobs`). PostgreSQL's autovacuum would
    get there by itself, later.
    """
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql(f"PRAGMA analysis_limit={SQLITE_ANALYSIS_LIMIT}")
    connection.exec_driver_sql("ANALYZE")
