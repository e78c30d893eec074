"""Places and money, held and given back by the database itself.

Each move is one conditional ``UPDATE … SET taken = taken + n WHERE id = … AND taken + n <=
places``: on PostgreSQL the statement takes the row's lock, so a second officer approving at the
same moment waits, then re-reads the row and finds it full; SQLite serialises writers. The quota
row is always locked before the campaign row, in every path, so two approvals never wait for each
other in a circle. The ``CHECK`` constraints of :mod:`.models` stand behind both.

Nothing here raises a :class:`~plugin.core.errors.CareBridgeError` (which would refuse the whole
request): :func:`hold` answers whether it held, so a batch (the allocation after a lottery) can
waitlist a household that does not fit and go on.
"""
from __future__ import annotations

import enum

from sqlalchemy import select, update

from ..core.db import session
from .models import Application, Campaign, CampaignQuota


class Shortfall(str, enum.Enum):
    PLACES = "places"
    BUDGET = "budget"


def hold(application: Application, subsidy_fen: int) -> Shortfall | None:
    """Take the household's places and ``subsidy_fen`` of the budget, both or neither; None when
    held, else what ran short."""
    places = application.places
    with session.begin_nested() as savepoint:
        taken = session.execute(
            update(CampaignQuota)
            .where(CampaignQuota.id == application.quota_id,
                   CampaignQuota.taken + places <= CampaignQuota.places)
            .values(taken=CampaignQuota.taken + places)
            .execution_options(synchronize_session=False)).rowcount
        if taken != 1:
            savepoint.rollback()
            return Shortfall.PLACES
        if not _move_money(application.campaign_id, subsidy_fen):
            savepoint.rollback()
            return Shortfall.BUDGET
    application.subsidy_fen = subsidy_fen
    _expire_counters(application)
    return None


def release(application: Application, *, keep_fen: int = 0) -> None:
    """Give back the household's places and the money it held, less ``keep_fen`` it still
    costs (tickets bought and not refunded)."""
    session.execute(update(CampaignQuota).where(CampaignQuota.id == application.quota_id)
                    .values(taken=CampaignQuota.taken - application.places)
                    .execution_options(synchronize_session=False))
    _move_money(application.campaign_id, keep_fen - application.subsidy_fen)
    application.subsidy_fen = keep_fen
    _expire_counters(application)


def adjust_money(application: Application, subsidy_fen: int) -> bool:
    """Change the money the application holds (a booking's actual prices); False when the
    budget cannot take the difference (nothing changes)."""
    delta = subsidy_fen - application.subsidy_fen
    if delta and not _move_money(application.campaign_id, delta):
        return False
    application.subsidy_fen = subsidy_fen
    _expire_counters(application)
    return True


def _move_money(campaign_id: int, delta_fen: int) -> bool:
    if delta_fen == 0:
        # Still lock the row, so the order (quota, then campaign) is the same in every path.
        session.execute(select(Campaign.id).where(Campaign.id == campaign_id)
                        .with_for_update(key_share=True)).all()
        return True
    return session.execute(
        update(Campaign)
        .where(Campaign.id == campaign_id,
               Campaign.committed_fen + delta_fen <= Campaign.budget_fen,
               Campaign.committed_fen + delta_fen >= 0)
        .values(committed_fen=Campaign.committed_fen + delta_fen)
        .execution_options(synchronize_session=False)).rowcount == 1


def _expire_counters(application: Application) -> None:
    """The counters changed in the database; objects loaded before read them again."""
    for quota in session.identity_map.values():
        if isinstance(quota, CampaignQuota | Campaign):
            session.expire(quota, ["taken"] if isinstance(quota, CampaignQuota)
                           else ["committed_fen"])


def free_places(quota: CampaignQuota) -> int:
    session.refresh(quota, ["taken", "places"])
    return quota.places - quota.taken


def money_left(campaign: Campaign) -> int:
    session.refresh(campaign, ["committed_fen", "budget_fen"])
    return campaign.budget_fen - campaign.committed_fen
