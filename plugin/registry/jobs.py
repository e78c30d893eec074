"""Scheduled work of the registry (declared in its :class:`~plugin.core.features.Feature`)."""
from __future__ import annotations

from datetime import timedelta

from ..core.clock import local_today
from ..core.db import refresh_planner_statistics as analyze_tables
from ..core.host import Actor
from . import held_details, history
from .services import recompute_due_categories


def recompute_categories_due_today() -> dict[str, int]:
    """Record how every child's record stood at the end of yesterday (the history reports of
    past periods read), then recompute the children whose categories change with time today
    (birthdays, 6-month marks): in that order, so yesterday keeps yesterday's categories."""
    today = local_today()
    recorded = history.record_day(today - timedelta(days=1))
    return {**recorded, "recomputed": recompute_due_categories(today)}


def refresh_planner_statistics() -> None:
    """Tell the planner how large the registry's tables now are (nightly; API upserts add rows a
    few at a time and no import refreshes for them)."""
    analyze_tables()


def discard_expired_held_details() -> int:
    """Erase the details held for lack of consent whose time has run out (daily, audited)."""
    return held_details.discard_expired(today=local_today(), actor=Actor.system("scheduler"))
