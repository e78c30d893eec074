"""Reads of the registry for list and detail pages: scoped, paginated, no query per row."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, case, exists, func, or_, select

from ..audit.models import AuditEvent
from ..core.db import session
from ..core.pagination import Page, paginate
from ..org.models import OrgUnit
from ..org.queries import unit_id_in_subtrees
from .categories import CATEGORY_CODES, FACT_CODES, FOCUS_FLAG_CODES
from .consent import awaiting_consent_condition
from .models import Child, ChildParent, EmploymentStatus, Worker

#: The ``category`` filter value of children some category of which could not be decided.
UNDETERMINED = "unknown"


@dataclass
class WorkerFilter:
    search: str | None = None
    unit: OrgUnit | None = None
    category: str | None = None
    #: With ``category == UNDETERMINED``: only children missing this fact (a ``FACT_CODES`` code).
    missing_fact: str | None = None
    focus_flag: str | None = None
    #: Only workers with a child awaiting the guardian's consent on this day
    #: (``?consent=awaiting``).
    awaiting_consent_on: date | None = None
    status: EmploymentStatus | None = None
    #: Subtrees whose workers may be found by a prefix of their phone number (the searcher sees
    #: those numbers in full, :mod:`.phones`); elsewhere only the whole number matches. ``None``:
    #: everywhere.
    phone_prefix_paths: list[str] | None = None


def search_workers(criteria: WorkerFilter, *, scope_paths: list[str], page: int = 1,
                   per_page: int = 50) -> Page:
    """Workers in scope, newest first. Search matches the employee number or phone (prefix),
    pinyin initials (prefix) or the name (contains).

    Units and children are counted by ``IN`` against a set the database builds once, not per
    worker row (a join or a correlated ``EXISTS``): the page's count reads every matching row,
    and at a million workers that was the difference between a tenth of a second and seconds.
    """
    statement, counted = worker_statements(criteria, scope_paths=scope_paths)
    return paginate(statement, page, per_page, counted=counted)


def worker_statements(criteria: WorkerFilter, *, scope_paths: list[str]):
    """The workers list's query (rows in page order) and the same rows in the form the database
    counts faster (see :func:`search_workers`); the export streams the first one whole."""
    statement = (select(Worker).where(unit_id_in_subtrees(Worker.org_unit_id, scope_paths))
                 .order_by(Worker.id.desc()))
    if criteria.search:
        statement = statement.where(_search_condition(criteria.search.strip(),
                                                      criteria.phone_prefix_paths))
    if criteria.unit is not None:
        statement = statement.where(unit_id_in_subtrees(Worker.org_unit_id, [criteria.unit.path]))
    if criteria.status is not None:
        statement = statement.where(Worker.employment_status == criteria.status)
    child_condition = _child_conditions(criteria)
    if child_condition:
        parents = (select(ChildParent.worker_id).join(Child, ChildParent.child_id == Child.id)
                   .where(*child_condition))
        # Counted against the set of parents, built once; listed with EXISTS, which stops at
        # the page's last worker instead of building the whole set first (SQLite).
        return (statement.where(exists(parents.where(ChildParent.worker_id == Worker.id))),
                statement.where(Worker.id.in_(parents)))
    return statement, statement


def _child_conditions(criteria: WorkerFilter) -> list:
    """What the list's child filters (category, missing fact, focus flag, consent) ask of a
    child; empty when none is set."""
    conditions = []
    if criteria.awaiting_consent_on is not None:
        conditions.append(awaiting_consent_condition(criteria.awaiting_consent_on))
    if criteria.category in CATEGORY_CODES:
        conditions.append(getattr(Child, criteria.category).is_(True))
    elif criteria.category == UNDETERMINED:
        conditions.append(undetermined_condition(criteria.missing_fact))
    if criteria.focus_flag in FOCUS_FLAG_CODES:
        conditions.append(Child.focus_flags.contains(criteria.focus_flag, autoescape=True))
    return conditions


def children_statement(criteria: WorkerFilter, *, scope_paths: list[str],
                       child_scope_paths: list[str]):
    """The children of the workers the list shows (``scope_paths``: the list's), one row per
    child, those the filters ask for, within ``child_scope_paths`` (where the reader may see
    children), in the order they were registered."""
    workers, _counted = worker_statements(criteria, scope_paths=scope_paths)
    listed = select(ChildParent.child_id).where(
        ChildParent.worker_id.in_(workers.with_only_columns(Worker.id).order_by(None)))
    return (select(Child).where(Child.id.in_(listed), *_child_conditions(criteria),
                                unit_id_in_subtrees(Child.org_unit_id, child_scope_paths))
            .order_by(Child.id))


def undetermined_condition(missing_fact: str | None = None):
    """Children some category of which is unknown (facts missing), optionally missing one fact.

    ``categories_missing`` is space-separated codes; matched as a whole code (``mother.status``
    never matches ``grandmother.status``)."""
    if missing_fact in FACT_CODES:
        padded = " " + Child.categories_missing + " "
        return padded.contains(f" {missing_fact} ", autoescape=True)
    return Child.categories_missing != ""


def _prefix(column, term: str):
    """``column`` starts with ``term``.

    On SQLite (binary collation) as a range, which the column's index serves; ``LIKE 'x%'``
    never uses an index there. Elsewhere as ``LIKE``: a range is only right under a byte-order
    collation, and PostgreSQL databases usually have a linguistic one; the searched columns'
    pattern indexes (:func:`plugin.core.db.prefix_searched`) serve it there.
    """
    if session.get_bind().dialect.name == "sqlite":
        return (column >= term) & (column < term + "\U0010ffff")
    return column.startswith(term, autoescape=True)


def _search_condition(term: str, phone_prefix_paths: list[str] | None = None):
    """Digits and Latin letters search the indexed number and initials columns by prefix; other
    text (a Chinese name) searches names."""
    if term.isascii():
        conditions = [_prefix(Worker.employee_number, number)
                      for number in sorted({term, term.upper()})]
        if term.isdigit() and phone_prefix_paths is None:
            conditions.append(_prefix(Worker.phone, term))
        elif term.isdigit():
            conditions.append(Worker.phone == term)
            if phone_prefix_paths:
                conditions.append(_prefix(Worker.phone, term)
                                  & unit_id_in_subtrees(Worker.org_unit_id, phone_prefix_paths))
        if term.isalpha():
            conditions.append(_prefix(Worker.name_initials, term.lower()))
        return or_(*conditions)
    return or_(_prefix(Worker.name, term), Worker.name.contains(term, autoescape=True))


def children_counts(worker_ids: list[int]) -> dict[int, dict[str, int]]:
    """Per worker: number of children and of left-behind / in-difficulty ones (one query)."""
    if not worker_ids:
        return {}
    rows = session.execute(
        select(ChildParent.worker_id, func.count(),
               func.sum(case((Child.left_behind.is_(True), 1), else_=0)),
               func.sum(case((Child.in_difficulty.is_(True), 1), else_=0)))
        .join(Child, ChildParent.child_id == Child.id)
        .where(ChildParent.worker_id.in_(worker_ids)).group_by(ChildParent.worker_id))
    return {worker_id: {"children": total, "left_behind": int(left or 0),
                        "in_difficulty": int(hard or 0)}
            for worker_id, total, left, hard in rows}


def get_worker(worker_id: int) -> Worker | None:
    return session.get(Worker, worker_id)


def get_child(child_id: int) -> Child | None:
    return session.get(Child, child_id)


def children_of(worker: Worker) -> list[Child]:
    return list(session.execute(
        select(Child).join(ChildParent, ChildParent.child_id == Child.id)
        .where(ChildParent.worker_id == worker.id).order_by(Child.birth_date)).scalars())


def child_history(child: Child, limit: int = 100) -> list[AuditEvent]:
    """Changes to the child's record (and reveals, consents), newest first; views left out."""
    return list(session.execute(
        select(AuditEvent).where(AuditEvent.target_type == "child",
                                 AuditEvent.target_id == str(child.id),
                                 AuditEvent.action != "child.viewed")
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc()).limit(limit)).scalars())


def units_for_assignment(scope_paths: list[str]) -> list[OrgUnit]:
    from ..org.models import OrgKind
    from ..org.queries import sorted_tree, units_in_subtrees

    return [unit for unit in sorted_tree(units_in_subtrees(scope_paths))
            if unit.kind in (OrgKind.SITE, OrgKind.TEAM)]


def employed_on(day: date):
    """SQL condition on :class:`Worker`: employed at the end of ``day`` by the entry and leaving
    dates (no entry date recorded counts as employed)."""
    return and_(or_(Worker.entry_date.is_(None), Worker.entry_date <= day),
                or_(Worker.left_on.is_(None), Worker.left_on > day))


def has_child_born_between(worker_id_column, born_after, born_on_or_before):
    """Published SQL condition: the worker (``worker_id_column``) is a registered parent of a
    child born after ``born_after`` and on or before ``born_on_or_before`` (dates): "a child
    under 16 on a day" for features that address the parents of young children."""
    return select(ChildParent.id).join(Child, Child.id == ChildParent.child_id).where(
        ChildParent.worker_id == worker_id_column, Child.birth_date > born_after,
        Child.birth_date <= born_on_or_before).exists()


def has_child_where(worker_id_column, *, left_behind: bool = True, in_difficulty: bool = False,
                    de_facto_unsupported: bool = False):
    """Published SQL condition: the worker (``worker_id_column``) is a registered parent of a
    child who is, today, in one of the categories asked for (the categories as last computed,
    :mod:`plugin.registry.categories`). For set-based rules of other features (a monthly
    allowance to the parents of left-behind children)."""
    wanted = [column.is_(True) for column, asked in (
        (Child.left_behind, left_behind), (Child.in_difficulty, in_difficulty),
        (Child.de_facto_unsupported, de_facto_unsupported)) if asked]
    return select(ChildParent.id).join(Child, Child.id == ChildParent.child_id).where(
        ChildParent.worker_id == worker_id_column, or_(*wanted)).exists()
