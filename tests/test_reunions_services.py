"""Campaigns and applications through the services: eligibility, households, quotas and budget,
the waiting list and its offers, priority changes with reasons, the lottery."""

import pytest
from sqlalchemy import select

from plugin.core.db import session
from plugin.core.errors import InputInvalid, ValidationError
from plugin.org.models import OrgKind
from plugin.reunions import lottery, services
from plugin.reunions.models import (
    ApplicationEvent,
    ApplicationStatus,
    Eligibility,
    SubsidyKind,
)
from plugin.worker_notices.models import WorkerNotice

from .conftest import SYSTEM
from .factories import make_child, make_worker
from .reunions_support import apply, make_campaign


@pytest.fixture
def sites(make_unit):
    return make_unit(OrgKind.SITE, name="甲项目部"), make_unit(OrgKind.SITE, name="乙项目部")


def test_a_household_takes_all_its_places_or_none(sites, clock):
    site, _ = sites
    campaign = make_campaign(site.parent, {site: 3})
    parent = make_worker(site)
    children = [make_child(parent, left_behind=True), make_child(parent, left_behind=True)]
    family = apply(campaign, parent, children=children)
    single = apply(campaign, make_worker(site))
    assert family.places == 3 and family.priority_band == 2
    services.approve(single, actor=SYSTEM)
    with pytest.raises(ValidationError) as short:
        services.approve(family, actor=SYSTEM)
    assert "名额已满" in short.value.message and short.value.params["free"] == 2
    services.waitlist(family, actor=SYSTEM)
    # The single traveller cancels: now three are free and the family is offered all of them.
    services.cancel(single, "家中有事", actor=SYSTEM)
    assert family.status == ApplicationStatus.OFFERED and campaign.quotas[0].taken == 3
    notices = session.execute(select(WorkerNotice.kind).where(
        WorkerNotice.worker_id == parent.id)).scalars().all()
    assert "reunions.offered" in notices


def test_the_budget_is_never_exceeded_and_says_what_is_left(sites, clock):
    site, _ = sites
    campaign = make_campaign(site.parent, {site: 10}, budget_fen=50_000)
    first = apply(campaign, make_worker(site), fare_fen=30_000)
    second = apply(campaign, make_worker(site), fare_fen=30_000)
    services.approve(first, actor=SYSTEM)
    with pytest.raises(ValidationError) as short:
        services.approve(second, actor=SYSTEM)
    assert short.value.params == {"left": "200.00", "needed": "300.00"}
    assert campaign.committed_fen == 30_000


def test_allocate_keeps_households_whole_and_lets_smaller_ones_behind_fit(sites, clock):
    site, _ = sites
    campaign = make_campaign(site.parent, {site: 3})
    alone = apply(campaign, make_worker(site))
    parent = make_worker(site)
    family = apply(campaign, parent, children=[make_child(parent), make_child(parent)])
    late = apply(campaign, make_worker(site))
    counts = services.allocate(campaign, actor=SYSTEM)
    # First come within the band: alone (1 place), the family of three does not fit whole,
    # the late single does.
    assert counts == {"approved": 2, "waitlisted": 1}
    assert (alone.status, family.status, late.status) == (
        ApplicationStatus.APPROVED, ApplicationStatus.WAITLISTED, ApplicationStatus.APPROVED)


def test_offers_lapse_to_the_next_household(sites, clock):
    site, _ = sites
    campaign = make_campaign(site.parent, {site: 1}, offer_hours=48)
    holder = apply(campaign, make_worker(site))
    first, second = apply(campaign, make_worker(site)), apply(campaign, make_worker(site))
    services.approve(holder, actor=SYSTEM)
    services.waitlist(first, actor=SYSTEM)
    services.waitlist(second, actor=SYSTEM)
    services.cancel(holder, "改期", actor=SYSTEM)
    assert first.status == ApplicationStatus.OFFERED
    assert services.lapse_offers(actor=SYSTEM) == 0  # not yet
    clock.advance(hours=48, minutes=1)
    assert services.lapse_offers(actor=SYSTEM) == 1
    assert first.status == ApplicationStatus.LAPSED and second.status == ApplicationStatus.OFFERED
    with pytest.raises(ValidationError):
        services.accept_offer(first, actor=SYSTEM)
    services.accept_offer(second, actor=SYSTEM)
    assert second.status == ApplicationStatus.APPROVED and campaign.quotas[0].taken == 1


def test_priority_changes_need_a_reason_kept_in_the_history(sites, clock):
    site, _ = sites
    campaign = make_campaign(site.parent, {site: 5})
    application = apply(campaign, make_worker(site))
    with pytest.raises(InputInvalid) as invalid:
        services.change_priority(application, 1, "  ", actor=SYSTEM)
    assert {error.field for error in invalid.value.errors} == {"reason"}
    services.change_priority(application, 1, "孩子重病住院", actor=SYSTEM)
    history = session.execute(select(ApplicationEvent).where(
        ApplicationEvent.application_id == application.id).order_by(ApplicationEvent.id)).scalars().all()
    assert [(event.action, event.reason) for event in history] == [
        ("applied", None), ("priority:3->1", "孩子重病住院")]


def test_who_may_apply_and_what_an_application_must_say(sites, clock):
    site, other = sites
    campaign = make_campaign(site, {site: 5}, eligibility=Eligibility.LEFT_BEHIND_OR_DIFFICULTY,
                             household_limit=2)
    outsider = make_worker(other)
    with pytest.raises(InputInvalid) as invalid:
        apply(campaign, outsider, children=[], depart_on=None, estimated_fare_fen=None,
              from_place=" ")
    messages = " ".join(error.message for error in invalid.value.errors)
    assert "不在活动的范围内" in messages and "只面向" in messages
    fields = {error.field for error in invalid.value.errors}
    assert {"depart_on", "estimated_fare_fen", "from_place"} <= fields
    parent = make_worker(site)
    kids = [make_child(parent, left_behind=True) for _ in range(2)]
    with pytest.raises(InputInvalid) as too_many:
        apply(campaign, parent, children=kids)
    assert too_many.value.errors[0].params == {"limit": 2, "count": 3}
    stranger_child = make_child(make_worker(site))
    with pytest.raises(InputInvalid):
        apply(campaign, parent, children=[stranger_child])
    apply(campaign, parent, children=kids[:1])
    with pytest.raises(InputInvalid) as twice:
        apply(campaign, parent, children=kids[:1])
    assert "已经申请" in twice.value.errors[0].message


def test_the_lottery_orders_the_queue_within_bands_from_the_published_seed(sites, clock):
    site, _ = sites
    campaign = make_campaign(site.parent, {site: 2})
    applications = [apply(campaign, make_worker(site)) for _ in range(6)]
    with pytest.raises(ValidationError):
        lottery.draw_lottery(campaign, actor=SYSTEM)
    lottery.publish_lottery_seed(campaign, actor=SYSTEM)
    seed = campaign.lottery_seed
    assert lottery.draw_lottery(campaign, actor=SYSTEM) == 6
    with pytest.raises(ValidationError):
        lottery.publish_lottery_seed(campaign, actor=SYSTEM)
    services.allocate(campaign, actor=SYSTEM)
    from plugin.reunions.rules import lottery_key
    expected = sorted(applications, key=lambda a: lottery_key(seed, a.id))[:2]
    assert {a.id for a in applications if a.status == ApplicationStatus.APPROVED} == {
        a.id for a in expected}


def test_subsidy_rule_applies_per_person(sites, clock):
    site, _ = sites
    campaign = make_campaign(site.parent, {site: 5}, subsidy_kind=SubsidyKind.PERCENT_CAPPED,
                             subsidy_percent=50, subsidy_amount_fen=20_000)
    parent = make_worker(site)
    application = apply(campaign, parent, children=[make_child(parent)], fare_fen=50_001)
    services.approve(application, actor=SYSTEM)
    assert application.subsidy_fen == 2 * 20_000  # half of 500.01 is capped at 200.00


def test_campaign_form_errors_are_all_named(sites):
    site, other = sites
    with pytest.raises(InputInvalid) as invalid:
        make_campaign(site, {other: 0}, name="", budget_fen=0, travel_modes=(),
                      subsidy_kind=SubsidyKind.PERCENT_CAPPED, subsidy_percent=150,
                      travel_until=services.date(2027, 1, 1))
    fields = {error.field for error in invalid.value.errors}
    assert fields >= {"name", "budget_fen", "travel_modes", "subsidy_percent",
                      "subsidy_amount_fen", "travel_until", "quotas"}


def test_what_stops_a_worker_from_applying_is_one_rule_for_phone_and_form(sites, clock):
    site, other = sites
    campaign = make_campaign(site, {site: 5}, eligibility=Eligibility.PARENTS,
                             kind=services.CampaignKind.SUMMER_VISIT)
    worker = make_worker(site)
    today = services.date(2026, 11, 22)
    assert services.blockers(campaign, worker, [], today) == (
        services.NOT_ELIGIBLE, services.NO_CHILDREN)
    child = make_child(worker)
    assert services.blockers(campaign, worker, [child], today) == ()
    assert services.blockers(campaign, make_worker(other), [], services.date(2027, 1, 5)) == (
        services.CLOSED, services.OUTSIDE, services.NO_QUOTA, services.NOT_ELIGIBLE,
        services.NO_CHILDREN)
