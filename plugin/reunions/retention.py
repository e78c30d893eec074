"""Holiday reunions' retention rule (``Feature.retention``, run by
:mod:`plugin.privacy.retention`).

Real-name tickets need travellers' names and ID numbers, and children visiting a site need
responsible adults and emergency contacts; once the campaign's travel window has ended for the
retention's months they go. Applications, their amounts and subsidies, the travellers' kinds
and the visits' dates stay: the campaign's figures and past periods count them.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import case, select

from ..privacy.purge import ANONYMISED_NAME, anonymise, months_before
from .models import Application, Campaign, SiteVisit, Traveller


def _ended_campaigns(today: date, months: int):
    return select(Campaign.id).where(Campaign.travel_until <= months_before(today, months))


def purge_travellers(today: date, months: int, *, dry_run: bool) -> int:
    campaigns = _ended_campaigns(today, months)
    travellers = select(Traveller.id).where(
        Traveller.name != ANONYMISED_NAME,
        Traveller.application_id.in_(select(Application.id).where(
            Application.campaign_id.in_(campaigns))))
    visits = select(SiteVisit.id).where(SiteVisit.emergency_contact != ANONYMISED_NAME,
                                        SiteVisit.campaign_id.in_(campaigns))
    return (anonymise(Traveller, travellers, {
                "name": ANONYMISED_NAME, "id_number": None, "ticket_number": None,
                "seat": None}, dry_run=dry_run)
            + anonymise(SiteVisit, visits, {
                # A child under 8 keeps "a named adult" (the table's check): the placeholder.
                "responsible_adult": case((SiteVisit.responsible_adult.is_(None), None),
                                          else_=ANONYMISED_NAME),
                "responsible_adult_phone": None,
                "emergency_contact": ANONYMISED_NAME, "emergency_phone": "",
                "insurance_number": None}, dry_run=dry_run))
