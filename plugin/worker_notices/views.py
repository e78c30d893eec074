"""The worker's notices on the phone: the panel on the home page (``cb_worker_notices``) and
``/w/notices/<id>``, which marks the worker's own notice read and goes where it points."""
from __future__ import annotations

from flask import Blueprint, abort, redirect, url_for

from ..worker_access.cookies import current_worker, require_worker
from . import services

bp = Blueprint("worker_notices", __name__, url_prefix="/w/notices",
               template_folder="templates")


@bp.route("/<int:notice_id>")
def open_notice(notice_id: int):
    """Opening a notice reads it. Another worker's notice, or none, is not found."""
    worker = require_worker()
    if services.own_notice(worker.id, notice_id) is None:
        abort(404)
    target = services.open_notice(worker.id, notice_id)
    return redirect(target or url_for("carebridge.worker_access.home"))


@bp.app_context_processor
def worker_notice_helpers():
    def worker_notices():
        """The signed-in worker's unread notices (the phone's home page panel)."""
        worker = current_worker()
        return services.unread_notices(worker.id) if worker is not None else []

    return {"cb_worker_notices": worker_notices}
