"""The home page's to-do items of holiday safety (slot ``home.todo``): campaign drafts whose
lecture is still to schedule, and the coming holidays that have no date (nothing is drafted for
them until an administrator enters one)."""
from __future__ import annotations

from flask import Blueprint, url_for
from sqlalchemy import func, select

from ..access.checks import has_permission, scope_paths
from ..core.clock import local_today
from ..core.db import session
from ..core.host import Actor
from ..org.queries import get_root_unit, unit_id_in_subtrees
from . import holidays
from .models import CampaignStatus, SafetyCampaign
from .permissions import HOLIDAY_SAFETY_CONFIGURE, HOLIDAY_SAFETY_MANAGE

bp = Blueprint("holiday_safety_todo", __name__, template_folder="templates")


@bp.app_template_global("cb_todo_holiday_safety_drafts")
def drafts_to_schedule(actor: Actor) -> dict | None:
    """Draft campaigns on units where the user may schedule them; None for a user who may not."""
    paths = scope_paths(actor.key, HOLIDAY_SAFETY_MANAGE)
    if not paths:
        return None
    count = session.execute(
        select(func.count()).select_from(SafetyCampaign)
        .where(unit_id_in_subtrees(SafetyCampaign.org_unit_id, paths),
               SafetyCampaign.status == CampaignStatus.DRAFT)).scalar_one()
    return {"count": count, "url": url_for("carebridge.holiday_safety.index",
                                           status=CampaignStatus.DRAFT.value)}


@bp.app_template_global("cb_todo_holiday_safety_dates")
def holidays_without_dates(actor: Actor) -> dict | None:
    """The coming holidays with no date, for those who may enter one; None for others."""
    if not has_permission(actor.key, HOLIDAY_SAFETY_CONFIGURE, get_root_unit()):
        return None
    return {"count": len(holidays.without_dates(local_today())),
            "url": url_for("carebridge.holiday_safety.dates")}
