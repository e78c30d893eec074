"""How many scans of codes that are not ours get into the attempts log (issue #13, finding 9).

``/c/<code>`` is public, so anyone can send made-up or damaged codes as fast as they like. Such a
scan says nothing about any session; the phone gets the same "code not valid" page each time, and
the log keeps the first :data:`PER_CLIENT` of them per client address and minute, and at most
:data:`ALL_CLIENTS` per minute in all, so officers still see that someone tried and from where, and
a flood writes a bounded number of rows.

Counting is atomic in the database: one ``INSERT … ON CONFLICT DO UPDATE SET attempts = attempts +
1 … RETURNING attempts`` per counter, so concurrent requests on any number of app servers never
log more than the limits. A read comes first, so a flood past the limits writes nothing at all
(on SQLite it does not even wait for the write lock). Counters older than an hour are deleted by
the first logged scan of each minute.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, delete, select
from sqlalchemy.dialects import postgresql, sqlite

from ..core.db import session
from .models import CheckInLogThrottle

#: Refused scans of invalid codes logged per client address and minute.
PER_CLIENT = 10
#: Refused scans of invalid codes logged per minute, all clients together.
ALL_CLIENTS = 100
#: The counter row of all clients together.
EVERYONE = "*"
#: Counters kept this many minutes.
KEPT_MINUTES = 60

_THROTTLE = CheckInLogThrottle.__table__
#: Prepared once per dialect: add one to a counter, creating it at 1, and return the new count.
_BUMP = {
    name: (dialect.insert(_THROTTLE).values(client=bindparam("client"),
                                            unix_minute=bindparam("minute"), attempts=1)
           .on_conflict_do_update(index_elements=["client", "unix_minute"],
                                  set_={"attempts": _THROTTLE.c.attempts + 1})
           .returning(_THROTTLE.c.attempts))
    for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))}


def minute_of(moment: datetime) -> int:
    return int(moment.timestamp() // 60)


def may_log_invalid_code(client: str | None, now: datetime) -> bool:
    """Count one scan of an invalid code from ``client``; True if it may still be logged."""
    client = (client or "?")[:64]
    minute = minute_of(now)
    counts = dict(session.execute(
        select(_THROTTLE.c.client, _THROTTLE.c.attempts)
        .where(_THROTTLE.c.unix_minute == minute,
               _THROTTLE.c.client.in_((client, EVERYONE)))).all())
    if counts.get(client, 0) >= PER_CLIENT or counts.get(EVERYONE, 0) >= ALL_CLIENTS:
        return False
    bump = _BUMP[session.get_bind().dialect.name]
    if session.execute(bump, {"client": client, "minute": minute}).scalar_one() > PER_CLIENT:
        return False
    everyone = session.execute(bump, {"client": EVERYONE, "minute": minute}).scalar_one()
    if everyone == 1:
        session.execute(delete(_THROTTLE).where(_THROTTLE.c.unix_minute < minute - KEPT_MINUTES))
    return everyone <= ALL_CLIENTS
