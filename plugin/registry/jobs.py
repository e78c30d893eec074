"""Scheduled work of the registry (declared in :mod:`plugin.jobs`)."""
from __future__ import annotations

from ..core.clock import local_today
from .services import recompute_due_categories


def recompute_categories_due_today() -> int:
    """Recompute children whose categories change with time today (birthdays, 6-month marks)."""
    return recompute_due_categories(local_today())
