"""Creating and updating workers and children, and keeping children's categories current.

Every channel (roster import, API, forms) calls :func:`upsert_worker` / :func:`upsert_child` with
values parsed by :func:`plugin.registry.schema.parse_record`. Changes are audited by field name;
sensitive values never appear in the audit log.

Each call acts within a :class:`~plugin.access.scope.Scope` (the form's user, the importing
user and unit, the API token's unit). Records are recognised by employee number or ID number only
inside it: a key held by a record outside the scope is refused with a message that names no one
and no place (:data:`OUT_OF_SCOPE_WORKER`, the "not found" of a parent, the ID number "already
registered"), and such a record is never moved, relinked or overwritten.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from flask import current_app
from sqlalchemy import select

from ..access.scope import Scope
from ..audit.services import record_event
from ..core.boundary import refusable_part
from ..core.changes import apply_changes
from ..core.db import session
from ..core.errors import NotFound, ValidationError
from ..core.host import Actor
from ..core.i18n import N_
from ..core.text import clean_free_text
from ..org.models import OrgUnit
from . import held_details
from .categories import ChildFacts, ParentFacts, ParentStatus, decide_categories, next_change_date
from .consent import (
    CURRENT_NOTICE_VERSION,
    MINIMUM_CHILD_FIELDS,
    has_consent,
    needs_consent,
    record_consent,
)
from .idnumber import IdNumber, parse_id_number
from .locks import lock_child_identity
from .models import (
    Child,
    ChildParent,
    ConsentMethod,
    EmploymentStatus,
    ParentRole,
    PovertyStatus,
    Worker,
)
from .permissions import CHILDREN_MANAGE, WORKERS_MANAGE
from .regions import is_three_areas_three_prefectures
from .schema import CHILD_CONSENT_FIELD_CODES
from .situations import read_situation
from .values import pinyin_initials

#: Fields of the parsed worker record that are not columns (they choose the unit).
UNIT_FIELDS = ("site", "team")
CHILD_LINK_FIELDS = ("parent_employee_number", "parent_role", "other_parent_employee_number")
#: A roster's record of a guardian's consent given on paper (not columns of the child).
CONSENT_FIELDS = CHILD_CONSENT_FIELD_CODES
#: Worker fields whose change can change the categories of the worker's children.
WORKER_FACT_FIELDS = {"employment_status", "left_on", "works_away_since", "other_parent_status",
                      "other_parent_since", "other_parent_capable", "own_parent_status",
                      "own_parent_status_since", "own_parent_capable", "org_unit_id"}
#: An employee number held by a worker outside the actor's scope. The same words whoever holds
#: it and wherever: the number is taken (numbers are unique company-wide), nothing more is said.
OUT_OF_SCOPE_WORKER = N_("工号 %(number)s 不在您可以管理的范围内，请联系上级单位的人力资源部门核实")
#: A parent's employee number not found within the scope (whether or not it exists elsewhere).
WORKER_NOT_FOUND = N_("找不到工号为 %(number)s 的职工（请先导入职工）")
#: An ID number already held by another record (in or out of scope: never says which or where).
ID_NUMBER_TAKEN = N_("身份证号码与已登记的另一条记录重复")


@dataclass
class UpsertOutcome:
    record: Any
    created: bool
    changed: list[str] = field(default_factory=list)
    #: Fields given but not stored for lack of a guardian's consent (children under 14).
    withheld: list[str] = field(default_factory=list)

    @property
    def unchanged(self) -> bool:
        return not self.created and not self.changed


@dataclass(frozen=True)
class HeldOutcome:
    """Details held for lack of consent, as consent arrives."""

    #: Field codes written to the record.
    applied: list[str] = field(default_factory=list)
    #: Field codes that could not be (an ID number another record holds by now).
    refused: list[str] = field(default_factory=list)


def id_number_index(number: str) -> str:
    return current_app.extensions["carebridge"].cipher.blind_index(number, purpose="id_number")


def find_worker(employee_number: str, *, scope: Scope) -> Worker | None:
    """The worker with this employee number if it lies within ``scope`` (else None, as if
    there were none)."""
    return session.execute(
        select(Worker).where(Worker.employee_number == employee_number,
                             scope.contains_unit_id(Worker.org_unit_id))).scalar_one_or_none()


def worker_holding(employee_number: str, scope: Scope) -> tuple[Worker | None, bool]:
    """(the worker with this number, whether it is in ``scope``), in one query."""
    row = session.execute(
        select(Worker, scope.contains_unit_id(Worker.org_unit_id).label("in_scope"))
        .where(Worker.employee_number == employee_number)).one_or_none()
    return (None, False) if row is None else (row[0], bool(row[1]))


def out_of_scope_worker(employee_number: str,
                        field_code: str = "employee_number") -> ValidationError:
    return ValidationError(OUT_OF_SCOPE_WORKER, field=field_code, number=employee_number)


class WorkerLookup:
    """Who already holds each employee number and ID number of a batch of worker records.

    Two queries for the whole batch instead of two per record (the importer builds one per batch).
    Only successful upserts update it; after a failed one the caller should stop using it.
    ``workers`` has every holder (a number taken is never free for a new worker); ``outside``
    the numbers held outside ``scope``, which :func:`upsert_worker` refuses.
    """

    def __init__(self, records: Iterable[dict[str, Any]], *, scope: Scope):
        records = list(records)
        self.scope = scope
        numbers = {record["employee_number"] for record in records}
        indexes = {id_number_index(record["id_number"].number) for record in records
                   if record.get("id_number") is not None}
        self.workers: dict[str, Worker] = {}
        #: Employee numbers of the batch held by workers outside the scope.
        self.outside: set[str] = set()
        if numbers:
            for worker, in_scope in session.execute(
                    select(Worker, scope.contains_unit_id(Worker.org_unit_id).label("in_scope"))
                    .where(Worker.employee_number.in_(numbers))):
                self.workers[worker.employee_number] = worker
                if not in_scope:
                    self.outside.add(worker.employee_number)
        #: ID number blind index → employee number of the worker holding it.
        self.index_holders = dict(session.execute(
            select(Worker.id_number_index, Worker.employee_number)
            .where(Worker.id_number_index.in_(indexes))).all()) if indexes else {}

    def remember(self, worker: Worker, old_index: str | None) -> None:
        self.workers[worker.employee_number] = worker
        if old_index is not None and self.index_holders.get(old_index) == worker.employee_number:
            del self.index_holders[old_index]
        if worker.id_number_index is not None:
            self.index_holders[worker.id_number_index] = worker.employee_number


def upsert_worker(values: dict[str, Any], *, unit: OrgUnit, actor: Actor,
                  lookup: WorkerLookup | None = None, scope: Scope | None = None) -> UpsertOutcome:
    """Create the worker with this employee number, or update the fields given.

    Leaving is a status, never a deletion. Re-sending the same values changes nothing.
    ``scope`` (by default the lookup's, else where ``actor`` may manage workers) must hold the
    worker found and ``unit``.
    """
    if scope is None:
        scope = (lookup.scope if lookup is not None
                 else Scope.of_actor(actor, WORKERS_MANAGE))
    number = values["employee_number"]
    if lookup is not None:
        worker, in_scope = lookup.workers.get(number), number not in lookup.outside
    else:
        worker, in_scope = worker_holding(number, scope)
    if worker is not None and not in_scope:
        raise out_of_scope_worker(number)
    if not scope.covers(unit):
        raise ValidationError("所属单位不在您可以管理的范围内，请联系上级单位的人力资源部门核实",
                              field="site")
    created = worker is None
    old_index = None if created else worker.id_number_index
    if created:
        worker = Worker(employee_number=values["employee_number"], org_unit=unit,
                        employment_status=EmploymentStatus.ACTIVE)
        session.add(worker)
    fields = {key: value for key, value in values.items()
              if key not in UNIT_FIELDS and key != "employee_number"}
    if fields.get("works_away_since") is None and (created or "works_away_since" in fields):
        # Product rule: a worker of the company works away from home from the entry date unless
        # HR records another start date; an empty cell means "from the entry date".
        fields["works_away_since"] = fields.get("entry_date", worker.entry_date)
    changed = _apply(worker, fields, "worker", lookup=lookup)
    if worker.org_unit_id != unit.id:
        worker.org_unit = unit
        changed.append("org_unit_id")
    session.flush()
    if created or changed:
        record_event("worker.created" if created else "worker.updated", actor, target_type="worker",
                     target_id=worker.id, org_unit_id=worker.org_unit_id,
                     details=None if created else {"fields": changed})
    if not created and WORKER_FACT_FIELDS & set(changed):
        for link in worker.child_links:
            recompute_categories(link.child)
    if lookup is not None:
        lookup.remember(worker, old_index)
    return UpsertOutcome(worker, created, [] if created else changed)


def create_worker(values: dict[str, Any], *, unit: OrgUnit, actor: Actor,
                  scope: Scope | None = None) -> Worker:
    """A new worker from a form: unlike an import, an employee number already taken is an error
    (the person typing may not know the worker exists). Taken outside ``scope``, it is refused
    without saying by whom."""
    if scope is None:
        scope = Scope.of_actor(actor, WORKERS_MANAGE)
    worker, in_scope = worker_holding(values["employee_number"], scope)
    if worker is not None:
        if not in_scope:
            raise out_of_scope_worker(values["employee_number"])
        raise ValidationError("工号已存在，请打开该职工的页面修改", field="employee_number")
    return upsert_worker(values, unit=unit, actor=actor, scope=scope).record


def upsert_child(values: dict[str, Any], *, actor: Actor, today: date,
                 child: Child | None = None, scope: Scope | None = None) -> UpsertOutcome:
    """Create or update a child of a worker (found by employee number).

    ``child`` names the record to update (an edit form); otherwise the child is recognised by
    its ID number when given, else by parent, name and birth date.
    For a child under 14 without a guardian's consent only the minimum needed to count it is
    stored; the rest is reported as withheld.
    Both parents, and the child found or named, must lie within ``scope`` (by default where
    ``actor`` may manage children); nothing outside it is found, linked, moved or overwritten.
    """
    if scope is None:
        scope = Scope.of_actor(actor, CHILDREN_MANAGE)
    if child is not None and not scope.covers(child.org_unit):
        raise NotFound("找不到这名儿童")
    parent = _worker_or_error(values["parent_employee_number"], "parent_employee_number", scope)
    role: ParentRole = values["parent_role"]
    other_parent = None
    if values.get("other_parent_employee_number"):
        other_parent = _worker_or_error(values["other_parent_employee_number"],
                                        "other_parent_employee_number", scope)
        if other_parent.id == parent.id:
            raise ValidationError("另一方家长不能与家长是同一人",
                                  field="other_parent_employee_number")
    lock_child_identity(values, parent, other_parent)  # concurrent requests: one child
    child = child or _find_child(values, parent, scope)
    created = child is None
    other_role = ParentRole.FATHER if role == ParentRole.MOTHER else ParentRole.MOTHER
    # Both links are checked before anything changes.
    new_links = [(worker, link_role)
                 for worker, link_role in ((parent, role), (other_parent, other_role))
                 if worker is not None
                 and (created or _needs_link(child, worker, link_role, scope))]
    if created:
        child = Child(name=values["name"], name_initials=pinyin_initials(values["name"]),
                      org_unit=parent.org_unit, focus_flags="", categories_missing="",
                      categories_presumed="")
        session.add(child)
    fields = {key: value for key, value in values.items()
              if key not in CHILD_LINK_FIELDS and key not in CONSENT_FIELDS}
    withheld: dict[str, Any] = {}
    birth_date = fields.get("birth_date", child.birth_date)
    consent_missing = needs_consent(birth_date, today) and (created or not has_consent(child))
    paper_consent = values.get("consent_given_on") if consent_missing else None
    if consent_missing and paper_consent is None:
        withheld = {key: value for key, value in fields.items()
                    if key not in MINIMUM_CHILD_FIELDS and value is not None}
        fields = {key: value for key, value in fields.items() if key in MINIMUM_CHILD_FIELDS}
    changed = _apply(child, fields, "child")
    for worker, link_role in new_links:
        child.parent_links.append(ChildParent(worker=worker, role=link_role))
        changed.append(link_role.value)
    if child.org_unit_id != parent.org_unit_id:
        child.org_unit = parent.org_unit
        changed.append("org_unit_id")
    session.flush()
    if created or changed:
        record_event("child.created" if created else "child.updated", actor, target_type="child",
                     target_id=child.id, org_unit_id=child.org_unit_id,
                     details={"fields": changed,
                              **({"withheld": sorted(withheld)} if withheld else {})})
    if withheld:
        held_details.hold(child, withheld, today=today)
    if paper_consent is not None:
        _record_roster_consent(child, values, parent, actor=actor, today=today)
    recompute_categories(child, today)
    return UpsertOutcome(child, created, [] if created else changed, sorted(withheld))


def _record_roster_consent(child: Child, values: dict[str, Any], parent: Worker, *,
                           actor: Actor, today: date) -> None:
    """A roster saying the guardian consented on paper: the consent is recorded (the parent is
    the guardian unless the roster names another), and details held from before are applied."""
    guardian = values.get("consent_guardian") or parent.name
    record_consent(child, guardian_name=guardian, method=ConsentMethod.PAPER,
                   given_on=values["consent_given_on"], actor=actor, today=today,
                   notice_version=values.get("consent_notice_version") or CURRENT_NOTICE_VERSION,
                   guardian_worker_id=parent.id if guardian == parent.name else None)
    apply_held_details(child, actor=actor, today=today)


def apply_held_details(child: Child, *, actor: Actor, today: date) -> HeldOutcome:
    """Write to ``child`` the details held for lack of consent (consent has just been given).

    An ID number that another record has meanwhile registered is not applied (and said so);
    everything else is. The categories are recomputed by the caller."""
    held = held_details.take(child, today=today)
    if held is None:
        return HeldOutcome()
    values: dict[str, Any] = dict(held.fields)
    held_id_number = values.pop("id_number", None)
    applied = _apply(child, values, "child")
    refused: list[str] = []
    if held_id_number is not None:
        try:
            # Refused alone (an ID number registered meanwhile): the rest is still applied.
            with refusable_part():
                if _set_id_number(child, parse_id_number(held_id_number, today=today), "child"):
                    applied.append("id_number")
        except ValidationError:
            refused.append("id_number")
    session.flush()
    record_event("child.held_details_applied", actor, target_type="child", target_id=child.id,
                 org_unit_id=child.org_unit_id,
                 details={"fields": applied, **({"refused": refused} if refused else {})})
    return HeldOutcome(applied, refused)


def record_child_view(child: Child, actor: Actor, *, page: str | None = None) -> None:
    """Every view of a child's record is audited (PIPL), whatever shows it; ``page`` names a
    page other than the record itself (the edit form shows the decrypted fields)."""
    record_event("child.viewed", actor, target_type="child", target_id=child.id,
                 org_unit_id=child.org_unit_id, details={"page": page} if page else None)


def reveal_id_number(record: Worker | Child, *, reason: str, actor: Actor) -> str | None:
    """The full ID number, for someone who gave a reason; the reveal and reason are audited."""
    reason = clean_free_text(reason) or ""
    if len(reason) < 4:
        raise ValidationError("请说明查看完整号码的原因（至少 4 个字）", field="reason")
    kind = "child" if isinstance(record, Child) else "worker"
    record_event(f"{kind}.id_revealed", actor, target_type=kind, target_id=record.id,
                 org_unit_id=record.org_unit_id, details={"reason": reason[:200]})
    return record.id_number


def _worker_or_error(employee_number: str, field_code: str, scope: Scope) -> Worker:
    """The worker within ``scope``; one outside it reads as not found, like one that is not
    registered at all."""
    worker = find_worker(employee_number, scope=scope)
    if worker is None:
        raise ValidationError(WORKER_NOT_FOUND, field=field_code, number=employee_number)
    return worker


def _find_child(values: dict[str, Any], parent: Worker, scope: Scope) -> Child | None:
    """The child these values describe, when it is within ``scope``; a match outside it is
    refused before anything changes (the same words as for any record registered before)."""
    in_scope = scope.contains_unit_id(Child.org_unit_id).label("in_scope")
    id_number: IdNumber | None = values.get("id_number")
    if id_number is not None:
        row = session.execute(select(Child, in_scope).where(
            Child.id_number_index == id_number_index(id_number.number))).one_or_none()
        if row is not None:
            if not row[1]:
                raise ValidationError(ID_NUMBER_TAKEN, field="id_number")
            return row[0]
    statement = (select(Child, in_scope).join(ChildParent, ChildParent.child_id == Child.id)
                 .where(ChildParent.worker_id == parent.id, Child.name == values["name"])
                 .order_by(Child.id))
    if values.get("birth_date") is not None:
        statement = statement.where(Child.birth_date == values["birth_date"])
    matches = session.execute(statement).all()
    for found, found_in_scope in matches:
        if found_in_scope:
            return found
    if matches:
        # The parent's child is registered with a unit outside the scope (the other parent's,
        # or the parent's former site): a second record would duplicate it.
        raise ValidationError("这名儿童的档案不在您可以管理的范围内，"
                              "请联系上级单位的人力资源部门核实", field="name")
    return None


def _needs_link(child: Child, worker: Worker, role: ParentRole, scope: Scope) -> bool:
    """Whether ``worker`` still has to be linked to ``child`` as ``role``; raises when the
    child has another parent in that role, or this worker in the other one."""
    for link in child.parent_links:
        if link.role == role:
            if link.worker_id == worker.id or link.worker is worker:
                return False
            if not scope.covers(link.worker.org_unit):
                # Never name a worker the actor may not see.
                raise ValidationError("该儿童已登记了另一位%(role)s", field="parent_role",
                                      role=_role_label(role))
            raise ValidationError("该儿童已登记了另一位%(role)s（工号 %(number)s）",
                                  field="parent_role", role=_role_label(role),
                                  number=link.worker.employee_number)
        if link.worker is worker or (link.worker_id is not None and link.worker_id == worker.id):
            raise ValidationError("该职工已登记为这名儿童的另一方家长", field="parent_role")
    return True


def _role_label(role: ParentRole) -> str:
    return str(role.label)


def _apply(record: Worker | Child, values: dict[str, Any], kind: str, *,
           lookup: WorkerLookup | None = None) -> list[str]:
    """Set the given fields; returns the codes of those that really changed, in their order.

    Only the names go to the audit log (the values are personal data). The ID number comes
    last: its check (a number another record holds is refused) may flush the record.
    """
    changes = apply_changes(record, {code: value for code, value in values.items()
                                     if code != "id_number"})
    if "name" in changes:
        record.name_initials = pinyin_initials(record.name)
    id_changed = "id_number" in values and _set_id_number(record, values["id_number"], kind,
                                                          lookup=lookup)
    return [code for code in values if code in changes or (code == "id_number" and id_changed)]


def _set_id_number(record: Worker | Child, value: IdNumber | None, kind: str, *,
                   lookup: WorkerLookup | None = None) -> bool:
    index = id_number_index(value.number) if value is not None else None
    if index == record.id_number_index:
        return False
    if index is not None and lookup is not None:
        if lookup.index_holders.get(index, record.employee_number) != record.employee_number:
            raise ValidationError(ID_NUMBER_TAKEN, field="id_number")
    elif index is not None:
        model = type(record)
        statement = select(model.id).where(model.id_number_index == index)
        if record.id is not None:
            statement = statement.where(model.id != record.id)
        clash = session.execute(statement).first()
        if clash is not None:
            raise ValidationError(ID_NUMBER_TAKEN, field="id_number")
    record.id_number = value.number if value is not None else None
    record.id_number_index = index
    return True


def parent_facts(worker: Worker | None) -> ParentFacts | None:
    """A worker parent's own facts (product rule: capable while employed here).

    Product rule: a worker of the company works away from home, from the entry date unless HR
    records another start (:func:`upsert_worker`); with neither date recorded the start is
    presumed six months back like any declared status without a start (DOMAIN §3,
    "Presumptions"), and the categories say so (``<parent>.since``). What HR records of the
    worker's own situation (``own_parent_*``: died, detained, went home, seriously ill) wins;
    it starts on the leaving date when HR gives no start.
    """
    if worker is None:
        return None
    if worker.own_parent_status is not None:
        return ParentFacts(status=worker.own_parent_status,
                           since=worker.own_parent_status_since or worker.left_on,
                           capable=worker.own_parent_capable)
    if worker.employment_status == EmploymentStatus.LEFT:
        return ParentFacts(status=ParentStatus.UNKNOWN, capable=worker.own_parent_capable)
    return ParentFacts(status=ParentStatus.WORKS_AWAY, since=worker.works_away_since,
                       capable=worker.own_parent_capable is not False)


def child_facts(child, parents: dict[ParentRole, Worker] | None = None) -> ChildFacts:
    """Gather the facts about the child and both parents for :func:`decide_categories`.

    ``child`` is a :class:`Child` or anything with its attributes; ``parents`` (role → worker)
    replaces its parent links for a child not stored yet. A parent who is not a worker here is
    described by the worker parent's ``other_parent_*``.
    """
    by_role = (parents if parents is not None
               else {link.role: link.worker for link in child.parent_links})
    facts = {role: parent_facts(worker) for role, worker in by_role.items()}
    for role, worker in by_role.items():
        other = ParentRole.FATHER if role == ParentRole.MOTHER else ParentRole.MOTHER
        if other not in by_role and worker.other_parent_status is not None:
            facts[other] = ParentFacts(status=worker.other_parent_status,
                                       since=worker.other_parent_since,
                                       capable=worker.other_parent_capable)
    _situation_facts(facts, set(by_role), getattr(child, "living_situation", None))
    poverty = None if child.family_poverty is None else child.family_poverty != PovertyStatus.NONE
    return ChildFacts(
        birth_date=child.birth_date, hukou_rural=child.hukou_rural,
        hukou_region_code=child.hukou_region_code,
        in_three_areas=(is_three_areas_three_prefectures(child.hukou_region_code)
                        if child.hukou_region_code else None),
        lives_in_home_area=child.lives_in_home_area,
        outside_hukou_county_since=child.outside_hukou_county_since,
        family_poverty=poverty, own_disability=child.has_disability,
        guardianship_lacking_with_harm=child.guardianship_lacking_with_harm,
        wandering=bool(child.wandering), psychological_anomaly=bool(child.psychological_anomaly),
        asked_for_help=bool(child.asked_for_help),
        mother=facts.get(ParentRole.MOTHER), father=facts.get(ParentRole.FATHER),
    )


def _situation_facts(facts: dict[ParentRole, ParentFacts | None], workers: set[ParentRole],
                     text: str | None) -> None:
    """A parent who is not a worker here, described by the child's situation in words
    ("父亲外出务工/母亲在家") where the worker's record says nothing of them; a status or
    capacity recorded in a field wins over the words."""
    situation = read_situation(text) if text else None
    if situation is None:
        return
    for role in (ParentRole.MOTHER, ParentRole.FATHER):
        reading = situation.mother if role == ParentRole.MOTHER else situation.father
        if role in workers or (reading.status is None and reading.capable is None):
            continue
        known = facts.get(role)
        if known is None:
            facts[role] = ParentFacts(status=reading.status or ParentStatus.UNKNOWN,
                                      capable=reading.capable)
        elif known.capable is None and reading.capable is not None:
            facts[role] = replace(known, capable=reading.capable)


def recompute_categories(child: Child, today: date | None = None) -> bool:
    """Decide and store the child's categories as of ``today`` (company-local date).

    Returns True when anything changed.
    """
    from ..core.clock import local_today

    today = today or local_today()
    new = category_columns(child_facts(child), today)
    changed = any(getattr(child, name) != value for name, value in new.items()
                  if name != "categories_as_of")
    for name, value in new.items():
        setattr(child, name, value)
    return changed


def category_columns(facts: ChildFacts, today: date) -> dict[str, Any]:
    """The stored category columns of a child with these facts, decided as of ``today``."""
    decision = decide_categories(facts, today)
    return {
        "left_behind": decision.left_behind, "migrant": decision.migrant,
        "in_difficulty": decision.in_difficulty,
        "de_facto_unsupported": decision.de_facto_unsupported,
        "orphan": decision.orphan, "in_three_areas": decision.three_areas,
        "focus_flags": " ".join(decision.flags), "categories_missing": " ".join(decision.missing),
        "categories_presumed": format_presumed(decision.presumed_by_category),
        "categories_next_change": next_change_date(facts, today, decision),
        "categories_as_of": today,
    }


def format_presumed(presumed_by_category) -> str:
    """``left_behind=mother.since,father.since in_difficulty=…`` (the stored form)."""
    return " ".join(f"{code}={','.join(facts)}" for code, facts in presumed_by_category)


def parse_presumed(stored: str | None) -> dict[str, tuple[str, ...]]:
    """The stored ``categories_presumed`` as category → presumed facts."""
    result = {}
    for token in (stored or "").split():
        code, _, facts = token.partition("=")
        result[code] = tuple(fact for fact in facts.split(",") if fact)
    return result


def recompute_due_categories(today: date, *, batch_size: int = 500) -> int:
    """The daily job: recompute every child whose categories may have changed by today."""
    count = 0
    last_id = 0
    while True:
        children = list(session.execute(
            select(Child).where(Child.categories_next_change <= today, Child.id > last_id)
            .order_by(Child.id).limit(batch_size)).scalars())
        if not children:
            return count
        for child in children:
            recompute_categories(child, today)
            count += 1
        last_id = children[-1].id
        session.flush()
