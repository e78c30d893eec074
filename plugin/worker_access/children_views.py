"""The worker's own children on a phone (``/w/children/``): the guardian reads the privacy
notice and gives, or withdraws, consent for each child under 14. Details held for lack of
consent are applied at once (:mod:`plugin.registry.guardian_consent`), with no second import."""
from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, url_for

from ..core.clock import local_today
from ..core.errors import CareBridgeError
from ..core.forms import attach_error, render_form
from ..registry import guardian_consent, held_details, queries
from ..registry.consent import CURRENT_NOTICE_VERSION, active_consents, needs_consent
from ..registry.models import ConsentMethod
from .cookies import request_worker_actor, require_worker
from .forms import PhoneConsentForm, PhoneWithdrawForm

bp = Blueprint("worker_children", __name__, url_prefix="/w/children",
               template_folder="templates")


def _own_child_or_404(worker, child_id: int):
    """One of the signed-in worker's own children; any other id reads as not found."""
    for child in queries.children_of(worker):
        if child.id == child_id:
            return child
    abort(404)


@bp.route("/")
def mine():
    worker = require_worker()
    today = local_today()
    children = queries.children_of(worker)
    return render_template(
        "carebridge/worker_access/children.html", worker=worker, children=children,
        consents=active_consents([child.id for child in children]),
        held=held_details.held_child_ids([child.id for child in children], today=today),
        needs_consent=lambda child: needs_consent(child.birth_date, today))


@bp.route("/<int:child_id>/consent", methods=["GET", "POST"])
def consent(child_id: int):
    worker = require_worker()
    child = _own_child_or_404(worker, child_id)
    today = local_today()
    form = PhoneConsentForm()
    if form.validate_on_submit():
        try:
            outcome = guardian_consent.give_consent(
                child, guardian_name=worker.name, method=ConsentMethod.PHONE, given_on=today,
                actor=request_worker_actor(worker), today=today, guardian_worker_id=worker.id)
        except CareBridgeError as error:
            attach_error(form, error)
        else:
            return redirect(url_for(".mine", consented=child.id,
                                    applied=len(outcome.applied) or None))
    return render_form("carebridge/worker_access/children_consent.html", worker=worker, child=child,
                       form=form, notice_version=CURRENT_NOTICE_VERSION,
                       held=held_details.held_child_ids([child.id], today=today).get(child.id))


@bp.route("/<int:child_id>/consent/withdraw", methods=["GET", "POST"])
def withdraw(child_id: int):
    worker = require_worker()
    child = _own_child_or_404(worker, child_id)
    form = PhoneWithdrawForm()
    if form.validate_on_submit():
        try:
            guardian_consent.withdraw(child, reason=form.reason.data or "",
                                      actor=request_worker_actor(worker))
        except CareBridgeError as error:
            attach_error(form, error)
        else:
            return redirect(url_for(".mine", withdrawn=child.id))
    return render_form("carebridge/worker_access/children_withdraw.html", worker=worker,
                       child=child, form=form)
