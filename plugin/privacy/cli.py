"""``carebridge rotate-keys``: add a data key, re-encrypt stored values and files under it,
then drop the old keys."""
from __future__ import annotations

import os
import sys
from collections import Counter
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import LargeBinary, Text, bindparam, select, type_coerce, update

from ..core.db import Base, session
from ..core.tasks import Task, TaskChunk, TaskKind
from .crypto import (
    KEY_ENV,
    KEY_FILE,
    EncryptedBytes,
    EncryptedText,
    FieldCipher,
    current_cipher,
    rotate_all,
    rotate_all_bytes,
)

#: Task file chunks re-encrypted per statement (each up to 1 MiB).
CHUNK_BATCH = 20


def encrypted_columns(kind: type = EncryptedText) -> dict[type, list[str]]:
    """Every mapped model with its columns of ``kind`` (``EncryptedText`` or
    ``EncryptedBytes``), found in the metadata, so a new encrypted column is never missed."""
    # Every mounted feature's models were imported when CareBridge was mounted on the app.
    found: dict[type, list[str]] = {}
    for mapper in Base.registry.mappers:
        names = [column.key for column in mapper.columns if isinstance(column.type, kind)]
        if names:
            found[mapper.class_] = names
    return found


def task_file_contexts() -> dict[tuple[str, str], str]:
    """(task kind, file name) → encryption context, from every :class:`TaskKind` the mounted
    features declare (module-level constants of their modules, e.g. ``imports.models``)."""
    contexts: dict[tuple[str, str], str] = {}
    for name, module in list(sys.modules.items()):
        if not name.startswith("plugin.") or module is None:
            continue
        for value in vars(module).values():
            if isinstance(value, TaskKind):
                for file_name, context in value.files.items():
                    contexts[(value.name, file_name)] = context
    return contexts


def _task_chunks(batch: int = CHUNK_BATCH):
    """Every stored task file chunk as (id, kind, file name, token), a batch at a time."""
    query = (select(TaskChunk.id, Task.kind, TaskChunk.name, TaskChunk.data)
             .join(Task, Task.id == TaskChunk.task_id).order_by(TaskChunk.id).limit(batch))
    rows = session.execute(query).all()
    while rows:
        yield from rows
        rows = session.execute(query.where(TaskChunk.id > rows[-1][0])).all()


def _chunk_contexts() -> dict[tuple[str, str], str]:
    """The contexts of the task files stored now; refuses when a file's kind is unknown (its
    chunks could not be re-encrypted, and would be lost with the old key)."""
    contexts = task_file_contexts()
    stored = session.execute(select(Task.kind, TaskChunk.name).distinct()
                             .join(Task, Task.id == TaskChunk.task_id)).all()
    unknown = sorted(f"{kind}/{name}" for kind, name in stored if (kind, name) not in contexts)
    if unknown:
        raise click.ClickException("stored task files of kinds no mounted feature declares: "
                                   + ", ".join(unknown))
    return contexts


def reencrypt_task_files(cipher: FieldCipher) -> int:
    """Re-encrypt every task file chunk still under an older key; the caller commits."""
    contexts = _chunk_contexts()
    table = TaskChunk.__table__
    statement = (update(table).where(table.c.id == bindparam("_id"))
                 .values(data=bindparam("_data")))
    changes, rotated = [], 0
    for chunk_id, kind, name, token in _task_chunks():
        if cipher.needs_rotation_bytes(bytes(token)):
            changes.append({"_id": chunk_id, "_data": cipher.rotate_bytes(
                bytes(token), context=contexts[(kind, name)])})
        if len(changes) >= CHUNK_BATCH:
            session.execute(statement, changes)
            rotated, changes = rotated + len(changes), []
    if changes:
        session.execute(statement, changes)
        rotated += len(changes)
    return rotated


def reencrypt_everything() -> int:
    """Re-encrypt every stored value that is not under the current key: encrypted text and
    binary columns and the chunks of task files; the caller commits."""
    cipher = current_cipher()
    count = sum(rotate_all(session, model, columns)
                for model, columns in encrypted_columns(EncryptedText).items())
    count += sum(rotate_all_bytes(session, model, columns)
                 for model, columns in encrypted_columns(EncryptedBytes).items())
    return count + reencrypt_task_files(cipher)


def _raw_values(model: type, name: str, raw_type, batch: int):
    """The stored tokens of one column, undecrypted, a batch at a time by primary key."""
    pk = model.__mapper__.primary_key[0]
    raw = type_coerce(getattr(model, name), raw_type)
    query = select(pk, raw).where(raw.is_not(None)).order_by(pk).limit(batch)
    rows = session.execute(query).all()
    while rows:
        yield from (token for _key, token in rows)
        rows = session.execute(query.where(pk > rows[-1][0])).all()


def stored_key_ids() -> Counter:
    """How many stored values each data key encrypts (text and binary columns, task files);
    ``"?"`` counts values that are no token at all."""
    cipher = current_cipher()
    found: Counter = Counter()
    session.flush()
    for model, columns in encrypted_columns(EncryptedText).items():
        for name in columns:
            for token in _raw_values(model, name, Text, 500):
                parts = token.split(".")
                found[parts[1] if len(parts) == 3 else "?"] += 1
    for model, columns in encrypted_columns(EncryptedBytes).items():
        for name in columns:
            for token in _raw_values(model, name, LargeBinary, CHUNK_BATCH):
                found[cipher.bytes_key_id(bytes(token)) or "?"] += 1
    for _id, _kind, _name, token in _task_chunks():
        found[cipher.bytes_key_id(bytes(token)) or "?"] += 1
    return found


@click.command("rotate-keys")
@click.option("--add-key", is_flag=True,
              help="Add a new current data key (older keys keep decrypting).")
@click.option("--reencrypt", is_flag=True,
              help="Re-encrypt stored values and task files under the current key.")
@click.option("--remove-old-keys", is_flag=True,
              help="Drop every key but the current one, once nothing stored needs them.")
@with_appcontext
def rotate_keys_command(add_key: bool, reencrypt: bool, remove_old_keys: bool) -> None:
    """Rotate the data keys that encrypt children's and workers' sensitive fields and files.

    Rotation has three steps, so that every app server can read the new key before data is
    rewritten with it: first ``--add-key`` (and, when the keys come from the environment, put the
    printed value into CAREBRIDGE_DATA_KEY on every server and restart), then ``--reencrypt``,
    then ``--remove-old-keys``, which refuses while any stored value still needs an old key.
    """
    if not add_key and not reencrypt and not remove_old_keys:
        raise click.UsageError("say --add-key, --reencrypt, --remove-old-keys, or a combination")
    cipher = current_app.extensions["carebridge"].cipher
    from_environment = bool(os.environ.get(KEY_ENV, "").strip() or current_app.config.get(KEY_ENV))
    if add_key:
        key_id = cipher.keyring.add_key()
        if from_environment:
            click.echo(f"New data key {key_id}. Set this on every app server and the scheduler, "
                       f"then run --reencrypt:\n{KEY_ENV}={cipher.keyring.serialize()}")
            if reencrypt or remove_old_keys:
                raise click.UsageError("deploy the new key first, then run --reencrypt alone")
        else:
            _write_key_file(Path(current_app.instance_path) / KEY_FILE, cipher.keyring.serialize())
            click.echo(f"New data key {key_id} written to {current_app.instance_path}/{KEY_FILE}.")
    if reencrypt:
        count = reencrypt_everything()
        session.commit()
        click.echo(f"Re-encrypted {count} values under key {cipher.keyring.current_id}.")
    if remove_old_keys:
        _remove_old_keys(cipher, from_environment)


def _remove_old_keys(cipher: FieldCipher, from_environment: bool) -> None:
    current = cipher.keyring.current_id
    still = {key_id: number for key_id, number in stored_key_ids().items() if key_id != current}
    if still:
        described = ", ".join(f"{number} under {key_id}"
                              for key_id, number in sorted(still.items()))
        raise click.ClickException(f"stored values still need older keys ({described}): "
                                   "run --reencrypt first")
    old = [key_id for key_id in cipher.keyring.keys if key_id != current]
    cipher.keyring.keys = {current: cipher.keyring.keys[current]}
    if from_environment:
        click.echo(f"Nothing stored needs {', '.join(old) or 'an older key'}. Set this on every "
                   f"app server and the scheduler:\n{KEY_ENV}={cipher.keyring.serialize()}")
    else:
        _write_key_file(Path(current_app.instance_path) / KEY_FILE, cipher.keyring.serialize())
        click.echo(f"Removed {', '.join(old) or 'no key'}; {current} is the only data key in "
                   f"{current_app.instance_path}/{KEY_FILE}.")


def _write_key_file(path: Path, content: str) -> None:
    draft = path.with_name(f".{path.name}.new")
    with os.fdopen(os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as handle:
        handle.write(content + "\n")
    os.replace(draft, path)
