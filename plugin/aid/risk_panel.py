"""Hardship aid on the page of a child-protection case (slot ``risk_report``): the family's aid
applications, so the officer following the case sees what help is under way, and a link to
apply for them (the slot's :class:`~plugin.core.features.Link`)."""
from __future__ import annotations

from flask import Blueprint

from ..access.checks import has_permission
from ..core.host import Actor
from ..registry.models import Worker
from .application_queries import applications_of_worker
from .models import AidApplication
from .permissions import AID_VIEW

bp = Blueprint("aid_risk_panel", __name__, template_folder="templates")


@bp.app_template_global("cb_aid_family_applications")
def family_applications(actor: Actor | None, worker: Worker | None) -> list[AidApplication] | None:
    """The worker's applications, newest first; None when there is no registered family or the
    reader may not see aid for the worker's unit (then the panel shows nothing)."""
    if actor is None or worker is None or not has_permission(actor.key, AID_VIEW,
                                                             worker.org_unit):
        return None
    return applications_of_worker(worker.id)
