"""Reading campaigns and applications (scoped lists, one worker's own)."""
from __future__ import annotations

from sqlalchemy import select

from ..access.scope import Scope
from ..core.db import session
from .models import Application, ApplicationEvent, Campaign


def get_campaign(campaign_id: int) -> Campaign | None:
    return session.get(Campaign, campaign_id)


def get_application(application_id: int) -> Application | None:
    return session.get(Application, application_id)


def campaigns_in(scope: Scope) -> list[Campaign]:
    """Campaigns whose subtree meets the scope: run within it, or covering it from above."""
    campaigns = session.execute(select(Campaign).order_by(Campaign.travel_from.desc(),
                                                          Campaign.id.desc())).scalars()
    return [campaign for campaign in campaigns if campaign_reaches(campaign, scope)]


def campaigns_for_worker(worker) -> list[Campaign]:
    """Campaigns whose subtree holds the worker's unit, newest travel first."""
    campaigns = session.execute(select(Campaign).order_by(Campaign.travel_from.desc(),
                                                          Campaign.id.desc())).scalars()
    return [campaign for campaign in campaigns
            if worker.org_unit.path.startswith(campaign.org_unit.path)]


def applications_of_worker(worker_id: int) -> list[Application]:
    return list(session.execute(select(Application).where(Application.worker_id == worker_id)
                                .order_by(Application.applied_at.desc())).scalars())


def history_of(application: Application) -> list[ApplicationEvent]:
    return list(session.execute(select(ApplicationEvent).where(
        ApplicationEvent.application_id == application.id).order_by(ApplicationEvent.id))
        .scalars())


# -- officers' pages (views.py) ------------------------------------------------------------------

def places_of(campaign_ids: list[int]) -> dict[int, tuple[int, int]]:
    """Campaign id → (places taken, places) over its quotas, in one query."""
    from sqlalchemy import func

    from .models import CampaignQuota

    if not campaign_ids:
        return {}
    rows = session.execute(
        select(CampaignQuota.campaign_id, func.sum(CampaignQuota.taken),
               func.sum(CampaignQuota.places))
        .where(CampaignQuota.campaign_id.in_(campaign_ids))
        .group_by(CampaignQuota.campaign_id))
    return {campaign_id: (int(taken or 0), int(places or 0)) for campaign_id, taken, places in rows}


def campaign_applications(campaign: Campaign, scope: Scope, status=None) -> list:
    """The campaign's applications of workers within ``scope`` (``status``: only those), in
    the queue's order, each with its worker's name and employee number: (application, name,
    employee number) rows, their travellers loaded with them (no query per row)."""
    from ..registry.models import Worker
    from .rules import queue_order

    statement = (select(Application, Worker.name, Worker.employee_number)
                 .join(Worker, Worker.id == Application.worker_id)
                 .where(Application.campaign_id == campaign.id,
                        scope.contains_unit_id(Application.org_unit_id))
                 .order_by(*queue_order()))
    if status is not None:
        statement = statement.where(Application.status == status)
    return [tuple(row) for row in session.execute(statement).unique()]


def status_counts(campaign: Campaign, scope: Scope) -> dict:
    """Status → number of the campaign's applications of workers within ``scope``."""
    from sqlalchemy import func

    from .models import ApplicationStatus

    rows = session.execute(
        select(Application.status, func.count()).where(
            Application.campaign_id == campaign.id,
            scope.contains_unit_id(Application.org_unit_id)).group_by(Application.status))
    return {ApplicationStatus(status): count for status, count in rows}


def campaign_reaches(campaign: Campaign, scope: Scope) -> bool:
    """The campaign is run within the scope, or covers a unit of it from above."""
    return scope.covers(campaign.org_unit) or any(
        path.startswith(campaign.org_unit.path) for path in scope.paths)


def units_for_activities(campaign: Campaign, scope: Scope) -> list:
    """Units where an activity of ``campaign`` may be held by an actor of ``scope``: the
    campaign's quota units within the scope (the sites children visit)."""
    return [quota.org_unit for quota in campaign.quotas if scope.covers(quota.org_unit)]


def applied_counts(campaign_ids: list[int], scope: Scope) -> dict[int, int]:
    """Campaign id → applications waiting for a decision within ``scope``, in one query."""
    from sqlalchemy import func

    from .models import ApplicationStatus

    if not campaign_ids:
        return {}
    rows = session.execute(
        select(Application.campaign_id, func.count())
        .where(Application.campaign_id.in_(campaign_ids),
               Application.status == ApplicationStatus.APPLIED,
               scope.contains_unit_id(Application.org_unit_id))
        .group_by(Application.campaign_id))
    return dict(rows.all())
