"""A lease row in the shared database, so two schedulers started against one deployment (on one
machine or several app servers) never run jobs twice.

Acquiring is one conditional UPDATE (take it if it is mine or expired), falling back to an INSERT
for the very first holder; the primary key and row locking of the database decide races.
"""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, or_, update
from sqlalchemy.exc import IntegrityError

from ..core.clock import utcnow
from ..core.db import session
from .models import SchedulerLease

SCHEDULER_LEASE = "scheduler"


def try_acquire(holder: str, *, ttl: timedelta, name: str = SCHEDULER_LEASE) -> bool:
    """Take or renew the lease for ``ttl``; commits. False when someone else holds a live lease."""
    now = utcnow()
    result = session.execute(
        update(SchedulerLease)
        .where(SchedulerLease.name == name,
               or_(SchedulerLease.holder == holder, SchedulerLease.expires_at < now))
        .values(holder=holder, acquired_at=now, expires_at=now + ttl)
    )
    if result.rowcount == 1:
        session.commit()
        return True
    session.rollback()
    try:
        session.add(SchedulerLease(name=name, holder=holder, acquired_at=now, expires_at=now + ttl))
        session.commit()
        return True
    except IntegrityError:
        session.rollback()
        return False


def release(holder: str, *, name: str = SCHEDULER_LEASE) -> None:
    session.execute(delete(SchedulerLease).where(SchedulerLease.name == name,
                                                 SchedulerLease.holder == holder))
    session.commit()


def current_holder(name: str = SCHEDULER_LEASE) -> SchedulerLease | None:
    return session.get(SchedulerLease, name)
