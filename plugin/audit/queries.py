"""Reads of the audit log published for other features (the search page's own queries are in
:mod:`plugin.administration.audit_queries`)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from ..core.db import session
from .models import AuditEvent


def count_events_since(since: datetime, unit_ids, *, cap: int) -> int:
    """How many events on the units ``unit_ids`` (ids, or a select of them) happened since
    ``since``, counting at most ``cap`` (a figure shown as "cap or more" need not count on)."""
    recent = (select(AuditEvent.id)
              .where(AuditEvent.occurred_at >= since, AuditEvent.org_unit_id.in_(unit_ids))
              .limit(cap))
    return session.execute(select(func.count()).select_from(recent.subquery())).scalar_one()
