"""What the allowance pages list: the month's grants in a scope with their totals, the batches an
officer may act on, the failures and the grants waiting for a phone number, one worker's grants
and why they are (or are not) granted this month. Each list is one query (a page of it, plus a
count), never one per row."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from ..access.scope import Scope
from ..core.dates import format_date
from ..core.db import session
from ..core.pagination import Page, paginate
from ..org.models import OrgUnit
from ..registry.models import Worker
from ..registry.queries import children_of
from . import rules
from .grants import policy_for_unit
from .models import AllowanceGrant, AllowancePolicy, CarrierBatch, Eligibility, GrantStatus

PER_PAGE = 50
#: Batches the batches page lists (newest first).
BATCHES_LISTED = 200


@dataclass(frozen=True)
class GrantFilter:
    month: date | None = None
    status: GrantStatus | None = None
    unit: OrgUnit | None = None


@dataclass(frozen=True)
class Totals:
    grants: int
    minutes: int
    data_mb: int
    cost_fen: int


def _conditions(scope: Scope, criteria: GrantFilter) -> list:
    conditions = [scope.contains_unit_id(AllowanceGrant.org_unit_id)]
    if criteria.month is not None:
        conditions.append(AllowanceGrant.month == criteria.month)
    if criteria.status is not None:
        conditions.append(AllowanceGrant.status == criteria.status)
    if criteria.unit is not None:
        conditions.append(Scope.of_unit(criteria.unit).contains_unit_id(
            AllowanceGrant.org_unit_id))
    return conditions


def _rows(conditions: list) -> Select:
    """Grants with their worker (joined eagerly by the model) and their unit."""
    return (select(AllowanceGrant, OrgUnit)
            .join(OrgUnit, OrgUnit.id == AllowanceGrant.org_unit_id)
            .where(*conditions))


def grants_page(scope: Scope, criteria: GrantFilter, page: int = 1) -> Page:
    """A page of ``(grant, unit)``, by unit and worker."""
    conditions = _conditions(scope, criteria)
    return paginate(_rows(conditions).order_by(OrgUnit.path, AllowanceGrant.worker_id,
                                               AllowanceGrant.month.desc()),
                    page, PER_PAGE, scalars=False,
                    counted=select(AllowanceGrant.id).where(*conditions))


def grant_totals(scope: Scope, criteria: GrantFilter) -> Totals:
    count, minutes, data_mb, cost = session.execute(
        select(func.count(AllowanceGrant.id), func.sum(AllowanceGrant.minutes),
               func.sum(AllowanceGrant.data_mb), func.sum(AllowanceGrant.cost_fen))
        .where(*_conditions(scope, criteria))).one()
    return Totals(count or 0, minutes or 0, data_mb or 0, cost or 0)


def failures(scope: Scope, month: date | None = None, page: int = 1) -> Page:
    """Lines the carrier refused, for follow-up: newest months first."""
    conditions = _conditions(scope, GrantFilter(month=month, status=GrantStatus.FAILED))
    return paginate(_rows(conditions).order_by(AllowanceGrant.month.desc(), OrgUnit.path,
                                               AllowanceGrant.worker_id),
                    page, PER_PAGE, scalars=False,
                    counted=select(AllowanceGrant.id).where(*conditions))


def needing_phone(scope: Scope, month: date | None = None, limit: int = 500) -> list:
    """``(grant, unit)`` of grants still to send that have no phone number, neither when
    granted nor on the roster now (an export leaves them out)."""
    conditions = _conditions(scope, GrantFilter(month=month, status=GrantStatus.GRANTED))
    return [tuple(row) for row in session.execute(
        _rows(conditions).join(Worker, Worker.id == AllowanceGrant.worker_id)
        .where(func.coalesce(func.nullif(AllowanceGrant.phone, ""),
                             func.nullif(Worker.phone, "")).is_(None))
        .order_by(AllowanceGrant.month.desc(), OrgUnit.path, AllowanceGrant.worker_id)
        .limit(limit))]


# -- batches -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class BatchRow:
    batch: CarrierBatch
    unit: OrgUnit
    counts: dict[GrantStatus, int]


def batches_in(scope: Scope) -> list[BatchRow]:
    """The batches exported for a unit of ``scope``, newest first, with their lines counted by
    status: two queries."""
    shown = list(session.scalars(
        select(CarrierBatch).where(scope.contains_unit_id(CarrierBatch.org_unit_id))
        .order_by(CarrierBatch.month.desc(), CarrierBatch.id.desc()).limit(BATCHES_LISTED)))
    counts: dict[int, dict[GrantStatus, int]] = {}
    if shown:
        for batch_id, status, count in session.execute(
                select(AllowanceGrant.batch_id, AllowanceGrant.status, func.count())
                .where(AllowanceGrant.batch_id.in_([batch.id for batch in shown]))
                .group_by(AllowanceGrant.batch_id, AllowanceGrant.status)):
            counts.setdefault(batch_id, {})[status] = count
    return [BatchRow(batch, batch.org_unit, counts.get(batch.id, {})) for batch in shown]


def batch_grants(batch: CarrierBatch, page: int = 1) -> Page:
    """``(grant, unit)`` of a batch: failures first, then by line."""
    conditions = [AllowanceGrant.batch_id == batch.id]
    failed_first = (AllowanceGrant.status != GrantStatus.FAILED)
    return paginate(_rows(conditions).order_by(failed_first, AllowanceGrant.id), page, PER_PAGE,
                    scalars=False, counted=select(AllowanceGrant.id).where(*conditions))


def batch_counts(batch: CarrierBatch) -> dict[GrantStatus, int]:
    rows = session.execute(
        select(AllowanceGrant.status, func.count()).where(AllowanceGrant.batch_id == batch.id)
        .group_by(AllowanceGrant.status))
    return {status: count for status, count in rows}  # noqa: C416 (rows are not pairs to dict())


# -- one worker ----------------------------------------------------------------------------------

def grants_of_worker(worker: Worker) -> list[AllowanceGrant]:
    """The worker's grants, newest month first (their policies loaded with them)."""
    return list(session.scalars(
        select(AllowanceGrant).where(AllowanceGrant.worker_id == worker.id)
        .options(selectinload(AllowanceGrant.policy))
        .order_by(AllowanceGrant.month.desc())))


#: The codes of :class:`Why`.
GRANTED, LEFT, NOT_JOINED, NO_POLICY, SUSPENDED, NOT_ELIGIBLE, DUE = (
    "granted", "left", "not_joined", "no_policy", "suspended", "not_eligible", "due")


@dataclass(frozen=True)
class Why:
    """Whether the worker is granted a month, and why, in a sentence."""

    code: str
    text: str
    month: date


def month_key(month: date) -> str:
    """``2026-11``: a month in data attributes and links."""
    return f"{month:%Y-%m}"


def _month_text(month: date) -> str:
    return _("%(year)s年%(month)s月", year=month.year, month=month.month)


def _not_eligible(eligibility: Eligibility) -> str:
    if eligibility == Eligibility.PARENTS_IN_NEED:
        return _("没有发放：政策只发给有留守、困境或事实无人抚养子女的职工，这位职工现在没有"
                 "这样的子女")
    return _("没有发放：政策只发给有留守子女的职工，这位职工现在没有留守的子女（子女年满 16 "
             "周岁或父母一方已回家照顾，就不再是留守儿童）")


def why(worker: Worker, month: date, today: date, granted: AllowanceGrant | None,
        children=None) -> Why:
    """Why ``worker`` is or is not granted ``month``, as of ``today`` (``granted``: their grant of
    that month, if any; ``children`` as :func:`plugin.registry.queries.children_of` gives
    them, read when not given)."""
    words = {"month": _month_text(month)}
    if granted is not None:
        return Why(GRANTED, _("%(month)s已发放 %(minutes)s 分钟通话、%(data)s MB 流量"
                              "（%(status)s）", minutes=granted.minutes, data=granted.data_mb,
                              status=granted.status.label, **words), month)
    if worker.left_on is not None and worker.left_on <= max(today, month):
        return Why(LEFT, _("没有发放：这位职工已于 %(date)s 离职，离职后不再发放",
                           date=format_date(worker.left_on)), month)
    if worker.entry_date is not None and worker.entry_date > today:
        return Why(NOT_JOINED, _("还没有发放：这位职工 %(date)s 入职，入职后才发放",
                                 date=format_date(worker.entry_date)), month)
    policy: AllowancePolicy | None = policy_for_unit(worker.org_unit, month)
    if policy is None:
        return Why(NO_POLICY, _("没有发放：职工所在单位（%(unit)s）%(month)s没有亲情通话补贴政策",
                                unit=worker.org_unit.name, **words), month)
    if policy.suspended:
        return Why(SUSPENDED, _("没有发放：%(unit)s的亲情通话补贴自 %(start)s 起暂停发放",
                                unit=policy.org_unit.name, start=_month_text(policy.starts_on)),
                   month)
    children = children_of(worker) if children is None else children
    facts = [rules.ChildFacts(child.left_behind, child.in_difficulty, child.de_facto_unsupported)
             for child in children]
    if not rules.is_eligible(policy.eligibility, facts):
        return Why(NOT_ELIGIBLE, _not_eligible(policy.eligibility), month)
    return Why(DUE, _("符合%(unit)s的政策（%(who)s）：%(month)s的 %(minutes)s 分钟通话和 "
                      "%(data)s MB 流量将在下一次每日发放时发放", unit=policy.org_unit.name,
                      who=policy.eligibility.label, minutes=policy.minutes_per_month,
                      data=policy.data_mb_per_month, **words), month)


def explain(worker: Worker, today: date, grants: list[AllowanceGrant]) -> list[Why]:
    """This month's :func:`why`, and next month's when it will differ (a grant that stops)."""
    month = rules.first_of_month(today)
    by_month = {grant.month: grant for grant in grants}
    children = children_of(worker)
    now = why(worker, month, today, by_month.get(month), children)
    result = [now]
    if now.code == GRANTED:
        following = rules.first_of_month(month + timedelta(days=32))
        later = why(worker, following, today, by_month.get(following), children)
        if later.code not in (GRANTED, DUE):
            result.append(Why(later.code, _("%(month)s起：", month=_month_text(following))
                              + later.text, following))
    return result
