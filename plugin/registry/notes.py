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
    """The registry's notes for the subtrees at ``root_paths``, in one pass over the children.

    Only children with a fact missing or a presumption are read further (the ``WHERE``: two
    plain comparisons per child), and each text match is guarded by a ``CASE`` on a plain
    comparison first, so the database runs the ``LIKE`` only on the few children it concerns.
    """
    missing = Child.categories_missing
    presumed = Child.categories_presumed
    padded = " " + missing + " "
    row = session.execute(
        select(_count_if(missing != ""),
               _count_if(_presumed(Child.left_behind, "left_behind")),
               _count_if(_presumed(Child.in_difficulty, "in_difficulty")),
               *(func.sum(case((missing == "", 0),
                               (padded.contains(f" {code} ", autoescape=True), 1), else_=0))
                 for code in FACT_CODES))
        .select_from(Child).where(unit_id_in_subtrees(Child.org_unit_id, root_paths),
                                  (missing != "") | (presumed != ""))).one()
    undetermined, left_behind, in_difficulty, *by_fact = (int(value or 0) for value in row)
    return RegistryNotes(
        presumed={"left_behind": left_behind, "in_difficulty": in_difficulty},
        undetermined=undetermined,
        undetermined_by_fact={code: count for code, count in zip(FACT_CODES, by_fact,
                                                                 strict=True) if count})


def _count_if(condition):
    return func.sum(case((condition, 1), else_=0))


def _presumed(category_column, category: str):
    """The child is in ``category`` on a presumption (``categories_presumed`` holds
    ``category=…``); the text is read only for children in the category with a presumption."""
    presumed = Child.categories_presumed
    return case((category_column.is_not(True) | (presumed == "") | presumed.is_(None), False),
                else_=(" " + presumed).contains(f" {category}=", autoescape=True))
