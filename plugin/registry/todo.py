"""The home page's to-do items of the registry (slot ``home.todo``): children under 14 awaiting
the guardian's consent, and children whose categories rest on a presumption or are undetermined
(the "推定待核实" list)."""
from __future__ import annotations

from flask import Blueprint, url_for
from sqlalchemy import func, select

from ..access.checks import has_permission, scope_paths
from ..access.scope import Scope
from ..core.clock import local_today
from ..core.db import session
from ..core.host import Actor
from ..org.queries import unit_id_in_subtrees
from . import review
from .consent import awaiting_consent_condition
from .models import Child
from .permissions import CHILDREN_MANAGE, CHILDREN_VIEW, WORKERS_VIEW

bp = Blueprint("registry_todo", __name__, template_folder="templates")


@bp.app_template_global("cb_todo_children_awaiting_consent")
def children_awaiting_consent(actor: Actor) -> dict | None:
    """Children under 14 (or of unknown age) without an active consent, where the user records
    consents, and the workers list filtered to their parents; None for a user who may not
    record consent or list workers."""
    paths = scope_paths(actor.key, CHILDREN_MANAGE)
    if not paths or not has_permission(actor.key, WORKERS_VIEW):
        return None
    count = session.execute(
        select(func.count()).select_from(Child)
        .where(unit_id_in_subtrees(Child.org_unit_id, paths),
               awaiting_consent_condition(local_today()))).scalar_one()
    return {"count": count, "url": url_for("carebridge.registry.workers", consent="awaiting")}


@bp.app_template_global("cb_todo_children_to_review")
def children_to_review(actor: Actor) -> dict | None:
    """Children whose categories rest on a presumption or are undetermined, in the user's
    children scope, and the review list; None for a user who may not see children."""
    scope = Scope.of_actor(actor, CHILDREN_VIEW)
    if not scope:
        return None
    return {"count": review.count_matching(review.ReviewFilter(), scope=scope),
            "url": url_for("carebridge.registry_review.index")}
