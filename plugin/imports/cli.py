"""``carebridge import-workers FILE`` and ``carebridge import-children FILE``.

The same import as an upload, run at once from a file on this machine's disk: a summary is
printed (rejected rows as bilingual "row N, field: reason" lines), the error file is written
next to the input, and the exit status says how it went: 0 every row imported, 1 some rows were
rejected, 2 the import could not run (unreadable file, missing columns, unknown unit…).

Scope: the command runs as the system (whoever can run it can reach the database anyway), and
``--unit`` bounds what it touches: rows may find, create and change workers and children only in
that unit's subtree (the whole company without ``--unit``). A row naming a worker, a parent or an
ID number registered elsewhere is rejected, exactly like an upload by an HR officer of that unit.
"""
from __future__ import annotations

import getpass
import sys
from pathlib import Path

import click
from flask.cli import with_appcontext
from flask_babel import gettext

from ..access.scope import Scope
from ..core.db import session
from ..core.errors import CareBridgeError, ValidationError
from ..core.host import Actor
from ..org.models import OrgUnit
from ..org.queries import get_root_unit
from ..registry.schema import field_label
from . import queries
from .columns import ColumnPlan, normalise_header
from .messages import awaiting_consent, bilingual, describe_error, job_failure, job_headline
from .models import FileRole, ImportJob, ImportKind, ImportStatus
from .processing import run_import
from .services import copy_file_to, create_job, fields_of

EXIT_OK = 0
EXIT_REJECTED = 1
EXIT_FAILED = 2
#: Rejected rows printed one by one; the rest are only counted (all are in the error file).
MAX_PRINTED_ROWS = 200


def shell_actor() -> Actor:
    return Actor(key="cli", name=f"shell:{getpass.getuser()}")


def importing_unit(reference: str | None) -> OrgUnit:
    """The unit ``--unit`` names (an id or an exact name); the company when not given."""
    if reference is None or not reference.strip():
        root = get_root_unit()
        if root is None:
            raise ValidationError("还没有设置公司，请先完成初始设置")
        return root
    units = queries.unit_by_reference(reference)
    if not units:
        raise ValidationError("找不到单位：%(name)s", field="unit", name=reference)
    if len(units) > 1:
        raise ValidationError("有多个单位叫“%(name)s”，请用编号指定：%(ids)s", field="unit",
                              name=reference, ids=", ".join(str(unit.id) for unit in units))
    return units[0]


def parse_maps(maps: tuple[str, ...] | list[str], fields) -> dict[str, str]:
    """``--map 表头=field`` options as normalised header → field code; the field may be named
    by its code or its label, and ``表头=`` ignores the column."""
    result: dict[str, str] = {}
    labels = {normalise_header(str(spec.label)): spec.code for spec in fields}
    codes = {spec.code for spec in fields}
    for item in maps:
        header, sep, target = item.partition("=")
        if not sep or not normalise_header(header):
            raise ValidationError("--map 的格式是 表头=字段，例如 --map 工程名称=site：%(value)s",
                                  value=item)
        target = target.strip()
        code = target if target in codes else labels.get(normalise_header(target), target)
        if code and code not in codes:
            raise ValidationError("未知的字段：%(value)s（可用：%(codes)s）", value=target,
                                  codes=", ".join(sorted(codes)))
        result[normalise_header(header)] = code
    return result


def import_from_shell(kind: ImportKind | str, path: Path, *, unit_reference: str | None = None,
                      dry_run: bool = False, source: str | None = None,
                      maps: tuple[str, ...] | list[str] = ()) -> int:
    """Run an import of ``path`` and print what happened; returns the exit status."""
    fields = fields_of(kind)
    if dry_run:
        click.echo(bilingual(lambda: gettext("试导入（dry run）：只检查，不写入任何数据")))
    try:
        overrides = parse_maps(maps, fields)
        unit = importing_unit(unit_reference)
        job = create_job(path, path.name, kind=kind, base_unit=unit, actor=shell_actor(),
                         dry_run=dry_run, source=source, store_upload=False)
        if overrides:
            job.column_check = {"overrides": overrides}
        session.commit()
    except CareBridgeError as error:
        session.rollback()
        click.echo(error.bilingual(), err=True)
        return EXIT_FAILED
    printed = 0
    #: Rows' errors are printed after the headline of a file that failed as a whole.
    row_lines: list[str] = []

    def show_rejected(row: int, errors: list[CareBridgeError]) -> None:
        nonlocal printed
        printed += 1
        if printed <= MAX_PRINTED_ROWS:
            where = bilingual(lambda: gettext("第 %(row)s 行", row=row))
            row_lines.append(f"{where}, " + "; ".join(describe_error(error, fields)
                                                     for error in errors))

    interactive = sys.stderr.isatty()

    def show_progress(job: ImportJob) -> None:
        if interactive:
            click.echo(f"\r{job.processed_rows} / {job.total_rows or '?'}", nl=False, err=True)

    job = run_import(job.id, path=path, on_progress=show_progress, on_rejected=show_rejected,
                     scope=Scope.of_unit(unit),
                     on_columns=lambda plan: _print_columns(plan, fields))
    if interactive:
        click.echo("", err=True)
    headline = job_headline(job)
    if headline is not None:
        click.echo(headline.bilingual())
    for line in row_lines:
        click.echo(line)
    if printed > MAX_PRINTED_ROWS:
        click.echo(bilingual(lambda: gettext("……另有 %(count)s 行被拒绝，详见错误文件",
                                             count=printed - MAX_PRINTED_ROWS)))
    if job.status != ImportStatus.DONE:
        failure = job_failure(job)
        click.echo(failure.bilingual() if failure else job.status.value, err=True)
        return EXIT_FAILED
    _print_summary(job)
    if job.rejected_count:
        target = path.with_name(f"{path.stem}.errors{path.suffix.lower()}")
        copy_file_to(job.id, FileRole.ERRORS, target)
        click.echo(bilingual(lambda: gettext("错误文件已写入：%(path)s", path=str(target))))
        return EXIT_REJECTED
    return EXIT_OK


def _print_columns(plan: ColumnPlan, fields) -> None:
    """Before any row: the columns that could have been used but were not, and the columns
    whose values decided their field."""
    for guess in plan.guesses:
        if guess.code is None and guess.suggestion:
            label = field_label(fields, guess.suggestion)
            click.echo(bilingual(lambda guess=guess, label=label: gettext(
                "未使用的列“%(column)s”：可能是“%(label)s”，可用 --map %(column)s=%(code)s 指定",
                column=guess.header, label=label, code=guess.suggestion)))
        elif guess.how == "values" and guess.alternatives:
            label = field_label(fields, guess.code)
            click.echo(bilingual(lambda guess=guess, label=label: gettext(
                "列“%(column)s”的内容更像“%(label)s”，已按“%(label)s”导入",
                column=guess.header, label=label)))


def _print_summary(job: ImportJob) -> None:
    dry = job.is_dry_run
    if dry:
        click.echo(bilingual(lambda: gettext(
            "试导入（dry run）：以下是将要发生的变化，没有写入任何数据")))
    lines = [
        (lambda: gettext("将新增") if dry else gettext("新增"), job.created_count),
        (lambda: gettext("将更新") if dry else gettext("更新"), job.updated_count),
        (lambda: gettext("未变"), job.unchanged_count),
        (lambda: gettext("拒绝"), job.rejected_count),
    ]
    for label, count in lines:
        click.echo(f"{bilingual(label)}: {count}")
    consent_note = awaiting_consent(job)
    if consent_note is not None:
        click.echo(consent_note.bilingual())
    if job.created_units:
        label = bilingual(lambda: gettext("将新建的单位") if dry else gettext("新建的单位"))
        click.echo(f"{label}: {'; '.join(job.created_units)}")
    if job.unknown_columns:
        click.echo(f"{bilingual(lambda: gettext('未识别、已忽略的列'))}: "
                   f"{', '.join(job.unknown_columns)}")


def _import_command(name: str, kind: ImportKind, help_text: str) -> click.Command:
    @click.command(name, help=help_text)
    @click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--unit", "unit_reference", metavar="ID|NAME",
                  help="Importing unit (id or exact name): sites and teams are found or created "
                       "under it, and only workers and children of its subtree are found or "
                       "changed. Default: the company.")
    @click.option("--dry-run", is_flag=True,
                  help="Check every row and show what would change; store nothing.")
    @click.option("--source", metavar="NAME",
                  help="Where the file comes from: uses the column mapping saved for it.")
    @click.option("--map", "maps", metavar="HEADER=FIELD", multiple=True,
                  help="The column HEADER holds FIELD (a field code or label; empty: ignore the "
                       "column). Repeatable; wins over the saved mapping.")
    @with_appcontext
    def command(file: Path, unit_reference: str | None, dry_run: bool, source: str | None,
                maps: tuple[str, ...]) -> None:
        sys.exit(import_from_shell(kind, file, unit_reference=unit_reference, dry_run=dry_run,
                                   source=source, maps=maps))

    return command


import_workers_command = _import_command(
    "import-workers", ImportKind.WORKERS,
    "Import a roster of workers (花名册, .xlsx or .csv). Exit status 1 if rows were rejected, "
    "2 if the import could not run.")
import_children_command = _import_command(
    "import-children", ImportKind.CHILDREN,
    "Import workers' children (.xlsx or .csv; parents by employee number). Exit status 1 if rows "
    "were rejected, 2 if the import could not run.")
