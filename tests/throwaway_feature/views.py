from __future__ import annotations

from flask import Blueprint, render_template_string

from plugin.access.checks import require
from plugin.core.settings import setting

from . import GREETINGS_VIEW

bp = Blueprint("greetings", __name__, url_prefix="/greetings", template_folder="templates")
phone_bp = Blueprint("greetings_phone", __name__, url_prefix="/w/greetings")


@bp.get("/")
def index():
    require(GREETINGS_VIEW)
    return render_template_string("<p id='per-day'>{{ n }}</p>",
                                  n=setting("CAREBRIDGE_GREETINGS_PER_DAY"))


@bp.get("/workers/<int:worker_id>")
def worker(worker_id: int):
    require(GREETINGS_VIEW)
    return f"worker {worker_id}"


@phone_bp.get("/")
def hello():
    return "hello"
