"""Workers' phone notices' retention rule (``Feature.retention``, run by
:mod:`plugin.privacy.retention`): reminders are only useful for days; once older than the
retention, read or not, they are deleted (nothing counts them)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from ..privacy.purge import end_of_local_day, erase, months_before
from .models import WorkerNotice


def purge_old_notices(today: date, months: int, *, dry_run: bool) -> int:
    ids = select(WorkerNotice.id).where(
        WorkerNotice.created_at < end_of_local_day(months_before(today, months)))
    return erase(WorkerNotice, ids, dry_run=dry_run)
