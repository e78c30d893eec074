"""Family contact's retention rule (``Feature.retention``, run by :mod:`plugin.privacy.retention`).

A month's allowance grant keeps its worker, month, minutes, data, cost and carrier result (the
allowance figures and the carrier batches count them); the phone number it was credited to, and
the carrier's reason for a failure (which may quote the number), go.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import or_, select

from ..privacy.purge import anonymise, months_before
from .models import AllowanceGrant


def purge_grant_phones(today: date, months: int, *, dry_run: bool) -> int:
    """Grants for a month that began ``months`` or more ago."""
    ids = select(AllowanceGrant.id).where(
        AllowanceGrant.month <= months_before(today, months),
        or_(AllowanceGrant.phone.is_not(None), AllowanceGrant.failure_reason.is_not(None)))
    return anonymise(AllowanceGrant, ids, {"phone": None, "failure_reason": None},
                     dry_run=dry_run)
