"""Scheduled work of the notifications feature (declared in :mod:`plugin.jobs`)."""
from __future__ import annotations

from .outbox import deliver_due
from .services import purge_finished_deliveries, purge_read_notifications

#: Deliveries one run makes at most, so a long outbox does not hold a scheduler thread for ever.
DELIVERIES_PER_RUN = 100


def deliver_due_notifications(limit: int = DELIVERIES_PER_RUN) -> dict[str, int]:
    """Every few seconds: hand the outbox's due rows to their channels (SMS, WeCom…).

    Commits: each row is claimed, then its outcome recorded, in a transaction of its own, and
    no transaction is open while a channel sends. Failures are retried with a growing wait
    (:mod:`plugin.notifications.outbox`); several runners at once never send a row twice.
    """
    return deliver_due(limit)


def purge_old_read_notifications() -> dict[str, int]:
    """Nightly: delete notifications read half a year ago, and outbox rows finished a month ago."""
    return {"notifications": purge_read_notifications(older_than_days=180),
            "deliveries": purge_finished_deliveries(older_than_days=30)}
