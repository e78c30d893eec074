"""Presumptions to confirm: the children whose categories rest on a presumption or could not be
decided, and filling one such fact for many children at once (DOMAIN §3, "Presumptions").

The list (:func:`search_review`) is for the care team and HR (``CHILDREN_VIEW``, within the
actor's scope); the bulk fill (:func:`fill_fact`) for those who manage children
(``CHILDREN_MANAGE``). Which record holds a fact follows :func:`.services.child_facts`:

* ``<parent>.since`` of a parent who is a worker here is that worker's ``works_away_since``
  (also when both parents are workers here: each is described by their own record);
* ``<parent>.since`` / ``<parent>.capable`` of a parent who is not a worker here is the
  ``other_parent_since`` / ``other_parent_capable`` of the worker who is the child's other
  parent. When that worker records no ``other_parent_status`` (the status was read from the
  child's situation in words), the status read is recorded with it, since a start date or a
  capacity means nothing without the status it belongs to;
* ``lives_in_home_area`` is the child's own.

A worker's ``other_parent_*`` describes the other parent of all the worker's children, so a fill
recomputes every child of each worker it changes, selected or not. The service checks
everything first (each child found within the actor's scope and still missing or presuming the
fact, each worker to change manageable, the value valid), then changes, flushes, audits each
record it changed (``details={"fields": [...], "bulk": True}``) and recomputes; it never commits.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from sqlalchemy import String, case, func, literal, or_, select

from ..access.scope import Scope, valid_id
from ..audit.services import record_event
from ..core.changes import apply_changes
from ..core.db import session
from ..core.errors import ValidationError
from ..core.host import Actor
from ..core.i18n import N_
from ..core.pagination import Page, paginate
from ..org.models import OrgUnit
from ..org.queries import unit_id_in_subtrees
from .categories import CATEGORY_CODES, FACT_CODES, TIMED_STATUSES, ParentStatus
from .labels import FACT_LABELS
from .models import Child, ChildParent, ParentRole, Worker
from .permissions import CHILDREN_MANAGE, WORKERS_MANAGE
from .services import child_facts, parse_presumed, recompute_categories
from .values import parse_bool, parse_date

#: Facts filled with a date (a parent's status start).
DATE_FACTS = ("mother.since", "father.since")
#: Facts filled with yes or no.
YES_NO_FACTS = ("mother.capable", "father.capable", "lives_in_home_area")
#: Facts the bulk fill sets. A birth date is each child's own; a parent's status is recorded on
#: the worker's page (it decides more than one fact).
FILLABLE_FACTS = DATE_FACTS + YES_NO_FACTS

#: A selected child that does not exist or lies outside the actor's scope: the same words for
#: both, naming no one.
CHILD_NOT_FOUND = N_("找不到所选的部分儿童，请刷新列表后重新选择")
NOTHING_SELECTED = N_("请选择要填写的儿童")
NOT_FILLABLE = N_("这一项不能批量填写")
NO_LONGER_MISSING = N_("所选儿童中有 %(n)s 名已不缺少“%(fact)s”，请刷新列表后重新选择")
MATCHING_CHANGED = N_("符合条件的儿童已有变化（现有 %(n)s 名），请刷新列表后重试")
PARENT_OUT_OF_SCOPE = N_("所选儿童中有的家长不在您可以管理的范围内，"
                         "请联系上级单位的人力资源部门填写")
NO_STATUS = N_("所选儿童中有的家长状况尚未登记，请先在职工页面登记配偶（另一方家长）状况")
STATUS_CONFLICT = N_("同一名职工的子女对另一方家长状况的记载不一致，请在职工页面登记配偶状况")
VALUE_REQUIRED = N_("请填写要登记的内容")


@dataclass
class ReviewFilter:
    #: Only children missing or presuming this fact (a ``FACT_CODES`` code).
    fact: str | None = None
    #: Only children of this unit's subtree.
    unit: OrgUnit | None = None
    #: Only children this category applies to on a presumption (a ``CATEGORY_CODES`` code).
    category: str | None = None


def _padded_missing():
    return " " + Child.categories_missing + " "


def _presumed_codes():
    """``categories_presumed`` as ``,left_behind,mother.since,father.since,…,``: every code
    between commas, so a fact matches as a whole code."""
    flattened = func.replace(func.replace(Child.categories_presumed, "=", ",", type_=String),
                             " ", ",", type_=String)
    return literal(",", String) + flattened + ","


def fact_condition(fact: str):
    """Children missing ``fact`` or whose categories rest on presuming it."""
    return or_(_padded_missing().contains(f" {fact} ", autoescape=True),
               _presumed_codes().contains(f",{fact},", autoescape=True))


def review_condition(fact: str | None = None):
    """Children to review: some category rests on a presumption or is undetermined; with
    ``fact``, only those for which that fact is missing or presumed."""
    if fact in FACT_CODES:
        return fact_condition(fact)
    return or_(Child.categories_missing != "", Child.categories_presumed != "")


def presumed_category_condition(category: str):
    """Children the category applies to, decided on a presumption (the dashboard's count)."""
    return getattr(Child, category).is_(True) & (" " + Child.categories_presumed).contains(
        f" {category}=", autoescape=True)


def _statement(criteria: ReviewFilter, scope: Scope):
    statement = select(Child).where(scope.contains_unit_id(Child.org_unit_id),
                                    review_condition(criteria.fact))
    if criteria.category in CATEGORY_CODES:
        statement = statement.where(presumed_category_condition(criteria.category))
    if criteria.unit is not None:
        statement = statement.where(unit_id_in_subtrees(Child.org_unit_id, [criteria.unit.path]))
    return statement


def review_statement(criteria: ReviewFilter, *, scope: Scope):
    """Every child the list shows, in its order (its export streams this)."""
    return _statement(criteria, scope).order_by(Child.id)


def search_review(criteria: ReviewFilter, *, scope: Scope, page: int = 1,
                  per_page: int = 50) -> Page:
    """Children to review within ``scope``, oldest record first: one count, one query for the
    page and one for the page's parents (the parent links load together, with their workers)."""
    return paginate(review_statement(criteria, scope=scope), page, per_page)


def count_matching(criteria: ReviewFilter, *, scope: Scope) -> int:
    return session.execute(select(func.count()).select_from(
        _statement(criteria, scope).subquery())).scalar_one()


def counts_by_fact(criteria: ReviewFilter, *, scope: Scope) -> dict[str, int]:
    """Children to review per fact (missing or presumed), in ``FACT_CODES`` order, in one query,
    within the filter's unit and category (its fact left aside); a child with two such facts
    counts under both. Facts nobody lacks are left out."""
    statement = _statement(replace(criteria, fact=None), scope).with_only_columns(
        *(func.sum(case((fact_condition(code), 1), else_=0)) for code in FACT_CODES))
    sums = session.execute(statement).one()
    return {code: int(count) for code, count in zip(FACT_CODES, sums, strict=True) if count}


@dataclass
class ReviewRow:
    """What the list says of one child: each category resting on a presumption (category, its
    value, the presumed facts) and the undetermined categories with the facts missing."""

    child: Child
    presumed: list[tuple[str, bool | None, tuple[str, ...]]]
    undetermined: list[str]
    missing: list[str]


def review_rows(children: Iterable[Child]) -> list[ReviewRow]:
    rows = []
    for child in children:
        presumed = [(code, getattr(child, code), facts)
                    for code, facts in parse_presumed(child.categories_presumed).items()
                    if code in CATEGORY_CODES]
        undetermined = [code for code in CATEGORY_CODES if getattr(child, code) is None]
        rows.append(ReviewRow(child, presumed, undetermined if child.categories_missing else [],
                              child.categories_missing.split()))
    return rows


# -- the bulk fill -------------------------------------------------------------------------------

@dataclass
class FillOutcome:
    fact: str
    #: Children selected and filled.
    children: int
    #: Records written (workers and children whose fields really changed).
    records: int
    #: Children (selected, or siblings through a shared worker) whose categories changed.
    categories_changed: int
    #: Category → how many children it now applies to that it did not before.
    became: dict[str, int] = field(default_factory=dict)
    #: Category → how many children it no longer applies to.
    ceased: dict[str, int] = field(default_factory=dict)
    #: Children whose categories no longer rest on presuming the fact, or no longer miss it.
    confirmed: int = 0


def fill_fact(fact: str, raw_value: Any, *, actor: Actor, today: date,
              child_ids: Iterable[int] = (), criteria: ReviewFilter | None = None,
              expected: int | None = None) -> FillOutcome:
    """Set ``fact`` to the value for each child named in ``child_ids``, or for every child
    matching ``criteria`` (whose ``fact`` must be this one; ``expected`` is the count the user
    saw, refused when it has changed). Raises :class:`ValidationError` before changing anything.
    """
    if fact not in FILLABLE_FACTS:
        raise ValidationError(NOT_FILLABLE, field="fact")
    value = _parse_value(fact, raw_value, today)
    children = _selected(fact, actor, child_ids, criteria, expected)
    stale = [child for child in children if not _flagged(child, fact)]
    if stale:
        raise ValidationError(NO_LONGER_MISSING, field="child", n=len(stale),
                              fact=FACT_LABELS[fact])
    changes = _planned_changes(fact, value, children, Scope.of_actor(actor, WORKERS_MANAGE))

    # Everything is checked: change, flush, audit, recompute.
    affected = {child.id: child for child in children}
    worker_ids = [record.id for record, _ in changes.values() if isinstance(record, Worker)]
    if worker_ids:
        for sibling in session.execute(
                select(Child).join(ChildParent, ChildParent.child_id == Child.id)
                .where(ChildParent.worker_id.in_(worker_ids))).scalars():
            affected.setdefault(sibling.id, sibling)
    before = {child_id: _category_values(child) for child_id, child in affected.items()}
    written = []
    for record, values in changes.values():
        changed = apply_changes(record, values)
        if changed:
            written.append((record, list(changed)))
    session.flush()
    for record, fields in sorted(written, key=lambda item: (type(item[0]).__name__, item[0].id)):
        kind = "child" if isinstance(record, Child) else "worker"
        record_event(f"{kind}.updated", actor, target_type=kind, target_id=record.id,
                     org_unit_id=record.org_unit_id, details={"fields": fields, "bulk": True})
    became: Counter[str] = Counter()
    ceased: Counter[str] = Counter()
    categories_changed = 0
    for child_id, child in affected.items():
        recompute_categories(child, today)
        after = _category_values(child)
        if after != before[child_id]:
            categories_changed += 1
        for code in CATEGORY_CODES:
            if after[code] is True and before[child_id][code] is not True:
                became[code] += 1
            elif before[child_id][code] is True and after[code] is not True:
                ceased[code] += 1
    session.flush()
    confirmed = sum(1 for child in children if not _flagged(child, fact))
    return FillOutcome(fact=fact, children=len(children), records=len(written),
                       categories_changed=categories_changed, became=dict(became),
                       ceased=dict(ceased), confirmed=confirmed)


def _parse_value(fact: str, raw_value: Any, today: date) -> date | bool:
    if fact in DATE_FACTS:
        value = parse_date(raw_value, field="value", today=today)
    else:
        value = parse_bool(raw_value, field="value")
    if value is None:
        raise ValidationError(VALUE_REQUIRED, field="value")
    return value


def _selected(fact: str, actor: Actor, child_ids: Iterable[int],
              criteria: ReviewFilter | None, expected: int | None) -> list[Child]:
    """The children to fill, all within where ``actor`` manages children."""
    scope = Scope.of_actor(actor, CHILDREN_MANAGE)
    if criteria is not None:
        if criteria.fact != fact:
            raise ValidationError(NOT_FILLABLE, field="fact")
        children = list(session.execute(
            _statement(criteria, scope).order_by(Child.id)).scalars())
        if expected is not None and len(children) != expected:
            raise ValidationError(MATCHING_CHANGED, field="child", n=len(children))
        if not children:
            raise ValidationError(NOTHING_SELECTED, field="child")
        return children
    ids = set(child_ids)
    if not ids:
        raise ValidationError(NOTHING_SELECTED, field="child")
    if not all(valid_id(child_id) for child_id in ids):
        raise ValidationError(CHILD_NOT_FOUND, field="child")
    children = list(session.execute(
        select(Child).where(Child.id.in_(ids), scope.contains_unit_id(Child.org_unit_id))
        .order_by(Child.id)).scalars())
    if len(children) != len(ids):
        raise ValidationError(CHILD_NOT_FOUND, field="child")
    return children


def _flagged(child: Child, fact: str) -> bool:
    """Is ``fact`` missing for the child, or presumed by one of its categories?"""
    return (fact in child.categories_missing.split()
            or any(fact in facts for facts in parse_presumed(child.categories_presumed).values()))


def _planned_changes(fact: str, value, children: list[Child],
                     worker_scope: Scope) -> dict[tuple[str, int], tuple[Any, dict[str, Any]]]:
    """(kind, id) → (record, {field: value}) for every record the fill changes; raises when a
    record is outside ``worker_scope`` or two children ask different things of one worker."""
    planned: dict[tuple[str, int], tuple[Any, dict[str, Any]]] = {}
    for child in children:
        if fact == "lives_in_home_area":
            record, values = child, {"lives_in_home_area": value}
        else:
            record, values = _parent_record(child, fact, value)
            if not worker_scope.sees_worker(record):
                raise ValidationError(PARENT_OUT_OF_SCOPE, field="child")
        key = (type(record).__name__, record.id)
        _, known = planned.setdefault(key, (record, {}))
        for name, new in values.items():
            if known.setdefault(name, new) != new:
                raise ValidationError(STATUS_CONFLICT, field="child")
    return planned


def _parent_record(child: Child, fact: str, value) -> tuple[Worker, dict[str, Any]]:
    """The worker whose record holds ``fact`` (``mother.since``…) for this child, and the
    fields to set there (see the module notes)."""
    who, _, what = fact.partition(".")
    role = ParentRole(who)
    other_role = ParentRole.FATHER if role == ParentRole.MOTHER else ParentRole.MOTHER
    links = {link.role: link.worker for link in child.parent_links}
    parent = links.get(role)
    if parent is not None:
        # A worker here is presumed nothing but the start of working away (always capable).
        if what != "since":
            raise ValidationError(NO_LONGER_MISSING, field="child", n=1, fact=FACT_LABELS[fact])
        return parent, {"works_away_since": value}
    describer = links.get(other_role)
    if describer is None:
        raise ValidationError(NO_STATUS, field="child")
    values: dict[str, Any] = {
        "other_parent_since" if what == "since" else "other_parent_capable": value}
    if describer.other_parent_status is None:
        facts = getattr(child_facts(child), who)
        status = None if facts is None else facts.status
        if status is None or status == ParentStatus.UNKNOWN or (
                what == "since" and status not in TIMED_STATUSES):
            raise ValidationError(NO_STATUS, field="child")
        values["other_parent_status"] = status
    return describer, values


def _category_values(child: Child) -> dict[str, bool | None]:
    return {code: getattr(child, code) for code in CATEGORY_CODES}
