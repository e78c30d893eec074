"""Worker pages on a phone: sign in once, then see one's own record. Tiny pages, no JavaScript."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for

from ..core.forms import ActionForm
from ..core.urls import local_path
from ..registry.queries import children_of
from .cookies import device_token, forget_phone, remember_phone, require_worker
from .forms import WorkerSignInForm
from .services import WorkerSignInRefused, forget_device, identify

bp = Blueprint("worker_access", __name__, url_prefix="/w", template_folder="templates",
               static_folder="static")


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    form = WorkerSignInForm()
    error = None
    if form.validate_on_submit():
        try:
            _worker, token = identify(form.employee_number.data, form.last_digits.data,
                                      ip=request.remote_addr, user_agent=request.user_agent.string)
        except WorkerSignInRefused as refusal:
            error = refusal.localized()
        else:
            target = local_path(request.args.get("next")) or url_for(".home")
            return remember_phone(redirect(target), token)
    return render_template("carebridge/worker_access/sign_in.html", form=form, error=error)


@bp.route("/")
def home():
    worker = require_worker()
    return render_template("carebridge/worker_access/home.html", worker=worker,
                           children=children_of(worker), sign_out_form=ActionForm())


@bp.route("/sign-out", methods=["POST"])
def sign_out():
    token = device_token()
    if ActionForm().validate_on_submit() and token:
        forget_device(token, ip=request.remote_addr, user_agent=request.user_agent.string)
    return forget_phone(redirect(url_for(".sign_in")))
