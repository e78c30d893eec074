"""Holiday safety's retention rule (``Feature.retention``, run by :mod:`plugin.privacy.retention`).

A worker's confirmation of a campaign's checklist keeps when it was given, whether the swimming
rules were explained and the kind of travel plan (the campaign figures count them); who looks
after the children and the travel note, as the worker wrote them, go once the holiday began the
rule's months ago.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import or_, select

from ..privacy.purge import anonymise, months_before
from .models import SafetyCampaign, SafetyRecipient


def purge_checklist_answers(today: date, months: int, *, dry_run: bool) -> int:
    past = select(SafetyCampaign.id).where(
        SafetyCampaign.holiday_starts_on <= months_before(today, months))
    ids = select(SafetyRecipient.id).where(
        SafetyRecipient.campaign_id.in_(past),
        or_(SafetyRecipient.carer.is_not(None), SafetyRecipient.travel_note.is_not(None)))
    return anonymise(SafetyRecipient, ids, {"carer": None, "travel_note": None}, dry_run=dry_run)
