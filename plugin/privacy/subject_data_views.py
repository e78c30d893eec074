"""The worker's own personal data on a phone (``/w/privacy/``, "我的个人信息"): what their rights
are (PIPL Art. 44–47), the download of everything the company holds about them and their
children as one PDF, and their correction requests with the answers. Plain forms, no
JavaScript; only the signed-in worker's own requests (any other id answers 404)."""
from __future__ import annotations

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..access.scope import valid_id
from ..core.boundary import note_refusal
from ..core.clock import local_today
from ..core.errors import CareBridgeError
from ..core.forms import ActionForm, attach_error
from ..core.http import attachment_disposition
from ..worker_access.cookies import request_worker_actor, require_worker
from . import corrections, subject_data
from .corrections_forms import CorrectionForm

bp = Blueprint("privacy_phone", __name__, url_prefix="/w/privacy", template_folder="templates")

PAGE = "carebridge/privacy/subject_data_phone.html"
REQUEST_PAGE = "carebridge/privacy/corrections_phone_request.html"
#: The answer of a download refused for the day's limit.
TOO_MANY = 429


def _page(worker, *, form=None, download_form=None, download_error=None, status=None):
    context = dict(worker=worker, form=form or CorrectionForm(),
                   download_form=download_form or ActionForm(prefix="download"),
                   download_error=download_error, requests=corrections.requests_of(worker),
                   limit=subject_data.DOWNLOADS_PER_DAY,
                   left=max(0, subject_data.DOWNLOADS_PER_DAY
                            - subject_data.downloads_today(worker, local_today())),
                   asked=request.args.get("asked") == "1")
    if status is not None:
        note_refusal("own-data page shown again")
        return Response(render_template(PAGE, **context), status=status)
    return render_template(PAGE, **context)


@bp.route("/")
def mine():
    return _page(require_worker())


@bp.route("/my-data.pdf", methods=["POST"])
def download():
    """The worker's own-data file; counted against the day's limit and audited."""
    worker = require_worker()
    form = ActionForm(prefix="download")
    if not form.validate_on_submit():
        return _page(worker, download_form=form, download_error=_("页面已过期，请重新下载"),
                     status=400)
    today = local_today()
    try:
        pdf = subject_data.download_own_data(worker, request_worker_actor(worker), today=today)
    except subject_data.DownloadLimitReached as error:
        return _page(worker, download_form=form, download_error=error.localized(),
                     status=TOO_MANY)
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = attachment_disposition(
        f"my-data-{today:%Y%m%d}.pdf", f"{worker.name}-个人信息-{today:%Y%m%d}.pdf")
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.route("/corrections", methods=["POST"])
def ask():
    """The worker asks for a correction; the page lists it with its status."""
    worker = require_worker()
    form = CorrectionForm()
    if form.validate_on_submit():
        try:
            corrections.ask(worker, record=form.record.data, wrong=form.wrong.data,
                            right=form.right.data, actor=request_worker_actor(worker))
        except CareBridgeError as error:
            attach_error(form, error)
        else:
            return redirect(url_for(".mine", asked=1) + "#corrections")
    return _page(worker, form=form, status=422)


@bp.route("/corrections/<int:request_id>")
def correction(request_id: int):
    worker = require_worker()
    found = corrections.get_request(request_id) if valid_id(request_id) else None
    if found is None or found.worker_id != worker.id:
        abort(404)
    return render_template(REQUEST_PAGE, worker=worker, request_=found)

