"""The worker's holiday safety checklist on a phone (``/w/holiday-safety/``): the campaigns the
worker was told about, and the checklist of one — who looks after the children during the
holiday, the swimming rules explained, the travel plans — confirmed once. Plain forms, no
JavaScript. Only the signed-in worker's own campaigns: any other answers 404."""
from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for

from ..access.scope import valid_id
from ..core.errors import CareBridgeError
from ..core.forms import attach_error, render_form
from ..registry.queries import children_of
from ..worker_access.cookies import request_worker_actor, require_worker
from . import campaigns, queries
from .forms import ChecklistForm
from .lecture_links import lecture_summary
from .rules import under_16_on

bp = Blueprint("holiday_safety_phone", __name__, url_prefix="/w/holiday-safety",
               template_folder="templates")

MINE_PAGE = "carebridge/holiday_safety/phone_mine.html"
CHECKLIST_PAGE = "carebridge/holiday_safety/phone_checklist.html"


@bp.route("/")
def mine():
    worker = require_worker()
    return render_template(MINE_PAGE, worker=worker,
                           recipients=queries.campaigns_of_worker(worker.id))


def _own(campaign_id: int):
    worker = require_worker()
    recipient = queries.recipient_of(campaign_id, worker.id) if valid_id(campaign_id) else None
    if recipient is None:
        abort(404)
    return worker, recipient


@bp.route("/<int:campaign_id>", methods=["GET", "POST"])
def checklist(campaign_id: int):
    worker, recipient = _own(campaign_id)
    campaign = recipient.campaign
    form = ChecklistForm()
    if request.method == "POST":
        form.validate()
        if not form.csrf_token.errors:
            try:
                campaigns.confirm(recipient, campaigns.ChecklistAnswers(
                    carer=form.carer.data,
                    swimming_rules_explained=form.swimming_rules_explained.data,
                    travel_plan=form.travel_plan.data, travel_note=form.travel_note.data),
                    request_worker_actor(worker))
            except CareBridgeError as error:
                attach_error(form, error)
            else:
                return redirect(url_for(".checklist", campaign_id=campaign.id, done=1))
    children = [child for child in children_of(worker)
                if under_16_on(child.birth_date, campaign.holiday_starts_on)]
    return render_form(CHECKLIST_PAGE, worker=worker, recipient=recipient, campaign=campaign,
                       form=form, children=children, lecture=lecture_summary(campaign),
                       done=request.args.get("done") == "1")
