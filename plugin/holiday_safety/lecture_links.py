"""A campaign's lecture as the lectures feature publishes it (its read and its page)."""
from __future__ import annotations

from ..lectures.queries import get_session
from .models import SafetyCampaign


def lecture_summary(campaign: SafetyCampaign):
    """The campaign's lecture session, or None (none yet, or cancelled and cleared)."""
    return get_session(campaign.lecture_session_id) if campaign.lecture_session_id else None
