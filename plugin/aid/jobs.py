"""Scheduled work of hardship aid (declared in the feature, :mod:`plugin.aid`)."""
from __future__ import annotations

from ..core.clock import local_today
from ..core.db import session
from ..core.host import Actor
from . import queries, recurring

#: How the monthly payments name their payer in the ledger and the audit log.
PAYER = Actor.system("aid-monthly-payments")


def pay_recurring_aid() -> dict[str, int]:
    """Daily: pay each recurring case the months due and not paid yet.

    Commits after each case, so a run stopped half way keeps what it paid and the next run goes
    on from there; a month is paid once however often this runs (:func:`recurring.pay_due_months`).
    """
    today = local_today()
    paid = cases = 0
    for application_id in queries.recurring_due_ids():
        paid += recurring.pay_due_months(application_id, today, PAYER)
        session.commit()
        cases += 1
    return {"cases": cases, "months_paid": paid}
