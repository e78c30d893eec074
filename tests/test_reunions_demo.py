"""The reunions' part of the demo company: a finished Spring Festival campaign with every outcome
and an open summer 小候鸟 campaign with a household offered places from the waiting list, all
entered through the services on the demo company's workers and children."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from employer_portal.demo import seed_demo
from plugin.access.scope import Scope
from plugin.core.clock import local_today
from plugin.core.db import session
from plugin.core.features import declared_features
from plugin.reunions import demo, services, statistics, summary, visits
from plugin.reunions.models import (
    Application,
    ApplicationStatus,
    Campaign,
    CampaignKind,
    Traveller,
    TravellerKind,
)

from .conftest import SYSTEM


def test_the_last_spring_festival_is_one_whose_trips_are_over():
    assert demo.last_spring_festival(date(2026, 11, 22)) == date(2026, 2, 17)
    assert demo.last_spring_festival(date(2027, 2, 10)) == date(2026, 2, 17)
    assert demo.last_spring_festival(date(2028, 2, 29)) == date(2028, 1, 26)
    assert demo.last_spring_festival(date(2045, 6, 1)) == date(2045, 2, 10)


def test_the_demo_loads_a_finished_and_an_open_campaign(app_context, clock):
    seed_demo(password="Demo-2026x", actor=SYSTEM)
    reunions = next(feature for feature in declared_features() if feature.name == "reunions")
    assert reunions.demo == "demo:load"
    campaigns = {campaign.kind: campaign for campaign in session.execute(select(Campaign))
                 .scalars()}
    assert set(campaigns) == {CampaignKind.SPRING_FESTIVAL, CampaignKind.SUMMER_VISIT,
                              CampaignKind.REVERSE_VISIT}

    spring = campaigns[CampaignKind.SPRING_FESTIVAL]
    assert spring.closed_at is not None and spring.travel_until < local_today()
    assert spring.travel_from.year == 2026
    applications = session.execute(select(Application).where(
        Application.campaign_id == spring.id)).scalars().all()
    statuses = {application.status for application in applications}
    assert {ApplicationStatus.TRAVELLED, ApplicationStatus.NO_SHOW, ApplicationStatus.CANCELLED,
            ApplicationStatus.WAITLISTED, ApplicationStatus.REJECTED} <= statuses
    assert ApplicationStatus.OFFERED not in statuses and ApplicationStatus.APPLIED not in statuses
    assert all(a.reject_reason for a in applications if a.status == ApplicationStatus.REJECTED)
    assert any(a.refund_fen for a in applications if a.status == ApplicationStatus.CANCELLED)
    travelled = [a for a in applications if a.status == ApplicationStatus.TRAVELLED]
    assert all(t.ticket_number and t.ticket_price_fen for a in travelled for t in a.travellers)
    assert len({a.org_unit.path.split("/")[3] for a in travelled}) >= 2  # several sites

    results = statistics.campaign_results(spring, Scope.company())
    totals = results.totals
    assert totals.applications == len(applications) and totals.travelled == len(travelled)
    assert 0 < totals.spent_fen <= results.budget_fen
    assert totals.people_reunited >= totals.travelled and totals.children_reunited > 0
    assert len(results.by_site) == 3 and len(results.by_province) >= 3
    pdf = summary.render_summary_pdf(results, scope_label="全部参加单位", today=local_today())
    assert pdf.startswith(b"%PDF")

    summer = campaigns[CampaignKind.SUMMER_VISIT]
    assert services.is_open_for_applications(summer, local_today())
    waiting = session.execute(select(Application).where(
        Application.campaign_id == summer.id)).scalars().all()
    assert len(waiting) >= 4
    offered = [a for a in waiting if a.status == ApplicationStatus.OFFERED]
    assert len(offered) == 1 and offered[0].offer_expires_at is not None
    assert {ApplicationStatus.APPROVED, ApplicationStatus.APPLIED,
            ApplicationStatus.CANCELLED} <= {a.status for a in waiting}
    kinds = set(session.execute(select(Traveller.kind).join(Application).where(
        Application.campaign_id == summer.id)).scalars())
    assert TravellerKind.CHILD in kinds and TravellerKind.WORKER not in kinds

    # The 反探亲 visit going on now: children on site today, one under 8 with an adult.
    on_site = visits.on_site(Scope.company(), local_today())
    assert len(on_site) >= 3 and all(visit.responsible_adult for visit in on_site)
    assert any(visit.age_on_arrival < 8 for visit in on_site)
    lesson = next(activity for activity in visits.activities_of(
        campaigns[CampaignKind.REVERSE_VISIT], Scope.company()) if activity.held_on < local_today())
    assert 0 < len(visits.attendance_of(lesson)) <= len(visits.expected_at(lesson))
