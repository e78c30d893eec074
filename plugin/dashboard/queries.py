"""The home page's organisation part (the tree, its people, recent activity), each count in one
grouped query (no query per unit).

Figures about features come from their indicators (:mod:`plugin.dashboard.figures`), the
registry's notes on its categories from :func:`plugin.registry.notes.registry_notes`.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from ..access.queries import grants_table
from ..audit.queries import count_events_since
from ..core.db import session
from ..org.models import OrgKind, OrgUnit
from ..org.queries import in_subtrees, sorted_tree, units_in_subtrees

#: The recent-activity count stops here ("10000+"): counting a big import's events costs seconds.
AUDIT_COUNT_CAP = 10_000
#: The recent-activity count covers this many days up to now (the page says "近 7 天").
RECENT_ACTIVITY_DAYS = 7


def recent_activity_since(now: datetime) -> datetime:
    """The start of the period the recent-activity count covers."""
    return now - timedelta(days=RECENT_ACTIVITY_DAYS)


@dataclass
class OrgFigures:
    units: list[OrgUnit]
    units_by_kind: dict[OrgKind, int]
    people_by_unit: dict[int, int]
    people_total: int
    audit_events_since: int


def org_figures(root_paths: list[str], *, since) -> OrgFigures:
    units = sorted_tree(units_in_subtrees(root_paths))
    in_scope = in_subtrees(OrgUnit.path, root_paths)
    by_kind = {OrgKind(kind): count for kind, count in session.execute(
        select(OrgUnit.kind, func.count()).where(in_scope).group_by(OrgUnit.kind))}
    grants = grants_table()
    people_by_unit = dict(session.execute(
        select(grants.c.org_unit_id, func.count(func.distinct(grants.c.user_key)))
        .join(OrgUnit, grants.c.org_unit_id == OrgUnit.id).where(in_scope)
        .group_by(grants.c.org_unit_id)).all())
    people_total = session.execute(
        select(func.count(func.distinct(grants.c.user_key)))
        .join(OrgUnit, grants.c.org_unit_id == OrgUnit.id).where(in_scope)).scalar_one()
    audit_events = count_events_since(since, select(OrgUnit.id).where(in_scope),
                                      cap=AUDIT_COUNT_CAP + 1)
    return OrgFigures(units=units, units_by_kind=by_kind, people_by_unit=people_by_unit,
                      people_total=people_total, audit_events_since=audit_events)
