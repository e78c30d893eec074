"""Scheduled work of the registry (declared in its :class:`~plugin.core.features.Feature`)."""
from __future__ import annotations

from ..core.clock import local_today
from ..core.db import refresh_planner_statistics as analyze_tables
from ..core.host import Actor
from . import held_details
from .services import recompute_due_categories


def recompute_categories_due_today() -> int:
    """Recompute children whose categories change with time today (birthdays, 6-month marks)."""
    return recompute_due_categories(local_today())


def refresh_planner_statistics() -> None:
    """Tell the planner how large the registry's tables now are (nightly; API upserts add rows a
    few at a time and no import refreshes for them)."""
    analyze_tables()


def discard_expired_held_details() -> int:
    """Erase the details held for lack of consent whose time has run out (daily, audited)."""
    return held_details.discard_expired(today=local_today(), actor=Actor.system("scheduler"))
