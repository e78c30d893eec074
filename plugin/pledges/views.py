"""Officer pages of pledges: lists, one worker's pledges, logging a paper pledge, revoking,
downloads, the template and its versions, coverage per site, and site zips."""
from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _

from ..access.checks import has_permission, require, scope_paths
from ..access.roles import Permission
from ..access.scope import load_in_scope
from ..audit.exports import audited_export, list_filters
from ..core.clock import local_today
from ..core.dates import format_date
from ..core.errors import CareBridgeError
from ..core.forms import ActionForm, attach_error, choices, render_form, render_refused
from ..core.http import attachment_disposition
from ..org.queries import get_root_unit, get_unit
from ..registry.id_access import may_see_id_numbers
from ..registry.permissions import CHILDREN_VIEW
from ..registry.phones import full_phone_paths
from ..registry.queries import children_of, get_worker
from ..registry.services import record_child_view
from ..worker_notices.messages import SIGN_PLEDGE
from ..worker_notices.services import send_notices
from . import queries, services
from .batches import record_batch_download, request_batch, stored_zip
from .blank_forms import render_blank_forms
from .forms import (
    BATCH_STATUS_LABELS,
    FILTER_STATUSES,
    BatchForm,
    PaperPledgeForm,
    RevokeForm,
    TemplateForm,
    child_choices,
)
from .list_exports import COVERAGE_TABLE, UNCOVERED_TABLE, uncovered_rows
from .permissions import PLEDGES_MANAGE, PLEDGES_VIEW
from .responses import pdf_response, verify_url_base
from .rules import PledgeStatus, display_code, reminder_days, scan_max_bytes, status_of

SCAN_EXTENSIONS = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}

bp = Blueprint("pledges", __name__, url_prefix="/pledges", template_folder="templates",
               static_folder="static")


def _pledge_for(pledge_id: int, permission: Permission):
    """The pledge and the signed-in actor who may ``permission`` on it. A pledge outside the
    subtrees where the actor sees pledges answers 404, exactly like one that does not exist."""
    return load_in_scope(queries.get_pledge, pledge_id, permission,
                         unit=lambda pledge: pledge.worker.org_unit, seen_with=PLEDGES_VIEW)


def _worker_for(worker_id: int, permission: Permission):
    return load_in_scope(get_worker, worker_id, permission, seen_with=PLEDGES_VIEW)


def may_download(actor, unit) -> bool:
    """The PDF shows masked ID numbers: only for those who may see ID numbers of the unit."""
    return has_permission(actor.key, PLEDGES_VIEW, unit) and may_see_id_numbers(actor.key, unit)


@bp.route("/")
def index():
    actor = require(PLEDGES_VIEW)
    scope = scope_paths(actor.key, PLEDGES_VIEW)
    today = local_today()
    unit = get_unit(request.args.get("unit", type=int)) if request.args.get("unit") else None
    status = request.args.get("status")
    criteria = queries.PledgeFilter(
        unit=unit, search=(request.args.get("q") or "").strip() or None,
        status=PledgeStatus(status) if status in {s.value for s in PledgeStatus} else None)
    page = queries.search_pledges(criteria, scope_paths=scope, today=today,
                                  page=request.args.get("page", 1, type=int))
    return render_template("carebridge/pledges/index.html", page=page, criteria=criteria,
                           sites=queries.sites_in_scope(scope), statuses=FILTER_STATUSES,
                           status_of=lambda pledge: status_of(pledge, today),
                           may_manage=has_permission(actor.key, PLEDGES_MANAGE))


@bp.route("/coverage")
def coverage():
    actor = require(PLEDGES_VIEW)
    scope = scope_paths(actor.key, PLEDGES_VIEW)
    today = local_today()
    site = get_unit(request.args.get("unit", type=int)) if request.args.get("unit") else None
    uncovered = None
    if site is not None:
        require(PLEDGES_VIEW, site)
        uncovered = queries.workers_without_pledge(site, scope_paths=scope, today=today,
                                                   page=request.args.get("page", 1, type=int))
    return render_template("carebridge/pledges/coverage.html",
                           rows=queries.coverage_by_site(scope, today), site=site,
                           uncovered=uncovered, today=today, action_form=ActionForm(),
                           may_print=site is not None and has_permission(
                               actor.key, PLEDGES_MANAGE, site))


@bp.route("/coverage/export.<any(xlsx, csv):fmt>")
def export_coverage(fmt: str):
    """Coverage per site, as on the page."""
    actor = require(PLEDGES_VIEW)
    today, scope = local_today(), scope_paths(actor.key, PLEDGES_VIEW)
    return audited_export(COVERAGE_TABLE, queries.coverage_by_site(scope, today), fmt,
                          actor=actor, filters={"date": today.isoformat()}, scope_paths=scope)


@bp.route("/coverage/uncovered.<any(xlsx, csv):fmt>")
def export_uncovered(fmt: str):
    """The site's workers without a valid pledge (``?unit=``, as on the page), all of them."""
    actor = require(PLEDGES_VIEW)
    site = get_unit(request.args.get("unit", type=int)) if request.args.get("unit") else None
    if site is None:
        abort(404)
    require(PLEDGES_VIEW, site)
    today = local_today()
    rows = uncovered_rows(site, scope_paths=scope_paths(actor.key, PLEDGES_VIEW), today=today,
                          full_phone_paths=full_phone_paths(actor.key))
    return audited_export(UNCOVERED_TABLE, rows, fmt, actor=actor,
                          filters={**list_filters(), "date": today.isoformat()},
                          org_unit_id=site.id)


def _uncovered_site(permission: Permission):
    """The site of ``?unit=`` (404 without one) and the actor, who may ``permission`` on it."""
    actor = require(permission)
    site = get_unit(request.args.get("unit", type=int)) if request.args.get("unit") else None
    if site is None:
        abort(404)
    require(permission, site)
    return site, actor


@bp.route("/coverage/remind", methods=["POST"])
def remind_uncovered():
    """"提醒签署承诺书": a notice on the phone of each of the site's workers without a valid
    pledge, as the page lists them (posted ``worker_id`` s narrow it; others are ignored)."""
    site, actor = _uncovered_site(PLEDGES_VIEW)
    if not ActionForm().validate_on_submit():
        abort(400)
    today = local_today()
    workers = queries.uncovered_workers(site, scope_paths=scope_paths(actor.key, PLEDGES_VIEW),
                                        today=today)
    posted = set(request.form.getlist("worker_id", type=int))
    ids = [worker.id for worker in workers if not posted or worker.id in posted]
    outcome = send_notices(ids, SIGN_PLEDGE, None, ("carebridge.pledges_worker.sign", {}), actor,
                           org_unit_id=site.id)
    flash(_("已提醒 %(sent)s 人；%(already)s 人今天已提醒过", sent=outcome.sent,
            already=outcome.already_sent), "success")
    return redirect(url_for(".coverage", unit=site.id))


@bp.route("/coverage/paper-forms.pdf")
def paper_forms():
    """"打印纸质承诺书和同意书": one blank pledge (and consent form for children under 14) per
    worker of the site without a valid pledge, names printed in full for signing. Only workers
    whose children the user may see; each child printed is audited as a view of its record."""
    site, actor = _uncovered_site(PLEDGES_MANAGE)
    today = local_today()
    workers = [worker for worker in queries.uncovered_workers(
        site, scope_paths=scope_paths(actor.key, PLEDGES_MANAGE), today=today)
        if has_permission(actor.key, CHILDREN_VIEW, worker.org_unit)]
    children = {worker.id: children_of(worker) for worker in workers}
    for own in children.values():
        for child in own:
            record_child_view(child, actor, page="pledges.paper_forms")
    pdf = render_blank_forms(services.current_template(), workers, children, today=today,
                             site_name=site.name)
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = attachment_disposition(
        f"pledge-forms-{site.id}.pdf", f"{site.name}-纸质承诺书和同意书.pdf")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/workers/<int:worker_id>")
def worker(worker_id: int):
    worker, actor = _worker_for(worker_id, PLEDGES_VIEW)
    today = local_today()
    return render_template(
        "carebridge/pledges/worker.html", worker=worker, children=children_of(worker),
        pledges=queries.pledges_of(worker.id), status_of=lambda pledge: status_of(pledge, today),
        may_manage=has_permission(actor.key, PLEDGES_MANAGE, worker.org_unit),
        may_download=may_download(actor, worker.org_unit))


@bp.route("/workers/<int:worker_id>/paper", methods=["GET", "POST"])
def log_paper(worker_id: int):
    worker, actor = _worker_for(worker_id, PLEDGES_MANAGE)
    children = children_of(worker)
    current = services.current_template()
    form = PaperPledgeForm(data=None if request.method == "POST" else {
        "children": [child.id for child in children], "signed_on": local_today(),
        "witness": actor.name, "template_id": current.id})
    form.children.choices = child_choices(children)
    form.template_id.choices = choices(
        (template.id, _("第 %(version)s 版（%(date)s）", version=template.version,
                        date=format_date(template.created_at)))
        for template, _signed in queries.template_versions())
    if form.validate_on_submit():
        chosen = {child.id: child for child in children}
        upload = form.scan.data
        try:
            pledge = services.log_paper_pledge(
                worker, [chosen[child_id] for child_id in form.children.data if child_id in chosen],
                form.signed_on.data, form.witness.data, upload.stream.read(scan_max_bytes() + 1),
                upload.mimetype, actor, template=queries.get_template(form.template_id.data))
        except CareBridgeError as error:
            attach_error(form, error)
        else:
            flash(_("已登记纸质承诺书"), "success")
            return redirect(url_for(".pledge", pledge_id=pledge.id))
    return render_form("carebridge/pledges/paper_form.html", worker=worker, form=form,
                       max_megabytes=scan_max_bytes() // 2**20)


@bp.route("/<int:pledge_id>")
def pledge(pledge_id: int):
    pledge, actor = _pledge_for(pledge_id, PLEDGES_VIEW)
    return render_template(PLEDGE_PAGE, **_pledge_page(pledge, actor, RevokeForm(prefix="revoke")))


PLEDGE_PAGE = "carebridge/pledges/pledge.html"


def _pledge_page(pledge, actor, revoke_form) -> dict:
    unit = pledge.worker.org_unit
    return dict(
        pledge=pledge, status=status_of(pledge, local_today()),
        code=display_code(pledge.verification_code), revoke_form=revoke_form,
        renewed_by=[other for other in queries.pledges_of(pledge.worker_id)
                    if other.renews_id == pledge.id],
        may_manage=has_permission(actor.key, PLEDGES_MANAGE, unit),
        may_download=may_download(actor, unit))


@bp.route("/<int:pledge_id>/revoke", methods=["POST"])
def revoke(pledge_id: int):
    pledge, actor = _pledge_for(pledge_id, PLEDGES_MANAGE)
    form = RevokeForm(prefix="revoke")
    if form.validate_on_submit():
        try:
            services.revoke(pledge, form.reason.data, actor)
        except CareBridgeError as error:
            attach_error(form, error)
        else:
            flash(_("已撤销这份承诺书"), "success")
            return redirect(url_for(".pledge", pledge_id=pledge.id))
    return render_refused(PLEDGE_PAGE, **_pledge_page(pledge, actor, form))


@bp.route("/<int:pledge_id>/pdf")
def pdf(pledge_id: int):
    pledge, actor = _pledge_for(pledge_id, PLEDGES_VIEW)
    if not may_download(actor, pledge.worker.org_unit):
        abort(403)
    services.record_pdf_download(pledge, actor)
    return pdf_response(pledge)


@bp.route("/<int:pledge_id>/scan")
def scan(pledge_id: int):
    pledge, actor = _pledge_for(pledge_id, PLEDGES_MANAGE)
    if pledge.scan is None:
        abort(404)
    services.record_scan_download(pledge, actor)
    extension = SCAN_EXTENSIONS[pledge.scan_content_type]
    response = Response(pledge.scan, mimetype=pledge.scan_content_type)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="pledge-{pledge.id}-scan.{extension}"')
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/template")
def template():
    actor = require(PLEDGES_VIEW)
    version = request.args.get("version", type=int)
    shown = queries.template_by_version(version) if version else services.current_template()
    if shown is None:
        abort(404)
    return render_template("carebridge/pledges/template.html", template=shown,
                           versions=queries.template_versions(),
                           may_edit=has_permission(actor.key, PLEDGES_MANAGE,
                                                   get_root_unit()))


@bp.route("/template/edit", methods=["GET", "POST"])
def edit_template():
    actor = require(PLEDGES_MANAGE, get_root_unit())
    current = services.current_template()
    form = TemplateForm(obj=None if request.method == "POST" else current)
    if form.validate_on_submit():
        try:
            saved = services.save_template(title_zh=form.title_zh.data, title_en=form.title_en.data,
                                           body_zh=form.body_zh.data, body_en=form.body_en.data,
                                           actor=actor)
        except CareBridgeError as error:
            attach_error(form, error)
        else:
            flash(_("已保存为第 %(version)s 版", version=saved.version), "success")
            return redirect(url_for(".template"))
    return render_form("carebridge/pledges/template_form.html", form=form, current=current,
                       reminder_days=reminder_days())


# -- site zips --------------------------------------------------------------------------------

def _batch_for(batch_id: int):
    """The batch and the signed-in actor who may download it; 404 alike for a batch that does
    not exist and one outside the subtrees where the actor sees pledges."""
    batch, actor = load_in_scope(queries.get_batch, batch_id, PLEDGES_VIEW)
    if not may_download(actor, batch.org_unit):
        abort(403)
    return batch, actor


def _require_download(unit):
    actor = require(PLEDGES_VIEW, unit)
    if not may_download(actor, unit):
        abort(403)
    return actor


@bp.route("/batches/", methods=["GET", "POST"])
def batches():
    actor = require(PLEDGES_VIEW)
    scope = scope_paths(actor.key, PLEDGES_VIEW)
    form = BatchForm()
    form.unit.choices = choices((site.id, site.name) for site in queries.sites_in_scope(scope))
    if form.validate_on_submit():
        unit = get_unit(form.unit.data) or abort(404)
        actor = _require_download(unit)
        try:
            batch = request_batch(unit, only_valid=form.scope.data != "all",
                                  verify_url_base=verify_url_base(), actor=actor)
        except CareBridgeError as error:
            attach_error(form, error)
        else:
            return redirect(url_for(".batch", batch_id=batch.id))
    return render_form("carebridge/pledges/batches.html", form=form,
                       batches=queries.recent_batches(scope), status_labels=BATCH_STATUS_LABELS)


@bp.route("/batches/<int:batch_id>")
def batch(batch_id: int):
    batch, _actor = _batch_for(batch_id)
    return render_template("carebridge/pledges/batch.html", batch=batch,
                           status_labels=BATCH_STATUS_LABELS)


@bp.route("/batches/<int:batch_id>/progress")
def batch_progress(batch_id: int):
    """The batch's state for the progress bar (polled every second by ``progress.js``)."""
    batch, _actor = _batch_for(batch_id)
    return jsonify(status=batch.status.value, status_label=str(BATCH_STATUS_LABELS[batch.status]),
                   finished=batch.is_finished, total=batch.total, processed=batch.processed)


@bp.route("/batches/<int:batch_id>/download")
def batch_download(batch_id: int):
    """The zip, streamed chunk by chunk from the database; every download is audited."""
    batch, actor = _batch_for(batch_id)
    stored = stored_zip(batch)
    if stored is None:
        abort(404)
    record_batch_download(batch, actor)
    return stored.response(
        download_name=f"{batch.org_unit.name}-监护责任承诺书-{batch.as_of.isoformat()}.zip",
        fallback_name=f"pledges-{batch.id}.zip", mimetype="application/zip",
        size=batch.size_bytes)
