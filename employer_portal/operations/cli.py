"""``carebridge backup [PATH]`` and ``carebridge restore FILE [--force]``.

Both print bilingual lines ("中文 / English") and exit with status 1 and one bilingual line
when they refuse or fail (:class:`~employer_portal.operations.backup.BackupError`).
"""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext
from flask_babel import gettext

from plugin.core.errors import bilingual

from .backup import BackupError, create_backup, restore_backup


def _keys_reminder() -> None:
    click.echo(bilingual(lambda: gettext(
        "提醒：备份里没有数据密钥（CAREBRIDGE_DATA_KEY 或 instance/data_keys）和 "
        "CAREBRIDGE_SECRET_KEY（或 instance/secret_key）。请把它们另外妥善保存，不要与备份"
        "放在一起；没有数据密钥，备份中儿童的加密信息就无法读取，备份等于无用。")))


@click.command("backup")
@click.argument("path", required=False, type=click.Path(path_type=Path))
@with_appcontext
def backup_command(path: Path | None):
    """Back the database up into one file (PATH: a file name, or a folder for
    carebridge-backup-<UTC time>.tar; default: the current folder). Safe while the portal
    runs. The data keys are never in it: keep them apart."""
    try:
        result = create_backup(path)
    except BackupError as error:
        raise click.ClickException(error.bilingual()) from None
    manifest = result.manifest
    click.echo(bilingual(lambda: gettext(
        "备份已写入：%(path)s（%(tables)s 张表，%(rows)s 行，%(size)s 字节）",
        path=str(result.path), tables=len(manifest["tables"]),
        rows=sum(manifest["tables"].values()), size=result.path.stat().st_size)))
    click.echo(f"SHA-256: {manifest['dump']['sha256']}")
    _keys_reminder()


@click.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True,
              help="Replace a database that already holds data (all of it is lost).")
@with_appcontext
def restore_command(file: Path, force: bool):
    """Restore a backup made by `carebridge backup` into the configured database, after
    checking it (manifest, SHA-256, schema, data keys); stop the portal and the scheduler
    first. Refuses a database that holds data unless --force."""
    try:
        result = restore_backup(file, force=force)
    except BackupError as error:
        raise click.ClickException(error.bilingual()) from None
    manifest = result.manifest
    click.echo(bilingual(lambda: gettext(
        "已从 %(created)s（UTC）的备份恢复：%(tables)s 张表，%(rows)s 行，行数与备份清单一致",
        created=manifest["created_at"], tables=len(manifest["tables"]),
        rows=sum(manifest["tables"].values()))))
    if result.missing_old_keys:
        click.echo(bilingual(lambda: gettext(
            "注意：备份时还有旧数据密钥 %(keys)s，现在没有配置；仍由它们加密的信息无法读取",
            keys=", ".join(result.missing_old_keys))), err=True)
    if result.behind:
        click.echo(bilingual(lambda: gettext(
            "备份的数据库结构比这个版本旧：请运行 carebridge db upgrade 再启动门户")))
    _keys_reminder()


COMMANDS = (backup_command, restore_command)
