"""The registry's notes on its categories for the home page: how many children's categories
rest on a presumption, and how many are undetermined by missing fact (DOMAIN §3). Not figures
for reports (no indicator publishes them): how sure the registry is of its categories today.

Published for the dashboard; each is one query over the children, with no join to the units
(:func:`plugin.org.queries.unit_id_in_subtrees`).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import case, func, select

from ..core.db import session
from ..org.queries import unit_id_in_subtrees
from .categories import FACT_CODES
from .models import Child


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
    in_scope = unit_id_in_subtrees(Child.org_unit_id, root_paths)
    undetermined, left_behind, in_difficulty = session.execute(
        select(func.sum(case((Child.categories_missing != "", 1), else_=0)),
               func.sum(case((Child.left_behind.is_(True) & _presumed("left_behind"), 1),
                             else_=0)),
               func.sum(case((Child.in_difficulty.is_(True) & _presumed("in_difficulty"), 1),
                             else_=0)))
        .select_from(Child).where(in_scope)).one()
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
        .select_from(Child).where(in_scope, Child.categories_missing != "")).one()
    return {code: int(count) for code, count in zip(FACT_CODES, sums, strict=True) if count}
