"""The lottery of an oversubscribed campaign: its seed published on the campaign page before the
draw, then each band of the waiting applications ranked by it (:func:`.rules.lottery_ranks`),
so anyone holding the seed and the application numbers can draw again and check."""
from __future__ import annotations

from sqlalchemy import select

from ..audit.services import record_event
from ..core.clock import utcnow
from ..core.db import session
from ..core.errors import ValidationError
from ..core.host import Actor
from ..core.i18n import N_
from . import rules
from .models import Application, ApplicationStatus, Campaign


def publish_lottery_seed(campaign: Campaign, *, actor: Actor) -> Campaign:
    """Publish the seed on the campaign page before the draw (once)."""
    if campaign.lottery_drawn_at is not None:
        raise ValidationError(N_("已经抽签，不能更换种子"))
    if campaign.lottery_seed is None:
        campaign.lottery_seed = rules.new_lottery_seed()
        session.flush()
        record_event("reunion.lottery_seed_published", actor, target_type="reunion_campaign",
                     target_id=campaign.id, org_unit_id=campaign.org_unit_id,
                     details={"seed": campaign.lottery_seed})
    return campaign


def draw_lottery(campaign: Campaign, *, actor: Actor) -> int:
    """Rank the applications waiting within each band by the published seed."""
    if campaign.lottery_seed is None:
        raise ValidationError(N_("请先公布抽签种子，再抽签"))
    if campaign.lottery_drawn_at is not None:
        raise ValidationError(N_("这项活动已经抽过签"))
    entries = list(session.execute(select(Application).where(
        Application.campaign_id == campaign.id,
        Application.status.in_((ApplicationStatus.APPLIED, ApplicationStatus.WAITLISTED))
    )).scalars())
    ranks = rules.lottery_ranks(campaign.lottery_seed,
                                [(entry.id, entry.priority_band) for entry in entries])
    for entry in entries:
        entry.lottery_rank = ranks[entry.id]
    campaign.lottery_drawn_at = utcnow()
    session.flush()
    record_event("reunion.lottery_drawn", actor, target_type="reunion_campaign",
                 target_id=campaign.id, org_unit_id=campaign.org_unit_id,
                 details={"seed": campaign.lottery_seed, "entries": len(entries)})
    return len(entries)
