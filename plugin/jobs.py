"""Every scheduled job of CareBridge, in one list. ``carebridge scheduler`` runs exactly these.

Features keep their job functions in their own ``jobs.py``; this list says when each runs.
Cron fields are in the company's time zone.
"""
from __future__ import annotations

from .core.db import refresh_planner_statistics
from .guardianship.jobs import daily_guardianship_check
from .imports.jobs import run_queued_imports
from .notifications.jobs import purge_old_read_notifications
from .pledges.jobs import pledge_lifecycle_today, run_queued_pledge_batches
from .registry.jobs import recompute_categories_due_today
from .scheduling.runner import JobDefinition
from .worker_access.jobs import purge_sign_in_records

JOBS: list[JobDefinition] = [
    JobDefinition(
        id="registry.recompute_categories",
        func=recompute_categories_due_today,
        trigger="cron",
        # Just after local midnight, so a child turning 16 leaves the left-behind list that day.
        trigger_args={"hour": 0, "minute": 5},
    ),
    JobDefinition(
        id="imports.run_queued",
        func=run_queued_imports,
        trigger="interval",
        # Uploaded rosters start within seconds; a running import holds this job (max 1 instance).
        trigger_args={"seconds": 3},
    ),
    JobDefinition(
        id="notifications.purge_read",
        func=purge_old_read_notifications,
        trigger="cron",
        trigger_args={"hour": 3, "minute": 17},
    ),
    JobDefinition(
        id="pledges.lifecycle",
        func=pledge_lifecycle_today,
        trigger="cron",
        # After midnight: a pledge valid until yesterday is marked expired first thing today.
        trigger_args={"hour": 0, "minute": 20},
    ),
    JobDefinition(
        id="pledges.run_batches",
        func=run_queued_pledge_batches,
        trigger="interval",
        # Site zips start within seconds; a running batch holds this job (max 1 instance).
        trigger_args={"seconds": 3},
    ),
    JobDefinition(
        id="core.refresh_planner_statistics",
        func=refresh_planner_statistics,
        trigger="cron",
        # Night: API upserts add rows a few at a time, and no import refreshes for them.
        trigger_args={"hour": 4, "minute": 10},
    ),
    JobDefinition(
        id="guardianship.daily_check",
        func=daily_guardianship_check,
        trigger="cron",
        # Morning, so the care team finds the follow-up summary when the working day starts.
        trigger_args={"hour": 7, "minute": 40},
    ),
    JobDefinition(
        id="worker_access.purge_sign_in_records",
        func=purge_sign_in_records,
        trigger="cron",
        trigger_args={"hour": 3, "minute": 47},
    ),
]
