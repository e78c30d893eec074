"""Scheduled work of roster imports (declared in :mod:`plugin.jobs`)."""
from __future__ import annotations

from .processing import claim_next_job, run_import

#: Jobs run by one call at most, so a long queue does not hold the scheduler thread for ever.
JOBS_PER_RUN = 10


def run_queued_imports(limit: int = JOBS_PER_RUN) -> int:
    """Run uploaded rosters waiting in the queue, one after another; returns how many ran.

    Scheduled every few seconds. Each job commits as it goes and notifies its uploader when it
    ends; a job already taken by another runner is skipped.
    """
    count = 0
    while count < limit and (job_id := claim_next_job()) is not None:
        run_import(job_id, notify_uploader=True)
        count += 1
    return count
