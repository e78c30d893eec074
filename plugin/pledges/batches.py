"""The pledge PDFs of a whole site as one zip, made in the background.

A request queues a :class:`PledgeBatch`; the scheduler (:func:`run_queued_batches`) renders the
PDFs in slices, committing the progress after each slice so the page's bar moves, writes the zip
to a temporary file and stores it encrypted in chunks. The zip holds personal data: downloads
are audited and the daily job deletes zips older than :data:`KEEP_DAYS`.
"""
from __future__ import annotations

import logging
import re
import tempfile
import zipfile
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import delete, select
from sqlalchemy.orm import selectinload, undefer

from ..audit.services import record_event
from ..core.clock import local_today, utcnow
from ..core.db import session
from ..core.errors import NotFound, ValidationError
from ..core.host import Actor
from ..core.i18n import N_
from ..notifications.services import notify
from ..org.models import OrgKind, OrgUnit
from . import queries
from .documents import render_pledge_pdf, status_note_for
from .models import BatchStatus, Pledge, PledgeBatch, PledgeBatchChunk

log = logging.getLogger(__name__)

#: PDFs rendered between two progress commits.
SLICE = 25
CHUNK_BYTES = 1 << 20
KEEP_DAYS = 7
STALE_AFTER = timedelta(minutes=10)
BATCHES_PER_RUN = 5
UNSAFE_FILENAME = re.compile(r'[\\/:*?"<>|\s]+')


def request_batch(unit: OrgUnit, *, only_valid: bool, verify_url_base: str,
                  actor: Actor) -> PledgeBatch:
    """Queue the zip of a site's pledges (those valid today, or all of them)."""
    if unit.kind != OrgKind.SITE:
        raise ValidationError("请选择一个项目部/厂区", field="unit")
    if not verify_url_base.endswith("/"):
        raise ValueError("verify_url_base must end with a slash")
    batch = PledgeBatch(org_unit=unit, status=BatchStatus.QUEUED, only_valid=bool(only_valid),
                        as_of=local_today(), verify_url_base=verify_url_base[:300],
                        created_by=actor.key, created_by_name=actor.name[:200], processed=0,
                        created_at=utcnow())
    session.add(batch)
    session.flush()
    record_event("pledge.batch_requested", actor, target_type="pledge_batch", target_id=batch.id,
                 org_unit_id=unit.id, details={"only_valid": batch.only_valid})
    return batch


def record_batch_download(batch: PledgeBatch, actor: Actor) -> None:
    record_event("pledge.batch_downloaded", actor, target_type="pledge_batch", target_id=batch.id,
                 org_unit_id=batch.org_unit_id, details={"pledges": batch.total})


def claim_next_batch() -> int | None:
    """Take the oldest queued batch (or one whose runner died) and mark it running; commits.
    On PostgreSQL the row is locked with SKIP LOCKED, so two runners never take the same one."""
    batch_id = queries.next_queued_batch_id(utcnow() - STALE_AFTER)
    if batch_id is None:
        session.rollback()
        return None
    batch = session.get(PledgeBatch, batch_id)
    batch.status = BatchStatus.RUNNING
    batch.started_at = batch.heartbeat_at = utcnow()
    batch.processed = 0
    session.commit()
    return batch_id


def run_queued_batches(limit: int = BATCHES_PER_RUN) -> int:
    count = 0
    while count < limit and (batch_id := claim_next_batch()) is not None:
        run_batch(batch_id)
        count += 1
    return count


def _document_name(pledge: Pledge) -> str:
    worker = pledge.worker
    stem = (f"{worker.employee_number}_{worker.name}_{pledge.signed_on.isoformat()}_"
            f"{pledge.verification_code[:4]}")
    return UNSAFE_FILENAME.sub("_", stem) + ".pdf"


def run_batch(batch_id: int) -> PledgeBatch:
    """Render the batch's PDFs into a zip and store it; commits as it goes. Never raises for
    a failure of the batch: it is marked failed and its requester told."""
    batch = queries.get_batch(batch_id)
    if batch is None:
        raise NotFound("批量任务不存在")
    try:
        with tempfile.TemporaryDirectory(prefix="carebridge-pledges-") as work:
            path = Path(work) / "pledges.zip"
            _render_all(batch_id, path)
            _store(batch_id, path)
    except Exception:
        log.exception("pledge batch %s failed", batch_id)
        session.rollback()
        batch = queries.get_batch(batch_id)
        session.execute(delete(PledgeBatchChunk).where(PledgeBatchChunk.batch_id == batch_id))
        batch.status = BatchStatus.FAILED
        batch.failure = {"message": N_("生成时发生内部错误，请联系系统管理员"), "params": {}}
        batch.finished_at = utcnow()
    batch = queries.get_batch(batch_id)
    _announce(batch)
    session.commit()
    return batch


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


def _render_all(batch_id: int, path: Path) -> None:
    batch = queries.get_batch(batch_id)
    ids = queries.batch_pledge_ids(batch)
    batch.total = len(ids)
    session.commit()
    base, as_of = batch.verify_url_base, batch.as_of
    processed = 0
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as archive:
        for documents in rendered_slices(ids, base, as_of):
            for name, pdf in documents:
                archive.writestr(name, pdf)
            processed += len(documents)
            batch = queries.get_batch(batch_id)
            batch.processed = processed
            batch.heartbeat_at = utcnow()
            session.commit()  # the session's identity map is weak: rendered pledges are let go


def _store(batch_id: int, path: Path) -> None:
    with open(path, "rb") as handle:
        seq = 0
        while chunk := handle.read(CHUNK_BYTES):
            row = PledgeBatchChunk(batch_id=batch_id, seq=seq, data=chunk)
            session.add(row)
            session.flush()
            session.expunge(row)
            seq += 1
    batch = queries.get_batch(batch_id)
    batch.size_bytes = path.stat().st_size
    batch.status = BatchStatus.DONE
    batch.finished_at = utcnow()
    record_event("pledge.batch_finished", Actor(key=batch.created_by, name=batch.created_by_name),
                 target_type="pledge_batch", target_id=batch.id, org_unit_id=batch.org_unit_id,
                 details={"pledges": batch.total, "bytes": batch.size_bytes})


def _announce(batch: PledgeBatch) -> None:
    link = f"{current_app.extensions['carebridge'].url_prefix}/pledges/batches/{batch.id}"
    if batch.status == BatchStatus.DONE:
        notify([batch.created_by], N_("%(unit)s 的承诺书已打包：%(count)s 份"), link=link,
               params={"unit": batch.org_unit.name, "count": batch.total},
               category="pledges.batch_done")
    else:
        notify([batch.created_by], N_("%(unit)s 的承诺书打包失败"), link=link,
               params={"unit": batch.org_unit.name}, category="pledges.batch_failed")


def purge_old_batches() -> int:
    """Delete the zips of batches finished more than :data:`KEEP_DAYS` ago."""
    cutoff = utcnow() - timedelta(days=KEEP_DAYS)
    old = list(session.execute(select(PledgeBatch).where(
        PledgeBatch.finished_at < cutoff, PledgeBatch.purged_at.is_(None))).scalars())
    for batch in old:
        session.execute(delete(PledgeBatchChunk).where(PledgeBatchChunk.batch_id == batch.id))
        batch.purged_at = utcnow()
    session.flush()
    return len(old)
