"""A campaign's results, and the reunion figures of a period for the reports.

Every figure is an aggregate query run by the database (a handful per page, whatever the number of
applications); no application is loaded into Python. Figures cover the applications whose unit
(the worker's unit when applying) lies in the reader's subtrees, so a site manager sees their
site's part of a company-wide campaign.

Definitions (product rules where DOMAIN §7 is silent):

- *Applications*: every application, whatever became of it.
- *Approved*: applications given places at some point (approved directly, by the allocation or by
  taking a waiting-list offer), whatever happened afterwards (booked, travelled, no-show,
  cancelled). *Waitlisted*, *offered*, *rejected*, *pending*: applications in that status now.
- *Tickets booked*: travellers with a ticket number, in any status (a cancelled, refunded
  ticket was booked too); *tickets refunded*: those of cancelled applications.
- *Travelled*: households whose application is marked travelled.
- *People reunited*: from the travelled applications: the workers (one per household: the worker
  who went home, or whose children came to the site), the children and the other family members
  who travelled.
- *Committed*: the money the applications hold of the budget (``Application.subsidy_fen``:
  estimates until booked, then the ticket subsidy; what a cancelled booking still cost, its
  tickets less the refund). *Spent*: that money of the applications whose tickets were bought
  (booked, travelled, no-show, and cancelled after booking). *Refunded*: money refunded by the
  carriers for cancelled tickets. The *budget* is the campaign's, for all its units.
- *Subsidy per person*: the subsidy of the travelled applications divided by the people who
  travelled with them, in integer fen rounded down.
- *Site*: the application's unit rolled up to the site above it (a team to its site); a unit with
  no site above it (a subsidiary's office) stands for itself.
- *Hukou province*: the first two digits of the worker's hukou region code, named from the
  registry's region table; workers without a code are counted under "未登记".

All amounts are integer fen.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.orm import aliased

from ..access.scope import Scope
from ..core.db import session
from ..core.errors import ValidationError
from ..core.i18n import N_
from ..org.models import OrgKind, OrgUnit
from ..registry.models import Worker
from ..registry.regions import region_name
from .models import (
    Application,
    ApplicationEvent,
    ApplicationStatus,
    Campaign,
    Traveller,
    TravellerKind,
)

#: Statuses that passed an approval (an application in them was given places).
PAST_APPROVAL = (ApplicationStatus.APPROVED, ApplicationStatus.BOOKED,
                 ApplicationStatus.TRAVELLED, ApplicationStatus.NO_SHOW)
#: Statuses whose subsidy is money spent on tickets: booked, used or not, and what a cancelled
#: booking still cost (its tickets less the refund; nothing for one cancelled before booking).
TICKETED = (ApplicationStatus.BOOKED, ApplicationStatus.TRAVELLED, ApplicationStatus.NO_SHOW,
            ApplicationStatus.CANCELLED)
#: The key of workers without a hukou region code in :attr:`ReunionFigures.by_province`.
UNKNOWN_PROVINCE = ""


@dataclass(frozen=True)
class ReunionFigures:
    """Figures of a set of applications (a campaign within a scope, a site, a province, or
    every campaign of a period); see the module doc for what each counts."""

    applications: int = 0
    approved: int = 0
    pending: int = 0
    waitlisted: int = 0
    offered: int = 0
    rejected: int = 0
    cancelled: int = 0
    no_show: int = 0
    travelled: int = 0
    places_requested: int = 0
    tickets_booked: int = 0
    tickets_refunded: int = 0
    workers_reunited: int = 0
    children_reunited: int = 0
    relatives_reunited: int = 0
    travellers_travelled: int = 0
    committed_fen: int = 0
    spent_fen: int = 0
    refunded_fen: int = 0
    travelled_subsidy_fen: int = 0

    @property
    def people_reunited(self) -> int:
        return self.workers_reunited + self.children_reunited + self.relatives_reunited

    @property
    def subsidy_per_person_fen(self) -> int | None:
        """Subsidy of the travelled households per person who travelled, rounded down; None
        when nobody travelled."""
        if not self.travellers_travelled:
            return None
        return self.travelled_subsidy_fen // self.travellers_travelled


@dataclass(frozen=True)
class GroupFigures:
    """One row of a breakdown: a site (``key`` its unit id) or a province (``key`` its two
    digits, :data:`UNKNOWN_PROVINCE` for none)."""

    key: int | str
    name: str
    figures: ReunionFigures


@dataclass(frozen=True)
class CampaignResults:
    campaign: Campaign
    #: The campaign's whole budget and what all its applications hold of it (not only the
    #: scope's: the budget is shared).
    budget_fen: int
    campaign_committed_fen: int
    totals: ReunionFigures
    by_site: list[GroupFigures]
    by_province: list[GroupFigures]

    @property
    def budget_left_fen(self) -> int:
        return self.budget_fen - self.campaign_committed_fen

    @property
    def budget_used_share(self) -> float | None:
        """Part (0–1) of the budget the whole campaign holds."""
        return self.campaign_committed_fen / self.budget_fen if self.budget_fen else None


# -- the aggregate ------------------------------------------------------------------------------

def _travellers_per_application():
    """Per application: its travellers, by kind, and its ticket numbers."""
    return (select(
        Traveller.application_id.label("application_id"),
        func.count().label("people"),
        _count_if(Traveller.kind == TravellerKind.CHILD).label("children"),
        _count_if(Traveller.kind == TravellerKind.RELATIVE).label("relatives"),
        _count_if(and_(Traveller.ticket_number.is_not(None), Traveller.ticket_number != ""))
        .label("tickets"),
    ).group_by(Traveller.application_id).subquery("travellers"))


def _aggregates(travellers) -> list:
    """The columns of :class:`ReunionFigures`, in its field order, over ``Application`` joined
    with :func:`_travellers_per_application`."""
    status = Application.status
    people = func.coalesce(travellers.c.people, 0)
    was_approved = or_(status.in_(PAST_APPROVAL), exists().where(
        ApplicationEvent.application_id == Application.id,
        ApplicationEvent.to_status == ApplicationStatus.APPROVED.value))
    travelled = status == ApplicationStatus.TRAVELLED
    return [
        func.count(Application.id),
        _count_if(was_approved),
        _count_if(status == ApplicationStatus.APPLIED),
        _count_if(status == ApplicationStatus.WAITLISTED),
        _count_if(status == ApplicationStatus.OFFERED),
        _count_if(status == ApplicationStatus.REJECTED),
        _count_if(status == ApplicationStatus.CANCELLED),
        _count_if(status == ApplicationStatus.NO_SHOW),
        _count_if(travelled),
        _sum(people),
        _sum(func.coalesce(travellers.c.tickets, 0)),
        _sum_if(status == ApplicationStatus.CANCELLED, func.coalesce(travellers.c.tickets, 0)),
        func.count(func.distinct(case((travelled, Application.worker_id)))),
        _sum_if(travelled, func.coalesce(travellers.c.children, 0)),
        _sum_if(travelled, func.coalesce(travellers.c.relatives, 0)),
        _sum_if(travelled, people),
        func.coalesce(func.sum(Application.subsidy_fen), 0),
        _sum_if(status.in_(TICKETED), Application.subsidy_fen),
        _sum_if(status == ApplicationStatus.CANCELLED, func.coalesce(Application.refund_fen, 0)),
        _sum_if(travelled, Application.subsidy_fen),
    ]


def _figures(row: Iterable) -> ReunionFigures:
    return ReunionFigures(*(int(value or 0) for value in row))


def _scope_condition(scope: Scope | Iterable[str], unit_column):
    if not isinstance(scope, Scope):
        scope = Scope.of_paths(scope)
    return scope.contains_unit_id(unit_column)


def _base(columns: list, travellers, *conditions):
    return (select(*columns).select_from(Application)
            .outerjoin(travellers, travellers.c.application_id == Application.id)
            .where(*conditions))


# -- one campaign -------------------------------------------------------------------------------

def campaign_figures(campaign: Campaign, scope: Scope | Iterable[str]) -> ReunionFigures:
    """The campaign's figures over its applications within ``scope`` (a :class:`Scope` or
    subtree paths)."""
    travellers = _travellers_per_application()
    row = session.execute(_base(_aggregates(travellers), travellers,
                                Application.campaign_id == campaign.id,
                                _scope_condition(scope, Application.org_unit_id))).one()
    return _figures(row)


def figures_by_site(campaign: Campaign, scope: Scope | Iterable[str]) -> list[GroupFigures]:
    """The campaign's figures per site (see the module doc), in tree order."""
    travellers = _travellers_per_application()
    unit, site = aliased(OrgUnit), aliased(OrgUnit)
    key = func.coalesce(site.id, unit.id)
    name = func.coalesce(site.name, unit.name)
    path = func.coalesce(site.path, unit.path)
    statement = (_base([key, name, path, *_aggregates(travellers)], travellers,
                       Application.campaign_id == campaign.id,
                       _scope_condition(scope, Application.org_unit_id))
                 .join(unit, unit.id == Application.org_unit_id)
                 .outerjoin(site, and_(site.kind == OrgKind.SITE,
                                       unit.path.startswith(site.path)))
                 .group_by(key, name, path))
    rows = sorted(session.execute(statement).all(), key=lambda row: _tree_order(row[2]))
    return [GroupFigures(row[0], row[1], _figures(row[3:])) for row in rows]


def _tree_order(path: str) -> list[int]:
    """Sort key of a unit path in tree order ("/1/4/" before "/1/10/")."""
    return [int(part) for part in path.strip("/").split("/") if part]


def figures_by_province(campaign: Campaign,
                        scope: Scope | Iterable[str]) -> list[GroupFigures]:
    """The campaign's figures per hukou province of the workers, most applications first."""
    travellers = _travellers_per_application()
    province = func.coalesce(func.substr(Worker.hukou_region_code, 1, 2), UNKNOWN_PROVINCE)
    statement = (_base([province, *_aggregates(travellers)], travellers,
                       Application.campaign_id == campaign.id,
                       _scope_condition(scope, Application.org_unit_id))
                 .join(Worker, Worker.id == Application.worker_id)
                 .group_by(province))
    groups = [GroupFigures(row[0], province_name(row[0]), _figures(row[1:]))
              for row in session.execute(statement).all()]
    return sorted(groups, key=lambda group: (group.key == UNKNOWN_PROVINCE,
                                             -group.figures.applications, group.key))


def campaign_results(campaign: Campaign, scope: Scope | Iterable[str]) -> CampaignResults:
    """Everything the results page, the PDF summary and the reports show of one campaign."""
    budget, committed = session.execute(
        select(Campaign.budget_fen, Campaign.committed_fen).where(Campaign.id == campaign.id)).one()
    return CampaignResults(campaign=campaign, budget_fen=budget, campaign_committed_fen=committed,
                           totals=campaign_figures(campaign, scope),
                           by_site=figures_by_site(campaign, scope),
                           by_province=figures_by_province(campaign, scope))


def province_name(code: str | None) -> str:
    """The province of a two-digit code ("51" → "四川省"); "未登记" for none."""
    if not code:
        return _("未登记")
    return region_name(f"{code}0000") or code


# -- the reports' read function ---------------------------------------------------------------

@dataclass(frozen=True)
class PeriodFigures:
    """Reunion figures of a period, for the reports: the campaigns counted and their figures
    added up (see :func:`reunion_figures`)."""

    campaigns: int
    budget_fen: int
    figures: ReunionFigures


def reunion_figures(scope: Scope | Iterable[str], start: date, end: date) -> PeriodFigures:
    """The reunion figures of the subtrees in ``scope`` (a :class:`Scope`, or subtree paths as
    the lecture figures take them) for the local days ``start`` to ``end``, both included.

    This is the function the reports use. A campaign belongs to the period its travel window
    begins in (``travel_from`` between ``start`` and ``end``), so consecutive periods never
    count one twice; its figures are those of its applications whose unit lies in the scope,
    as defined in the module doc. ``campaigns`` counts the campaigns with at least one such
    application; ``budget_fen`` adds up their whole budgets (a budget is not split by unit).
    """
    if start > end:
        raise ValidationError(N_("起始日期不能晚于截止日期"), field="start")
    travellers = _travellers_per_application()
    in_period = (Application.campaign_id.in_(
        select(Campaign.id).where(Campaign.travel_from >= start, Campaign.travel_from <= end)))
    in_scope = _scope_condition(scope, Application.org_unit_id)
    row = session.execute(_base(_aggregates(travellers), travellers, in_period, in_scope)).one()
    counted = (select(Application.campaign_id).where(in_period, in_scope).distinct().subquery())
    campaigns, budget = session.execute(
        select(func.count(), func.coalesce(func.sum(Campaign.budget_fen), 0))
        .select_from(Campaign).where(Campaign.id.in_(select(counted.c.campaign_id)))).one()
    return PeriodFigures(campaigns=campaigns, budget_fen=int(budget), figures=_figures(row))


# -- helpers ------------------------------------------------------------------------------------

def _count_if(condition):
    """How many rows meet ``condition`` (0, not NULL, when there are none)."""
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _sum(value):
    return func.coalesce(func.sum(value), 0)


def _sum_if(condition, value):
    return func.coalesce(func.sum(case((condition, value), else_=0)), 0)

