"""Running a roster import job: stream the rows, store the valid ones, list the rest.

A job is a background task (:mod:`plugin.core.tasks`, kind
:data:`~plugin.imports.models.ROSTER_IMPORT`): the scheduler runs queued uploads
(:func:`import_claimed`, through :func:`plugin.imports.jobs.run_queued_imports`); the command
line runs its own job at once from its file (:func:`run_import`). Both run the same
:class:`_Importer`, which commits as it goes (it runs outside requests).

* **Streaming.** Rows come from the format's reader one at a time and are handled in batches of
  :data:`BATCH_SIZE`; the job's counters and the task's progress and heartbeat are committed
  after each batch, so progress shows while it runs and memory stays flat. Rejected rows are
  spooled to a temporary file and written out as the error file at the end, in the transaction
  that marks the job done.
* **Nothing half-written.** Each row is parsed completely first (:func:`parse_record`, every
  field error collected); only a row without errors is written, inside its own SAVEPOINT, so a
  rule broken half-way (parent not found, ID number already registered, a unit that cannot be
  created) rolls back everything that row did, units and audit events included. SAVEPOINT works
  on PostgreSQL, where a failed statement would otherwise abort the whole transaction, and on
  the portal's SQLite, which runs real transactions.
* **Idempotent.** Rows are upserted on the employee number; a row that changes nothing writes
  nothing and records no audit event, so importing the same file again changes nothing.
* **Dry run.** The same processing with each batch inside a SAVEPOINT that is rolled back: the
  counts say what would be created or updated; only the job record is stored.
* **Scope.** An import acts within :func:`import_scope`: the subtree of its unit, as far as
  whoever uploaded it may still import rosters there (the command line passes the unit's
  subtree). A row naming a worker, a parent or an ID number registered outside it is rejected
  with a message that names no one and no place; nothing outside it is found, moved or
  overwritten.
"""
from __future__ import annotations

import inspect
import logging
import pickle
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing
from datetime import date
from functools import partial
from itertools import islice
from pathlib import Path
from typing import Any

from flask_babel import gettext
from sqlalchemy.exc import DataError, IntegrityError, SQLAlchemyError

from ..access.scope import Scope
from ..audit.services import record_event
from ..core import tasks
from ..core.clock import local_today
from ..core.collections_tuning import between_batches, fewer_collections
from ..core.db import refresh_planner_statistics, session
from ..core.errors import CareBridgeError, NotFound, ValidationError
from ..core.host import Actor
from ..core.i18n import N_
from ..core.tasks import Task, TaskRun, TaskStatus
from ..notifications.services import notify
from ..org.models import OrgUnit
from ..registry.schema import RecordInvalid, field_label, parse_record
from ..registry.services import UpsertOutcome, WorkerLookup, upsert_child, upsert_worker
from ..registry.units import UnitResolver
from . import queries
from .batching import BatchInserts
from .columns import ColumnPlan, find_header
from .formats import format_named
from .kinds import OUTCOMES, kind_spec
from .messages import bilingual, describe_error, job_headline, plain_params
from .models import ROSTER_IMPORT, FileRole, ImportJob, ImportKind
from .seen import SeenKeys
from .services import store_file

log = logging.getLogger(__name__)

BATCH_SIZE = 500
#: Rejected rows whose reasons are kept on the job for the summary page (all are in the file).
SAMPLE_ERRORS = 20


ProgressCallback = Callable[[ImportJob], None]
RejectedCallback = Callable[[int, list[CareBridgeError]], None]
#: Called once the header row is matched, before any row is read (the command line names the
#: columns it could have used but did not).
ColumnsCallback = Callable[[ColumnPlan], None]


def run_import(job_id: int, *, path: Path | None = None, batch_size: int = BATCH_SIZE,
               on_progress: ProgressCallback | None = None,
               on_rejected: RejectedCallback | None = None,
               scope: Scope | None = None,
               on_columns: ColumnsCallback | None = None) -> ImportJob:
    """Claim a queued job and run it here, at once, to its end; commits after every batch.

    For the command line (its job is a foreground task, ``path`` its file on this machine's
    disk) and for callers that run an upload themselves (the stored upload is read). ``scope``
    is what the import may touch, by default :func:`import_scope`. A job that is not queued
    (waiting for its mapping, running elsewhere, finished) is returned as it is. Never raises
    for a bad file or bad rows: a job that cannot go on is failed with the reason, rows that
    break a rule are rejected with theirs.
    """
    job = queries.get_job(job_id)
    if job is None:
        raise NotFound("导入任务不存在")
    run = tasks.claim_task(job.task_id)
    if run is None:
        return queries.get_job(job_id)
    status = tasks.execute(ROSTER_IMPORT, run, partial(
        _import, job_id=job_id, path=path, batch_size=batch_size, on_progress=on_progress,
        on_rejected=on_rejected, scope=scope, on_columns=on_columns))
    job = queries.get_job(job_id)
    if status == TaskStatus.DONE and on_progress:
        on_progress(job)
    return job


def import_claimed(run: TaskRun) -> None:
    """The work of a job claimed from the queue (:attr:`ROSTER_IMPORT.work`): its stored upload.
    Commits after every batch; the caller (:func:`plugin.core.tasks.execute`) ends the task."""
    _import(run, job_id=queries.job_of_task(run.task_id).id)


def _import(run: TaskRun, *, job_id: int, path: Path | None = None,
            batch_size: int = BATCH_SIZE, on_progress: ProgressCallback | None = None,
            on_rejected: RejectedCallback | None = None, scope: Scope | None = None,
            on_columns: ColumnsCallback | None = None) -> None:
    job = queries.get_job(job_id)
    with tempfile.TemporaryDirectory(prefix="carebridge-import-") as work:
        work_dir = Path(work)
        roster_path = Path(path) if path is not None else _stored_upload(job, work_dir)
        _Importer(job, run, batch_size=batch_size, on_progress=on_progress,
                  on_rejected=on_rejected, scope=scope,
                  on_columns=on_columns).import_file(roster_path, work_dir)


def _stored_upload(job: ImportJob, work_dir: Path) -> Path:
    target = work_dir / ("upload" + Path(job.filename).suffix.lower())
    stored = queries.stored_file(job.id, FileRole.UPLOAD)
    if stored is None:
        raise ValidationError("上传的文件已不在数据库中，请重新上传")
    stored.copy_to(target)
    return target


def import_ended(task: Task) -> None:
    """:attr:`ROSTER_IMPORT.ended`: audit how the job ended and tell its uploader (a job of the
    command line tells nobody: its user watches it); flushes."""
    job = queries.job_of_task(task.id)
    details: dict[str, Any] = {"status": job.status.value}
    if task.status == TaskStatus.DONE:
        counts = {"processed": job.processed_rows, "created": job.created_count,
                  "updated": job.updated_count, "unchanged": job.unchanged_count,
                  "rejected": job.rejected_count, "withheld": job.withheld_count}
        details.update(dry_run=job.is_dry_run,
                       **{key: value for key, value in counts.items() if value})
    record_event("import.finished", _job_actor(job), target_type="import", target_id=job.id,
                 org_unit_id=job.org_unit_id, details=details)
    if not task.is_foreground:
        _notify(job)


def _notify(job: ImportJob) -> None:
    link = ("carebridge.imports.job", {"job_id": job.id})
    if job.task.status == TaskStatus.DONE:
        notify([job.created_by], N_("花名册导入完成：%(filename)s"),
               body=N_("新增 %(created)s，更新 %(updated)s，未变 %(unchanged)s，拒绝 %(rejected)s"),
               params={"filename": job.filename, "created": job.created_count,
                       "updated": job.updated_count, "unchanged": job.unchanged_count,
                       "rejected": job.rejected_count}, link=link, category="imports.finished")
    else:
        notify([job.created_by], N_("花名册导入失败：%(filename)s"),
               params={"filename": job.filename}, link=link, category="imports.failed")


def _job_actor(job: ImportJob) -> Actor:
    return Actor(key=job.created_by, name=job.created_by_name)


def import_scope(job: ImportJob) -> Scope:
    """What an uploaded import may touch: the subtree of its unit, within the subtrees where its
    uploader may import rosters when it runs (a system actor's job: the unit's whole subtree).

    The upload page lets a user import only into a unit where they hold that permission, so
    this is normally the unit's subtree; a grant withdrawn since then narrows it.
    """
    return Scope.of_unit(job.org_unit).within(
        Scope.of_actor(_job_actor(job), kind_spec(job.kind).permission))


def _batched(rows: Iterable[tuple[int, list[Any]]],
             size: int) -> Iterator[list[tuple[int, list[Any]]]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


class _Importer(BatchInserts):
    """The state of one run: counters, the unit resolver, the seen employee numbers."""

    def __init__(self, job: ImportJob, run: TaskRun, *, batch_size: int,
                 on_progress: ProgressCallback | None, on_rejected: RejectedCallback | None,
                 scope: Scope | None = None, on_columns: ColumnsCallback | None = None):
        self.job = job
        self.job_id = job.id
        #: The task's run: progress and heartbeat go through it (and stop if it was taken over).
        self.run = run
        self.kind = job.kind
        self.spec = kind_spec(job.kind)
        self.fields = self.spec.fields
        self.is_dry_run = job.is_dry_run
        self.actor = _job_actor(job)
        self.base_id = job.org_unit_id
        #: Every record the import finds, creates or changes lies within it.
        self.scope = scope if scope is not None else import_scope(job)
        self.batch_size = max(1, batch_size)
        self.on_progress = on_progress
        self.on_rejected = on_rejected
        self.on_columns = on_columns
        #: Field code → rows rejected with an error on that field (for the headline).
        self.field_failures: dict[str, int] = {}
        self.today: date = local_today()
        self.seen = SeenKeys()
        self.counts = dict(processed=0, created=0, updated=0, unchanged=0, rejected=0, withheld=0)
        #: Units created by rows that were stored, in order, each once (dry runs repeat them).
        self.units: dict[str, None] = {}
        self.samples: list[dict[str, Any]] = []
        self.plan: ColumnPlan | None = None
        self.resolver = self._new_resolver()
        self.lookup: WorkerLookup | None = None

    def _new_resolver(self) -> UnitResolver:
        return UnitResolver(base=session.get(OrgUnit, self.base_id), actor=self.actor)

    # -- the whole file ---------------------------------------------------------------------

    def import_file(self, roster_path: Path, work_dir: Path) -> None:
        """Import the roster at ``roster_path``; commits after every batch, and leaves the last
        writes (counts, error file, statistics) for the transaction that marks the job done."""
        if not self.scope.covers(self.job.org_unit):
            # Sites and teams are found or created anywhere under the importing unit.
            raise ValidationError("导入人已没有在“%(unit)s”导入花名册的权限，导入未执行",
                                  field="unit", unit=self.job.org_unit.name)
        roster_format = format_named(self.job.format_name)
        spool_path = work_dir / "rejected.pickle"
        with closing(roster_format.open(roster_path)) as roster:
            self.plan, rows = find_header(roster, self.fields, self._mapping(),
                                          today=self.today)
            if self.on_columns:
                self.on_columns(self.plan)
            if self.plan.missing:
                raise _missing_columns(self.plan, self.fields)
            job = self._job()
            self._store_counts(job)  # zeros: a job run again starts its figures afresh
            job.unknown_columns = self.plan.unknown or None
            self.run.checkpoint(0, total=max(roster.size_hint - self.plan.header_row, 0)
                                if roster.size_hint else None)
            with open(spool_path, "wb") as spool, fewer_collections():
                for batch in _batched(rows, self.batch_size):
                    self._batch(batch, spool)
                    between_batches()
        self._finish(roster_format, spool_path, work_dir)

    def _job(self) -> ImportJob:
        return session.get(ImportJob, self.job_id)

    def _mapping(self) -> dict[str, str]:
        """The source's saved mapping, then the choices made for this job (upload's mapping
        step, ``--map`` of the command line), normalised header → field code."""
        check = self.job.column_check or {}
        return {**queries.saved_columns(self.job.source, self.kind),
                **(check.get("overrides") or {})}

    def _headline(self) -> dict[str, Any] | None:
        """One line for a file that fails as a whole: a field missing in every row and the
        unused column that could have held it, or a field wrong in every row whose column was
        only guessed."""
        processed = self.counts["processed"]
        if not processed or self.counts["rejected"] < processed:
            return None
        code = next((code for code, count in sorted(
            self.field_failures.items(), key=lambda item: -item[1]) if count == processed), None)
        if code is None:
            return None
        column = next((header for header, suggestion in self.plan.unused_suggestions()
                       if suggestion == code), None)
        if code not in self.plan.columns:
            message = (N_("全部 %(count)s 行缺少%(label)s：列“%(column)s”没有被识别——"
                          "要把它作为“%(label)s”吗？") if column else
                       N_("全部 %(count)s 行缺少%(label)s：文件中没有这一列"))
        else:
            index = self.plan.columns[code]
            guess = next((guess for guess in self.plan.guesses if guess.index == index), None)
            if guess is None or guess.is_sure:
                return None  # the column is the field's for sure: its rows say what is wrong
            column = self.plan.header[index]
            message = N_("全部 %(count)s 行的%(label)s都不正确：请检查列“%(column)s”是否选对")
        return {"message": message, "field": code,
                "params": {"count": processed, "column": column or ""}}

    def _finish(self, roster_format, spool_path: Path, work_dir: Path) -> None:
        job = self._job()
        headline = self._headline()
        job.column_check = {**(job.column_check or {}), "headline": headline,
                            "columns": [guess.as_dict() for guess in self.plan.guesses]}
        if self.counts["rejected"]:
            error_path = work_dir / ("errors" + roster_format.suffixes[0])
            self.run.beat()  # writing a large error file takes a while
            title = error_file_title(job)
            if title and "title" in inspect.signature(roster_format.write_errors).parameters:
                roster_format.write_errors(error_path, self.plan.output_header(),
                                           _read_spool(spool_path), title=title)
            else:
                roster_format.write_errors(error_path, self.plan.output_header(),
                                           _read_spool(spool_path))
            store_file(job, FileRole.ERRORS, error_path)
        tasks.delete_files(job.task_id, FileRole.UPLOAD.value)
        self._store_counts(job)
        self.run.beat(self.counts["processed"], total=self.counts["processed"])
        if not job.is_dry_run and (self.counts["created"] or self.counts["updated"]):
            self._refresh_planner_statistics()

    def _refresh_planner_statistics(self) -> None:
        """In a savepoint: the import is done whatever happens here; the nightly job retries."""
        try:
            with session.begin_nested():
                refresh_planner_statistics()
        except SQLAlchemyError:
            log.warning("import job %s: table statistics not refreshed", self.job_id, exc_info=True)

    def _store_counts(self, job: ImportJob) -> None:
        """The job's own figures; the task's progress goes through :attr:`run`."""
        job.created_count = self.counts["created"]
        job.updated_count = self.counts["updated"]
        job.unchanged_count = self.counts["unchanged"]
        job.rejected_count = self.counts["rejected"]
        job.withheld_count = self.counts["withheld"]
        job.created_units = list(self.units) or None
        job.sample_errors = list(self.samples) or None

    # -- batches and rows -------------------------------------------------------------------

    def _batch(self, batch: list[tuple[int, list[Any]]], spool) -> None:
        trial = session.begin_nested() if self.is_dry_run else None
        try:
            parsed = [(row_number, cells, *self._parse(row_number, cells))
                      for row_number, cells in batch]
            taken: set[int] = set()
            if self.kind == ImportKind.WORKERS:
                # Who holds each employee and ID number, in two queries for the whole batch.
                self.lookup = WorkerLookup(
                    (values for *_, values, _errors in parsed if values is not None),
                    scope=self.scope)
                taken = self._create_new_workers_at_once(parsed)
            elif self.kind == ImportKind.CHILDREN:
                taken = self._create_new_children_at_once(parsed)
            for position, (row_number, cells, raw, values, errors) in enumerate(parsed):
                if position not in taken:
                    self._row(row_number, cells, raw, values, errors, spool)
        finally:
            if trial is not None:
                trial.rollback()
                # Units the rolled-back batch created are gone: find or create them afresh.
                self.resolver = self._new_resolver()
        job = self._job()
        self._store_counts(job)
        self.run.checkpoint(self.counts["processed"])
        if self.on_progress:
            self.on_progress(job)

    def _parse(self, row_number: int, cells: list[Any]):
        """(raw record, parsed values or None, errors or None when the parser itself failed).

        Rows are parsed in file order, so a repeated employee number is reported against the
        first row that had it."""
        raw = self.plan.raw_record(cells)
        values, errors = None, []
        try:
            values = parse_record(raw, self.fields, today=self.today)
        except RecordInvalid as invalid:
            errors = list(invalid.errors)
        except Exception:  # a parser's bug must cost one row, not the whole file
            log.exception("import job %s: row %s could not be parsed", self.job_id, row_number)
            return raw, None, None
        if self.kind == ImportKind.WORKERS:
            duplicate = self._duplicate_of(values, raw, row_number)
            if duplicate is not None:
                errors.append(duplicate)
        elif self.spec.key_fields and values is not None:
            duplicate = self._repeated_key(values, row_number)
            if duplicate is not None:
                errors.append(duplicate)
        return raw, values, errors

    def _row(self, row_number: int, cells: list[Any], raw: dict[str, Any],
             values: dict[str, Any] | None, errors: list[CareBridgeError] | None, spool) -> None:
        self.counts["processed"] += 1
        if errors is None:
            self._reject(row_number, cells, [_internal_error()], spool)
            return
        if errors:
            self._reject(row_number, cells, errors, spool)
            return
        units_before = len(self.resolver.created)
        try:
            try:
                with session.begin_nested():
                    outcome = self._upsert(values)
            except Exception as error:
                if not isinstance(error, CareBridgeError):
                    # The lookup may name a worker of the rolled-back row: fall back to queries.
                    self.lookup = None
                raise
        except CareBridgeError as error:
            self._forget_units_since(units_before)
            self._reject(row_number, cells, [error], spool)
            return
        except (IntegrityError, DataError) as error:
            log.warning("import job %s row %s refused by the database: %s", self.job_id, row_number,
                        type(error.orig).__name__)
            self._forget_units_since(units_before)
            self._reject(row_number, cells, [ValidationError(
                "数据库拒绝了这一行（%(reason)s），请检查各项内容",
                reason=type(error.orig).__name__)], spool)
            return
        except SQLAlchemyError:
            raise  # the database itself is in trouble: the job fails, rows are not blamed
        except Exception:
            # The row's SAVEPOINT is rolled back already; a bug costs this row only.
            log.exception("import job %s: row %s could not be stored", self.job_id, row_number)
            self._forget_units_since(units_before)
            self._reject(row_number, cells, [_internal_error()], spool)
            return
        self.units.update(dict.fromkeys(self.resolver.created[units_before:]))
        self._count(outcome)

    def _duplicate_of(self, values, raw, row_number: int) -> ValidationError | None:
        """The error for a second row with the same employee number (the first row is named)."""
        if values is not None:
            number = values["employee_number"]
        else:
            try:
                spec = next(spec for spec in self.fields if spec.code == "employee_number")
                number = spec.parse(raw.get("employee_number"), self.today, spec.code)
            except ValidationError:
                number = None
        if not number:
            return None
        first = self.seen.first_row(number, row_number)
        if first is None:
            return None
        return ValidationError("工号 %(number)s 与第 %(first_row)s 行重复：同一文件中工号不能重复",
                               field="employee_number", number=number, first_row=first)

    def _repeated_key(self, values: dict[str, Any], row_number: int) -> ValidationError | None:
        """The error for a second row with the same key fields as an earlier one (a declared
        kind's ``key_fields``): the file says the same thing twice, or contradicts itself."""
        key = "\x1f".join(str(values.get(code) or "") for code in self.spec.key_fields)
        first = self.seen.first_row(key, row_number)
        if first is None:
            return None
        labels = "、".join(str(field_label(self.fields, code)) for code in self.spec.key_fields)
        return ValidationError("与第 %(first_row)s 行重复（%(fields)s 都相同）：同一文件中不能重复",
                               field=self.spec.key_fields[0], first_row=first, fields=labels)

    def _upsert(self, values: dict[str, Any]) -> UpsertOutcome:
        if self.kind == ImportKind.WORKERS:
            unit = self.resolver.resolve(values.get("site"), values.get("team"))
            return upsert_worker(values, unit=unit, actor=self.actor, lookup=self.lookup,
                                 scope=self.scope)
        if self.kind == ImportKind.CHILDREN:
            return upsert_child(values, actor=self.actor, today=self.today, scope=self.scope)
        outcome = self.spec.store(values, unit=session.get(OrgUnit, self.base_id),
                                  actor=self.actor, scope=self.scope, today=self.today)
        if outcome not in OUTCOMES:
            raise ValueError(f"import {self.kind}: store answered {outcome!r}")
        return UpsertOutcome(record=None, created=outcome == "created",
                             changed=["record"] if outcome == "updated" else [])

    def _forget_units_since(self, count: int) -> None:
        """A rolled-back row may have created units: they no longer exist, drop the cache."""
        if len(self.resolver.created) > count:
            self.resolver = self._new_resolver()

    def _count(self, outcome: UpsertOutcome) -> None:
        if outcome.created:
            self.counts["created"] += 1
        elif outcome.changed:
            self.counts["updated"] += 1
        else:
            self.counts["unchanged"] += 1
        if outcome.withheld:
            self.counts["withheld"] += 1

    def _reject(self, row_number: int, cells: list[Any], errors: list[CareBridgeError],
                spool) -> None:
        self.counts["rejected"] += 1
        for code in {error.field for error in errors if error.field}:
            self.field_failures[code] = self.field_failures.get(code, 0) + 1
        try:
            reason = "\n".join([*(describe_error(error, self.fields) for error in errors),
                                bilingual(lambda: gettext("（原文件第 %(row)s 行）",
                                                          row=row_number))])
        except Exception:  # a message whose parameters do not fit it
            log.exception("import job %s: reason of row %s could not be written", self.job_id,
                          row_number)
            errors = [_internal_error()]
            reason = describe_error(errors[0], self.fields)
        pickle.dump((self.plan.source_cells(cells), reason), spool,
                    protocol=pickle.HIGHEST_PROTOCOL)
        if len(self.samples) < SAMPLE_ERRORS:
            self.samples.append({"row": row_number, "errors": [
                {"field": error.field, "message": error.message,
                 "params": plain_params(error.params)}
                for error in errors]})
        if self.on_rejected:
            self.on_rejected(row_number, errors)


def _missing_columns(plan: ColumnPlan, fields) -> ValidationError:
    """The failure of a file without a required column: the unused columns that could hold
    them are named first."""
    labels = "、".join(str(field_label(fields, code)) for code in plan.missing)
    suggestions = [(header, code) for header, code in plan.unused_suggestions()
                   if code in plan.missing]
    if suggestions:
        header, code = suggestions[0]
        return ValidationError(
            "缺少必填的列：%(columns)s（表头在第 %(header_row)s 行）。列“%(column)s”没有被识别——"
            "要把它作为“%(label)s”吗？", header_row=plan.header_row, columns=labels,
            column=header, label=str(field_label(fields, code)))
    return ValidationError("缺少必填的列：%(columns)s（表头在第 %(header_row)s 行）",
                           header_row=plan.header_row, columns=labels)


def error_file_title(job: ImportJob) -> str | None:
    """The line above the error file's header: the headline of a file that failed as a whole,
    and "dry run" for a dry run (the importer skips it when the file comes back)."""
    parts = []
    if job.is_dry_run:
        parts.append(bilingual(lambda: gettext("试导入（dry run）：没有写入任何数据")))
    headline = job_headline(job)
    if headline is not None:
        parts.append(headline.bilingual())
    return "；".join(parts) or None


def _internal_error() -> ValidationError:
    return ValidationError("处理这一行时发生内部错误，已记录在系统日志中；请联系系统管理员")


def _read_spool(path: Path) -> Iterator[tuple[list[Any], str]]:
    """The rejected rows back from the spool file this run wrote (trusted: our own temp file)."""
    with open(path, "rb") as spool:
        while True:
            try:
                yield pickle.load(spool)
            except EOFError:
                return
