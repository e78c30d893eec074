"""The pledge PDFs of a whole site as one zip, made in the background.

A request queues a :class:`PledgeBatch` with its task (:data:`~plugin.pledges.models.SITE_ZIP`,
:mod:`plugin.core.tasks`); the scheduler (:func:`run_queued_batches`) renders the PDFs in
slices, committing the progress after each slice so the page's bar moves, writes the zip to a
temporary file and stores it encrypted in chunks with the task. The zip holds personal data:
downloads are audited and the daily job deletes zips older than :data:`KEEP_DAYS`.
"""
from __future__ import annotations

import re
import tempfile
import zipfile
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import selectinload, undefer

from ..audit.services import record_event
from ..core import task_files, tasks
from ..core.clock import local_today, utcnow
from ..core.db import session
from ..core.errors import ValidationError
from ..core.host import Actor
from ..core.i18n import N_
from ..core.task_files import StoredFile
from ..core.tasks import Task, TaskRun, TaskStatus
from ..notifications.services import notify
from ..org.models import OrgKind, OrgUnit
from . import queries
from .documents import render_pledge_pdf, status_note_for
from .models import SITE_ZIP, Pledge, PledgeBatch

#: PDFs rendered between two progress commits.
SLICE = 25
KEEP_DAYS = 7
BATCHES_PER_RUN = 5
#: The task's file that holds the zip.
ZIP = "zip"
UNSAFE_FILENAME = re.compile(r'[\\/:*?"<>|\s]+')


def request_batch(unit: OrgUnit, *, only_valid: bool, verify_url_base: str,
                  actor: Actor) -> PledgeBatch:
    """Queue the zip of a site's pledges (those valid today, or all of them)."""
    if unit.kind != OrgKind.SITE:
        raise ValidationError("请选择一个项目部/厂区", field="unit")
    if not verify_url_base.endswith("/"):
        raise ValueError("verify_url_base must end with a slash")
    batch = PledgeBatch(org_unit=unit, only_valid=bool(only_valid), as_of=local_today(),
                        verify_url_base=verify_url_base[:300], created_by=actor.key,
                        created_by_name=actor.name[:200], created_at=utcnow(),
                        task=tasks.new_task(SITE_ZIP))
    session.add(batch)
    session.flush()
    record_event("pledge.batch_requested", actor, target_type="pledge_batch", target_id=batch.id,
                 org_unit_id=unit.id, details={"only_valid": batch.only_valid})
    return batch


def record_batch_download(batch: PledgeBatch, actor: Actor) -> None:
    record_event("pledge.batch_downloaded", actor, target_type="pledge_batch", target_id=batch.id,
                 org_unit_id=batch.org_unit_id, details={"pledges": batch.total})


def stored_zip(batch: PledgeBatch) -> StoredFile | None:
    """The finished batch's zip; None before it is done and after it was deleted."""
    if batch.status != TaskStatus.DONE or batch.purged_at is not None:
        return None
    return task_files.stored_file(SITE_ZIP, batch.task_id, ZIP)


def run_queued_batches(limit: int = BATCHES_PER_RUN) -> int:
    """Make the queued zips, one after another; returns how many ran. Commits (see
    :func:`plugin.core.tasks.run_queued`)."""
    return tasks.run_queued(SITE_ZIP, limit=limit)


def _batch_of(task_id: int) -> PledgeBatch:
    return session.execute(select(PledgeBatch).where(PledgeBatch.task_id == task_id)).scalar_one()


def _document_name(pledge: Pledge) -> str:
    worker = pledge.worker
    stem = (f"{worker.employee_number}_{worker.name}_{pledge.signed_on.isoformat()}_"
            f"{pledge.verification_code[:4]}")
    return UNSAFE_FILENAME.sub("_", stem) + ".pdf"


def make_zip(run: TaskRun) -> None:
    """:attr:`SITE_ZIP.work`: render the batch's PDFs into a zip and store it. Commits the
    progress after every slice; the zip, its size and the audit entry are left for the
    transaction that marks the task done (:func:`plugin.core.tasks.execute`)."""
    batch = _batch_of(run.task_id)
    batch_id, base, as_of = batch.id, batch.verify_url_base, batch.as_of
    ids = queries.batch_pledge_ids(batch)
    batch.size_bytes = None
    run.checkpoint(0, total=len(ids))
    with tempfile.TemporaryDirectory(prefix="carebridge-pledges-") as work:
        path = Path(work) / "pledges.zip"
        processed = 0
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as archive:
            for documents in rendered_slices(ids, base, as_of):
                for name, pdf in documents:
                    archive.writestr(name, pdf)
                processed += len(documents)
                # The session's identity map is weak: rendered pledges are let go at the commit.
                run.checkpoint(processed)
        run.beat()  # still ours: the zip is not written over a successor's
        size = task_files.write_file(SITE_ZIP, run.task_id, ZIP, path)
    batch = session.get(PledgeBatch, batch_id)
    batch.size_bytes = size
    record_event("pledge.batch_finished", Actor(key=batch.created_by, name=batch.created_by_name),
                 target_type="pledge_batch", target_id=batch.id, org_unit_id=batch.org_unit_id,
                 details={"pledges": len(ids), "bytes": size})


def rendered_slices(ids: list[int], verify_url_base: str, as_of: date,
                    size: int = SLICE) -> Iterator[list[tuple[str, bytes]]]:
    """(file name, PDF) of the pledges ``ids``, in their order, a slice at a time: each slice's
    pledges are loaded in one query with their signatures and children."""
    for start in range(0, len(ids), size):
        wanted = ids[start:start + size]
        loaded = {pledge.id: pledge for pledge in session.execute(
            select(Pledge).where(Pledge.id.in_(wanted))
            .options(undefer(Pledge.signature_png), selectinload(Pledge.children))).scalars()}
        yield [(_document_name(pledge), render_pledge_pdf(
                    pledge, verify_url_base + pledge.verification_code,
                    status_note=status_note_for(pledge, as_of)))
               for pledge in (loaded[pledge_id] for pledge_id in wanted if pledge_id in loaded)]


def announce(task: Task) -> None:
    """:attr:`SITE_ZIP.ended`: tell the requester the zip is ready, or that it failed; flushes."""
    batch = _batch_of(task.id)
    link = ("carebridge.pledges.batch", {"batch_id": batch.id})
    if task.status == TaskStatus.DONE:
        notify([batch.created_by], N_("%(unit)s 的承诺书已打包：%(count)s 份"), link=link,
               params={"unit": batch.org_unit.name, "count": task.total},
               category="pledges.batch_done")
    else:
        notify([batch.created_by], N_("%(unit)s 的承诺书打包失败"), link=link,
               params={"unit": batch.org_unit.name}, category="pledges.batch_failed")


def purge_old_batches() -> int:
    """Delete the zips of batches finished more than :data:`KEEP_DAYS` ago; flushes."""
    cutoff = utcnow() - timedelta(days=KEEP_DAYS)
    old = list(session.execute(
        select(PledgeBatch).join(Task, PledgeBatch.task_id == Task.id)
        .where(Task.finished_at < cutoff, PledgeBatch.purged_at.is_(None))).scalars())
    for batch in old:
        tasks.delete_files(batch.task_id)
        batch.purged_at = utcnow()
    session.flush()
    return len(old)
