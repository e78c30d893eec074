"""Children's records as they were on a past day, for reports of past periods (issue #18).

Each night :func:`record_day` compares every child's record with its open history row
(:class:`~plugin.registry.models.ChildHistory`): a child whose unit, categories, flags or
reported facts changed gets its open row closed and a new one opened, held from the day that just
ended; a child new since gets its first row. Two set-based statements whatever the number of
children, and running it twice for a day changes nothing.

:func:`children_on` is the read function reports use: the children of a day as rows with the
history's columns, from the history for a day already recorded, from the live records for today
(a day after the last night's run reads the rows still open).
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import and_, exists, func, insert, literal, or_, select, update

from ..core.clock import local_today
from ..core.db import session
from .models import HISTORY_COLUMNS, Child, ChildHistory


def _differs():
    """SQL: the child's record no longer says what its open history row says."""
    return or_(*(getattr(Child, column).is_distinct_from(getattr(ChildHistory, column))
                 for column in HISTORY_COLUMNS))


def record_day(day: date) -> dict[str, int]:
    """Record what every child's record says at the end of ``day`` (run just after midnight for
    the day that ended; a later day's row is never rewritten for an earlier day)."""
    latest = session.execute(select(func.max(ChildHistory.held_from))).scalar_one()
    if latest is not None and latest > day:
        return {"closed": 0, "opened": 0}
    changed = (select(Child.id).join(ChildHistory, and_(ChildHistory.child_id == Child.id,
                                                        ChildHistory.held_until.is_(None)))
               .where(_differs(), ChildHistory.held_from < day))
    closed = session.execute(
        update(ChildHistory)
        .where(ChildHistory.held_until.is_(None), ChildHistory.child_id.in_(changed))
        .values(held_until=day).execution_options(synchronize_session=False)).rowcount
    # A row opened earlier today (the job run twice) is brought up to date instead.
    session.execute(
        update(ChildHistory)
        .where(ChildHistory.held_until.is_(None), ChildHistory.held_from == day,
               ChildHistory.child_id == Child.id)
        .values({column: getattr(Child, column) for column in HISTORY_COLUMNS})
        .execution_options(synchronize_session=False))
    without_open_row = ~exists().where(ChildHistory.child_id == Child.id,
                                       ChildHistory.held_until.is_(None))
    # Counted first: drivers do not all report the rows an INSERT … SELECT wrote.
    opened = session.execute(select(func.count()).select_from(Child)
                             .where(without_open_row)).scalar_one()
    if opened:
        session.execute(insert(ChildHistory.__table__).from_select(
            ["child_id", "held_from", *HISTORY_COLUMNS],
            select(Child.id, literal(day),
                   *(getattr(Child, column) for column in HISTORY_COLUMNS))
            .where(without_open_row)))
    return {"closed": closed, "opened": opened}


def history_begins() -> date | None:
    """The first day recorded; no figure of a day before it can be known (None: nothing yet)."""
    return session.execute(select(func.min(ChildHistory.held_from))).scalar_one()


def children_on(day: date):
    """A subquery of the children as their records stood at the end of ``day``: columns
    ``child_id`` and those of :data:`~plugin.registry.models.HISTORY_COLUMNS`. Today and later,
    and while nothing is recorded yet, the live records; a day before :func:`history_begins`
    has no children (the caller says so rather than report a zero)."""
    if day >= local_today() or history_begins() is None:
        return select(Child.id.label("child_id"),
                      *(getattr(Child, column) for column in HISTORY_COLUMNS)).subquery()
    return (select(ChildHistory.child_id,
                   *(getattr(ChildHistory, column) for column in HISTORY_COLUMNS))
            .where(ChildHistory.held_from <= day,
                   or_(ChildHistory.held_until.is_(None), ChildHistory.held_until > day))
            .subquery())
