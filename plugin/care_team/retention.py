"""The care team's retention rules (``Feature.retention``, run by :mod:`plugin.privacy.retention`).

Service rows and members are never deleted: the figures of past periods (services delivered,
workers and children served, volunteers and social workers on a day) count them. What goes:

* a service's description and outcome (what was said in counselling, how a child is doing)
  some years after it was delivered; its kind, date, providers and recipients stay;
* a member who left: their name (``已清除``), phone and the link to their worker record; their
  kind, engagement, unit and dates stay (the stock of volunteers on a past day).
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from ..core.clock import utcnow
from ..privacy.purge import ANONYMISED_NAME, anonymise, months_before
from .models import CareTeamMember, ServiceRecord


def purge_service_notes(today: date, months: int, *, dry_run: bool) -> int:
    """Services delivered ``months`` or more ago."""
    ids = select(ServiceRecord.id).where(
        ServiceRecord.anonymised_at.is_(None),
        ServiceRecord.occurred_on <= months_before(today, months))
    return anonymise(ServiceRecord, ids, {"description": "", "outcome": None,
                                          "anonymised_at": utcnow()}, dry_run=dry_run)


def purge_former_members(today: date, months: int, *, dry_run: bool) -> int:
    """Members who left ``months`` or more ago."""
    ids = select(CareTeamMember.id).where(
        CareTeamMember.name != ANONYMISED_NAME, CareTeamMember.left_on.is_not(None),
        CareTeamMember.left_on <= months_before(today, months))
    return anonymise(CareTeamMember, ids, {"name": ANONYMISED_NAME, "phone": None,
                                           "worker_id": None, "availability_note": None},
                     dry_run=dry_run)
