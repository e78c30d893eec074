"""The audit log's retention rule (``Feature.retention``, run by :mod:`plugin.privacy.retention`).

Events older than the retention are deleted; the rule keeps at least 36 months whatever is
configured (PIPL Art. 56: processing records and impact assessments are kept three years; the
Cybersecurity Law asks six months of logs). The audit log sits below the privacy feature, so the
day arithmetic is its own.
"""
from __future__ import annotations

import calendar
from datetime import date

from sqlalchemy import delete, func, select

from ..core.dates import day_bounds
from ..core.db import session
from .models import AuditEvent

MINIMUM_MONTHS = 36


def _months_before(today: date, months: int) -> date:
    index = today.year * 12 + (today.month - 1) - months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(today.day, calendar.monthrange(year, month + 1)[1]))


def purge_old_events(today: date, months: int, *, dry_run: bool) -> int:
    """Events recorded on the day ``months`` before ``today`` or earlier (company days)."""
    before = day_bounds(*(2 * (_months_before(today, max(months, MINIMUM_MONTHS)),)))[1]
    if dry_run:
        return session.execute(select(func.count()).select_from(AuditEvent)
                               .where(AuditEvent.occurred_at < before)).scalar_one()
    session.flush()
    return session.execute(delete(AuditEvent).where(AuditEvent.occurred_at < before)
                           .execution_options(synchronize_session=False)).rowcount
