"""The phone sign-in's retention rule (``Feature.retention``, run by
:mod:`plugin.privacy.retention`): a worker who left has no use for a remembered phone, a PIN or
an activation code; a month after leaving they are deleted (the audit log keeps their story).
The number is of workers whose sign-in records went."""
from __future__ import annotations

from datetime import date

from sqlalchemy import exists, or_, select

from ..core.db import session
from ..privacy.purge import count, erase, months_before
from ..registry.models import Worker
from ..registry.retention import workers_left_by
from .models import WorkerActivationCode, WorkerDevice, WorkerPin


def purge_leavers_sign_in(today: date, months: int, *, dry_run: bool) -> int:
    workers = select(Worker.id).where(
        Worker.id.in_(workers_left_by(months_before(today, months))),
        or_(exists().where(WorkerDevice.worker_id == Worker.id),
            exists().where(WorkerPin.worker_id == Worker.id),
            exists().where(WorkerActivationCode.worker_id == Worker.id)))
    if dry_run:
        return count(workers)
    found = list(session.execute(workers).scalars())
    if found:
        erase(WorkerDevice, select(WorkerDevice.id).where(WorkerDevice.worker_id.in_(found)),
              dry_run=False)
        erase(WorkerPin, select(WorkerPin.worker_id).where(WorkerPin.worker_id.in_(found)),
              dry_run=False, key="worker_id")
        erase(WorkerActivationCode, select(WorkerActivationCode.id).where(
            WorkerActivationCode.worker_id.in_(found)), dry_run=False)
    return len(found)
