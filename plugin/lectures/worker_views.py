"""The worker's own lecture page on the phone (``/w/lectures``): sessions coming up for their
unit, with cancel and reschedule notices, and the lectures they attended. No JavaScript."""
from __future__ import annotations

from flask import Blueprint, render_template

from ..core.clock import utcnow
from ..worker_access.cookies import require_worker
from . import queries
from .labels import FORMAT_LABELS, TOPIC_LABELS

worker_bp = Blueprint("worker_lectures", __name__, url_prefix="/w/lectures",
                      template_folder="templates")


@worker_bp.route("")
def index():
    worker = require_worker()
    attended, attended_total = queries.attended_by_worker(worker)
    return render_template("carebridge/lectures/worker_lectures.html", worker=worker,
                           upcoming=queries.upcoming_for_worker(worker, utcnow()),
                           attended=attended, attended_total=attended_total,
                           format_labels=FORMAT_LABELS, topic_labels=TOPIC_LABELS)
