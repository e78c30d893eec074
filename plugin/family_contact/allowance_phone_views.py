"""The worker's own call-minute and data allowances on a phone (``/w/contact/``): month by month,
with what became of each in plain words. No JavaScript (a cheap phone's WeChat browser)."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template
from flask_babel import lazy_gettext as _l

from ..core.clock import local_today
from ..worker_access.cookies import require_worker
from . import rules
from .allowance_queries import grants_of_worker, month_key
from .models import GrantStatus

bp = Blueprint("family_contact_phone", __name__, url_prefix="/w/contact",
               template_folder="templates")

#: The rooms page of the phone, when the feature's booking pages are mounted (by either name).
ROOMS_ENDPOINTS = ("carebridge.family_contact_phone.rooms",
                   "carebridge.family_contact_phone_rooms.rooms")

#: What each status means, in the worker's words.
STATUS_WORDS = {
    GrantStatus.GRANTED: _l("已发放，等待报送运营商"),
    GrantStatus.EXPORTED: _l("已报送运营商，等待到账"),
    GrantStatus.CREDITED: _l("已到账，可以使用"),
    GrantStatus.FAILED: _l("没有到账，请联系人力资源专员"),
}


@bp.route("/")
def allowances():
    worker = require_worker()
    return render_template("carebridge/family_contact/allowances/phone.html", worker=worker,
                           grants=grants_of_worker(worker), status_words=STATUS_WORDS,
                           month_key=month_key,
                           this_month=rules.first_of_month(local_today()),
                           rooms=next((endpoint for endpoint in ROOMS_ENDPOINTS
                                       if endpoint in current_app.view_functions), None))
