"""Searching the audit log."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select

from ..audit.models import AuditEvent
from ..core.db import session
from ..core.pagination import Page, paginate
from ..org.models import OrgUnit
from ..org.queries import in_subtrees


@dataclass
class AuditFilter:
    action: str | None = None
    actor: str | None = None
    target_type: str | None = None
    target_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def search_events(criteria: AuditFilter, *, scope_paths: list[str], whole_company: bool,
                  page: int = 1, per_page: int = 50) -> Page:
    """Newest first. Outside the whole-company scope, only events of units in ``scope_paths``."""
    return paginate(events_statement(criteria, scope_paths=scope_paths,
                                     whole_company=whole_company), page, per_page)


def events_statement(criteria: AuditFilter, *, scope_paths: list[str], whole_company: bool):
    """The query of :func:`search_events`, unpaginated (the log's export streams it)."""
    statement = select(AuditEvent).order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
    if not whole_company:
        statement = statement.where(AuditEvent.org_unit_id.in_(
            select(OrgUnit.id).where(in_subtrees(OrgUnit.path, scope_paths))))
    if criteria.action:
        statement = statement.where(AuditEvent.action == criteria.action)
    if criteria.actor:
        pattern = f"%{criteria.actor}%"
        statement = statement.where(or_(AuditEvent.actor_name.ilike(pattern),
                                        AuditEvent.actor_key == criteria.actor))
    if criteria.target_type:
        statement = statement.where(AuditEvent.target_type == criteria.target_type)
    if criteria.target_id:
        statement = statement.where(AuditEvent.target_id == criteria.target_id)
    if criteria.since:
        statement = statement.where(AuditEvent.occurred_at >= criteria.since)
    if criteria.until:
        statement = statement.where(AuditEvent.occurred_at < criteria.until)
    return statement


def known_actions() -> list[str]:
    return list(session.execute(
        select(AuditEvent.action).distinct().order_by(AuditEvent.action)).scalars())


def known_target_types() -> list[str]:
    return [t for t in session.execute(
        select(AuditEvent.target_type).distinct().order_by(AuditEvent.target_type)).scalars() if t]
