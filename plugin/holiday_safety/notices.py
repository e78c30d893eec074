"""What workers are told about a campaign, on their phone (and by text message where an SMS
channel is registered: :mod:`plugin.worker_notices`). The one call site of ``send_notices`` for
this feature."""
from __future__ import annotations

from datetime import date

from ..core.host import Actor
from ..core.i18n import N_, translatable, translatable_label
from ..worker_notices.messages import HOLIDAY_SAFETY_CHECKLIST
from ..worker_notices.services import SendOutcome, send_notices
from .models import SafetyCampaign


def send_checklist(campaign: SafetyCampaign, worker_ids: list[int], actor: Actor, *,
                   today: date, reminder: bool = False) -> SendOutcome:
    """The checklist notice to ``worker_ids`` (the caller checked they are the campaign's
    audience). Once a day per worker and campaign: the first notice and a reminder the same day
    are one notice."""
    return send_notices(
        worker_ids, HOLIDAY_SAFETY_CHECKLIST,
        {"holiday": translatable(N_("%(year)s年%(holiday)s"), year=campaign.year,
                                 holiday=translatable_label(campaign.kind.label))},
        ("carebridge.holiday_safety_phone.checklist", {"campaign_id": campaign.id}), actor,
        dedupe_key=f"{HOLIDAY_SAFETY_CHECKLIST}:{campaign.id}:{today.isoformat()}",
        org_unit_id=campaign.org_unit_id,
        audit_details={"holiday_safety_campaign": campaign.id, "reminder": reminder})
