"""The day's cache of closed-period figures (:class:`~.models.DashboardFigure`).

Read once per page for the scope (one query), written once at the end of the page for the
figures it had to compute; rows of earlier days are deleted then (before today's are added, so
a figure's row of yesterday never stands in the way of today's). Two servers computing the same
page at once both try to store: the unique constraint keeps one row, the other's insert is
dropped in its savepoint.
"""
from __future__ import annotations

import hashlib
from datetime import date

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from ..core.db import session
from .models import DashboardFigure

Key = tuple[str, date, date]


def scope_key(paths: list[str]) -> str:
    return hashlib.sha256(",".join(sorted(paths)).encode()).hexdigest()


def cached_figures(paths: list[str], today: date) -> dict[Key, int]:
    """(code, start, end) → value of the figures computed today for this scope."""
    rows = session.execute(select(
        DashboardFigure.code, DashboardFigure.period_start, DashboardFigure.period_end,
        DashboardFigure.value).where(DashboardFigure.scope == scope_key(paths),
                                     DashboardFigure.computed_on == today))
    return {(code, start, end): value for code, start, end, value in rows}


def store_figures(paths: list[str], today: date, figures: dict[Key, int]) -> None:
    """Keep ``figures`` (all of closed periods) for the rest of ``today``."""
    if not figures:
        return
    scope = scope_key(paths)
    session.execute(delete(DashboardFigure).where(DashboardFigure.computed_on < today))
    try:
        with session.begin_nested():
            session.add_all(DashboardFigure(code=code, scope=scope, period_start=start,
                                            period_end=end, value=value, computed_on=today)
                            for (code, start, end), value in figures.items())
    except IntegrityError:  # another server stored this page's figures at the same moment
        pass
