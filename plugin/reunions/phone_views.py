"""The worker's own reunion pages on a phone (``/w/reunions/``): campaigns open to them, their
applications and what happened to each, and taking or giving up places offered from the
waiting list."""
from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, url_for

from ..core.clock import local_today
from ..core.errors import CareBridgeError
from ..core.forms import ActionForm
from ..worker_access.cookies import request_worker_actor, require_worker
from . import queries, services

bp = Blueprint("reunions_phone", __name__, url_prefix="/w/reunions", template_folder="templates")


def _own_application(application_id: int):
    worker = require_worker()
    application = queries.get_application(application_id)
    if application is None or application.worker_id != worker.id:
        abort(404)
    return worker, application


@bp.route("/")
def mine():
    worker = require_worker()
    today = local_today()
    open_campaigns = [campaign for campaign in queries.campaigns_for_worker(worker)
                      if services.is_open_for_applications(campaign, today)]
    return render_template("carebridge/reunions/phone_mine.html", worker=worker,
                           applications=queries.applications_of_worker(worker.id),
                           open_campaigns=open_campaigns)


@bp.route("/applications/<int:application_id>")
def application(application_id: int):
    worker, application = _own_application(application_id)
    return render_template("carebridge/reunions/phone_application.html", worker=worker,
                           application=application, form=ActionForm(),
                           history=queries.history_of(application))


@bp.route("/applications/<int:application_id>/accept", methods=["POST"])
def accept_offer(application_id: int):
    return _answer_offer(application_id, services.accept_offer)


@bp.route("/applications/<int:application_id>/decline", methods=["POST"])
def decline_offer(application_id: int):
    return _answer_offer(application_id, services.decline_offer)


def _answer_offer(application_id: int, answer):
    worker, application = _own_application(application_id)
    form = ActionForm()
    if form.validate_on_submit():
        try:
            answer(application, actor=request_worker_actor(worker))
        except CareBridgeError as error:
            return render_template("carebridge/reunions/phone_application.html", worker=worker,
                                   application=application, form=form, error=error,
                                   history=queries.history_of(application)), 422
    return redirect(url_for(".application", application_id=application.id))
