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
    return [campaign for campaign in campaigns
            if scope.covers(campaign.org_unit)
            or any(path.startswith(campaign.org_unit.path) for path in scope.paths)]


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


def campaign_reaches(campaign: Campaign, scope: Scope) -> bool:
    """The campaign is run within the scope, or covers a unit of it from above."""
    return scope.covers(campaign.org_unit) or any(
        path.startswith(campaign.org_unit.path) for path in scope.paths)


def units_for_activities(campaign: Campaign, scope: Scope) -> list:
    """Units where an activity of ``campaign`` may be held by an actor of ``scope``: the
    campaign's quota units within the scope (the sites children visit)."""
    return [quota.org_unit for quota in campaign.quotas if scope.covers(quota.org_unit)]
