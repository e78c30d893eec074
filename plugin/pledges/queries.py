"""Reads of pledges for lists, coverage and verification: scoped, paginated, no query per row."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, exists, func, or_, select
from sqlalchemy.orm import aliased, contains_eager

from ..core.db import session
from ..core.pagination import Page, paginate
from ..org.models import OrgKind, OrgUnit
from ..org.queries import in_subtrees, units_in_subtrees
from ..registry.models import Child, ChildParent, EmploymentStatus, Worker
from .models import Pledge, PledgeBatch, PledgeTemplate
from .rules import PledgeStatus, normalise_code, status_condition, valid_condition

RECENT_BATCHES = 20


# -- templates --------------------------------------------------------------------------------

def latest_template() -> PledgeTemplate | None:
    return session.execute(select(PledgeTemplate).order_by(PledgeTemplate.version.desc())
                           .limit(1)).scalar_one_or_none()


def template_versions() -> list[tuple[PledgeTemplate, int]]:
    """Every version, newest first, with how many pledges were signed under it."""
    signed = (select(Pledge.template_id, func.count().label("signed")).group_by(Pledge.template_id)
              .subquery())
    return [(template, count or 0) for template, count in session.execute(
        select(PledgeTemplate, signed.c.signed)
        .outerjoin(signed, signed.c.template_id == PledgeTemplate.id)
        .order_by(PledgeTemplate.version.desc()))]


def template_by_version(version: int) -> PledgeTemplate | None:
    return session.execute(select(PledgeTemplate).where(PledgeTemplate.version == version)
                           ).scalar_one_or_none()


def get_template(template_id: int) -> PledgeTemplate | None:
    return session.get(PledgeTemplate, template_id)


# -- one worker's pledges ---------------------------------------------------------------------

def get_pledge(pledge_id: int) -> Pledge | None:
    return session.get(Pledge, pledge_id)


def pledges_of(worker_id: int) -> list[Pledge]:
    """A worker's pledges, newest first (history: revoked and expired ones included)."""
    return list(session.execute(select(Pledge).where(Pledge.worker_id == worker_id)
                                .order_by(Pledge.signed_on.desc(), Pledge.id.desc())).scalars())


def valid_pledges_of(worker_id: int, today: date) -> list[Pledge]:
    return list(session.execute(
        select(Pledge).where(Pledge.worker_id == worker_id, valid_condition(today))
        .order_by(Pledge.valid_until.desc(), Pledge.id.desc())).scalars())


def recent_pledges_of(worker_id: int, since: date) -> list[Pledge]:
    """Pledges not revoked that were in force on ``since`` or later, latest ending first."""
    return list(session.execute(select(Pledge).where(
        Pledge.worker_id == worker_id, Pledge.revoked_at.is_(None), Pledge.valid_until >= since)
        .order_by(Pledge.valid_until.desc(), Pledge.id.desc())).scalars())


def pledge_by_code(code: str | None) -> Pledge | None:
    code = normalise_code(code)
    if not code:
        return None
    return session.execute(select(Pledge).where(Pledge.verification_code == code)
                           ).scalar_one_or_none()


# -- lists ------------------------------------------------------------------------------------

@dataclass
class PledgeFilter:
    unit: OrgUnit | None = None
    status: PledgeStatus | None = None
    search: str | None = None


def search_pledges(criteria: PledgeFilter, *, scope_paths: list[str], today: date, page: int = 1,
                   per_page: int = 50) -> Page:
    """Pledges of workers in scope, latest signed first."""
    statement = (select(Pledge).join(Pledge.worker).join(Worker.org_unit)
                 .options(contains_eager(Pledge.worker).contains_eager(Worker.org_unit))
                 .where(in_subtrees(OrgUnit.path, scope_paths))
                 .order_by(Pledge.signed_on.desc(), Pledge.id.desc()))
    if criteria.unit is not None:
        statement = statement.where(OrgUnit.path.startswith(criteria.unit.path, autoescape=True))
    if criteria.status is not None:
        statement = statement.where(status_condition(criteria.status, today))
    if criteria.search:
        term = criteria.search.strip()
        statement = statement.where(or_(
            Worker.employee_number.startswith(term.upper(), autoescape=True),
            Worker.name.contains(term, autoescape=True)))
    return paginate(statement, page, per_page)


def sites_in_scope(scope_paths: list[str]) -> list[OrgUnit]:
    return [unit for unit in units_in_subtrees(scope_paths) if unit.kind == OrgKind.SITE]


# -- coverage ---------------------------------------------------------------------------------

@dataclass
class SiteCoverage:
    unit: OrgUnit
    #: Active workers with at least one left-behind child.
    workers: int
    #: Of those, workers with at least one pledge in force today.
    covered: int

    @property
    def uncovered(self) -> int:
        return self.workers - self.covered

    @property
    def percent(self) -> int | None:
        """Whole percent, rounded down: 399 of 400 is 99 %, never 100 %."""
        return 100 * self.covered // self.workers if self.workers else None


def _site_of(unit):
    """The site a worker's unit belongs to: itself for a site, the parent for a team (teams sit
    directly under sites), itself for anything else."""
    return case((unit.kind == OrgKind.TEAM, unit.parent_id), else_=unit.id)


def _has_left_behind_child():
    return exists(select(ChildParent.id).join(Child, Child.id == ChildParent.child_id)
                  .where(ChildParent.worker_id == Worker.id, Child.left_behind.is_(True)))


def _has_valid_pledge(today: date):
    return exists(select(Pledge.id).where(Pledge.worker_id == Worker.id, valid_condition(today)))


def coverage_by_site(scope_paths: list[str], today: date) -> list[SiteCoverage]:
    """Per site in scope: workers with left-behind children and how many hold a valid pledge,
    in one aggregate query (plus one for the units)."""
    unit = aliased(OrgUnit)
    site_id = _site_of(unit).label("site_id")
    rows = session.execute(
        select(site_id, func.count(Worker.id),
               func.sum(case((_has_valid_pledge(today), 1), else_=0)))
        .join(unit, Worker.org_unit_id == unit.id)
        .where(in_subtrees(unit.path, scope_paths),
               Worker.employment_status == EmploymentStatus.ACTIVE, _has_left_behind_child())
        .group_by(site_id)).all()
    counts = {row[0]: (row[1], int(row[2] or 0)) for row in rows}
    units = {site.id: site for site in sites_in_scope(scope_paths)}
    missing = [unit_id for unit_id in counts if unit_id not in units]
    if missing:
        units.update({found.id: found for found in session.execute(
            select(OrgUnit).where(OrgUnit.id.in_(missing))).scalars()})
    result = [SiteCoverage(site, *counts.get(site.id, (0, 0))) for site in units.values()]
    return sorted(result, key=lambda row: (-row.uncovered, row.unit.name))


def workers_without_pledge(site: OrgUnit, *, scope_paths: list[str], today: date, page: int = 1,
                           per_page: int = 50) -> Page:
    """Active workers of ``site`` (and its teams) with a left-behind child and no valid pledge."""
    return paginate(without_pledge_statement(site, scope_paths=scope_paths, today=today),
                    page, per_page)


def without_pledge_statement(site: OrgUnit, *, scope_paths: list[str], today: date):
    """The query of :func:`workers_without_pledge`, unpaginated (the list's export)."""
    unit = aliased(OrgUnit)
    return (select(Worker).join(unit, Worker.org_unit_id == unit.id)
            .where(_site_of(unit) == site.id, in_subtrees(unit.path, scope_paths),
                   Worker.employment_status == EmploymentStatus.ACTIVE,
                   _has_left_behind_child(), ~_has_valid_pledge(today))
            .order_by(Worker.employee_number))


def uncovered_workers(site: OrgUnit, *, scope_paths: list[str], today: date) -> list[Worker]:
    """All of :func:`workers_without_pledge` (the bulk actions of the coverage page)."""
    return list(session.execute(
        without_pledge_statement(site, scope_paths=scope_paths, today=today)).scalars())


# -- batches ----------------------------------------------------------------------------------

def get_batch(batch_id: int) -> PledgeBatch | None:
    return session.get(PledgeBatch, batch_id)


def recent_batches(scope_paths: list[str], limit: int = RECENT_BATCHES) -> list[PledgeBatch]:
    return list(session.execute(
        select(PledgeBatch).join(OrgUnit, PledgeBatch.org_unit_id == OrgUnit.id)
        .where(in_subtrees(OrgUnit.path, scope_paths))
        .order_by(PledgeBatch.id.desc()).limit(limit)).scalars())


def batch_pledge_ids(batch: PledgeBatch) -> list[int]:
    """The pledges a site's batch holds: of workers in the site, in force on the batch's day
    unless it asked for all, in employee-number order."""
    statement = (select(Pledge.id).join(Worker, Pledge.worker_id == Worker.id)
                 .join(OrgUnit, Worker.org_unit_id == OrgUnit.id)
                 .where(OrgUnit.path.startswith(batch.org_unit.path, autoescape=True))
                 .order_by(Worker.employee_number, Pledge.signed_on, Pledge.id))
    if batch.only_valid:
        statement = statement.where(valid_condition(batch.as_of))
    return list(session.execute(statement).scalars())
