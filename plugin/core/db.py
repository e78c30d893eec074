"""The plugin's declarative base and its access to the host's Flask-SQLAlchemy session.

CareBridge never creates its own ``SQLAlchemy()``: a host may already own one, and Flask-SQLAlchemy
refuses a second on the same app. Models live on :class:`Base` (own metadata, ``cb_`` tables, a
naming convention so migrations get stable constraint names) and are used through the host's
session, reached via ``app.extensions["sqlalchemy"]``.

On SQLite the engine is set up here too (:func:`configure_sqlite`): one writer at a time, queued
rather than refused. On both databases, rules that span rows are kept by constraints or by row
locks (:func:`lock_rows`, :func:`lock_key`); a request that loses such a race gets the form error
of the rule (:func:`violated_constraint` tells which constraint refused it), never a 500.

Figures may be read from a streaming replica (``CAREBRIDGE_REPORTS_DATABASE_URL``) inside
:func:`reads_from_replica`; everything else reads and writes the primary.

How a request ends — one commit, or nothing — is :mod:`plugin.core.boundary`.
"""
from __future__ import annotations

import enum
import hashlib
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import Flask, current_app, has_request_context, request
from sqlalchemy import DateTime, Enum, Index, MetaData, create_engine, event, func, literal, select
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import IntegrityError
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
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


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


def sqlite_only(index: Index) -> Index:
    """``index`` exists on SQLite only (the twin of a rule PostgreSQL states otherwise, such as
    an exclusion constraint); see :func:`postgresql_only`."""
    index.info["only_on_dialect"] = "sqlite"
    return index.ddl_if(dialect="sqlite")


def exists_on(schema_object, dialect_name: str) -> bool:
    """Whether ``schema_object`` belongs in a database of ``dialect_name`` (see
    :func:`postgresql_only`, :func:`sqlite_only`)."""
    only_on = getattr(schema_object, "info", {}).get("only_on_dialect")
    return only_on is None or only_on == dialect_name


class Base(DeclarativeBase):
    """Declarative base of every CareBridge table (names start with ``cb_``)."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime}


def _host_session() -> Session:
    replica = _replica_session.get()
    if replica is not None:
        return replica
    try:
        sqlalchemy_ext = current_app.extensions["sqlalchemy"]
    except KeyError as exc:  # pragma: no cover - configuration error surfaced at startup
        raise RuntimeError("CareBridge needs the host app to initialise Flask-SQLAlchemy") from exc
    return sqlalchemy_ext.session


#: The host's scoped session. Services ``flush()``; the request boundary commits once.
#: Inside :func:`reads_from_replica` it is a read-only session on the reports' replica instead.
session: Session = LocalProxy(_host_session)  # type: ignore[assignment]


# -- Reports and the dashboard may read from a streaming replica -------------------------------
#
# Figures (plugin.core.indicators) are aggregate reads over whole subtrees and periods: the
# heaviest statements the portal sends, and none of them needs to see a write of its own request.
# With ``CAREBRIDGE_REPORTS_DATABASE_URL`` set (a PostgreSQL hot standby of the primary), the
# reports feature and the dashboard compute figures inside :func:`reads_from_replica`, where
# ``session`` answers a read-only session on that replica; everything else — every write, and
# every read that must see a write (a check-in, a sign-in, the draft or filing being written,
# the day's figure cache being stored) — stays on the primary, outside the block. Without the
# setting the block changes nothing: SQLite and single-server deployments read the primary.

#: The setting (app config, else environment variable): SQLAlchemy URL of the replica.
REPLICA_SETTING = "CAREBRIDGE_REPORTS_DATABASE_URL"
_REPLICA_KEY = "carebridge.replica"
_replica_lock = threading.Lock()
#: The replica session of the current block (this thread or task), None outside any.
_replica_session: ContextVar[ReplicaSession | None] = ContextVar("carebridge_replica_session",
                                                                  default=None)


class ReplicaSession(Session):
    """A read-only session on the replica: one transaction (one snapshot) per outermost
    :func:`reads_from_replica` block, closed when it ends. Refuses to flush changes (the
    database refuses writes too: it is a standby, and its connections are read-only)."""

    def __call__(self) -> ReplicaSession:
        """What ``session()`` gives for the scoped session: the session itself."""
        return self


class ReplicaWriteRefused(RuntimeError):
    """Something tried to write inside :func:`reads_from_replica`: writes go to the primary."""


@event.listens_for(ReplicaSession, "before_flush")
def _refuse_replica_writes(replica: Session, _context, _instances) -> None:
    if replica.new or replica.dirty or replica.deleted:
        raise ReplicaWriteRefused("writes go to the primary: leave reads_from_replica() first")


@dataclass(frozen=True)
class _Replica:
    engine: Engine | None


def replica_url(app: Flask) -> str | None:
    """The replica's URL from the app's config, else the environment; None: no replica."""
    url = app.config.get(REPLICA_SETTING) or os.environ.get(REPLICA_SETTING) or ""
    return url.strip() or None


def replica_engine(app: Flask | None = None) -> Engine | None:
    """The reports' replica engine of ``app`` (the current app), created once; None when
    ``CAREBRIDGE_REPORTS_DATABASE_URL`` is not set."""
    app = app or current_app._get_current_object()
    replica = app.extensions.get(_REPLICA_KEY)
    if replica is None:
        with _replica_lock:
            replica = app.extensions.get(_REPLICA_KEY)
            if replica is None:
                url = replica_url(app)
                replica = _Replica(_create_replica_engine(url, app) if url else None)
                app.extensions[_REPLICA_KEY] = replica
    return replica.engine


def _create_replica_engine(url: str, app: Flask) -> Engine:
    parsed = make_url(url)
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    options.setdefault("pool_pre_ping", True)
    if parsed.get_backend_name() == "postgresql":
        # One snapshot per block: a report's figures and the records behind them agree. A hot
        # standby allows REPEATABLE READ (not SERIALIZABLE); read-only also if the URL names a
        # server that could write (a primary given by mistake still refuses).
        options.setdefault("isolation_level", "REPEATABLE READ")
        connect_args = dict(options.get("connect_args") or {})
        connect_args["options"] = (connect_args.get("options", "") +
                                   " -c default_transaction_read_only=on").strip()
        options["connect_args"] = connect_args
    engine = create_engine(parsed, **options)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_read_only)
    return engine


def _sqlite_read_only(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA query_only=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()


def reading_from_replica() -> bool:
    """Whether ``session`` is the replica's now."""
    return _replica_session.get() is not None


@contextmanager
def reads_from_replica() -> Iterator[None]:
    """Inside the block, ``session`` reads from the reports' replica (read-only, one snapshot).

    For figures only (reports, the dashboard): compute inside, write outside. Objects loaded
    inside belong to a session closed at the end of the block: keep values (numbers, texts),
    not ORM objects. Nested blocks share the outer one's session. Without a replica configured
    the block changes nothing (the primary answers, as everywhere else).
    """
    if _replica_session.get() is not None:
        yield
        return
    engine = replica_engine()
    if engine is None:
        yield
        return
    replica = ReplicaSession(bind=engine, autoflush=False, expire_on_commit=False)
    token = _replica_session.set(replica)
    try:
        yield
    finally:
        _replica_session.reset(token)
        replica.close()  # ends the snapshot: nothing stays open on the standby between blocks


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


# -- SQLite: one writer at a time, queued rather than refused ---------------------------------

#: Request methods that only read (RFC 9110's safe methods); any other request writes.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
#: How long a writer waits for the write lock before SQLite gives up ("database is locked").
SQLITE_BUSY_TIMEOUT_MS = 15_000
_STATE_KEY = "carebridge_sqlite_transaction"
_WRITE_VERBS = frozenset({"INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER",
                          "ANALYZE", "REINDEX"})
_TRANSACTION_VERBS = frozenset({"BEGIN", "COMMIT", "END", "ROLLBACK", "SAVEPOINT", "RELEASE"})


class _SQLiteTransaction:
    """What the listeners below know of a connection's open transaction."""

    __slots__ = ("locked", "has_read", "savepoints")

    def __init__(self, locked: bool):
        #: Holds SQLite's write lock (begun IMMEDIATE, or written already).
        self.locked = locked
        #: Has read, so holds a snapshot that a later write could find stale.
        self.has_read = False
        #: Open savepoints, outermost first.
        self.savepoints: list[str] = []


def configure_sqlite(engine: Engine) -> None:
    """Set up a SQLite engine for a web app with several writers (idempotent; others untouched).

    - WAL (readers never block the writer nor the writer them), enforced foreign keys, a busy
      timeout, and deleted content overwritten (erased personal data must not linger).
    - Real transactions: the driver's own transaction handling is off and BEGIN is ours (its
      lazy BEGIN breaks SAVEPOINT), as the SQLAlchemy documentation recommends.
    - SQLite has one writer at a time, and the busy timeout lets a writer wait its turn only if
      its transaction has not read yet: a transaction that read and then writes after another
      connection committed is refused at once ("database is locked"). So a request that may
      write (any method but GET, HEAD, OPTIONS) begins with the write lock (``BEGIN
      IMMEDIATE``): writers queue, and their reads and writes are serialised. Other
      transactions begin as readers; before the first statement that writes or locks rows
      (``SELECT … FOR UPDATE``, which SQLite does not have) a transaction that has read is
      restarted with the write lock. It has changed nothing, so nothing is lost, and from then on
      it reads the latest data, as PostgreSQL's READ COMMITTED would. A page that audits a view
      (a GET that writes one row) therefore waits its turn instead of failing.
    """
    if engine.dialect.name != "sqlite" or event.contains(engine, "begin", _sqlite_begin):
        return
    event.listen(engine, "connect", _sqlite_connect)
    event.listen(engine, "begin", _sqlite_begin)
    event.listen(engine, "before_cursor_execute", _sqlite_before_statement)
    event.listen(engine, "commit", _sqlite_end)
    event.listen(engine, "rollback", _sqlite_end)


def _sqlite_connect(dbapi_connection, _record) -> None:
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    # An autocommit connection asked for no transaction; a BEGIN would undo its writes.
    if connection.get_execution_options().get("isolation_level") == "AUTOCOMMIT":
        connection.info.pop(_STATE_KEY, None)
        return
    locked = has_request_context() and request.method not in SAFE_METHODS
    connection.info[_STATE_KEY] = _SQLiteTransaction(locked)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if locked else "BEGIN")


def _sqlite_end(connection: Connection) -> None:
    connection.info.pop(_STATE_KEY, None)


def _track_savepoints(state: _SQLiteTransaction, statement: str) -> None:
    """Follow ``SAVEPOINT x`` / ``RELEASE [SAVEPOINT] x`` / ``ROLLBACK TO [SAVEPOINT] x``."""
    words = statement.split()
    name = words[-1] if len(words) > 1 else None
    verb = words[0].upper() if words else ""
    if verb == "SAVEPOINT" and name:
        state.savepoints.append(name)
    elif verb in ("RELEASE", "ROLLBACK") and name in state.savepoints:
        # ROLLBACK TO keeps the savepoint itself open; RELEASE ends it (and those inside it).
        del state.savepoints[state.savepoints.index(name) + (1 if verb == "ROLLBACK" else 0):]


def _sqlite_before_statement(connection, cursor, statement, _parameters, context, _many) -> None:
    state = connection.info.get(_STATE_KEY)
    if state is None or state.locked:
        return
    verb = statement.lstrip().split(None, 1)[0].upper() if statement.strip() else ""
    if verb in _TRANSACTION_VERBS:
        _track_savepoints(state, statement)
        return
    locks_rows = _locks_rows(context)
    writes = verb in _WRITE_VERBS or bool(context is not None and (
        context.isinsert or context.isupdate or context.isdelete))
    if not (writes or locks_rows):
        state.has_read = True
        return
    if state.has_read or locks_rows:
        # Read-only so far: end it (nothing to lose) and begin again with the write lock, waiting
        # for it like any writer; the caller's savepoints are made again, empty as they were.
        cursor.execute("COMMIT")
        cursor.execute("BEGIN IMMEDIATE")
        for name in state.savepoints:
            cursor.execute(f"SAVEPOINT {name}")
    # A write as the first statement waits for the lock itself (SQLite's busy handler covers it).
    state.locked = True


def _locks_rows(context) -> bool:
    """``SELECT … FOR UPDATE``: SQLite's compiler drops the clause, so it is read from the
    statement."""
    compiled = getattr(context, "compiled", None)
    return getattr(getattr(compiled, "statement", None), "_for_update_arg", None) is not None


# -- Rules that span rows, under concurrency ---------------------------------------------------

def lock_rows(model, ids) -> None:
    """Lock these rows of ``model`` until the transaction ends (ids in order, so two callers
    never wait for each other in a circle); ``None`` ids are skipped.

    For rules no constraint can state (a child is known by its parent, name and birth date): a
    second request for the same parent waits here, then sees what the first one committed.
    PostgreSQL: ``FOR NO KEY UPDATE``, which leaves rows that merely refer to these (foreign
    keys) free to be written. SQLite: the write lock (:func:`configure_sqlite`).
    """
    wanted = sorted({id_ for id_ in ids if id_ is not None})
    if wanted:
        session.execute(select(model.id).where(model.id.in_(wanted)).order_by(model.id)
                        .with_for_update(key_share=True)).all()


def lock_key(namespace: str, key: str) -> None:
    """Hold a lock on ``key`` (within ``namespace``) until the transaction ends.

    For a value no row holds yet (an ID number being registered). PostgreSQL: a transaction-level
    advisory lock on a 64-bit digest of both; SQLite: the write lock. ``key`` should not be
    personal data in clear (pass a blind index): lock keys are visible to database monitoring.
    """
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        digest = hashlib.sha256(f"{namespace}:{key}".encode()).digest()
        session.execute(select(func.pg_advisory_xact_lock(
            int.from_bytes(digest[:8], "big", signed=True))))
    else:
        take_write_lock()


def take_write_lock() -> None:
    """SQLite: hold the write lock from now until the transaction ends (waiting for it, and
    restarting a transaction that has only read, see :func:`configure_sqlite`).
    Elsewhere nothing."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(select(literal(1)).with_for_update()).all()


def violated_constraint(error: IntegrityError) -> str | None:
    """The name of the constraint (or SQLite trigger-enforced rule) ``error`` reports, if known.

    PostgreSQL names it in the error's diagnostics; SQLite names a unique index's columns
    (``UNIQUE constraint failed: cb_child.id_number_index``) and a trigger's message is the rule's
    name, so this returns ``table.column[, …]`` or the trigger message there.
    """
    original = getattr(error, "orig", None)
    diagnostics = getattr(original, "diag", None)
    name = getattr(diagnostics, "constraint_name", None)
    if name:
        return name
    message = str(original or "")
    for prefix in ("UNIQUE constraint failed: ", "CHECK constraint failed: "):
        if message.startswith(prefix):
            return message[len(prefix):].strip()
    return message.strip() or None
