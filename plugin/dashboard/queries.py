"""The home page's organisation part (the tree, its people, recent activity) and the registry's
notes on its categories, each count in one grouped query (no query per unit).

Figures about features come from their indicators (:mod:`plugin.dashboard.figures`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import case, func, select

from ..access.queries import grants_table
from ..audit.queries import count_events_since
from ..core.db import session
from ..org.models import OrgKind, OrgUnit
from ..org.queries import in_subtrees, sorted_tree, units_in_subtrees
from ..registry.categories import FACT_CODES
from ..registry.models import Child

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


# -- the registry's notes ------------------------------------------------------------------------
# Not figures (no indicator publishes them): how sure the registry is of its categories today.
# They still read the registry's table; they belong in a registry panel on "home.panels".

@dataclass
class RegistryNotes:
    #: Children a category applies to on a presumption, by category (left_behind, in_difficulty).
    presumed: dict[str, int] = field(default_factory=dict)
    #: Children some category of which is unknown.
    undetermined: int = 0
    #: Those children by missing fact (``FACT_CODES`` order); a child missing two facts counts
    #: under both.
    undetermined_by_fact: dict[str, int] = field(default_factory=dict)


def registry_notes(root_paths: list[str]) -> RegistryNotes:
    """The registry's notes for the subtrees at ``root_paths``, in two queries."""
    in_scope = in_subtrees(OrgUnit.path, root_paths)
    undetermined, left_behind, in_difficulty = session.execute(
        select(func.sum(case((Child.categories_missing != "", 1), else_=0)),
               func.sum(case((Child.left_behind.is_(True) & _presumed("left_behind"), 1),
                             else_=0)),
               func.sum(case((Child.in_difficulty.is_(True) & _presumed("in_difficulty"), 1),
                             else_=0)))
        .select_from(Child).join(OrgUnit, Child.org_unit_id == OrgUnit.id).where(in_scope)).one()
    notes = RegistryNotes(presumed={"left_behind": int(left_behind or 0),
                                    "in_difficulty": int(in_difficulty or 0)},
                          undetermined=int(undetermined or 0))
    if notes.undetermined:
        notes.undetermined_by_fact = undetermined_by_fact(in_scope)
    return notes


def _presumed(category: str):
    """The category rests on a presumption (``categories_presumed`` holds ``category=…``)."""
    return (" " + Child.categories_presumed).contains(f" {category}=", autoescape=True)


def undetermined_by_fact(in_scope) -> dict[str, int]:
    """Children with an unknown category, per missing fact, in one query (one sum per fact)."""
    padded = " " + Child.categories_missing + " "
    sums = session.execute(
        select(*(func.sum(case((padded.contains(f" {code} ", autoescape=True), 1), else_=0))
                 for code in FACT_CODES))
        .select_from(Child).join(OrgUnit, Child.org_unit_id == OrgUnit.id)
        .where(in_scope, Child.categories_missing != "")).one()
    return {code: int(count) for code, count in zip(FACT_CODES, sums, strict=True) if count}
