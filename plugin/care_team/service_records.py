"""Service records: counselling, tutoring, ability building, social integration and other
services the care team delivers to a worker's family, perhaps to some of the worker's children;
a worker's and a child's service history.

*Product rules* (the guidance asks for services and is silent on the details):

* a service is provided by one or more members of the team who were active on its day and serve
  the worker's unit (their unit is the worker's or one above it);
* the children named are the worker's own children as registered;
* a service happened on a past day (or today); a follow-up, if any, is planned after it.

Descriptions and outcomes are personal data about families and children: stored encrypted, shown
only to those who record services over the record's unit, and every page that shows them is
audited (:func:`read_notes`, :func:`record_history_read`). A child's history is a read of the
child's record and is audited as one (:func:`plugin.registry.services.record_child_view`).

Each service checks everything first, then changes, flushes and audits; the caller commits.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from ..access.scope import Scope
from ..audit.services import record_event
from ..core.clock import utcnow
from ..core.db import session
from ..core.errors import ErrorList, InputInvalid, ValidationError
from ..core.host import Actor
from ..core.i18n import N_
from ..core.pagination import Page, paginate
from ..core.text import clean_free_text
from ..org.models import OrgUnit
from ..registry.models import Child, Worker
from ..registry.queries import children_of
from ..registry.services import record_child_view
from .members import active_condition
from .models import CareTeamMember, ServiceChild, ServiceKind, ServiceProvider, ServiceRecord

DESCRIPTION_MAX = 2000
OUTCOME_MAX = 2000

NEED_KIND = N_("请选择服务类别")
NEED_OCCURRED_ON = N_("请填写服务日期")
OCCURRED_IN_FUTURE = N_("服务日期不能晚于今天")
NEED_MEMBERS = N_("请选择提供服务的队伍成员")
MEMBER_NOT_SERVING = N_("所选成员在服务日期不在队伍中，或不服务该职工所在单位")
CHILD_NOT_WORKERS = N_("所选孩子不是该职工登记的子女")
NEED_DESCRIPTION = N_("请写明服务内容")
FOLLOW_UP_NOT_AFTER = N_("跟进日期应晚于服务日期")


# --- reading ------------------------------------------------------------------------------------

def get_service(service_id: int) -> ServiceRecord | None:
    return session.get(ServiceRecord, service_id)


@dataclass(frozen=True)
class ServiceFilter:
    kind: ServiceKind | None = None
    unit: OrgUnit | None = None
    start: date | None = None
    end: date | None = None


def services_page(scope: Scope, criteria: ServiceFilter, *, page: int = 1,
                  per_page: int = 50) -> Page:
    """Services of ``scope``, the latest first (workers and units joined)."""
    statement = select(ServiceRecord).where(scope.contains_unit_id(ServiceRecord.org_unit_id))
    if criteria.unit is not None:
        statement = statement.where(
            Scope.of_unit(criteria.unit).contains_unit_id(ServiceRecord.org_unit_id))
    if criteria.kind is not None:
        statement = statement.where(ServiceRecord.kind == criteria.kind)
    if criteria.start is not None:
        statement = statement.where(ServiceRecord.occurred_on >= criteria.start)
    if criteria.end is not None:
        statement = statement.where(ServiceRecord.occurred_on <= criteria.end)
    statement = statement.order_by(ServiceRecord.occurred_on.desc(), ServiceRecord.id.desc())
    return paginate(statement, page, per_page)


def providers_of(service_ids: Sequence[int]) -> dict[int, list[CareTeamMember]]:
    """The members who provided each service, in one query."""
    found: dict[int, list[CareTeamMember]] = defaultdict(list)
    if not service_ids:
        return found
    for service_id, member in session.execute(
            select(ServiceProvider.service_id, CareTeamMember)
            .join(CareTeamMember, CareTeamMember.id == ServiceProvider.member_id)
            .where(ServiceProvider.service_id.in_(list(service_ids)))
            .order_by(CareTeamMember.name, CareTeamMember.id)):
        found[service_id].append(member)
    return found


def children_served(service_ids: Sequence[int]) -> dict[int, list[Child]]:
    """The children each service was for, in one query."""
    found: dict[int, list[Child]] = defaultdict(list)
    if not service_ids:
        return found
    for service_id, child in session.execute(
            select(ServiceChild.service_id, Child)
            .join(Child, Child.id == ServiceChild.child_id)
            .where(ServiceChild.service_id.in_(list(service_ids)))
            .order_by(Child.birth_date, Child.id)):
        found[service_id].append(child)
    return found


def worker_history(worker: Worker, *, page: int = 1, per_page: int = 50) -> Page:
    """The services ``worker``'s family received, the latest first."""
    return paginate(select(ServiceRecord).where(ServiceRecord.worker_id == worker.id)
                    .order_by(ServiceRecord.occurred_on.desc(), ServiceRecord.id.desc()),
                    page, per_page)


def child_history(child: Child, *, page: int = 1, per_page: int = 50) -> Page:
    """The services that named ``child``, the latest first."""
    return paginate(select(ServiceRecord)
                    .join(ServiceChild, ServiceChild.service_id == ServiceRecord.id)
                    .where(ServiceChild.child_id == child.id)
                    .order_by(ServiceRecord.occurred_on.desc(), ServiceRecord.id.desc()),
                    page, per_page)


def read_notes(service: ServiceRecord, actor: Actor) -> tuple[str, str | None]:
    """The service's description and outcome for ``actor``, audited."""
    record_event("care_team.service_notes_viewed", actor, target_type="care_service",
                 target_id=service.id, org_unit_id=service.org_unit_id)
    return service.description, service.outcome


def record_history_read(subject: Worker | Child, services: Sequence[ServiceRecord],
                        actor: Actor, *, with_notes: bool) -> None:
    """Audit that ``actor`` is shown the service history of a worker or a child: a child's is a
    read of the child's record (always audited); a worker's when it shows notes."""
    if isinstance(subject, Child):
        record_child_view(subject, actor, page="care_team.history")
        if with_notes and services:
            record_event("care_team.history_notes_viewed", actor, target_type="child",
                         target_id=subject.id, org_unit_id=subject.org_unit_id,
                         details={"care_services": len(services)})
    elif with_notes and services:
        record_event("care_team.history_notes_viewed", actor, target_type="worker",
                     target_id=subject.id, org_unit_id=subject.org_unit_id,
                     details={"care_services": len(services)})


# --- recording ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class ServiceInput:
    kind: ServiceKind | str | None
    occurred_on: date | None
    member_ids: Sequence[int] = field(default_factory=tuple)
    child_ids: Sequence[int] = field(default_factory=tuple)
    description: str | None = None
    outcome: str | None = None
    follow_up_on: date | None = None


def record_service(worker: Worker, data: ServiceInput, *, actor: Actor,
                   today: date) -> ServiceRecord:
    """Record a service delivered to ``worker``'s family (the caller checked the worker is in
    scope)."""
    errors = ErrorList()
    try:
        kind = ServiceKind(data.kind)
    except ValueError:
        kind = None
        errors.add(ValidationError(NEED_KIND, field="kind"))
    day = data.occurred_on
    if day is None:
        errors.add(ValidationError(NEED_OCCURRED_ON, field="occurred_on"))
    elif day > today:
        errors.add(ValidationError(OCCURRED_IN_FUTURE, field="occurred_on"))
    member_ids = sorted({int(member_id) for member_id in data.member_ids or ()})
    if not member_ids:
        errors.add(ValidationError(NEED_MEMBERS, field="members"))
    elif day is not None and day <= today:
        serving = set(session.scalars(select(CareTeamMember.id).where(
            CareTeamMember.id.in_(member_ids),
            CareTeamMember.org_unit_id.in_(worker.org_unit.ancestor_ids),
            active_condition(day))))
        if serving != set(member_ids):
            errors.add(ValidationError(MEMBER_NOT_SERVING, field="members"))
    child_ids = sorted({int(child_id) for child_id in data.child_ids or ()})
    if not set(child_ids) <= {child.id for child in children_of(worker)}:
        errors.add(ValidationError(CHILD_NOT_WORKERS, field="children"))
    description = errors.collect(lambda: clean_free_text(
        data.description, max_length=DESCRIPTION_MAX, field="description", multiline=True))
    if not description and not _has(errors, "description"):
        errors.add(ValidationError(NEED_DESCRIPTION, field="description"))
    outcome = errors.collect(lambda: clean_free_text(
        data.outcome, max_length=OUTCOME_MAX, field="outcome", multiline=True))
    if data.follow_up_on is not None and day is not None and data.follow_up_on <= day:
        errors.add(ValidationError(FOLLOW_UP_NOT_AFTER, field="follow_up_on"))
    InputInvalid.raise_if_any(errors)
    service = ServiceRecord(worker_id=worker.id, org_unit_id=worker.org_unit_id, kind=kind,
                            occurred_on=day, description=description, outcome=outcome,
                            follow_up_on=data.follow_up_on, recorded_at=utcnow(),
                            recorded_by=actor.key, recorded_by_name=actor.name[:100])
    session.add(service)
    session.flush()
    session.add_all(ServiceProvider(service_id=service.id, member_id=member_id)
                    for member_id in member_ids)
    session.add_all(ServiceChild(service_id=service.id, child_id=child_id)
                    for child_id in child_ids)
    session.flush()
    record_event("care_team.service_recorded", actor, target_type="care_service",
                 target_id=service.id, org_unit_id=service.org_unit_id,
                 details={"worker_id": worker.id, "care_service_kind": kind.value,
                          "care_service_on": day.isoformat(), "care_members": member_ids,
                          "care_children": len(child_ids)})
    return service


def _has(errors: ErrorList, field_name: str) -> bool:
    return any(error.field == field_name for error in errors)
