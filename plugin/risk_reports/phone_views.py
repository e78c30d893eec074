"""The worker's risk-report pages on a phone (``/w/risk/``): raise a concern about a child, by
name or anonymously, and see where one's own (not anonymous) concerns stand — received, reported
to the police, closed — never the case's details. Plain forms, no JavaScript.

An anonymous concern keeps nothing that points at the worker: the service stores no account, no
address and no phone session, and the audit log names the pseudonymous reporter only."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l

from ..core.errors import CareBridgeError
from ..core.forms import attach_service_error, has_errors, render_form
from ..worker_access.cookies import request_worker_actor, require_worker
from ..worker_access.services import worker_actor
from . import queries, rules, services
from .forms import PhoneConcernForm, local_now
from .models import ReporterKind, ReportStatus

bp = Blueprint("risk_reports_phone", __name__, url_prefix="/w/risk", template_folder="templates")

MINE_PAGE = "carebridge/risk_reports/phone_mine.html"
RAISE_PAGE = "carebridge/risk_reports/phone_raise.html"
RAISED_PAGE = "carebridge/risk_reports/phone_raised.html"

RECEIVED = "received"
REPORTED = "reported"
CLOSED = "closed"
#: Where a concern stands, in the worker's words.
STANDING_WORDS = {
    RECEIVED: _l("已收到，正在处理"),
    REPORTED: _l("已向公安机关报告，正在跟进"),
    CLOSED: _l("已处理完毕"),
}


def standing(report) -> str:
    if report.status == ReportStatus.CLOSED:
        return CLOSED
    return REPORTED if report.reported_to_police_at is not None else RECEIVED


@bp.route("/")
def mine():
    worker = require_worker()
    reports = queries.reports_of_reporter(services.reporter_index(worker_actor(worker).key))
    return render_template(MINE_PAGE, worker=worker, reports=reports, standing=standing,
                           words=STANDING_WORDS)


@bp.route("/raise", methods=["GET", "POST"])
def raise_concern():
    worker = require_worker()
    form = PhoneConcernForm(data=None if request.method == "POST" else {
        "learned_at": local_now(), "site_id": str(rules.responsible_site(worker.org_unit).id)})
    form.set_sites(queries.company_sites())
    if request.method == "POST":
        form.validate()
        if not form.csrf_token.errors:
            data = form.concern_input()
            # Anonymous: the reporter is not this worker in any record; the request's address
            # and browser are never passed on.
            reporter = services.REPORTER if data.anonymous else request_worker_actor(worker)
            try:
                services.raise_concern(data, reporter=reporter,
                                       reporter_kind=ReporterKind.WORKER)
            except CareBridgeError as error:
                attach_service_error(form, error)
            else:
                if not has_errors(form):
                    return redirect(url_for(".raised", anonymous=1 if data.anonymous else None))
    return render_form(RAISE_PAGE, worker=worker, form=form)


@bp.route("/raised")
def raised():
    """The confirmation: what happens now, and 110 at once if the child is in danger."""
    worker = require_worker()
    return render_template(RAISED_PAGE, worker=worker,
                           anonymous=request.args.get("anonymous") == "1")
