"""Officer pages of correction requests (``/privacy/corrections/``): the requests of the workers
in the officer's subtrees, waiting ones first, and one request with the worker's words, a link
to the worker's page (where the record is corrected) and the two answers: made (what was
changed) or refused (why). A request of a worker outside the subtrees answers 404."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..access.checks import require, scope_paths
from ..access.scope import load_in_scope
from ..core.errors import CareBridgeError
from ..core.forms import attach_error, render_refused
from . import corrections
from .corrections_forms import MadeForm, RefuseForm
from .corrections_models import CorrectionStatus
from .corrections_permissions import PRIVACY_CORRECTIONS

bp = Blueprint("privacy_corrections", __name__, url_prefix="/privacy/corrections",
               template_folder="templates")

LIST_PAGE = "carebridge/privacy/corrections_index.html"
REQUEST_PAGE = "carebridge/privacy/corrections_request.html"


def _request_for(request_id: int):
    return load_in_scope(corrections.get_request, request_id, PRIVACY_CORRECTIONS,
                         unit=lambda found: found.worker.org_unit)


@bp.route("/")
def index():
    actor = require(PRIVACY_CORRECTIONS)
    status = request.args.get("status")
    chosen = CorrectionStatus(status) if status in {s.value for s in CorrectionStatus} else None
    page = corrections.requests_page(scope_paths=scope_paths(actor.key, PRIVACY_CORRECTIONS),
                                     status=chosen, page=request.args.get("page", 1, type=int))
    return render_template(LIST_PAGE, page=page, status=chosen, statuses=list(CorrectionStatus))


def _page(found, *, made_form=None, refuse_form=None, refused=False):
    context = dict(request_=found, made_form=made_form or MadeForm(prefix="made"),
                   refuse_form=refuse_form or RefuseForm(prefix="refuse"))
    if refused:
        return render_refused(REQUEST_PAGE, **context)
    return render_template(REQUEST_PAGE, **context)


@bp.route("/<int:request_id>")
def request_page(request_id: int):
    found, _actor = _request_for(request_id)
    return _page(found)


@bp.route("/<int:request_id>/made", methods=["POST"])
def made(request_id: int):
    found, actor = _request_for(request_id)
    form = MadeForm(prefix="made")
    if form.validate_on_submit():
        try:
            corrections.mark_made(found, changed=form.changed.data, actor=actor)
        except CareBridgeError as error:
            attach_error(form, error)
        else:
            flash(_("已标记为已更正，职工会在手机上看到您的说明"), "success")
            return redirect(url_for(".request_page", request_id=found.id))
    return _page(found, made_form=form, refused=True)


@bp.route("/<int:request_id>/refuse", methods=["POST"])
def refuse(request_id: int):
    found, actor = _request_for(request_id)
    form = RefuseForm(prefix="refuse")
    if form.validate_on_submit():
        try:
            corrections.refuse(found, reason=form.reason.data, actor=actor)
        except CareBridgeError as error:
            attach_error(form, error)
        else:
            flash(_("已答复不予更正，职工会在手机上看到原因"), "success")
            return redirect(url_for(".request_page", request_id=found.id))
    return _page(found, refuse_form=form, refused=True)
