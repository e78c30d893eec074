"""Reading campaigns, their audience and their recipients (each list one COUNT and one page query,
every related row joined, no query per row)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from ..access.scope import Scope
from ..core.db import session
from ..core.pagination import Page, paginate
from ..org.models import OrgKind, OrgUnit
from ..org.queries import unit_id_in_subtrees
from ..registry.models import EmploymentStatus, Worker
from ..registry.queries import has_child_born_between
from .models import CampaignStatus, SafetyCampaign, SafetyRecipient
from .rules import born_after_for_under_16, pending_condition

PER_PAGE = 50


def get_campaign(campaign_id: int) -> SafetyCampaign | None:
    return session.get(SafetyCampaign, campaign_id)


def campaigns_page(scope: Scope, *, status: CampaignStatus | None = None,
                   page: int = 1) -> Page:
    """Campaigns of the scope, the latest holiday first, each with (notified, confirmed)."""
    counts = (select(SafetyRecipient.campaign_id, func.count().label("notified"),
                     func.count(SafetyRecipient.confirmed_at).label("confirmed"))
              .group_by(SafetyRecipient.campaign_id).subquery())
    statement = (select(SafetyCampaign, func.coalesce(counts.c.notified, 0),
                        func.coalesce(counts.c.confirmed, 0))
                 .outerjoin(counts, counts.c.campaign_id == SafetyCampaign.id)
                 .where(scope.contains_unit_id(SafetyCampaign.org_unit_id))
                 .order_by(SafetyCampaign.holiday_starts_on.desc(), SafetyCampaign.id))
    if status is not None:
        statement = statement.where(SafetyCampaign.status == status)
    return paginate(statement, page, PER_PAGE, scalars=False)


def status_counts(scope: Scope) -> dict[CampaignStatus, int]:
    rows = session.execute(select(SafetyCampaign.status, func.count())
                           .where(scope.contains_unit_id(SafetyCampaign.org_unit_id))
                           .group_by(SafetyCampaign.status)).all()
    return dict(rows)


def campaign_counts(campaign_id: int) -> tuple[int, int]:
    """(workers notified, workers who confirmed) of one campaign."""
    notified, confirmed = session.execute(
        select(func.count(), func.count(SafetyRecipient.confirmed_at))
        .where(SafetyRecipient.campaign_id == campaign_id)).one()
    return notified, confirmed


def sites() -> list[OrgUnit]:
    """Every site of the company (a campaign is drafted for each)."""
    return list(session.execute(select(OrgUnit).where(OrgUnit.kind == OrgKind.SITE)
                                .order_by(OrgUnit.path)).scalars())


def existing_campaign_sites(kind, year: int) -> set[int]:
    return set(session.execute(select(SafetyCampaign.org_unit_id).where(
        SafetyCampaign.kind == kind, SafetyCampaign.year == year)).scalars())


# -- the audience ----------------------------------------------------------------------------------

def audience_ids(unit: OrgUnit, day: date) -> list[int]:
    """Active workers of ``unit``'s subtree who are a registered parent of a child under 16 on
    ``day`` (:func:`plugin.holiday_safety.rules.under_16_on`), by id."""
    has_young_child = has_child_born_between(Worker.id, born_after_for_under_16(day), day)
    return list(session.execute(
        select(Worker.id).where(unit_id_in_subtrees(Worker.org_unit_id, [unit.path]),
                                Worker.employment_status == EmploymentStatus.ACTIVE,
                                has_young_child).order_by(Worker.id)).scalars())


def recipient_ids(campaign_id: int) -> set[int]:
    return set(session.execute(select(SafetyRecipient.worker_id)
                               .where(SafetyRecipient.campaign_id == campaign_id)).scalars())


def pending_page(campaign: SafetyCampaign, *, page: int = 1) -> Page:
    """The workers told about ``campaign`` who have not confirmed, with their unit, by unit and
    employee number: rows of (recipient, worker, unit)."""
    statement = (select(SafetyRecipient, Worker, OrgUnit)
                 .join(Worker, Worker.id == SafetyRecipient.worker_id)
                 .join(OrgUnit, OrgUnit.id == Worker.org_unit_id)
                 .where(SafetyRecipient.campaign_id == campaign.id, pending_condition())
                 .order_by(OrgUnit.path, Worker.employee_number))
    return paginate(statement, page, PER_PAGE, scalars=False)


def confirmed_page(campaign: SafetyCampaign, *, page: int = 1) -> Page:
    """The confirmations of ``campaign``: rows of (recipient, worker, unit)."""
    statement = (select(SafetyRecipient, Worker, OrgUnit)
                 .join(Worker, Worker.id == SafetyRecipient.worker_id)
                 .join(OrgUnit, OrgUnit.id == Worker.org_unit_id)
                 .where(SafetyRecipient.campaign_id == campaign.id, ~pending_condition())
                 .order_by(SafetyRecipient.confirmed_at.desc(), Worker.employee_number))
    return paginate(statement, page, PER_PAGE, scalars=False)


# -- the worker's phone ----------------------------------------------------------------------------

def campaigns_of_worker(worker_id: int) -> list[SafetyRecipient]:
    """The worker's campaigns (open ones first, then the latest)."""
    return list(session.execute(
        select(SafetyRecipient)
        .join(SafetyCampaign, SafetyCampaign.id == SafetyRecipient.campaign_id)
        .where(SafetyRecipient.worker_id == worker_id)
        .order_by((SafetyCampaign.status == CampaignStatus.CLOSED),
                  SafetyCampaign.holiday_starts_on.desc())
        .limit(20)).scalars())


def recipient_of(campaign_id: int, worker_id: int) -> SafetyRecipient | None:
    return session.execute(select(SafetyRecipient).where(
        SafetyRecipient.campaign_id == campaign_id, SafetyRecipient.worker_id == worker_id)
    ).scalar_one_or_none()
