"""``carebridge backup`` and ``carebridge restore``: the whole database in one file, and back.

A backup is one ``.tar`` file written under a temporary name and renamed when complete, so a
file with the final name is always whole. It holds two members:

* ``manifest.json``: :data:`FORMAT` and :data:`FORMAT_VERSION`, when it was taken (UTC), the
  database kind, the revision of both migration histories (the plugin's and the portal's), the
  number of rows of every table, the size and SHA-256 of the dump, and a one-way check value of
  each data key (never a key: see below);
* the dump: on SQLite ``database.sqlite3``, a copy made with SQLite's online backup API
  (``sqlite3.Connection.backup``: a consistent snapshot while the portal keeps writing, never a
  copy of the file); on PostgreSQL ``database.pgdump``, ``pg_dump --format=custom`` run on a
  snapshot exported by the transaction that counts the rows, so counts and dump agree.

Every file the portal stores (uploaded rosters and scans, signatures, generated PDFs and
spreadsheets, import error files) is a row of the database (``cb_task_chunk`` and the features'
binary columns), so it is in the dump. The instance folder holds only secrets: ``data_keys``
and ``secret_key``. Neither is ever put in a backup: whoever holds a backup would then hold the
means to read it. They are kept apart (README, "Backups and restore"), and without the data keys
a backup's children's data cannot be read.

Restoring reads the manifest, checks the dump against its SHA-256, refuses a backup from a newer
schema (a revision this code's migration histories do not know), a database kind other than the
target's, data keys other than those configured, and a target that already holds data unless
forced; it then replaces the target's content as one step (SQLite: the backup API again;
PostgreSQL: the objects dropped and the dump loaded by ``psql`` in one transaction) and
compares every table's row count with the manifest.
"""
from __future__ import annotations

import hashlib
import hmac
import io
import json
import os
import re
import secrets
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC
from importlib import metadata
from pathlib import Path
from typing import Any

from alembic.script import ScriptDirectory
from flask import current_app
from sqlalchemy import Connection, Engine, inspect, text
from sqlalchemy.engine import URL

from plugin.core.clock import utcnow
from plugin.core.errors import CareBridgeError
from plugin.core.i18n import N_
from plugin.extension import MIGRATIONS_DIR as PLUGIN_MIGRATIONS_DIR

from ..database import MIGRATIONS_DIR as PORTAL_MIGRATIONS_DIR
from ..database import VERSION_TABLE as PORTAL_VERSION_TABLE
from ..database import alembic_config

FORMAT = "carebridge-backup"
#: Raised when the archive's layout or the manifest's meaning changes; a restore refuses a
#: backup of a higher version (made by a newer CareBridge).
FORMAT_VERSION = 1
MANIFEST_NAME = "manifest.json"
DUMP_NAMES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
#: The migration histories: name in the manifest, scripts, version table.
HISTORIES = (("plugin", PLUGIN_MIGRATIONS_DIR, "cb_alembic_version"),
             ("portal", PORTAL_MIGRATIONS_DIR, PORTAL_VERSION_TABLE))
VERSION_TABLES = frozenset(table for _name, _dir, table in HISTORIES)
#: The label of the HMAC that gives a data key's check value (the key itself never leaves).
KEY_CHECK_LABEL = b"carebridge backup: data key check"
MAX_MANIFEST_BYTES = 4 * 1024 * 1024
COPY_BYTES = 1 << 20
#: How long a backup or restore waits for SQLite's locks (milliseconds' worth, in seconds).
SQLITE_TIMEOUT = 60.0


class BackupError(CareBridgeError):
    """A backup or a restore cannot go on; the message says why (Chinese msgid)."""


@dataclass
class BackupResult:
    path: Path
    manifest: dict[str, Any]


@dataclass
class RestoreResult:
    manifest: dict[str, Any]
    #: Histories whose restored revision is behind this code's head (``carebridge db upgrade``).
    behind: list[str] = field(default_factory=list)
    #: Data keys of the backup that the configured key ring lacks (older keys only; a missing
    #: current or index key refuses the restore).
    missing_old_keys: list[str] = field(default_factory=list)


# -- the database at hand ---------------------------------------------------------------------

def app_engine() -> Engine:
    return current_app.extensions["sqlalchemy"].engine


def database_kind(engine: Engine) -> str:
    name = engine.dialect.name
    if name not in DUMP_NAMES:
        raise BackupError(N_("不支持备份这种数据库：%(kind)s（只支持 SQLite 和 PostgreSQL）"),
                          kind=name)
    return name


def sqlite_path(engine: Engine) -> Path:
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        raise BackupError(N_("SQLite 数据库必须是一个文件才能备份或恢复：%(url)s"),
                          url=engine.url.render_as_string(hide_password=True))
    return Path(database)


def quote(name: str) -> str:
    """A table name as an SQL identifier (the same quoting on SQLite and PostgreSQL)."""
    return '"' + name.replace('"', '""') + '"'


def describe_connection(connection: Connection) -> tuple[dict[str, int], dict[str, list[str]]]:
    """Rows per table and the revisions of both histories, read on ``connection`` (inside the
    caller's transaction, so from one snapshot)."""
    tables = sorted(inspect(connection).get_table_names())
    counts = {table: connection.execute(
        text(f"SELECT count(*) FROM {quote(table)}")).scalar_one() for table in tables}
    revisions = {}
    for name, _directory, version_table in HISTORIES:
        revisions[name] = sorted(connection.execute(
            text(f"SELECT version_num FROM {version_table}")).scalars()) \
            if version_table in counts else []
    return counts, revisions


def describe_sqlite_file(path: Path) -> tuple[dict[str, int], dict[str, list[str]]]:
    """:func:`describe_connection` for a SQLite file that no app has open (a dump)."""
    connection = sqlite3.connect(path, timeout=SQLITE_TIMEOUT)
    try:
        tables = sorted(name for (name,) in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"))
        counts = {table: connection.execute(
            f"SELECT count(*) FROM {quote(table)}").fetchone()[0]
            for table in tables}
        revisions = {}
        for name, _directory, version_table in HISTORIES:
            revisions[name] = sorted(row[0] for row in connection.execute(
                f"SELECT version_num FROM {version_table}")) if version_table in counts else []
        return counts, revisions
    finally:
        connection.close()


def key_checks() -> dict[str, str]:
    """A one-way check value of each configured data key and of the blind-index key: enough to
    tell whether a restore runs with the keys the backup needs, nothing to recover them by."""
    keyring = current_app.extensions["carebridge"].cipher.keyring
    keys = {**keyring.keys, "index": keyring.index_key}
    return {key_id: hmac.new(key, KEY_CHECK_LABEL, hashlib.sha256).hexdigest()[:16]
            for key_id, key in keys.items()}


def current_key_id() -> str:
    return current_app.extensions["carebridge"].cipher.keyring.current_id


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(COPY_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


# -- PostgreSQL's tools -------------------------------------------------------------------------

def find_pg_tool(name: str) -> str:
    """The path of ``pg_dump``, ``pg_restore`` or ``psql``: in ``CAREBRIDGE_PG_BINDIR`` when set
    (only there); else on ``PATH``, else in ``pg_config --bindir``, else in the newest
    ``/usr/lib/postgresql/*/bin`` (Debian keeps the server's tools off ``PATH``)."""
    configured = current_app.config.get("CAREBRIDGE_PG_BINDIR")
    if configured:
        candidate = Path(configured) / name
        if os.access(candidate, os.X_OK):
            return str(candidate)
        raise BackupError(N_("CAREBRIDGE_PG_BINDIR（%(dir)s）里没有可运行的 %(tool)s"),
                          dir=configured, tool=name)
    found = shutil.which(name)
    if found:
        return found
    directories = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        try:
            directories.append(subprocess.run([pg_config, "--bindir"], capture_output=True,
                                              text=True, check=True, timeout=30).stdout.strip())
        except (OSError, subprocess.SubprocessError):
            pass
    directories += sorted((str(path) for path in Path("/usr/lib/postgresql").glob("*/bin")),
                          key=_version_key, reverse=True)
    for directory in directories:
        candidate = Path(directory) / name
        if os.access(candidate, os.X_OK):
            return str(candidate)
    raise BackupError(N_("找不到 PostgreSQL 的 %(tool)s：请安装 PostgreSQL 客户端（Debian："
                         "postgresql-client），或用 CAREBRIDGE_PG_BINDIR 指明它所在的目录"),
                      tool=name)


def _version_key(path: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", path))


def libpq_target(url: URL) -> tuple[str, dict[str, str]]:
    """The URL as libpq's tools take it (``postgresql://user@host/db``) and their environment,
    with the password in ``PGPASSWORD`` rather than on a command line others can read."""
    environment = dict(os.environ)
    if url.password:
        environment["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), environment


def run_tool(arguments: list[str], environment: Mapping[str, str], tool: str) -> None:
    try:
        result = subprocess.run(arguments, env=dict(environment), capture_output=True, text=True)
    except OSError as error:
        raise BackupError(N_("无法运行 %(tool)s：%(reason)s"), tool=tool,
                          reason=str(error)) from None
    if result.returncode != 0:
        detail = "\n".join(result.stderr.strip().splitlines()[-8:])
        raise BackupError(N_("%(tool)s 失败（退出码 %(code)s）：%(detail)s"), tool=tool,
                          code=result.returncode, detail=detail)


# -- backup ---------------------------------------------------------------------------------------

def default_name() -> str:
    return f"carebridge-backup-{utcnow():%Y%m%dT%H%M%SZ}.tar"


def create_backup(target: Path | None = None) -> BackupResult:
    """Back the app's database up into ``target`` (a file name, or a folder for the default
    name ``carebridge-backup-<UTC time>.tar``; the current folder when None)."""
    engine = app_engine()
    kind = database_kind(engine)
    target = Path(target) if target is not None else Path.cwd()
    if target.is_dir():
        target = target / default_name()
    if target.exists():
        raise BackupError(N_("文件已存在，不会覆盖：%(path)s"), path=str(target))
    if not target.parent.is_dir():
        raise BackupError(N_("目录不存在：%(path)s"), path=str(target.parent))
    with tempfile.TemporaryDirectory(prefix=".carebridge-backup-", dir=target.parent) as work:
        dump = Path(work) / DUMP_NAMES[kind]
        if kind == "sqlite":
            snapshot_sqlite(sqlite_path(engine), dump)
            counts, revisions = describe_sqlite_file(dump)
            server = sqlite3.sqlite_version
        else:
            counts, revisions, server = snapshot_postgresql(engine, dump)
        if not all(revisions.values()):
            raise BackupError(N_("数据库还没有建立表结构（没有迁移版本），无需备份；"
                                 "请先运行 carebridge db upgrade"))
        manifest = build_manifest(kind, dump, counts, revisions, server_version=server)
        write_archive(target, manifest, dump)
    return BackupResult(path=target, manifest=manifest)


def snapshot_sqlite(source: Path, dump: Path) -> None:
    """Copy the SQLite database at ``source`` into ``dump`` with the online backup API: one
    consistent snapshot (the copy runs in one step, inside one read transaction, so writers of
    the running portal go on and none of their half-done transactions is copied)."""
    if not source.is_file():
        raise BackupError(N_("找不到数据库文件：%(path)s"), path=str(source))
    origin = sqlite3.connect(source, timeout=SQLITE_TIMEOUT)
    copy = sqlite3.connect(dump)
    try:
        origin.backup(copy)
        # One self-contained file: no write-ahead log beside it.
        copy.execute("PRAGMA journal_mode=DELETE")
        verdict = copy.execute("PRAGMA quick_check").fetchone()[0]
        if verdict != "ok":
            raise BackupError(N_("数据库文件检查未通过：%(detail)s"), detail=verdict)
    except sqlite3.Error as error:
        raise BackupError(N_("SQLite 备份失败：%(reason)s"), reason=str(error)) from None
    finally:
        copy.close()
        origin.close()


def snapshot_postgresql(engine: Engine, dump: Path
                        ) -> tuple[dict[str, int], dict[str, list[str]], str]:
    """``pg_dump --format=custom`` into ``dump``, of the snapshot the rows were counted in: a
    REPEATABLE READ transaction exports its snapshot, counts, and stays open while ``pg_dump
    --snapshot`` reads exactly what it saw."""
    pg_dump = find_pg_tool("pg_dump")
    target, environment = libpq_target(engine.url)
    connection = engine.connect().execution_options(isolation_level="REPEATABLE READ")
    with connection, connection.begin():
        snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
        server = connection.execute(text("SHOW server_version")).scalar_one()
        counts, revisions = describe_connection(connection)
        run_tool([pg_dump, "--format=custom", f"--snapshot={snapshot}", "--file", str(dump),
                  "--dbname", target], environment, "pg_dump")
    return counts, revisions, server


def build_manifest(kind: str, dump: Path, counts: dict[str, int],
                   revisions: dict[str, list[str]], *, server_version: str | None = None
                   ) -> dict[str, Any]:
    try:
        version = metadata.version("carebridge")
    except metadata.PackageNotFoundError:
        version = None
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "created_at": utcnow().astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "carebridge_version": version,
        "database": {"kind": kind, "server_version": server_version},
        "dump": {"name": dump.name, "bytes": dump.stat().st_size, "sha256": sha256_of(dump)},
        "revisions": revisions,
        "tables": counts,
        # Never the keys: their check values, and which one encrypted new data at the time.
        "data_keys": {"current": current_key_id(), "checks": key_checks(),
                      "included": False},
    }


def write_archive(target: Path, manifest: dict[str, Any], dump: Path) -> None:
    """The manifest and the dump as one tar file: written under a temporary name beside
    ``target``, flushed to disk, then renamed, so ``target`` is whole or absent. Readable by
    its owner only: it holds personal data."""
    partial = target.with_name(f".{target.name}.{secrets.token_hex(6)}.partial")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            with tarfile.open(fileobj=handle, mode="w", format=tarfile.PAX_FORMAT) as archive:
                body = json.dumps(manifest, ensure_ascii=False, indent=2,
                                  sort_keys=True).encode("utf-8")
                member = tarfile.TarInfo(MANIFEST_NAME)
                member.size, member.mode = len(body), 0o600
                member.mtime = int(utcnow().timestamp())
                archive.addfile(member, io.BytesIO(body))
                member = archive.gettarinfo(str(dump), arcname=dump.name)
                member.mode, member.uid, member.gid, member.uname, member.gname = (
                    0o600, 0, 0, "", "")
                with open(dump, "rb") as source:
                    archive.addfile(member, source)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    directory = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


# -- reading a backup ---------------------------------------------------------------------------

@contextmanager
def opened_backup(path: Path, work: Path) -> Iterator[tuple[dict[str, Any], Path]]:
    """The manifest of the backup at ``path`` and its dump extracted into ``work``, checked:
    the layout, the manifest's format and fields, the dump's size and SHA-256."""
    with _open_archive(path) as archive:
        try:
            members = {member.name: member for member in archive.getmembers()}
        except (tarfile.TarError, OSError):
            raise BackupError(N_("备份文件已损坏（内容不完整）：%(path)s"),
                              path=str(path)) from None
        manifest_member = members.get(MANIFEST_NAME)
        if manifest_member is None or not manifest_member.isfile() \
                or manifest_member.size > MAX_MANIFEST_BYTES:
            raise BackupError(N_("这不是 CareBridge 备份文件（没有清单 manifest.json）：%(path)s"),
                              path=str(path))
        manifest = parse_manifest(archive.extractfile(manifest_member).read())
        dump_name = manifest["dump"]["name"]
        dump_member = members.get(dump_name)
        unexpected = set(members) - {MANIFEST_NAME, dump_name}
        if dump_member is None or not dump_member.isfile() or unexpected:
            raise BackupError(N_("备份文件的内容与清单不符（应只有 %(names)s）"),
                              names=f"{MANIFEST_NAME}, {dump_name}")
        dump = work / dump_name
        digest = hashlib.sha256()
        size = 0
        try:
            source = archive.extractfile(dump_member)
            with open(dump, "wb") as target:
                while chunk := source.read(COPY_BYTES):
                    digest.update(chunk)
                    size += len(chunk)
                    target.write(chunk)
        except (tarfile.TarError, OSError):
            raise BackupError(N_("备份文件已损坏（内容不完整）：%(path)s"),
                              path=str(path)) from None
    if size != manifest["dump"]["bytes"] or not hmac.compare_digest(
            digest.hexdigest(), manifest["dump"]["sha256"]):
        raise BackupError(N_("备份文件已损坏或被改动：数据库内容的 SHA-256 与清单不符，"
                             "不能用它恢复"))
    yield manifest, dump


def _open_archive(path: Path) -> tarfile.TarFile:
    try:
        return tarfile.open(path, mode="r:")
    except FileNotFoundError:
        raise BackupError(N_("找不到备份文件：%(path)s"), path=str(path)) from None
    except (tarfile.TarError, OSError):
        raise BackupError(N_("这不是 CareBridge 备份文件（无法作为 tar 文件读取）：%(path)s"),
                          path=str(path)) from None


def parse_manifest(body: bytes) -> dict[str, Any]:
    try:
        manifest = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise BackupError(N_("备份清单无法读取（不是 JSON）")) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(N_("这不是 CareBridge 备份文件（清单格式不对）"))
    version = manifest.get("format_version")
    if not isinstance(version, int) or version < 1:
        raise BackupError(N_("备份清单缺少或写错了字段：%(field)s"), field="format_version")
    if version > FORMAT_VERSION:
        raise BackupError(N_("这个备份由更新版本的 CareBridge 制作（备份格式 %(version)s），"
                             "这个版本只认得格式 %(known)s：请先升级 CareBridge"),
                          version=version, known=FORMAT_VERSION)
    checks = (
        ("database.kind", lambda m: m["database"]["kind"] in DUMP_NAMES),
        ("dump.name", lambda m: m["dump"]["name"] == DUMP_NAMES[m["database"]["kind"]]),
        ("dump.bytes", lambda m: isinstance(m["dump"]["bytes"], int)),
        ("dump.sha256", lambda m: re.fullmatch(r"[0-9a-f]{64}", m["dump"]["sha256"])),
        ("tables", lambda m: isinstance(m["tables"], dict) and all(
            isinstance(name, str) and isinstance(count, int) and count >= 0
            for name, count in m["tables"].items())),
        ("revisions", lambda m: all(
            isinstance(m["revisions"][name], list) and m["revisions"][name]
            and all(isinstance(revision, str) for revision in m["revisions"][name])
            for name, _directory, _table in HISTORIES)),
        ("data_keys", lambda m: isinstance(m["data_keys"]["checks"], dict)
            and isinstance(m["data_keys"]["current"], str)),
        ("created_at", lambda m: isinstance(m["created_at"], str)),
    )
    for name, check in checks:
        try:
            valid = bool(check(manifest))
        except (KeyError, TypeError, AttributeError):
            valid = False
        if not valid:
            raise BackupError(N_("备份清单缺少或写错了字段：%(field)s"), field=name)
    return manifest


def check_revisions(manifest: dict[str, Any]) -> list[str]:
    """Refuse revisions this code does not know (a backup from a newer schema); returns the
    histories whose revision is behind this code's head."""
    behind = []
    for name, directory, _table in HISTORIES:
        script = ScriptDirectory.from_config(alembic_config(directory))
        for revision in manifest["revisions"][name]:
            try:
                known = script.get_revision(revision)
            except Exception:  # alembic's ResolutionError / CommandError for unknown ids
                known = None
            if known is None:
                raise BackupError(N_("备份来自更新的数据库结构（%(history)s 迁移版本 %(revision)s "
                                     "不在这个版本的代码里）：请先把 CareBridge 升级到制作备份"
                                     "时的版本或更新版本再恢复"),
                                  history=name, revision=revision)
        if set(manifest["revisions"][name]) != set(script.get_heads()):
            behind.append(name)
    return behind


def check_keys(manifest: dict[str, Any]) -> list[str]:
    """Refuse when the configured keys cannot read the backup's encrypted fields (its current
    data key or its blind-index key is missing or different); returns older data keys of the
    backup that are not configured (data still under them would not be readable)."""
    configured = key_checks()
    wanted = manifest["data_keys"]["checks"]
    essential = {manifest["data_keys"]["current"], "index"}
    missing_old = []
    for key_id, check in sorted(wanted.items()):
        if configured.get(key_id) == check:
            continue
        if key_id in essential:
            raise BackupError(N_("配置的数据密钥与备份不符（密钥 %(key)s 缺失或不同）：恢复后"
                                 "儿童的加密信息将无法读取。请先配置制作备份时的数据密钥"
                                 "（CAREBRIDGE_DATA_KEY 或 instance/data_keys）"),
                              key=key_id)
        missing_old.append(key_id)
    return missing_old


# -- restore --------------------------------------------------------------------------------------

def tables_with_rows(engine: Engine) -> list[str]:
    """Tables of the target that hold rows, the migration version tables left out: a freshly
    migrated database holds no data."""
    with engine.connect() as connection:
        counts, _revisions = describe_connection(connection)
        connection.rollback()
    return sorted(table for table, count in counts.items()
                  if count and table not in VERSION_TABLES)


def restore_backup(path: Path, *, force: bool = False) -> RestoreResult:
    """Replace the app's database with the backup at ``path`` after every check (module
    docstring), then compare the restored row counts with the manifest."""
    engine = app_engine()
    kind = database_kind(engine)
    with tempfile.TemporaryDirectory(prefix="carebridge-restore-") as work, \
            opened_backup(Path(path), Path(work)) as (manifest, dump):
        if manifest["database"]["kind"] != kind:
            raise BackupError(N_("这是 %(backup)s 数据库的备份，不能恢复到 %(target)s 数据库"),
                              backup=manifest["database"]["kind"], target=kind)
        behind = check_revisions(manifest)
        missing_old = check_keys(manifest)
        if kind == "sqlite":
            # What the dump itself says, not only its manifest (the SHA-256 ties them already).
            counts, revisions = describe_sqlite_file(dump)
            if revisions != manifest["revisions"] or counts != manifest["tables"]:
                raise BackupError(N_("备份文件的内容与清单不符（迁移版本或行数不同）"))
        occupied = tables_with_rows(engine)
        if occupied and not force:
            raise BackupError(N_("目标数据库已有数据（%(count)s 张表有记录，如 %(tables)s）："
                                 "恢复会用备份替换全部数据。确定要这样做，请加 --force"),
                              count=len(occupied), tables=", ".join(occupied[:3]))
        engine.dispose()
        if kind == "sqlite":
            restore_sqlite(dump, sqlite_path(engine))
        else:
            restore_postgresql(dump, engine, Path(work))
        engine.dispose()
        verify_restored(engine, manifest)
    return RestoreResult(manifest=manifest, behind=behind, missing_old_keys=missing_old)


def restore_sqlite(dump: Path, target: Path) -> None:
    """Write the dump over the database at ``target`` with the backup API: the whole content is
    replaced in one write transaction (readers see the old or the new database, never a mix)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    origin = sqlite3.connect(dump)
    destination = sqlite3.connect(target, timeout=SQLITE_TIMEOUT)
    try:
        origin.backup(destination)
    except sqlite3.Error as error:
        raise BackupError(N_("SQLite 恢复失败：%(reason)s"), reason=str(error)) from None
    finally:
        destination.close()
        origin.close()


#: Objects of the target's own schemas that a restore drops first (extensions' members stay:
#: the dump says ``CREATE EXTENSION IF NOT EXISTS``).
_PG_OWN_OBJECTS = """
WITH own AS (
    SELECT n.oid, n.nspname FROM pg_namespace n
    WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
      AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'
)
SELECT CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                      WHEN 'S' THEN 'SEQUENCE' WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END,
       format('%I.%I', own.nspname, c.relname)
FROM pg_class c JOIN own ON own.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                  AND d.objid = c.oid AND d.deptype = 'e')
UNION ALL
SELECT CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END,
       format('%I.%I', own.nspname, t.typname)
FROM pg_type t JOIN own ON own.oid = t.typnamespace
WHERE (t.typtype IN ('e', 'd', 'r', 'm')
       OR (t.typtype = 'c' AND (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c'))
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_type'::regclass
                  AND d.objid = t.oid AND d.deptype = 'e')
UNION ALL
SELECT CASE p.prokind WHEN 'a' THEN 'AGGREGATE' WHEN 'p' THEN 'PROCEDURE' ELSE 'FUNCTION' END,
       format('%I.%I(%s)', own.nspname, p.proname, pg_get_function_identity_arguments(p.oid))
FROM pg_proc p JOIN own ON own.oid = p.pronamespace
WHERE NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
                  AND d.objid = p.oid AND d.deptype = 'e')
"""


def restore_postgresql(dump: Path, engine: Engine, work: Path) -> None:
    """Drop the target's objects and load the dump in ONE transaction (``psql
    --single-transaction`` over the drop statements and ``pg_restore``'s SQL): if anything
    fails, the target keeps what it had."""
    pg_restore, psql = find_pg_tool("pg_restore"), find_pg_tool("psql")
    target, environment = libpq_target(engine.url)
    script = work / "restore.sql"
    # Also proves the archive readable before the target is touched.
    run_tool([pg_restore, "--no-owner", "--no-acl", "--file", str(script), str(dump)],
             environment, "pg_restore")
    with engine.connect() as connection:
        objects = connection.execute(text(_PG_OWN_OBJECTS)).all()
        connection.rollback()
    drops = work / "drop.sql"
    drops.write_text("".join(f"DROP {kind} IF EXISTS {name} CASCADE;\n"
                             for kind, name in objects), encoding="utf-8")
    run_tool([psql, "--no-psqlrc", "--quiet", "--set", "ON_ERROR_STOP=1",
              "--single-transaction", "--file", str(drops), "--file", str(script),
              "--dbname", target], environment, "psql")


def verify_restored(engine: Engine, manifest: dict[str, Any]) -> None:
    """Every table of the manifest with its number of rows, no other table, the same
    revisions; else an error naming the differences."""
    with engine.connect() as connection:
        counts, revisions = describe_connection(connection)
        connection.rollback()
    expected = manifest["tables"]
    differences = [f"{table}: {expected.get(table, '-')} → {counts.get(table, '-')}"
                   for table in sorted(set(expected) | set(counts))
                   if expected.get(table) != counts.get(table)]
    differences += [f"{name}: {manifest['revisions'][name]} → {revisions.get(name)}"
                    for name, _directory, _table in HISTORIES
                    if revisions.get(name) != manifest["revisions"][name]]
    if differences:
        raise BackupError(N_("恢复后的数据库与备份清单不符：%(differences)s"),
                          differences="; ".join(differences[:20]))
