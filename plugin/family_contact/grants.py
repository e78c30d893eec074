"""Granting the month's allowances: one grant per eligible worker and month, made by the
database in one ``INSERT … SELECT … ON CONFLICT DO NOTHING`` per policy, so running the job twice,
on two servers at once, or again after a crash half way leaves exactly one grant per worker and
month. Workers who join later in the month (or become eligible) are granted by the next day's
run, pro-rated where their policy says so (:mod:`.rules`)."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import String, and_, cast, func, literal, not_, select
from sqlalchemy.dialects import postgresql, sqlite

from ..audit.services import record_event
from ..core.clock import utcnow
from ..core.db import session
from ..core.host import Actor
from ..org.models import OrgUnit
from ..org.queries import unit_id_in_subtrees
from ..registry.models import Worker
from ..registry.queries import employed_on
from . import rules
from .models import AllowanceGrant, AllowancePolicy, GrantStatus

_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def policies_in_force(month: date) -> list[tuple[OrgUnit, AllowancePolicy]]:
    """Each unit with a policy version in force for ``month``, deepest units first."""
    versions: dict[int, list[AllowancePolicy]] = {}
    for policy in session.scalars(select(AllowancePolicy).where(
            AllowancePolicy.starts_on <= month)):
        versions.setdefault(policy.org_unit_id, []).append(policy)
    in_force = [(policy.org_unit, policy) for policy in
                (rules.policy_in_force(each, month) for each in versions.values())
                if policy is not None]
    in_force.sort(key=lambda pair: (-pair[0].path.count("/"), pair[0].path))
    return in_force


def policy_for_unit(unit: OrgUnit, month: date) -> AllowancePolicy | None:
    """The policy a worker of ``unit`` gets their allowance by in ``month`` (the nearest unit at
    or above it with one in force), or None."""
    for policy_unit, policy in policies_in_force(month):
        if unit.path.startswith(policy_unit.path):
            return policy
    return None


def grant_month(today: date, actor: Actor, *, commit_each=None) -> dict[str, int]:
    """Grant this month's allowance to every eligible worker employed ``today`` who has none.
    ``commit_each`` (the job's ``session.commit``) is called after each policy's insert, so a
    run stopped half way keeps what it granted."""
    month = rules.first_of_month(today)
    in_force = policies_in_force(month)
    before = _count(month)
    for index, (unit, policy) in enumerate(in_force):
        deeper = [other.path for other, _ in in_force[:index]
                  if other.path.startswith(unit.path) and other.path != unit.path]
        if policy.suspended:
            continue
        _grant_policy(unit, policy, deeper, month, today)
        if commit_each is not None:
            commit_each()
    granted = _count(month) - before
    if granted:
        record_event("family_contact.month_granted", actor, target_type="contact_month",
                     target_id=f"{month:%Y-%m}",
                     details={"contact_month": f"{month:%Y-%m}", "contact_grants": granted})
    return {"granted": granted}


def _count(month: date) -> int:
    """Grants of ``month`` (the drivers do not all say how many rows an INSERT … SELECT … ON
    CONFLICT added, and RETURNING would bring a million ids back)."""
    return session.scalar(select(func.count()).select_from(AllowanceGrant).where(
        AllowanceGrant.month == month))


def _grant_policy(unit: OrgUnit, policy: AllowancePolicy, deeper: Iterable[str], month: date,
                  today: date) -> None:
    minutes = rules.prorated_sql(policy.minutes_per_month, month, policy)
    data_mb = rules.prorated_sql(policy.data_mb_per_month, month, policy)
    conditions = [unit_id_in_subtrees(Worker.org_unit_id, [unit.path]), employed_on(today),
                  rules.eligible_sql(policy.eligibility)]
    deeper = list(deeper)
    if deeper:
        conditions.append(not_(unit_id_in_subtrees(Worker.org_unit_id, deeper)))
    table = AllowanceGrant.__table__
    rows = select(
        Worker.id, Worker.org_unit_id, literal(month, table.c.month.type), literal(policy.id),
        minutes, data_mb, minutes * policy.minute_cost_fen + data_mb * policy.mb_cost_fen,
        Worker.phone, literal(f"{month:%Y%m}-") + cast(Worker.id, String),
        literal(GrantStatus.GRANTED.value), literal(utcnow(), table.c.granted_at.type),
    ).where(and_(*conditions))
    insert = _INSERTS[session.get_bind().dialect.name](table).from_select(
        ["worker_id", "org_unit_id", "month", "policy_id", "minutes", "data_mb", "cost_fen",
         "phone", "line_id", "status", "granted_at"], rows)
    session.execute(insert.on_conflict_do_nothing(
        index_elements=[table.c.worker_id, table.c.month]))
