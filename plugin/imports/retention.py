"""The roster importer's retention rule (``Feature.retention``, run by
:mod:`plugin.privacy.retention`).

An uploaded roster and its error file hold every worker's and child's ID number; once the
import is older than the retention both files and the sample errors shown on the job's page
are deleted. The job row with its counts stays (who imported how many records when).
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import exists, null, or_, select

from ..core.tasks import TaskChunk
from ..privacy.purge import anonymise, end_of_local_day, erase, months_before
from .models import ImportJob


def purge_old_files(today: date, months: int, *, dry_run: bool) -> int:
    """Import jobs whose files or sample errors are still kept; the number of jobs."""
    has_files = exists().where(TaskChunk.task_id == ImportJob.task_id)
    ids = select(ImportJob.id).where(
        ImportJob.created_at < end_of_local_day(months_before(today, months)),
        or_(has_files, ImportJob.sample_errors.is_not(None)))
    if not dry_run:
        chosen = ids.subquery()
        erase(TaskChunk, select(TaskChunk.id).where(TaskChunk.task_id.in_(
            select(ImportJob.task_id).where(ImportJob.id.in_(select(chosen.c.id))))),
            dry_run=False)
    # null(): SQL NULL, not the JSON null a None would store (then IS NOT NULL stays true).
    return anonymise(ImportJob, ids, {"sample_errors": null()}, dry_run=dry_run)
