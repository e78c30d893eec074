"""Scheduled work of roster imports (declared in the feature, :mod:`plugin.imports`)."""
from __future__ import annotations

from ..core.tasks import run_queued
from .models import ROSTER_IMPORT

#: Jobs run by one call at most, so a long queue does not hold the scheduler thread for ever.
JOBS_PER_RUN = 10


def run_queued_imports(limit: int = JOBS_PER_RUN) -> int:
    """Run uploaded rosters waiting in the queue, one after another; returns how many ran.

    Scheduled every few seconds. Commits: each job commits after every batch of rows (progress
    shows while it runs) and when it ends, and its uploader is notified then. Jobs whose process
    stopped are queued again (or failed after their last attempt) first; a job another runner
    holds is left to it (:mod:`plugin.core.tasks`).
    """
    return run_queued(ROSTER_IMPORT, limit=limit)
