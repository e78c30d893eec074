"""Counts for the home page, each in one grouped query (no query per unit)."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import case, func, select

from ..access.models import RoleGrant
from ..audit.models import AuditEvent
from ..core.db import session
from ..org.models import OrgKind, OrgUnit
from ..org.queries import in_subtrees, sorted_tree, units_in_subtrees
from ..registry.models import Child, EmploymentStatus, Worker


#: The recent-activity count stops here ("10000+"): counting a big import's events costs seconds.
AUDIT_COUNT_CAP = 10_000


@dataclass
class DashboardFigures:
    units: list[OrgUnit]
    units_by_kind: dict[OrgKind, int]
    people_by_unit: dict[int, int]
    people_total: int
    audit_events_since: int
    registry: dict[str, int] = field(default_factory=dict)


def dashboard_figures(root_paths: list[str], *, since) -> DashboardFigures:
    units = sorted_tree(units_in_subtrees(root_paths))
    in_scope = in_subtrees(OrgUnit.path, root_paths)
    by_kind = {OrgKind(kind): count for kind, count in session.execute(
        select(OrgUnit.kind, func.count()).where(in_scope).group_by(OrgUnit.kind))}
    people_by_unit = {unit_id: count for unit_id, count in session.execute(
        select(RoleGrant.org_unit_id, func.count(func.distinct(RoleGrant.user_key)))
        .join(OrgUnit, RoleGrant.org_unit_id == OrgUnit.id).where(in_scope)
        .group_by(RoleGrant.org_unit_id))}
    people_total = session.execute(
        select(func.count(func.distinct(RoleGrant.user_key)))
        .join(OrgUnit, RoleGrant.org_unit_id == OrgUnit.id).where(in_scope)).scalar_one()
    recent = (select(AuditEvent.id).where(AuditEvent.occurred_at >= since,
                                          AuditEvent.org_unit_id.in_(select(OrgUnit.id).where(in_scope)))
              .limit(AUDIT_COUNT_CAP + 1))
    audit_events = session.execute(select(func.count()).select_from(recent.subquery())).scalar_one()
    return DashboardFigures(units=units, units_by_kind=by_kind, people_by_unit=people_by_unit,
                            people_total=people_total, audit_events_since=audit_events,
                            registry=registry_figures(in_scope))


def registry_figures(in_scope) -> dict[str, int]:
    """Active workers, children, and children per category, in two grouped queries."""
    workers = session.execute(
        select(func.count()).select_from(Worker).join(OrgUnit, Worker.org_unit_id == OrgUnit.id)
        .where(in_scope, Worker.employment_status == EmploymentStatus.ACTIVE)).scalar_one()
    children, left_behind, in_difficulty, migrant = session.execute(
        select(func.count(),
               func.sum(case((Child.left_behind.is_(True), 1), else_=0)),
               func.sum(case((Child.in_difficulty.is_(True), 1), else_=0)),
               func.sum(case((Child.migrant.is_(True), 1), else_=0)))
        .select_from(Child).join(OrgUnit, Child.org_unit_id == OrgUnit.id).where(in_scope)).one()
    return {"workers": workers, "children": children, "left_behind": int(left_behind or 0),
            "in_difficulty": int(in_difficulty or 0), "migrant": int(migrant or 0)}
