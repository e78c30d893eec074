"""The home page's to-do item of reunion campaigns (slot ``home.todo``): applications waiting
for a decision."""
from __future__ import annotations

from flask import Blueprint, url_for
from sqlalchemy import func, select

from ..access.checks import scope_paths
from ..core.db import session
from ..core.host import Actor
from ..org.models import OrgUnit
from ..org.queries import in_subtrees
from .models import Application, ApplicationStatus, Campaign
from .permissions import REUNIONS_MANAGE

bp = Blueprint("reunions_todo", __name__, template_folder="templates")


@bp.app_template_global("cb_todo_reunion_applications")
def applications_to_decide(actor: Actor) -> dict | None:
    """Applications of open campaigns waiting for a decision, in the user's scope; None for a
    user who may not decide them."""
    paths = scope_paths(actor.key, REUNIONS_MANAGE)
    if not paths:
        return None
    count = session.execute(
        select(func.count()).select_from(Application)
        .join(Campaign, Application.campaign_id == Campaign.id)
        .join(OrgUnit, Application.org_unit_id == OrgUnit.id)
        .where(in_subtrees(OrgUnit.path, paths), Campaign.closed_at.is_(None),
               Application.status == ApplicationStatus.APPLIED)).scalar_one()
    return {"count": count, "url": url_for("carebridge.reunions.index")}
