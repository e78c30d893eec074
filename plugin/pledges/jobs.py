"""Scheduled work of pledges (declared in the feature, :mod:`plugin.pledges`)."""
from __future__ import annotations

from ..core.clock import local_today
from .batches import purge_old_batches, run_queued_batches
from .lifecycle import mark_expired, send_expiry_reminders


def pledge_lifecycle_today() -> dict[str, int]:
    """Daily: mark lapsed pledges, remind HR officers of those about to lapse, delete old zips.
    Only flushes: the scheduler commits when it returns."""
    today = local_today()
    return {"expired": mark_expired(today), "reminded": send_expiry_reminders(today),
            "zips_deleted": purge_old_batches()}


def run_queued_pledge_batches() -> int:
    """Every few seconds: make the site zips HR officers asked for (a running one holds the job).

    Commits: each zip's progress after every slice of PDFs, and the zip when it is done (its
    requester is notified then); zips whose process stopped are queued again first, or failed
    after their last attempt (:mod:`plugin.core.tasks`).
    """
    return run_queued_batches()
