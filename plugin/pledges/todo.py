"""The home page's to-do item of pledges (slot ``home.todo``): pledges lapsing soon."""
from __future__ import annotations

from flask import Blueprint, url_for
from sqlalchemy import func, select

from ..access.checks import scope_paths
from ..core.clock import local_today
from ..core.db import session
from ..core.host import Actor
from ..org.models import OrgUnit
from ..org.queries import in_subtrees
from ..registry.models import Worker
from .models import Pledge
from .permissions import PLEDGES_VIEW
from .rules import PledgeStatus, status_condition

bp = Blueprint("pledges_todo", __name__, template_folder="templates")


@bp.app_template_global("cb_todo_pledges_expiring")
def pledges_expiring(actor: Actor) -> dict | None:
    """Pledges in force that lapse within the reminder window (30 days), in the user's pledge
    scope, and the list filtered to them; None for a user who may not see pledges."""
    paths = scope_paths(actor.key, PLEDGES_VIEW)
    if not paths:
        return None
    count = session.execute(
        select(func.count()).select_from(Pledge).join(Worker, Pledge.worker_id == Worker.id)
        .join(OrgUnit, Worker.org_unit_id == OrgUnit.id)
        .where(in_subtrees(OrgUnit.path, paths),
               status_condition(PledgeStatus.EXPIRING, local_today()))).scalar_one()
    return {"count": count,
            "url": url_for("carebridge.pledges.index", status=PledgeStatus.EXPIRING.value)}
