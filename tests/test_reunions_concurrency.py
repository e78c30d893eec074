"""Quotas and the budget under real concurrency: many officers approve at the same moment.

Each approval is its own thread, app context, session and connection against a database of its
own with real commits (SQLite serialises the writers; PostgreSQL runs them at once, and the
conditional UPDATEs with their row locks keep every count within its limit).
"""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from plugin.core.db import session
from plugin.core.errors import ValidationError
from plugin.org.models import OrgKind
from plugin.org.queries import get_root_unit
from plugin.org.services import create_company, create_unit
from plugin.reunions import services
from plugin.reunions.models import Application, ApplicationStatus, Campaign, CampaignQuota

from . import factories
from .concurrency_support import all_at_once, app_on_own_database
from .conftest import SYSTEM
from .reunions_support import make_campaign, trip

pytestmark = pytest.mark.committing

TODAY = date(2026, 11, 22)


@pytest.fixture
def racing_app(database_url, tmp_path):
    with app_on_own_database(database_url, "reunions", tmp_path) as app:
        yield app


def set_up(app, *, places: int, budget_fen: int, households: list[int]) -> dict:
    """A campaign with ``places`` at one site and one application per household size given."""
    with app.app_context():
        create_company("测试建工集团", actor=SYSTEM)
        session.flush()
        site = create_unit(get_root_unit(), OrgKind.SITE, "前海项目部", actor=SYSTEM)
        campaign = make_campaign(site, {site: places}, budget_fen=budget_fen, household_limit=6)
        ids = []
        for size in households:
            worker = factories.make_worker(site)
            children = [factories.make_child(worker) for _ in range(size - 1)]
            ids.append(services.apply(campaign, worker, trip(children=children, fare_fen=10_000),
                                      actor=SYSTEM, today=TODAY).id)
        session.commit()
        facts = {"campaign": campaign.id, "applications": ids}
        session.remove()
    return facts


def approve_all_at_once(app, application_ids: list[int]) -> list[str]:
    def approve(number, barrier):
        with app.app_context():
            application = session.get(Application, application_ids[number])
            barrier.wait()
            try:
                services.approve(application, actor=SYSTEM)
                session.commit()
                return "approved"
            except ValidationError:
                session.rollback()
                return "refused"
            finally:
                session.remove()
    return all_at_once(len(application_ids), approve)


def counts(app, campaign_id: int) -> tuple[int, int, int]:
    """(places taken, money committed, places of approved applications)"""
    with app.app_context():
        taken = session.scalar(select(func.sum(CampaignQuota.taken)).where(
            CampaignQuota.campaign_id == campaign_id))
        committed = session.scalar(select(Campaign.committed_fen).where(
            Campaign.id == campaign_id))
        approved = [application.places for application in session.scalars(
            select(Application).where(Application.campaign_id == campaign_id,
                                      Application.status == ApplicationStatus.APPROVED))]
        session.remove()
    return taken, committed, sum(approved)


def test_thirty_officers_approving_at_once_never_pass_the_sites_places(racing_app):
    facts = set_up(racing_app, places=8, budget_fen=10_000_000, households=[1] * 30)
    answers = approve_all_at_once(racing_app, facts["applications"])
    assert answers.count("approved") == 8 and answers.count("refused") == 22
    assert counts(racing_app, facts["campaign"]) == (8, 8 * 10_000, 8)


def test_approvals_at_once_never_pass_the_budget(racing_app):
    facts = set_up(racing_app, places=100, budget_fen=5 * 10_000 + 9_999, households=[1] * 20)
    answers = approve_all_at_once(racing_app, facts["applications"])
    assert answers.count("approved") == 5
    assert counts(racing_app, facts["campaign"]) == (5, 50_000, 5)


def test_households_approved_at_once_take_whole_places_within_the_quota(racing_app):
    sizes = [3, 1, 2, 4, 1, 3, 2, 1, 2, 3, 1, 4]
    facts = set_up(racing_app, places=9, budget_fen=10_000_000, households=sizes)
    approve_all_at_once(racing_app, facts["applications"])
    taken, committed, approved_places = counts(racing_app, facts["campaign"])
    assert taken == approved_places <= 9 and committed == approved_places * 10_000


def test_twenty_officers_approving_one_application_approve_it_once(racing_app):
    facts = set_up(racing_app, places=10, budget_fen=10_000_000, households=[3])
    answers = approve_all_at_once(racing_app, facts["applications"] * 20)
    assert answers.count("approved") == 1
    assert counts(racing_app, facts["campaign"]) == (3, 30_000, 3)
