"""Daily lifecycle of pledges: remind HR officers before a pledge lapses, mark lapsed ones.

Both are idempotent: a pledge is reminded about once (``expiry_reminded_at``) and marked expired
once (``expired_at``), so running the job twice on a day, or catching up after a day without a
scheduler, changes nothing more.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date

from flask import current_app
from sqlalchemy import exists, select
from sqlalchemy.orm import aliased

from ..access.queries import holders_of
from ..audit.services import record_event
from ..core.clock import utcnow
from ..core.db import session
from ..core.host import Actor
from ..core.i18n import N_
from ..notifications.services import notify
from ..org.models import OrgUnit
from ..registry.models import EmploymentStatus, Worker
from ..signals import pledge_expired
from .models import Pledge
from .permissions import PLEDGES_MANAGE
from .rules import expiring_before, reminder_days

SCHEDULER = Actor.system("scheduler")


def pledge_officers(unit: OrgUnit) -> list[str]:
    """User keys of everyone who manages the pledges of ``unit`` (a grant on it or above it)."""
    return holders_of(PLEDGES_MANAGE, unit)


def _renewed():
    newer = aliased(Pledge)
    return exists(select(newer.id).where(newer.renews_id == Pledge.id, newer.revoked_at.is_(None)))


def send_expiry_reminders(today: date) -> int:
    """Tell the HR officers of each unit how many of its pledges lapse within the reminder
    window; pledges already renewed, revoked, or of workers who left are passed over."""
    due = list(session.execute(
        select(Pledge).join(Worker, Pledge.worker_id == Worker.id)
        .where(Pledge.revoked_at.is_(None), Pledge.expiry_reminded_at.is_(None),
               Pledge.valid_until >= today, Pledge.valid_until <= expiring_before(today),
               Worker.employment_status == EmploymentStatus.ACTIVE, ~_renewed())
        .order_by(Pledge.valid_until, Pledge.id)).scalars())
    by_unit: dict[int, list[Pledge]] = defaultdict(list)
    for pledge in due:
        by_unit[pledge.worker.org_unit_id].append(pledge)
    now = utcnow()
    for pledges in by_unit.values():
        unit = pledges[0].worker.org_unit
        notify(pledge_officers(unit), N_("%(unit)s：%(count)s 份监护承诺书将在 %(days)s 天内到期"),
               body=N_("最早一份于 %(date)s 到期，请安排职工续签。"),
               params={"unit": unit.name, "count": len(pledges), "days": reminder_days(),
                       "date": pledges[0].valid_until.isoformat()},
               link=("carebridge.pledges.index", {"unit": unit.id, "status": "expiring"}),
               category="pledges.expiring")
        for pledge in pledges:
            pledge.expiry_reminded_at = now
    session.flush()
    return len(due)


def mark_expired(today: date) -> int:
    """Mark pledges whose last valid day has passed; each is audited and announced once."""
    lapsed = list(session.execute(
        select(Pledge).where(Pledge.revoked_at.is_(None), Pledge.expired_at.is_(None),
                             Pledge.valid_until < today)
        .order_by(Pledge.id)).scalars())
    now = utcnow()
    sender = current_app._get_current_object()
    for pledge in lapsed:
        pledge.expired_at = now
    session.flush()
    for pledge in lapsed:
        record_event("pledge.expired", SCHEDULER, target_type="pledge", target_id=pledge.id,
                     org_unit_id=pledge.worker.org_unit_id,
                     details={"worker_id": pledge.worker_id,
                              "valid_until": pledge.valid_until.isoformat()})
        pledge_expired.send(sender, pledge=pledge)
    session.flush()
    return len(lapsed)
