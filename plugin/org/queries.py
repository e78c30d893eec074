"""Reads of the company and the organisation tree."""
from __future__ import annotations

from sqlalchemy import false, func, or_, select, true
from sqlalchemy.orm import aliased

from ..core.db import session
from .models import Company, OrgUnit


def get_company() -> Company | None:
    return session.execute(select(Company).limit(1)).scalar_one_or_none()


def get_root_unit() -> OrgUnit | None:
    return session.execute(
        select(OrgUnit).where(OrgUnit.parent_id.is_(None)).order_by(OrgUnit.id).limit(1)
    ).scalar_one_or_none()


def get_unit(unit_id: int) -> OrgUnit | None:
    return session.get(OrgUnit, unit_id)


def in_subtrees(path_column, root_paths: list[str]):
    """SQL condition: ``path_column`` lies in one of the subtrees whose paths are given.

    The company's root (the one unit whose path has a single id) covers everything, so no
    condition is needed for it: at a million rows that saves a scan per list page.
    """
    if not root_paths:
        return false()
    if _covers_company(root_paths):
        return true()
    return or_(*(path_column.startswith(path, autoescape=True) for path in root_paths))


def _covers_company(root_paths: list[str]) -> bool:
    return any(path.count("/") == 2 for path in root_paths)


def unit_id_in_subtrees(unit_id_column, root_paths: list[str]):
    """SQL condition: the unit ``unit_id_column`` points to lies in one of the given subtrees.

    Tested against the few ids of those units, so a list of a million rows needs no join to
    the units per row (and, for the company's root, no condition at all).
    """
    if _covers_company(root_paths):
        return true()
    return unit_id_column.in_(select(OrgUnit.id).where(in_subtrees(OrgUnit.path, root_paths)))


def units_in_subtrees(root_paths: list[str]) -> list[OrgUnit]:
    """Every unit in the given subtrees, ordered so that a parent comes before its children."""
    return list(session.execute(
        select(OrgUnit).where(in_subtrees(OrgUnit.path, root_paths)).order_by(OrgUnit.path)
    ).scalars())


def sorted_tree(units: list[OrgUnit]) -> list[OrgUnit]:
    """Depth-first order with siblings by name (paths sort by id, which is not what people read)."""
    children: dict[int | None, list[OrgUnit]] = {}
    ids = {unit.id for unit in units}
    for unit in units:
        parent = unit.parent_id if unit.parent_id in ids else None
        children.setdefault(parent, []).append(unit)
    ordered: list[OrgUnit] = []

    def walk(parent_id):
        for unit in sorted(children.get(parent_id, []), key=lambda u: u.name):
            ordered.append(unit)
            walk(unit.id)

    walk(None)
    return ordered


def subtree_unit_counts(root_paths: list[str]) -> dict[int, int]:
    """Number of units strictly below each unit in the given subtrees, in one query."""
    descendant = aliased(OrgUnit)
    rows = session.execute(
        select(OrgUnit.id, func.count(descendant.id))
        .join(descendant, descendant.path.startswith(OrgUnit.path) & (descendant.id != OrgUnit.id))
        .where(in_subtrees(OrgUnit.path, root_paths))
        .group_by(OrgUnit.id)
    ).all()
    return dict(rows)


def children_of(unit_id: int) -> list[OrgUnit]:
    return list(session.execute(select(OrgUnit).where(OrgUnit.parent_id == unit_id)).scalars())
