"""What every feature's purge functions share (:class:`~plugin.core.features.Retention`):
the day a retention runs out, and erasing or anonymising rows in batches without a stale copy
left in the session.

A purge function is ``(today, months, *, dry_run) -> int``: it selects the ids of the rows whose
retention ended on or before ``today``, returns their number in a dry run, and otherwise erases
or anonymises exactly those rows and returns the same number. Rows are selected by a condition
that their own purge makes false (``anonymised_at IS NULL``, ``scan IS NOT NULL``…), so a second
run finds nothing.
"""
from __future__ import annotations

import calendar
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, delete, func, select, update

from ..core.dates import day_bounds
from ..core.db import session

#: What an anonymised person's name reads (stored; shown as it is).
ANONYMISED_NAME = "已清除"
BATCH = 500


def months_before(today: date, months: int) -> date:
    """The day ``months`` calendar months before ``today`` (the 31st → the month's last day):
    a record whose retention started on or before it has run out today."""
    index = today.year * 12 + (today.month - 1) - months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(today.day, calendar.monthrange(year, month + 1)[1]))


def end_of_local_day(day: date) -> datetime:
    """The first moment after ``day`` in the company's zone, as UTC: a timestamp before it fell
    on ``day`` or earlier."""
    return day_bounds(day, day)[1]


def count(ids: Select) -> int:
    return session.execute(select(func.count()).select_from(ids.subquery())).scalar_one()


def _ids(ids: Select) -> list[Any]:
    return list(session.execute(ids).scalars())


def _forget(model: type, ids: Sequence[Any]) -> None:
    """Expire the session's copies of these rows: the bulk statement bypassed them."""
    wanted = set(ids)
    for instance in list(session.identity_map.values()):
        if isinstance(instance, model) and getattr(instance, "id", None) in wanted:
            session.expire(instance)


def anonymise(model: type, ids: Select, values: Mapping[str, Any] | Any, *,
              dry_run: bool) -> int:
    """Set ``values`` (column → value or SQL expression) on the rows ``ids`` selects, in
    batches; the number of rows (only counted in a dry run)."""
    if dry_run:
        return count(ids)
    found = _ids(ids)
    session.flush()
    for start in range(0, len(found), BATCH):
        batch = found[start:start + BATCH]
        session.execute(update(model).where(model.id.in_(batch)).values(values)
                        .execution_options(synchronize_session=False))
        _forget(model, batch)
    return len(found)


def erase(model: type, ids: Select, *, dry_run: bool, key: str = "id") -> int:
    """Delete the rows ``ids`` selects (by the column ``key``), in batches; their number."""
    if dry_run:
        return count(ids)
    found = _ids(ids)
    session.flush()
    column = getattr(model, key)
    for start in range(0, len(found), BATCH):
        batch = found[start:start + BATCH]
        for instance in list(session.identity_map.values()):
            if isinstance(instance, model) and getattr(instance, key, None) in batch:
                session.expunge(instance)
        session.execute(delete(model).where(column.in_(batch))
                        .execution_options(synchronize_session=False))
    return len(found)
