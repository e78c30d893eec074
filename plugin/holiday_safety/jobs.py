"""Scheduled work of holiday safety campaigns (declared in the feature,
:mod:`plugin.holiday_safety`)."""
from __future__ import annotations

from datetime import date

from ..core.clock import local_today
from ..core.db import session
from ..core.host import Actor
from ..core.settings import setting
from . import campaigns, holidays, queries

#: How the drafting job names itself in the audit log.
DRAFTER = Actor.system("holiday-safety-drafts")


def draft_campaigns(today: date | None = None) -> dict[str, int]:
    """Daily: from ``CAREBRIDGE_HOLIDAY_SAFETY_LEAD_DAYS`` days before a holiday until it starts,
    draft the campaign of every site that has none for it, and tell the site's managers.

    Commits after each site, so a run stopped half way keeps what it drafted; a site's campaign
    is drafted once however often this runs (unique per site, kind and year). A holiday without
    a date (no calendar data, nothing entered) drafts nothing: the home page's to-do says so.
    """
    today = today or local_today()
    drafted = 0
    due = holidays.due(today, setting("CAREBRIDGE_HOLIDAY_SAFETY_LEAD_DAYS"))
    for start in due:
        done = queries.existing_campaign_sites(start.kind, start.year)
        for site in queries.sites():
            if site.id in done:
                continue
            if campaigns.draft_campaign(site, start, DRAFTER) is not None:
                drafted += 1
            session.commit()
    return {"holidays": len(due), "drafted": drafted,
            "without_dates": len(holidays.without_dates(today))}
