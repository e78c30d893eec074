"""Check-ins under a burst of scans on SQLite.

SQLite (WAL) allows one writer at a time. A transaction that has read and then wants to write,
while another connection committed in between, is refused at once with "database is locked"
(the busy timeout does not apply to it). A check-in reads (the phone's device, the session) and
then writes, so on SQLite these views first take the write lock with a statement that changes
nothing: the request then waits its turn (busy timeout) instead of failing. If something read
before the view in the same transaction, that statement itself is refused; the transaction is
then rolled back and the view run again, lock first.

PostgreSQL needs none of this: ``INSERT … ON CONFLICT`` waits for a concurrent row instead.
"""
from __future__ import annotations

import functools
import random
import time

from sqlalchemy import delete, false
from sqlalchemy.exc import OperationalError

from ..core.db import session
from .models import CheckInAttempt

ATTEMPTS = 5


def _is_sqlite_write_conflict(error: OperationalError) -> bool:
    return "database is locked" in str(error.orig)


def _take_sqlite_write_lock() -> None:
    if session.get_bind().dialect.name == "sqlite":
        session.execute(delete(CheckInAttempt.__table__).where(false()))


def serialized_on_sqlite(view=None, *, lock_first: bool = True):
    """For views that read, then record a check-in: one at a time on SQLite, as they come.

    ``lock_first=False`` is for views whose usual case writes with its first statement (the
    venue-code scan, :mod:`.venue_scan`): they run without the lock statement, and only a run that
    read first and then collided is repeated, lock first.
    """
    if view is None:
        return functools.partial(serialized_on_sqlite, lock_first=lock_first)

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        attempt = 1
        while True:
            try:
                if lock_first or attempt > 1:
                    _take_sqlite_write_lock()
                return view(*args, **kwargs)
            except OperationalError as error:
                if attempt >= ATTEMPTS or not _is_sqlite_write_conflict(error):
                    raise
            session.rollback()
            time.sleep(random.uniform(0.001, 0.005) * attempt)
            attempt += 1

    return wrapper
