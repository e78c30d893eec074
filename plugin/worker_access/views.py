"""Worker pages on a phone: sign in once, then see one's own record. Tiny pages, no JavaScript.

Signing in commits twice: the attempt's count first, before the answer is checked (so parallel
guesses cannot overtake the limit and no later refusal rolls the count back), then the outcome:
a success at the request boundary, a refusal (wrong PIN, locked number…) by the view, on
purpose, since the count and the audit row are the record of that refusal
(:func:`plugin.core.boundary.commit_refusal_record`); the refused form then answers 422.
"""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for

from ..core.boundary import commit_refusal_record
from ..core.db import session
from ..core.errors import CareBridgeError
from ..core.forms import ActionForm, attach_error, render_form, render_refused
from ..core.urls import local_path
from ..registry.queries import children_of
from . import services
from .cookies import device_token, forget_phone, remember_phone, require_worker
from .forms import SendCodeForm, WorkerActivationForm, WorkerSignInForm

bp = Blueprint("worker_access", __name__, url_prefix="/w", template_folder="templates",
               static_folder="static")


def _client() -> dict:
    return {"ip": request.remote_addr, "user_agent": request.user_agent.string}


def _counted(employee_number: str) -> services.SignInAttempt:
    """Count the attempt and commit the count (see the module docstring)."""
    attempt = services.count_attempt(employee_number, ip=request.remote_addr)
    session.commit()
    return attempt


def _next_target() -> str:
    return local_path(request.args.get("next")) or url_for(".home")


def _refused(form, error: CareBridgeError) -> str | None:
    """Keep what the refusal recorded (failure, lock) whatever the response; the message to show
    above the form, or None when it belongs to a field."""
    commit_refusal_record()
    if error.field and getattr(form, error.field, None) is not None:
        attach_error(form, error)
        return None
    return error.localized()


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    form = WorkerSignInForm()
    error = None
    if form.validate_on_submit():
        try:
            pin = services.parse_pin(form.pin.data)
            attempt = _counted(form.employee_number.data)
            token = services.sign_in_with_pin(attempt, pin, **_client())
        except CareBridgeError as refusal:
            error = _refused(form, refusal)
        else:
            return remember_phone(redirect(_next_target()), token)
    return render_form("carebridge/worker_access/sign_in.html", form=form, error=error,
                       next=local_path(request.args.get("next")))


@bp.route("/activate", methods=["GET", "POST"])
def activate():
    form = WorkerActivationForm()
    error = None
    if form.validate_on_submit():
        try:
            code = services.parse_code(form.code.data)
            pin = services.parse_new_pin(form.pin.data, form.pin_again.data)
            attempt = _counted(form.employee_number.data)
            token = services.activate(attempt, code, pin, **_client())
        except CareBridgeError as refusal:
            error = _refused(form, refusal)
        else:
            return remember_phone(redirect(_next_target()), token)
    return _activation_page(form, error=error, refused=request.method == "POST")


@bp.route("/activate/send-code", methods=["POST"])
def send_code():
    text_form = SendCodeForm(prefix="text")
    notice = error = None
    if text_form.validate_on_submit():
        try:
            services.send_code_by_text(text_form.employee_number.data, **_client())
        except CareBridgeError as refusal:
            error = _refused(text_form, refusal)
        else:
            notice = True
    form = WorkerActivationForm(formdata=None,
                                data={"employee_number": text_form.employee_number.data})
    return _activation_page(form, text_form=text_form, error=error, code_sent=notice,
                            refused=not notice)


def _activation_page(form, *, text_form=None, error=None, code_sent=None, refused=False):
    render = render_refused if refused else render_template
    return render(
        "carebridge/worker_access/activate.html", form=form, error=error, code_sent=code_sent,
        text_form=(text_form or SendCodeForm(prefix="text")) if services.text_channel() else None,
        next=local_path(request.args.get("next")), code_digits=services.HR_CODE_DIGITS,
        code_days=services.HR_CODE_VALIDITY.days,
        text_minutes=int(services.SMS_CODE_VALIDITY.total_seconds() // 60))


@bp.route("/")
def home():
    worker = require_worker()
    return render_template("carebridge/worker_access/home.html", worker=worker,
                           children=children_of(worker), sign_out_form=ActionForm())


@bp.route("/sign-out", methods=["POST"])
def sign_out():
    token = device_token()
    if ActionForm().validate_on_submit() and token:
        services.forget_device(token, **_client())
    return forget_phone(redirect(url_for(".sign_in")))
