"""``carebridge backup`` / ``carebridge restore`` (employer_portal.operations.backup).

The demo company is loaded once into a database of its own (a sibling of the test database:
SQLite here, PostgreSQL under ``scripts/with-postgres.sh``), backed up once, and restored into
fresh databases; every table of the copy is compared row by row with the original, encrypted
columns as stored. The refusals (a tampered file, a non-empty target without ``--force``, a
newer schema, other data keys, not a backup at all) leave the target as it was. On SQLite a
backup taken while a writer commits pairs of rows holds whole pairs only.
"""
from __future__ import annotations

import io
import json
import os
import sqlite3
import stat
import tarfile
import threading
import time
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from employer_portal import create_app
from employer_portal.database import MIGRATIONS_DIR as PORTAL_MIGRATIONS_DIR
from employer_portal.database import alembic_config
from employer_portal.operations import backup as operations
from plugin.core.db import session
from plugin.extension import MIGRATIONS_DIR as PLUGIN_MIGRATIONS_DIR
from plugin.privacy.crypto import KeyRing

from .conftest import TEST_DATA_KEY, portal_test_config
from .support import sibling_database_url

pytestmark = pytest.mark.committing

KEYS_REMINDER = "备份里没有数据密钥"


class Databases:
    """Sibling databases made by this module, dropped at its end."""

    def __init__(self, base_url: str, tmp_path_factory):
        self.base_url = base_url
        self.tmp_path_factory = tmp_path_factory
        self.urls: list[str] = []
        self.apps: list = []

    def new(self, suffix: str, **config):
        url = sibling_database_url(self.base_url, suffix,
                                   self.tmp_path_factory.mktemp(f"ops-{suffix}"))
        self.urls.append(url)
        app = create_app(portal_test_config(url, **config))
        self.apps.append(app)
        return app

    def close(self) -> None:
        for app in self.apps:
            with app.app_context():
                session.remove()
                app.extensions["sqlalchemy"].engine.dispose()
        for url in self.urls:
            parsed = make_url(url)
            if parsed.get_backend_name() == "postgresql":
                admin = create_engine(parsed.set(database="postgres"),
                                      isolation_level="AUTOCOMMIT")
                with admin.connect() as connection:
                    connection.execute(
                        text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
                admin.dispose()


def url_of(app) -> str:
    return app.config["SQLALCHEMY_DATABASE_URI"]


def run(app, *args: str):
    result = app.test_cli_runner().invoke(args=list(args))
    with app.app_context():
        session.remove()
    return result


def all_rows(url: str) -> dict[str, list[tuple]]:
    """Every row of every table as the driver returns it (encrypted columns as stored),
    sorted, so two databases compare table by table and row by row."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            tables = {}
            for table in sorted(inspect(connection).get_table_names()):
                rows = connection.execute(text(f'SELECT * FROM "{table}"')).all()
                tables[table] = sorted((tuple(normalise(value) for value in row) for row in rows),
                                       key=repr)
            return tables
    finally:
        engine.dispose()


def normalise(value):
    if isinstance(value, memoryview):
        return bytes(value)
    return value


def row_counts(url: str) -> dict[str, int]:
    return {table: len(rows) for table, rows in all_rows(url).items()}


def archive_members(path: Path) -> dict[str, bytes]:
    with tarfile.open(path) as archive:
        return {member.name: archive.extractfile(member).read()
                for member in archive.getmembers()}


def rewrite_archive(source: Path, target: Path, *, manifest=None, dump: bytes | None = None):
    """A copy of the backup at ``source`` with its manifest or dump replaced."""
    members = archive_members(source)
    original = json.loads(members["manifest.json"])
    manifest = manifest(original) if manifest else original
    name = original["dump"]["name"]
    with tarfile.open(target, "w") as archive:
        for member_name, body in (("manifest.json", json.dumps(manifest).encode()),
                                  (name, members[name] if dump is None else dump)):
            info = tarfile.TarInfo(member_name)
            info.size = len(body)
            archive.addfile(info, io.BytesIO(body))
    return target


def heads(directory) -> list[str]:
    return sorted(ScriptDirectory.from_config(alembic_config(directory)).get_heads())


@pytest.fixture(scope="module")
def databases(database_url, tmp_path_factory):
    made = Databases(database_url, tmp_path_factory)
    yield made
    made.close()


@pytest.fixture(scope="module")
def source(databases):
    """The demo company in a database of its own."""
    app = databases.new("ops_source")
    result = run(app, "seed-demo", "--password", "Demo-2026x")
    assert result.exit_code == 0, result.output
    return app


@pytest.fixture(scope="module")
def backup_file(source, tmp_path_factory):
    folder = tmp_path_factory.mktemp("backups")
    result = run(source, "backup", str(folder))
    assert result.exit_code == 0, result.output
    [path] = folder.iterdir()
    return path, result


@pytest.fixture(scope="module")
def restored(databases, backup_file):
    """The backup restored into a fresh database that was never migrated."""
    app = databases.new("ops_restored")
    result = run(app, "restore", str(backup_file[0]))
    return app, result


def test_a_restored_copy_holds_every_row_of_every_table(source, restored):
    app, result = restored
    assert result.exit_code == 0, result.output
    assert "行数与备份清单一致" in result.output
    assert KEYS_REMINDER in result.output
    original, copy = all_rows(url_of(source)), all_rows(url_of(app))
    assert sorted(copy) == sorted(original)
    for table, rows in original.items():
        assert copy[table] == rows, f"{table} differs"
    # The demo fills the tables that matter, encrypted columns included.
    assert len(original["cb_worker"]) >= 250 and original["cb_child"]
    assert original["cb_task_chunk"], "the demo's stored files (task chunks) are backed up"


def test_the_backup_is_one_file_with_a_manifest_that_describes_it(source, backup_file):
    path, result = backup_file
    assert path.name.startswith("carebridge-backup-") and path.suffix == ".tar"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert not [name for name in os.listdir(path.parent) if name != path.name]
    members = archive_members(path)
    manifest = json.loads(members["manifest.json"])
    kind = make_url(url_of(source)).get_backend_name()
    dump_name = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}[kind]
    assert set(members) == {"manifest.json", dump_name}
    assert manifest["format"] == "carebridge-backup" and manifest["format_version"] == 1
    assert manifest["database"]["kind"] == kind
    assert manifest["created_at"].endswith("Z") and "T" in manifest["created_at"]
    assert manifest["tables"] == row_counts(url_of(source))
    assert manifest["revisions"] == {"plugin": heads(PLUGIN_MIGRATIONS_DIR),
                                     "portal": heads(PORTAL_MIGRATIONS_DIR)}
    import hashlib

    dump = members[dump_name]
    assert manifest["dump"] == {"name": dump_name, "bytes": len(dump),
                                "sha256": hashlib.sha256(dump).hexdigest()}
    assert manifest["dump"]["sha256"] in result.output
    # The keys are never in it: neither the data keys nor the blind-index key, in any form.
    assert manifest["data_keys"]["included"] is False
    whole = path.read_bytes()
    for entry in TEST_DATA_KEY.split(","):
        assert entry.split(":")[1].encode() not in whole
    assert KEYS_REMINDER in result.output


def test_backup_never_overwrites_a_file(source, backup_file):
    path, _result = backup_file
    before = path.read_bytes()
    result = run(source, "backup", str(path))
    assert result.exit_code == 1
    assert "文件已存在，不会覆盖" in result.output
    assert path.read_bytes() == before


def test_a_target_with_data_is_refused_without_force_and_replaced_with_it(
        source, restored, backup_file):
    app, first = restored
    assert first.exit_code == 0, first.output
    engine = create_engine(url_of(app))
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO cb_scheduler_lease (name, holder, acquired_at, expires_at) "
            "VALUES ('stray', 'elsewhere:1', '2026-11-22 02:00:00', '2026-11-22 02:01:00')"))
    engine.dispose()
    refused = run(app, "restore", str(backup_file[0]))
    assert refused.exit_code == 1
    assert "目标数据库已有数据" in refused.output and "--force" in refused.output
    assert "stray" in str(all_rows(url_of(app))["cb_scheduler_lease"])

    forced = run(app, "restore", "--force", str(backup_file[0]))
    assert forced.exit_code == 0, forced.output
    assert all_rows(url_of(app)) == all_rows(url_of(source))


def test_a_tampered_backup_is_refused_and_the_target_left_alone(databases, backup_file,
                                                                tmp_path):
    path = backup_file[0]
    members = archive_members(path)
    name = json.loads(members["manifest.json"])["dump"]["name"]
    dump = bytearray(members[name])
    dump[len(dump) // 2] ^= 0x01
    tampered = rewrite_archive(path, tmp_path / "tampered.tar", dump=bytes(dump))
    app = databases.new("ops_tampered")
    result = run(app, "restore", str(tampered))
    assert result.exit_code == 1
    assert "SHA-256 与清单不符" in result.output
    assert all_rows(url_of(app)) == {}

    # A file cut short is refused too, as is a file that is no backup at all.
    cut = tmp_path / "cut.tar"
    cut.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    assert "备份文件" in run(app, "restore", str(cut)).output
    other = tmp_path / "notes.tar"
    other.write_bytes(b"not a backup at all")
    result = run(app, "restore", str(other))
    assert result.exit_code == 1 and "这不是 CareBridge 备份文件" in result.output
    assert all_rows(url_of(app)) == {}


def test_a_backup_from_a_newer_schema_is_refused(databases, backup_file, tmp_path):
    def newer(manifest):
        manifest["revisions"]["plugin"] = ["ffffffffffff"]
        return manifest

    newer_file = rewrite_archive(backup_file[0], tmp_path / "newer.tar", manifest=newer)
    app = databases.new("ops_newer")
    result = run(app, "restore", str(newer_file))
    assert result.exit_code == 1
    assert "备份来自更新的数据库结构" in result.output and "ffffffffffff" in result.output
    assert all_rows(url_of(app)) == {}

    def newer_format(manifest):
        manifest["format_version"] = 2
        return manifest

    result = run(app, "restore", str(rewrite_archive(backup_file[0], tmp_path / "v2.tar",
                                                     manifest=newer_format)))
    assert result.exit_code == 1 and "更新版本的 CareBridge" in result.output


def test_a_manifest_that_lies_about_the_rows_is_caught(databases, backup_file, tmp_path):
    def more_workers(manifest):
        manifest["tables"]["cb_worker"] += 1
        return manifest

    lying = rewrite_archive(backup_file[0], tmp_path / "lying.tar", manifest=more_workers)
    app = databases.new("ops_lying")
    result = run(app, "restore", str(lying))
    assert result.exit_code == 1
    assert "不符" in result.output
    if make_url(url_of(app)).get_backend_name() == "sqlite":
        # SQLite: the dump itself is read before anything is written.
        assert all_rows(url_of(app)) == {}
    else:
        assert "cb_worker" in result.output


def test_restore_needs_the_data_keys_of_the_backup(databases, backup_file):
    app = databases.new("ops_other_keys", CAREBRIDGE_DATA_KEY=KeyRing.generate().serialize())
    result = run(app, "restore", str(backup_file[0]))
    assert result.exit_code == 1
    assert "配置的数据密钥与备份不符" in result.output
    assert all_rows(url_of(app)) == {}


def test_a_freshly_migrated_database_counts_as_empty(databases, source, backup_file):
    app = databases.new("ops_migrated")
    assert run(app, "db", "upgrade").exit_code == 0
    result = run(app, "restore", str(backup_file[0]))
    assert result.exit_code == 0, result.output
    assert row_counts(url_of(app)) == row_counts(url_of(source))


def test_a_sqlite_backup_taken_while_a_writer_commits_is_consistent(databases, source,
                                                                    tmp_path):
    if make_url(url_of(source)).get_backend_name() != "sqlite":
        pytest.skip("SQLite's online backup; PostgreSQL dumps one exported snapshot")
    app = databases.new("ops_busy")
    busy = Path(make_url(url_of(app)).database)
    origin, copy = sqlite3.connect(make_url(url_of(source)).database), sqlite3.connect(busy)
    origin.backup(copy)
    origin.close()
    copy.execute("CREATE TABLE ops_pair_a (id INTEGER PRIMARY KEY, n INTEGER)")
    copy.execute("CREATE TABLE ops_pair_b (id INTEGER PRIMARY KEY, n INTEGER)")
    copy.commit()
    copy.close()

    stop, errors, written = threading.Event(), [], [0]

    def writer():
        connection = sqlite3.connect(busy, timeout=30, isolation_level=None)
        connection.execute("PRAGMA journal_mode=WAL")
        try:
            while not stop.is_set():
                connection.execute("BEGIN IMMEDIATE")
                connection.execute("INSERT INTO ops_pair_a (n) VALUES (?)", (written[0],))
                time.sleep(0.001)  # half a pair on disk for a moment
                connection.execute("INSERT INTO ops_pair_b (n) VALUES (?)", (written[0],))
                connection.execute("COMMIT")
                written[0] += 1
        except Exception as error:  # reported by the test
            errors.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while written[0] < 5:
            time.sleep(0.01)
        paths = []
        for number in range(3):
            before = written[0]
            target = tmp_path / f"busy-{number}.tar"
            result = run(app, "backup", str(target))
            assert result.exit_code == 0, result.output
            assert written[0] > before, "the writer went on during the backup"
            paths.append(target)
    finally:
        stop.set()
        thread.join()
    assert not errors
    for path in paths:
        with app.app_context(), operations.opened_backup(path, tmp_path) as (manifest, dump):
            counts, _revisions = operations.describe_sqlite_file(dump)
            assert counts == manifest["tables"]
            assert counts["ops_pair_a"] == counts["ops_pair_b"] > 0
            check = sqlite3.connect(dump)
            assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            assert check.execute("SELECT count(*) FROM ops_pair_a JOIN ops_pair_b "
                                 "USING (id, n)").fetchone()[0] == counts["ops_pair_a"]
            check.close()
    target = databases.new("ops_busy_restored")
    result = run(target, "restore", str(paths[-1]))
    assert result.exit_code == 0, result.output


def test_a_missing_postgresql_tool_is_named(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "CAREBRIDGE_PG_BINDIR", str(tmp_path))
    with app.app_context(), pytest.raises(operations.BackupError) as caught:
        operations.find_pg_tool("pg_dump")
    assert "CAREBRIDGE_PG_BINDIR" in caught.value.bilingual()
    assert "pg_dump" in caught.value.bilingual()
    monkeypatch.setitem(app.config, "CAREBRIDGE_PG_BINDIR", None)
    monkeypatch.setenv("PATH", str(tmp_path))
    with app.app_context():
        found = operations.find_pg_tool("pg_restore")  # pg_config or Debian's folder
    assert found.endswith("/pg_restore") and os.access(found, os.X_OK)
