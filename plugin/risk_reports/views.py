"""Officers' pages of risk reports (``/risk-reports/``): raising a concern (about a registry
worker's child, or a child described), the reporter's own reports, the case list (open first,
overdue marked) and the case page with its clock, the police report, notices, follow-ups,
escalations and the closure.

Views are thin: parse the input, call one service, render; the request boundary commits. A case
is seen by those holding ``risk_reports.view`` over its site: any other answers 404, exactly like
one that does not exist. Every view of a case page is audited; a refused form about a case is
shown again without the case's sensitive details (what was learned, the child's whereabouts, who
reported), since the refused request's audit rows are rolled back.
"""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..access.checks import has_permission, require
from ..access.scope import Scope, load_in_scope
from ..core.clock import utcnow
from ..core.errors import CareBridgeError
from ..core.forms import attach_service_error, has_errors, render_form, render_refused
from ..org.queries import get_root_unit
from ..privacy.masking import mask_name
from ..registry.permissions import CHILDREN_VIEW, WORKERS_VIEW
from ..registry.queries import children_of, get_child, get_worker
from ..registry.services import find_worker
from . import queries, rules, services
from .forms import CloseForm, ConcernForm, FollowUpForm, NoticeForm, PoliceReportForm, local_now
from .models import LABELS, ReporterKind, ReportStatus
from .permissions import RISK_HANDLE, RISK_RAISE, RISK_VIEW
from .prefill import prefill_for

bp = Blueprint("risk_reports", __name__, url_prefix="/risk-reports", template_folder="templates")

INDEX_PAGE = "carebridge/risk_reports/index.html"
RAISE_PAGE = "carebridge/risk_reports/raise.html"
MINE_PAGE = "carebridge/risk_reports/mine.html"
CASE_PAGE = "carebridge/risk_reports/case.html"
#: Hardship aid's application page, when that feature is mounted (it checks access itself).
AID_PAGE = "carebridge.aid.application"


def case_for(report_id: int, permission=RISK_VIEW):
    return load_in_scope(queries.get_report, report_id, permission, seen_with=RISK_VIEW)


def child_label(report, *, masked: bool) -> str:
    """The child as a list or page names it: the registry child's name, or the one given."""
    child = get_child(report.child_id) if report.child_id else None
    name = child.name if child else report.described_child or ""
    return mask_name(name) if masked else name


# -- the list ------------------------------------------------------------------------------------

@bp.route("/")
def index():
    actor = require(RISK_VIEW)
    code = request.args.get("status")
    status = ReportStatus(code) if code in {s.value for s in ReportStatus} else None
    scope = Scope.of_actor(actor, RISK_VIEW)
    now = utcnow()
    page = queries.case_page(scope, now, status=status, page=request.args.get("page", 1, type=int))
    return render_template(INDEX_PAGE, page=page, status=status, statuses=list(ReportStatus),
                           counts=queries.status_counts(scope, now),
                           child_label=lambda report: child_label(report, masked=True))


# -- raising -------------------------------------------------------------------------------------

def _concern_form(children=None, *, data=None) -> ConcernForm:
    form = ConcernForm(data=data)
    form.set_sites(queries.company_sites())
    if children is not None:
        form.set_children(children)
    return form


def _raise(form: ConcernForm, actor, *, worker=None, children=()):
    """Ask the service; the report, or None with the errors on the form."""
    try:
        report = services.raise_concern(form.concern_input(), reporter=actor,
                                        reporter_kind=ReporterKind.STAFF, worker=worker,
                                        children=children)
    except CareBridgeError as error:
        attach_service_error(form, error)
        return None
    return None if has_errors(form) else report


def _after_raise(report, actor):
    flash(_("报告已提交，已通知项目部和公司的负责人员。如孩子正处于危险之中，请立即拨打 110。"),
          "success")
    if has_permission(actor.key, RISK_VIEW, report.org_unit):
        return redirect(url_for(".case", report_id=report.id))
    return redirect(url_for(".mine"))


@bp.route("/raise", methods=["GET", "POST"])
def raise_concern():
    """A concern about a child described (or found by the parent's employee number)."""
    actor = require(RISK_RAISE)
    number = (request.args.get("employee_number") or "").strip().upper()
    if number and request.method == "GET":
        worker = find_worker(number, scope=Scope.of_actor(actor, WORKERS_VIEW))
        if worker is not None:
            return redirect(url_for(".raise_for_worker", worker_id=worker.id))
    form = _concern_form(data=None if request.method == "POST" else {"learned_at": local_now()})
    if request.method == "POST":
        form.validate()
        if not form.csrf_token.errors:
            report = _raise(form, actor)
            if report is not None:
                return _after_raise(report, actor)
    return render_form(RAISE_PAGE, form=form, worker=None, number=number,
                       lookup_error=_("找不到这个工号的职工") if number else None,
                       may_look_up=has_permission(actor.key, WORKERS_VIEW))


@bp.route("/workers/<int:worker_id>/raise", methods=["GET", "POST"])
def raise_for_worker(worker_id: int):
    """A concern about a child of this worker (picked from their registered children, where the
    actor may see children, or described)."""
    worker, actor = load_in_scope(get_worker, worker_id, RISK_RAISE, seen_with=WORKERS_VIEW)
    children = children_of(worker) if has_permission(actor.key, CHILDREN_VIEW,
                                                     worker.org_unit) else []
    form = _concern_form(children, data=None if request.method == "POST" else {
        "learned_at": local_now(),
        "child_id": str(children[0].id) if len(children) == 1 else None})
    if request.method == "POST":
        form.validate()
        if not form.csrf_token.errors:
            report = _raise(form, actor, worker=worker, children=children)
            if report is not None:
                return _after_raise(report, actor)
    return render_form(RAISE_PAGE, form=form, worker=worker, number=worker.employee_number,
                       lookup_error=None, may_look_up=False,
                       site=rules.responsible_site(worker.org_unit))


@bp.route("/mine")
def mine():
    """The actor's own reports (not the anonymous ones, which keep no reporter) and where each
    stands; the details are for the case's officers."""
    actor = require(RISK_RAISE)
    return render_template(MINE_PAGE, reports=queries.reports_of_reporter(
        services.reporter_index(actor.key)))


# -- one case ------------------------------------------------------------------------------------

def case_context(report, actor, *, refused: bool = False, police_form=None, notice_form=None,
                 follow_up_form=None, close_form=None) -> dict:
    site = report.org_unit
    now = utcnow()
    latest = queries.latest_follow_up_at(report.id)
    prefill = prefill_for(report)
    may_handle = has_permission(actor.key, RISK_HANDLE, site)
    use = request.args.get("use", type=int)
    if police_form is None:
        station = prefill.police_station
        police_form = PoliceReportForm(prefix="police", data={
            "reported_at": local_now(), "station": station.organisation if station else ""})
    if notice_form is None:
        notice_form = NoticeForm(prefix="notice", data={"notified_at": local_now(),
                                                        **prefill.notice_defaults(use)})
    child = get_child(report.child_id) if report.child_id else None
    worker = get_worker(report.worker_id) if report.worker_id else None
    return dict(
        report=report, site=site, root=get_root_unit(), refused=refused,
        clock=rules.clock_of(report, site, latest, now), span=rules.format_span,
        child=child, worker=worker, child_name=child_label(report, masked=refused),
        reporter=None if refused else services.reporter_for(report, actor),
        notices=queries.notices_of(report.id), follow_ups=queries.follow_ups_of(report.id),
        escalations=queries.escalations_of(report.id), suggestions=prefill.suggestions,
        may_handle=may_handle and report.status == ReportStatus.OPEN,
        police_form=police_form, notice_form=notice_form,
        follow_up_form=follow_up_form or FollowUpForm(prefix="follow_up",
                                                      data={"occurred_at": local_now()}),
        close_form=close_form or CloseForm(prefix="close"), labels=LABELS,
        # Slot "risk_report": other features' links and panels about the family (hardship aid).
        actor=actor, subject=worker,
        aid_endpoint=AID_PAGE if AID_PAGE in current_app.view_functions else None)


@bp.route("/<int:report_id>")
def case(report_id: int):
    report, actor = case_for(report_id)
    services.read_case(report, actor)
    return render_template(CASE_PAGE, **case_context(report, actor))


def _case_form(report_id: int, form_class, prefix: str, service, make_input, done: str,
               context_key: str):
    report, actor = case_for(report_id, RISK_HANDLE)
    form = form_class(prefix=prefix)
    form.validate()
    if not form.csrf_token.errors:
        try:
            service(report, make_input(form), actor)
        except CareBridgeError as error:
            attach_service_error(form, error)
        else:
            if not has_errors(form):
                flash(done, "success")
                return redirect(url_for(".case", report_id=report.id))
    return render_refused(CASE_PAGE, **case_context(report, actor, refused=True,
                                                    **{context_key: form}))


@bp.route("/<int:report_id>/police", methods=["POST"])
def police(report_id: int):
    return _case_form(report_id, PoliceReportForm, "police", services.record_police_report,
                      PoliceReportForm.police_input, _("已登记向公安机关报告的情况"), "police_form")


@bp.route("/<int:report_id>/notices", methods=["POST"])
def notice(report_id: int):
    return _case_form(report_id, NoticeForm, "notice", services.add_notice,
                      NoticeForm.notice_input, _("已登记告知情况"), "notice_form")


@bp.route("/<int:report_id>/follow-ups", methods=["POST"])
def follow_up(report_id: int):
    return _case_form(report_id, FollowUpForm, "follow_up", services.add_follow_up,
                      FollowUpForm.follow_up_input, _("已登记跟进情况"), "follow_up_form")


@bp.route("/<int:report_id>/close", methods=["POST"])
def close(report_id: int):
    return _case_form(report_id, CloseForm, "close", services.close_report,
                      CloseForm.close_input, _("案件已结案"), "close_form")
