"""Scheduled work of reports (declared in the feature, :mod:`plugin.reports`)."""
from __future__ import annotations

from ..core.clock import local_today
from .drafting import draft_finished_periods


def draft_due_reports() -> dict[str, int]:
    """Daily: a draft of each scheduled template for the period just ended, once, and a
    notification to its report officers. Only flushes: the scheduler commits when it returns."""
    return {"drafted": draft_finished_periods(local_today())}
