"""Starting roster imports: receive the file, check its columns, queue the job; save mappings.

Running a job is :func:`plugin.imports.processing.run_import`. Functions here flush; the request
(or the command) commits.
"""
from __future__ import annotations

import tempfile
from collections.abc import Mapping
from contextlib import closing
from pathlib import Path
from typing import IO

from ..audit.services import record_event
from ..core import task_files, tasks
from ..core.clock import local_today
from ..core.db import session
from ..core.errors import ValidationError
from ..core.host import Actor
from ..core.i18n import N_
from ..core.settings import setting
from ..core.uploads import ROSTER, save_upload
from ..org.models import OrgKind, OrgUnit
from ..registry.schema import FieldSpec
from . import queries
from .columns import ColumnPlan, find_header, normalise_header
from .formats import RosterFormat, format_for_filename, format_named
from .kinds import kind_spec
from .models import ROSTER_IMPORT, ColumnMapping, FileRole, ImportJob, ImportKind, ImportStatus

SOURCE_MAX_LENGTH = 100


def fields_of(kind: ImportKind | str) -> tuple[FieldSpec, ...]:
    """The fields a file of ``kind`` (a code) may hold."""
    return kind_spec(kind).fields


def max_upload_bytes() -> int:
    return setting("CAREBRIDGE_IMPORT_MAX_BYTES")


def clean_source(source: str | None) -> str | None:
    source = " ".join((source or "").split())
    if len(source) > SOURCE_MAX_LENGTH:
        raise ValidationError("来源名称不能超过 %(max)s 个字符", field="source",
                              max=SOURCE_MAX_LENGTH)
    return source or None


def receive_upload(stream: IO[bytes], filename: str, *, kind: ImportKind | str, base_unit: OrgUnit,
                   actor: Actor, dry_run: bool = False, source: str | None = None) -> ImportJob:
    """Store an uploaded roster as a queued job, after checking that it can be read and that its
    header row is found. Unless every column was recognised for sure (its header word for word,
    or the mapping saved for the source), the job waits for the user to confirm or change the
    guessed mapping (:attr:`ImportStatus.MAPPING`): nothing is imported before that."""
    roster_format = format_for_filename(filename)
    kind = kind_spec(kind).code
    source = clean_source(source)
    with tempfile.TemporaryDirectory(prefix="carebridge-upload-") as work:
        path = Path(work) / ("upload" + roster_format.suffixes[0])
        save_upload(stream, path, ROSTER, max_bytes=max_upload_bytes(), filename=filename)
        plan = inspect_columns(roster_format, path, kind, source)
        job = create_job(path, filename, roster_format, kind=kind, base_unit=base_unit,
                         actor=actor, dry_run=dry_run, source=source,
                         held=needs_review(plan))
    job.column_check = column_check(plan)
    session.flush()
    return job


def inspect_columns(roster_format: RosterFormat, path: Path, kind: ImportKind | str,
                    source: str | None) -> ColumnPlan:
    """Open the file and match its header row (reads only the first rows)."""
    with closing(roster_format.open(path)) as roster:
        plan, _ = find_header(roster, fields_of(kind), queries.saved_columns(source, kind),
                              today=local_today())
    return plan


def needs_review(plan: ColumnPlan) -> bool:
    """Whether the user should see the mapping step before the import runs."""
    return bool(plan.missing) or not all(guess.is_sure for guess in plan.guesses)


def column_check(plan: ColumnPlan) -> dict:
    """What the upload's header row matched, kept on the job for the mapping step."""
    return {
        "header_row": plan.header_row,
        "matched": {code: plan.header[index] for code, index in plan.columns.items()},
        "unknown": plan.unknown,
        "missing": plan.missing,
        "columns": [guess.as_dict() for guess in plan.guesses],
    }


def review_plan(job: ImportJob) -> ColumnPlan | None:
    """The guesses for a job waiting for its mapping, with sample values, read again from the
    stored upload (``None`` when it is gone)."""
    roster_format = format_named(job.format_name)
    with tempfile.TemporaryDirectory(prefix="carebridge-review-") as work:
        path = Path(work) / ("upload" + roster_format.suffixes[0])
        if not copy_file_to(job.id, FileRole.UPLOAD, path):
            return None
        return inspect_columns(roster_format, path, job.kind, job.source)


def create_job(path: Path, filename: str, roster_format: RosterFormat | None = None, *,
               kind: ImportKind | str, base_unit: OrgUnit, actor: Actor, dry_run: bool = False,
               source: str | None = None, store_upload: bool = True,
               held: bool = False) -> ImportJob:
    """A queued import job for the file at ``path`` (``held``: waiting for its column mapping).

    ``store_upload=False`` is for the command line, which runs the job at once from the file
    on its own disk (a foreground task: the queue never takes it); uploads are stored so that
    any scheduler process can run them.
    """
    roster_format = roster_format or format_for_filename(filename)
    if base_unit.kind == OrgKind.TEAM:
        raise ValidationError("班组不能作为导入单位，请选择项目部/厂区或更上级的单位", field="unit")
    job = ImportJob(kind=kind_spec(kind).code, is_dry_run=bool(dry_run),
                    filename=Path(filename).name[-255:] or "roster", format_name=roster_format.name,
                    source=clean_source(source), org_unit=base_unit, created_by=actor.key,
                    created_by_name=actor.name[:200],
                    task=tasks.new_task(ROSTER_IMPORT, held=held, foreground=not store_upload))
    session.add(job)
    session.flush()
    if store_upload:
        store_file(job, FileRole.UPLOAD, path)
    record_event("import.started", actor, target_type="import", target_id=job.id,
                 org_unit_id=base_unit.id,
                 details={"kind": job.kind, "filename": job.filename,
                          "dry_run": job.is_dry_run})
    return job


def store_file(job: ImportJob, role: FileRole, path: Path) -> None:
    """Store a file of the job in the database, encrypted in chunks; flushes."""
    task_files.write_file(ROSTER_IMPORT, job.task_id, role.value, path)


def copy_file_to(job_id: int, role: FileRole, path: Path) -> bool:
    """Write a stored file to ``path``, chunk by chunk; False when there is none."""
    stored = queries.stored_file(job_id, role)
    if stored is None:
        return False
    stored.copy_to(path)
    return True


def save_column_mapping(job: ImportJob, choices: Mapping[str, str], *, source: str | None,
                        actor: Actor) -> ColumnMapping:
    """Save which field each column of ``job``'s file holds ("" to ignore it), as the user
    confirmed or changed the guesses, under ``source``, for this and every later import from
    that source; then queue the job."""
    source = clean_source(source)
    if source is None:
        raise ValidationError("请填写来源名称，下次导入同一来源的文件时会自动使用这次的对应关系",
                              field="source")
    if job.status != ImportStatus.MAPPING or not job.column_check:
        raise ValidationError("这个导入任务不需要指定列的对应关系")
    fields = fields_of(job.kind)
    codes = {spec.code: spec for spec in fields}
    check = job.column_check
    headers = {column["header"] for column in check.get("columns") or []}
    # A job stored before the mapping step listed only the columns it did not recognise.
    chosen = {} if headers else dict.fromkeys(check["matched"], "")
    headers = headers or set(check["unknown"])
    taken: dict[str, str] = dict(chosen)
    for header, code in choices.items():
        if header not in headers or (code and code not in codes):
            raise ValidationError("无效的列对应关系")
        if code and code in taken:
            raise ValidationError("“%(name)s”只能对应一列", field="columns",
                                  name=str(codes[code].label))
        if code:
            taken[code] = header
    missing = [str(spec.label) for spec in fields if spec.required and spec.code not in taken]
    if missing:
        raise ValidationError("还需要指定这些必填字段所在的列：%(fields)s", field="columns",
                              fields="、".join(missing))
    normalised = {normalise_header(header): code for header, code in choices.items()}
    mapping = queries.get_mapping(source, job.kind)
    if mapping is None:
        mapping = ColumnMapping(source=source, kind=job.kind, columns={}, updated_by=actor.key)
        session.add(mapping)
    mapping.columns = {**mapping.columns, **normalised}
    mapping.updated_by = actor.key
    job.source = source
    job.column_check = {**check, "overrides": normalised}
    tasks.release(job.task)
    session.flush()
    return mapping


def discard_job(job: ImportJob, *, actor: Actor) -> None:
    """Give up a job still waiting for its column mapping; the stored upload is deleted."""
    if job.status != ImportStatus.MAPPING:
        raise ValidationError("只能取消还没有开始的导入")
    tasks.abandon(job.task, N_("导入已取消"))
    record_event("import.finished", actor, target_type="import", target_id=job.id,
                 org_unit_id=job.org_unit_id, details={"status": "cancelled"})
    session.flush()


def record_error_file_download(job: ImportJob, *, actor: Actor) -> None:
    """The error file repeats rejected rows (ID numbers, children's data): each download is
    audited."""
    record_event("import.error_file_downloaded", actor, target_type="import", target_id=job.id,
                 org_unit_id=job.org_unit_id, details={"rejected": job.rejected_count})
