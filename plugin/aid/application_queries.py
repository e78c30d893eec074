"""What the application pages read: the priority view (a fixed number of queries whatever the
page shows), who may decide an application's current step, the funds an approval may draw on,
and a worker's own applications."""
from __future__ import annotations

import json
from collections.abc import Sequence

from sqlalchemy import func, select

from ..access.checks import grants_of, has_permission
from ..access.scope import Scope
from ..core.db import session
from ..core.host import Actor
from ..core.pagination import Page, paginate
from ..org.models import OrgUnit
from ..org.queries import get_root_unit
from ..registry.models import Child, Worker
from ..registry.queries import children_of
from . import ledger, queries, rules
from .models import (
    OPEN_STATUSES,
    AidApplication,
    AidFund,
    ApplicationStatus,
    Decision,
)
from .permissions import AID_DECIDE

PER_PAGE = 50


def _grants(actor_key: str) -> list[tuple[str, str]]:
    return [(role.value if hasattr(role, "value") else role, path)
            for role, path in grants_of(actor_key)]


def _root_path() -> str:
    root = get_root_unit()
    return root.path if root else ""


def holds_step(application: AidApplication, actor: Actor) -> bool:
    """Whether ``actor`` holds the role of the application's current step over its unit (the
    service checks again, with separation of duties, when they decide)."""
    if application.status != ApplicationStatus.IN_REVIEW:
        return False
    if not has_permission(actor.key, AID_DECIDE, application.org_unit):
        return False
    chain = rules.chain_of(application)
    if application.current_step >= len(chain):
        return False
    return rules.may_decide(chain[application.current_step], _grants(actor.key),
                            application.org_unit.path, _root_path())


def conflict(application: AidApplication, actor: Actor, employee_number: str | None) -> str | None:
    """The separation-of-duties rule ``actor`` deciding now would break (:mod:`.rules`)."""
    return rules.conflict_of_interest(actor.key, employee_number, application,
                                      application.worker.employee_number,
                                      queries.deciders(application.id, application.round))


def waiting_for(actor: Actor, scope: Scope, employee_number: str | None) -> list[int]:
    """Ids of the applications in review within ``scope`` whose current step ``actor`` may
    decide: they hold its role, did not file it, have not decided in this round and are not
    the worker."""
    if not has_permission(actor.key, AID_DECIDE):
        return []
    decided = select(Decision.id).where(Decision.application_id == AidApplication.id,
                                        Decision.round == AidApplication.round,
                                        Decision.actor_key == actor.key).exists()
    rows = session.execute(
        select(AidApplication.id, AidApplication.chain, AidApplication.current_step,
               OrgUnit.path, Worker.employee_number)
        .join(OrgUnit, OrgUnit.id == AidApplication.org_unit_id)
        .join(Worker, Worker.id == AidApplication.worker_id)
        .where(AidApplication.status == ApplicationStatus.IN_REVIEW,
               scope.contains_unit_id(AidApplication.org_unit_id),
               AidApplication.applied_by != actor.key, ~decided)).all()
    grants, root_path = _grants(actor.key), _root_path()
    decide_paths = Scope.of_actor(actor, AID_DECIDE)
    ids = []
    for application_id, chain_json, current, path, number in rows:
        if employee_number and employee_number == number:
            continue
        if not decide_paths.whole_company and not any(path.startswith(p)
                                                       for p in decide_paths.paths):
            continue
        chain = [rules.ChainStep(**step) for step in json.loads(chain_json or "[]")]
        if current < len(chain) and rules.may_decide(chain[current], grants, path, root_path):
            ids.append(application_id)
    return ids


def priority_page(scope: Scope, *, status: ApplicationStatus | None, only_ids=None,
                  page: int = 1) -> Page:
    """Applications in ``scope`` in queue order (band 1 first, then the older); open ones
    unless ``status`` says which; ``only_ids``: just these. Two queries (count and page): the
    worker and unit come joined."""
    statement = select(AidApplication).where(
        scope.contains_unit_id(AidApplication.org_unit_id))
    if status is not None:
        statement = statement.where(AidApplication.status == status)
    else:
        statement = statement.where(AidApplication.status.in_(OPEN_STATUSES))
    if only_ids is not None:
        statement = statement.where(AidApplication.id.in_(list(only_ids) or [0]))
    return paginate(statement.order_by(*rules.queue_order()), page, PER_PAGE)


def status_counts(scope: Scope) -> dict[str, int]:
    """How many applications of ``scope`` are in each status."""
    return {status.value if hasattr(status, "value") else status: count
            for status, count in session.execute(
                select(AidApplication.status, func.count()).where(
                    scope.contains_unit_id(AidApplication.org_unit_id))
                .group_by(AidApplication.status))}


def funds_for(unit: OrgUnit) -> list[tuple[AidFund, int]]:
    """Open funds whose unit is ``unit`` or above it, with the money available in each."""
    funds = list(session.scalars(select(AidFund).where(
        AidFund.org_unit_id.in_(unit.ancestor_ids), AidFund.closed_at.is_(None))
        .order_by(AidFund.name)))
    totals = ledger.fund_totals([fund.id for fund in funds]) if funds else {}
    return [(fund, totals.get(fund.id, {}).get("available", 0)) for fund in funds]


def children_named(application: AidApplication) -> list[Child]:
    """The worker's children the application is for, from the registry."""
    ids = set(queries.children_ids(application.id))
    return [child for child in children_of(application.worker) if child.id in ids]


def applications_of_worker(worker_id: int) -> list[AidApplication]:
    """A worker's applications, newest first."""
    return list(session.scalars(select(AidApplication).where(
        AidApplication.worker_id == worker_id).order_by(AidApplication.submitted_at.desc(),
                                                        AidApplication.id.desc())))


def decisions_by_round(application_id: int) -> dict[int, list[Decision]]:
    """Each round's decisions, in the order taken."""
    rounds: dict[int, list[Decision]] = {}
    for decision in queries.decisions(application_id):
        rounds.setdefault(decision.round, []).append(decision)
    return rounds


def step_rows(application: AidApplication, decisions: Sequence[Decision]) -> list[tuple]:
    """(step index, step, its decision in this round or None, whether it waits now) for each
    step of the application's chain."""
    mine = {decision.step: decision for decision in decisions
            if decision.round == application.round}
    waiting = application.status == ApplicationStatus.IN_REVIEW
    return [(index, step, mine.get(index), waiting and index == application.current_step)
            for index, step in enumerate(rules.chain_of(application))]
