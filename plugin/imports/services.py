"""Starting roster imports: receive the file, check its columns, queue the job; save mappings.

Running a job is :func:`plugin.imports.processing.run_import`. Functions here flush; the request
(or the command) commits.
"""
from __future__ import annotations

import tempfile
from contextlib import closing
from pathlib import Path
from typing import IO, Mapping

from flask import current_app
from sqlalchemy import delete

from ..audit.services import record_event
from ..core.clock import utcnow
from ..core.db import session
from ..core.errors import ValidationError
from ..core.host import Actor
from ..core.i18n import N_
from ..org.models import OrgKind, OrgUnit
from ..registry.schema import CHILD_FIELDS, WORKER_FIELDS, FieldSpec
from . import queries
from .columns import ColumnPlan, find_header, normalise_header
from .formats import RosterFormat, format_for_filename
from .models import ColumnMapping, FileRole, ImportFile, ImportJob, ImportKind, ImportStatus

#: Size of one stored chunk of a file (:class:`ImportFile`).
CHUNK_BYTES = 1 << 20
#: Largest upload accepted (``CAREBRIDGE_IMPORT_MAX_BYTES`` overrides it).
DEFAULT_MAX_UPLOAD_BYTES = 50 * 1024 * 1024
SOURCE_MAX_LENGTH = 100


FIELDS: dict[ImportKind, tuple[FieldSpec, ...]] = {
    ImportKind.WORKERS: WORKER_FIELDS,
    ImportKind.CHILDREN: CHILD_FIELDS,
}


def max_upload_bytes() -> int:
    return int(current_app.config.get("CAREBRIDGE_IMPORT_MAX_BYTES", DEFAULT_MAX_UPLOAD_BYTES))


def clean_source(source: str | None) -> str | None:
    source = " ".join((source or "").split())
    if len(source) > SOURCE_MAX_LENGTH:
        raise ValidationError("来源名称不能超过 %(max)s 个字符", field="source", max=SOURCE_MAX_LENGTH)
    return source or None


def receive_upload(stream: IO[bytes], filename: str, *, kind: ImportKind, base_unit: OrgUnit,
                   actor: Actor, dry_run: bool = False, source: str | None = None) -> ImportJob:
    """Store an uploaded roster as a queued job, after checking that it can be read and that its
    header row is found. When required columns are not recognised the job waits for the user to
    map them (:attr:`ImportStatus.MAPPING`)."""
    roster_format = format_for_filename(filename)
    kind = ImportKind(kind)
    source = clean_source(source)
    with tempfile.TemporaryDirectory(prefix="carebridge-upload-") as work:
        path = Path(work) / ("upload" + roster_format.suffixes[0])
        _save_limited(stream, path, max_upload_bytes())
        plan = inspect_columns(roster_format, path, kind, source)
        job = create_job(path, filename, roster_format, kind=kind, base_unit=base_unit,
                         actor=actor, dry_run=dry_run, source=source)
    job.column_check = column_check(plan)
    if plan.missing:
        job.status = ImportStatus.MAPPING
    session.flush()
    return job


def _save_limited(stream: IO[bytes], path: Path, limit: int) -> None:
    size = 0
    with open(path, "wb") as target:
        while chunk := stream.read(CHUNK_BYTES):
            size += len(chunk)
            if size > limit:
                raise ValidationError("文件太大：最多 %(megabytes)s MB", field="file",
                                      megabytes=limit // (1024 * 1024))
            target.write(chunk)
    if size == 0:
        raise ValidationError("文件是空的", field="file")


def inspect_columns(roster_format: RosterFormat, path: Path, kind: ImportKind,
                    source: str | None) -> ColumnPlan:
    """Open the file and match its header row (reads only the first rows)."""
    with closing(roster_format.open(path)) as roster:
        plan, _ = find_header(roster, FIELDS[kind], queries.saved_columns(source, kind))
    return plan


def column_check(plan: ColumnPlan) -> dict:
    """What the upload's header row matched, kept on the job for the mapping form."""
    return {
        "header_row": plan.header_row,
        "matched": {code: plan.header[index] for code, index in plan.columns.items()},
        "unknown": plan.unknown,
        "missing": plan.missing,
    }


def create_job(path: Path, filename: str, roster_format: RosterFormat | None = None, *,
               kind: ImportKind, base_unit: OrgUnit, actor: Actor, dry_run: bool = False,
               source: str | None = None, store_upload: bool = True) -> ImportJob:
    """A queued import job for the file at ``path``.

    ``store_upload=False`` is for the command line, which runs the job at once from the file
    on its own disk; uploads are stored so that any scheduler process can run them.
    """
    roster_format = roster_format or format_for_filename(filename)
    if base_unit.kind == OrgKind.TEAM:
        raise ValidationError("班组不能作为导入单位，请选择项目部/厂区或更上级的单位", field="unit")
    job = ImportJob(kind=ImportKind(kind), status=ImportStatus.QUEUED, is_dry_run=bool(dry_run),
                    filename=Path(filename).name[-255:] or "roster", format_name=roster_format.name,
                    source=clean_source(source), org_unit=base_unit, created_by=actor.key,
                    created_by_name=actor.name[:200])
    session.add(job)
    session.flush()
    if store_upload:
        store_file(job.id, FileRole.UPLOAD, path)
    record_event("import.started", actor, target_type="import", target_id=job.id,
                 org_unit_id=base_unit.id,
                 details={"kind": job.kind.value, "filename": job.filename, "dry_run": job.is_dry_run})
    return job


def store_file(job_id: int, role: FileRole, path: Path) -> None:
    """Copy a file into the database in chunks (never the whole file in memory)."""
    with open(path, "rb") as handle:
        seq = 0
        while chunk := handle.read(CHUNK_BYTES):
            row = ImportFile(job_id=job_id, role=role, seq=seq, data=chunk)
            session.add(row)
            session.flush()
            session.expunge(row)
            seq += 1


def copy_file_to(job_id: int, role: FileRole, path: Path) -> bool:
    """Write a stored file to ``path``, chunk by chunk; False when there is none."""
    chunk_ids = queries.file_chunk_ids(job_id, role)
    if not chunk_ids:
        return False
    with open(path, "wb") as handle:
        for chunk_id in chunk_ids:
            handle.write(queries.chunk_data(chunk_id))
    return True


def delete_file(job_id: int, role: FileRole) -> None:
    session.execute(delete(ImportFile).where(ImportFile.job_id == job_id, ImportFile.role == role))


def save_column_mapping(job: ImportJob, choices: Mapping[str, str], *, source: str | None,
                        actor: Actor) -> ColumnMapping:
    """Save which field each unrecognised column of ``job``'s file holds ("" to ignore it) under
    ``source``, for this and every later import from that source; then queue the job."""
    source = clean_source(source)
    if source is None:
        raise ValidationError("请填写来源名称，下次导入同一来源的文件时会自动使用这次的对应关系",
                              field="source")
    if job.status != ImportStatus.MAPPING or not job.column_check:
        raise ValidationError("这个导入任务不需要指定列的对应关系")
    fields = FIELDS[job.kind]
    codes = {spec.code: spec for spec in fields}
    unknown = set(job.column_check["unknown"])
    taken = dict.fromkeys(job.column_check["matched"], "")
    for header, code in choices.items():
        if header not in unknown or (code and code not in codes):
            raise ValidationError("无效的列对应关系")
        if code and code in taken:
            raise ValidationError("“%(name)s”只能对应一列", field="columns",
                                  name=str(codes[code].label))
        if code:
            taken[code] = header
    missing = [str(codes[code].label) for code in job.column_check["missing"] if code not in taken]
    if missing:
        raise ValidationError("还需要指定这些必填字段所在的列：%(fields)s", field="columns",
                              fields="、".join(missing))
    mapping = queries.get_mapping(source, job.kind)
    if mapping is None:
        mapping = ColumnMapping(source=source, kind=job.kind, columns={}, updated_by=actor.key)
        session.add(mapping)
    mapping.columns = {**mapping.columns,
                       **{normalise_header(header): code for header, code in choices.items()}}
    mapping.updated_by = actor.key
    job.source = source
    job.status = ImportStatus.QUEUED
    session.flush()
    return mapping


def discard_job(job: ImportJob, *, actor: Actor) -> None:
    """Give up a job still waiting for its column mapping; the stored upload is deleted."""
    if job.status != ImportStatus.MAPPING:
        raise ValidationError("只能取消还没有开始的导入")
    job.status = ImportStatus.FAILED
    job.failure = {"message": N_("导入已取消"), "params": {}}
    job.finished_at = utcnow()
    delete_file(job.id, FileRole.UPLOAD)
    record_event("import.finished", actor, target_type="import", target_id=job.id,
                 org_unit_id=job.org_unit_id, details={"status": "cancelled"})
    session.flush()


def record_error_file_download(job: ImportJob, *, actor: Actor) -> None:
    """The error file repeats rejected rows (ID numbers, children's data): each download is audited."""
    record_event("import.error_file_downloaded", actor, target_type="import", target_id=job.id,
                 org_unit_id=job.org_unit_id, details={"rejected": job.rejected_count})
