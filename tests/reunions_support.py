"""Campaigns and applications for the reunion tests."""
from __future__ import annotations

from datetime import date

from plugin.reunions import services
from plugin.reunions.models import (
    CampaignKind,
    Eligibility,
    SubsidyKind,
    TravellerKind,
    TravelMode,
)
from plugin.reunions.services import ApplicationInput, CampaignInput, TravellerInput

from .conftest import SYSTEM

#: The clock fixture's today is 2026-11-22: applications open, Spring Festival 2027 ahead.
OPEN_ON, CLOSE_ON = date(2026, 11, 15), date(2026, 12, 31)
TRAVEL_FROM, TRAVEL_UNTIL = date(2027, 1, 25), date(2027, 2, 20)


def campaign_input(**overrides) -> CampaignInput:
    values = dict(name="2027 春节返乡", kind=CampaignKind.SPRING_FESTIVAL,
                  applications_open_on=OPEN_ON, applications_close_on=CLOSE_ON,
                  travel_from=TRAVEL_FROM, travel_until=TRAVEL_UNTIL, budget_fen=1_000_000,
                  household_limit=4, eligibility=Eligibility.ALL_WORKERS,
                  subsidy_kind=SubsidyKind.FULL, subsidy_percent=None, subsidy_amount_fen=None,
                  travel_modes=(TravelMode.TRAIN, TravelMode.COACH), offer_hours=48)
    values.update(overrides)
    return CampaignInput(**values)


def make_campaign(unit, quotas, **overrides):
    return services.create_campaign(campaign_input(**overrides), unit=unit, quotas=quotas,
                                    actor=SYSTEM)


def trip(*, children=(), worker=True, relatives=(), fare_fen=30_000, **overrides):
    travellers = ([TravellerInput(TravellerKind.WORKER)] if worker else []) + [
        TravellerInput(TravellerKind.CHILD, child_id=child.id) for child in children] + [
        TravellerInput(TravellerKind.RELATIVE, name=name, relation=relation)
        for name, relation in relatives]
    values = dict(travellers=travellers, from_place="深圳", to_place="四川省南充市",
                  depart_on=date(2027, 2, 1), return_on=date(2027, 2, 15),
                  travel_mode=TravelMode.TRAIN, estimated_fare_fen=fare_fen)
    values.update(overrides)
    return ApplicationInput(**values)


def apply(campaign, applicant, /, **trip_args):
    """``applicant`` applies; ``worker=False`` in ``trip_args``: the worker stays (a visit)."""
    return services.apply(campaign, applicant, trip(**trip_args), actor=SYSTEM,
                          today=date(2026, 11, 22))


def book(application, *prices):
    """The agent's tickets on each traveller, then the household booked at those prices."""
    for index, (traveller, price) in enumerate(zip(application.travellers, prices, strict=True)):
        traveller.ticket_number = f"E{application.id:04d}{index}"
        traveller.ticket_price_fen = price
        traveller.carrier, traveller.service_number = "中国铁路", "K1234"
    return services.book(application, actor=SYSTEM)
