"""``carebridge rotate-keys`` on a populated database (the demo company): after adding a key,
re-encrypting and removing the old key, a portal started with only the new key reads every
encrypted column of every table (found by their EncryptedText / EncryptedBytes types in the
metadata, not by a list) and every stored task file. Runs on SQLite and, with
``scripts/with-postgres.sh``, on PostgreSQL.

The database is a sibling of the test database; the commands commit, like the real ones.
"""
from __future__ import annotations

import pytest
from sqlalchemy import create_engine, exists, func, select, text
from sqlalchemy.engine import make_url

from employer_portal import create_app
from plugin.core.db import Base, session
from plugin.core.task_files import stored_file
from plugin.core.tasks import Task, TaskChunk
from plugin.privacy.cli import encrypted_columns, stored_key_ids, task_file_contexts
from plugin.privacy.crypto import EncryptedBytes, EncryptedText, KeyRing

from .conftest import portal_test_config
from .support import sibling_database_url

pytestmark = pytest.mark.committing


def every_encrypted_column() -> list[tuple[type, str]]:
    found = [(model, name) for kind in (EncryptedText, EncryptedBytes)
             for model, names in encrypted_columns(kind).items() for name in names]
    assert found and {EncryptedText, EncryptedBytes} == {
        type(getattr(model, name).type) for model, name in found}
    return found


def read_everything() -> dict[str, int]:
    """Decrypt every stored value of every encrypted column and every task file chunk (through
    the models' types and the task files' reader); how many values each column holds."""
    read: dict[str, int] = {}
    for model, name in every_encrypted_column():
        column = getattr(model, name)
        pk = model.__mapper__.primary_key[0]
        values = session.execute(select(pk, column).where(column.is_not(None))
                                 .order_by(pk)).all()  # decrypts each, or raises
        assert all(isinstance(value, (str, bytes)) for _key, value in values)
        read[f"{model.__tablename__}.{name}"] = len(values)
    contexts = task_file_contexts()
    tasks = session.execute(select(Task).where(
        exists().where(TaskChunk.task_id == Task.id)).order_by(Task.id)).scalars().all()
    files = 0
    for task in tasks:
        names = session.execute(select(TaskChunk.name).where(TaskChunk.task_id == task.id)
                                .distinct()).scalars().all()
        for name in names:
            kind = _task_kinds()[task.kind]
            assert (task.kind, name) in contexts
            content = b"".join(stored_file(kind, task.id, name).chunks())
            assert content
            files += 1
    read["task files"] = files
    return read


#: Rows for tables the demo leaves empty (each builder gets nothing and adds one row that
#: refers to demo rows). A new encrypted table without demo rows fails below until it has one.
def _evidence():
    from plugin.aid.models import AidApplication, Evidence

    application = session.execute(select(AidApplication).limit(1)).scalar_one()
    return Evidence(application_id=application.id, filename="证明.png", content_type="image/png",
                    size=4, content=b"\x89PNG", uploaded_by="tests")


def _visit_photo():
    from plugin.aid.models import UnionVisit, VisitPhoto

    visit = session.execute(select(UnionVisit).limit(1)).scalar_one()
    return VisitPhoto(visit_id=visit.id, filename="慰问.jpg", content_type="image/jpeg",
                      content=b"\xff\xd8\xff")


EMPTY_TABLE_ROWS = {"cb_aid_evidence": _evidence, "cb_aid_visit_photo": _visit_photo}


def fill_empty_columns() -> None:
    """Give every encrypted column the demo leaves empty a value (under the old key), so the
    rotation is proven on every one of them."""
    empty_tables = []
    for model, name in every_encrypted_column():
        column = getattr(model, name)
        if session.execute(select(func.count()).where(column.is_not(None))).scalar_one():
            continue
        row = session.execute(select(model).limit(1)).scalars().first()
        if row is None and model.__tablename__ in EMPTY_TABLE_ROWS:
            row = EMPTY_TABLE_ROWS[model.__tablename__]()
            session.add(row)
        if row is None:
            empty_tables.append(model.__tablename__)
            continue
        sample = b"sample" if isinstance(column.type, EncryptedBytes) else "轮换密钥测试"
        setattr(row, name, sample)
        session.flush()
    assert not empty_tables, f"no demo rows in {empty_tables}: add a builder to EMPTY_TABLE_ROWS"
    session.commit()


def _task_kinds():
    import sys

    from plugin.core.tasks import TaskKind

    return {value.name: value for module_name, module in list(sys.modules.items())
            if module_name.startswith("plugin.") and module is not None
            for value in vars(module).values() if isinstance(value, TaskKind)}


@pytest.fixture(scope="module")
def populated(database_url, tmp_path_factory):
    """The demo company in a fresh database of its own, and its URL."""
    url = sibling_database_url(database_url, "rotation", tmp_path_factory.mktemp("rotation-db"))
    old_keys = KeyRing.generate().serialize()
    app = create_app(portal_test_config(url, CAREBRIDGE_DATA_KEY=old_keys))
    result = app.test_cli_runner().invoke(args=["seed-demo", "--password", "Demo-2026x"])
    assert result.exit_code == 0, result.output
    yield app, url, old_keys
    with app.app_context():
        session.remove()
        app.extensions["sqlalchemy"].engine.dispose()
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
        admin.dispose()


def test_after_rotation_everything_reads_with_only_the_new_key(populated):
    app, url, old_keys = populated
    runner = app.test_cli_runner()
    with app.app_context():
        fill_empty_columns()
        before = read_everything()
        assert set(stored_key_ids()) == {"k1"}
    # Every encrypted column holds values, and there are task files.
    assert all(before.values()), before
    assert before["task files"] > 0

    added = runner.invoke(args=["rotate-keys", "--add-key"])
    assert added.exit_code == 0, added.output
    assert "CAREBRIDGE_DATA_KEY=k2:" in added.output
    early = runner.invoke(args=["rotate-keys", "--remove-old-keys"])
    assert early.exit_code != 0 and "run --reencrypt first" in early.output
    done = runner.invoke(args=["rotate-keys", "--reencrypt"])
    assert done.exit_code == 0, done.output
    total = sum(before.values()) - before["task files"]
    assert "under key k2" in done.output
    with app.app_context():
        counted = stored_key_ids()
        assert set(counted) == {"k2"}
        chunks = session.execute(select(func.count()).select_from(TaskChunk)).scalar_one()
        assert counted["k2"] == total + chunks
    removed = runner.invoke(args=["rotate-keys", "--remove-old-keys"])
    assert removed.exit_code == 0, removed.output
    new_keys = removed.output.strip().splitlines()[-1].partition("=")[2]
    assert new_keys.startswith("k2:") and "k1:" not in new_keys
    assert KeyRing.from_config(new_keys).index_key == KeyRing.from_config(old_keys).index_key

    # A portal that never knew k1 reads everything.
    fresh = create_app(portal_test_config(url, CAREBRIDGE_DATA_KEY=new_keys))
    with fresh.app_context():
        assert read_everything() == before
        session.remove()
        fresh.extensions["sqlalchemy"].engine.dispose()


def test_every_encrypted_column_is_found_in_the_metadata(populated):
    """The columns come from the types; a model's encrypted column is never left out."""
    app, _url, _keys = populated
    with app.app_context():
        columns = {f"{model.__tablename__}.{name}" for model, name in every_encrypted_column()}
        typed = {f"{table.name}.{column.name}" for table in Base.metadata.tables.values()
                 for column in table.columns
                 if isinstance(column.type, (EncryptedText, EncryptedBytes))}
        assert columns == typed
