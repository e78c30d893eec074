"""``carebridge rotate-keys``: add a data key, then re-encrypt stored values under it."""
from __future__ import annotations

import os
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from ..core.db import Base, session
from .crypto import KEY_ENV, KEY_FILE, EncryptedText, rotate_all


def encrypted_columns() -> dict[type, list[str]]:
    """Every mapped model with its ``EncryptedText`` columns."""
    # Every mounted feature's models were imported when CareBridge was mounted on the app.
    found: dict[type, list[str]] = {}
    for mapper in Base.registry.mappers:
        names = [column.key for column in mapper.columns if isinstance(column.type, EncryptedText)]
        if names:
            found[mapper.class_] = names
    return found


def reencrypt_everything() -> int:
    """Re-encrypt every stored value that is not under the current key; the caller commits."""
    return sum(rotate_all(session, model, columns)
               for model, columns in encrypted_columns().items())


@click.command("rotate-keys")
@click.option("--add-key", is_flag=True,
              help="Add a new current data key (older keys keep decrypting).")
@click.option("--reencrypt", is_flag=True, help="Re-encrypt stored values under the current key.")
@with_appcontext
def rotate_keys_command(add_key: bool, reencrypt: bool) -> None:
    """Rotate the data keys that encrypt children's and workers' sensitive fields.

    Rotation has two steps, so that every app server can read the new key before data is
    rewritten with it: first ``--add-key`` (and, when the keys come from the environment, put the
    printed value into CAREBRIDGE_DATA_KEY on every server and restart), then ``--reencrypt``.
    """
    if not add_key and not reencrypt:
        raise click.UsageError("say --add-key, --reencrypt, or both")
    cipher = current_app.extensions["carebridge"].cipher
    if add_key:
        key_id = cipher.keyring.add_key()
        if os.environ.get(KEY_ENV, "").strip() or current_app.config.get(KEY_ENV):
            click.echo(f"New data key {key_id}. Set this on every app server and the scheduler, "
                       f"then run --reencrypt:\n{KEY_ENV}={cipher.keyring.serialize()}")
            if reencrypt:
                raise click.UsageError("deploy the new key first, then run --reencrypt alone")
        else:
            _write_key_file(Path(current_app.instance_path) / KEY_FILE, cipher.keyring.serialize())
            click.echo(f"New data key {key_id} written to {current_app.instance_path}/{KEY_FILE}.")
    if reencrypt:
        count = reencrypt_everything()
        session.commit()
        click.echo(f"Re-encrypted {count} values under key {cipher.keyring.current_id}.")


def _write_key_file(path: Path, content: str) -> None:
    draft = path.with_name(f".{path.name}.new")
    with os.fdopen(os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as handle:
        handle.write(content + "\n")
    os.replace(draft, path)
