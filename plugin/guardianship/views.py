"""Officer pages: agreements and their documents, contact logs, the follow-up list, integrity
records."""
from __future__ import annotations

import io

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _

from ..access.checks import has_permission, require, scope_paths
from ..access.roles import Permission
from ..access.scope import Scope, load_in_scope
from ..audit.exports import audited_export, list_filters
from ..core.clock import local_today
from ..core.errors import CareBridgeError
from ..core.forms import attach_error, attach_errors, render_form, render_refused
from ..core.urls import public_url
from ..org.queries import get_company
from ..registry.id_access import shown_id_number
from ..registry.permissions import WORKERS_VIEW
from ..registry.phones import full_phone_paths
from ..registry.queries import children_counts, children_of, get_worker
from ..registry.services import find_worker, record_child_view
from . import contacts, documents, integrity, list_exports, queries, rules, services
from .forms import (
    CloseAgreementForm,
    ContactForm,
    IntegrityForm,
    agreement_form,
    carer_source,
    who_choices,
)
from .labels import (
    CONTACT_KIND_LABELS,
    INTEGRITY_LABELS,
    INTEGRITY_TONES,
    PARTY_LABELS,
    SIGNING_LABELS,
    STATUS_LABELS,
    mask_name,
)
from .models import AgreementStatus, IntegrityKind
from .permissions import GUARDIANSHIP_MANAGE, GUARDIANSHIP_VIEW, INTEGRITY_MANAGE

bp = Blueprint("guardianship", __name__, url_prefix="/guardianship", template_folder="templates",
               static_folder="static")

#: The public verification page is never cached, indexed or sent on as a referrer.
PUBLIC_HEADERS = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex, nofollow",
                  "Referrer-Policy": "no-referrer"}
LABELS = {"status_labels": STATUS_LABELS, "signing_labels": SIGNING_LABELS,
          "kind_labels": CONTACT_KIND_LABELS, "party_labels": PARTY_LABELS,
          "integrity_labels": INTEGRITY_LABELS, "integrity_tones": INTEGRITY_TONES}


def _agreement_or_404(agreement_id: int, permission: Permission):
    """The agreement and the actor; 404 for an agreement of a worker outside where the actor
    sees guardianship records."""
    return load_in_scope(queries.get_agreement, agreement_id, permission,
                         unit=lambda agreement: agreement.worker.org_unit,
                         seen_with=GUARDIANSHIP_VIEW)


def _worker_or_404(worker_id: int, permission: Permission):
    """The worker and the actor; 404 for a worker outside where the actor sees guardianship
    records."""
    return load_in_scope(get_worker, worker_id, permission, seen_with=GUARDIANSHIP_VIEW)


def _page() -> int:
    return request.args.get("page", 1, type=int)


def _agreement_filters() -> tuple[AgreementStatus | None, str | None]:
    """The agreements list's filters (the page and its export): status and search."""
    status = request.args.get("status")
    status = AgreementStatus(status) if status in {s.value for s in AgreementStatus} else None
    return status, (request.args.get("q") or "").strip() or None


@bp.route("/agreements/")
def agreements():
    actor = require(GUARDIANSHIP_VIEW)
    status, search = _agreement_filters()
    page = queries.search_agreements(
        scope_paths=scope_paths(actor.key, GUARDIANSHIP_VIEW), status=status,
        search=search, page=_page())
    return render_template(
        "carebridge/guardianship/agreements.html", page=page, status=status, search=search,
        today=local_today(), **LABELS,
        may_manage=has_permission(actor.key, GUARDIANSHIP_MANAGE))


@bp.route("/agreements/export.<any(xlsx, csv):fmt>")
def export_agreements(fmt: str):
    """The agreements list as on screen (same filters and scope), every page of it."""
    actor = require(GUARDIANSHIP_VIEW)
    status, search = _agreement_filters()
    scope = scope_paths(actor.key, GUARDIANSHIP_VIEW)
    rows = list_exports.agreement_rows(scope_paths=scope, status=status, search=search)
    return audited_export(list_exports.AGREEMENTS_TABLE, rows, fmt, actor=actor,
                          filters=list_filters(), scope_paths=scope)


@bp.route("/agreements/new")
def find_agreement_worker():
    actor = require(GUARDIANSHIP_MANAGE)
    # Only workers for whom the actor may record agreements: any other number is "not found".
    worker = find_worker((request.args.get("employee_number") or "").strip().upper(),
                         scope=Scope.of_actor(actor, GUARDIANSHIP_MANAGE))
    if worker is None:
        flash(_("找不到这个工号的职工"), "danger")
        return redirect(url_for(".agreements"))
    return redirect(url_for(".new_agreement", worker_id=worker.id))


@bp.route("/workers/<int:worker_id>/agreements/new", methods=["GET", "POST"])
def new_agreement(worker_id: int):
    worker, actor = _worker_or_404(worker_id, GUARDIANSHIP_MANAGE)
    today = local_today()
    children = children_of(worker)
    form = agreement_form(worker, children, today, submitted=request.method == "POST",
                          sees=Scope.of_actor(actor, WORKERS_VIEW).sees_worker)
    if request.method != "POST" and (prefilled := carer_source(children)) is not None:
        record_child_view(prefilled, actor, page="agreement_form")  # pre-fills its decrypted carer
    if form.validate_on_submit():
        try:
            agreement = services.create_agreement(worker, form.draft(), actor=actor, today=today)
        except services.AgreementInvalid as invalid:
            attach_errors(form, invalid.errors)
        else:
            flash(_("已登记委托照护协议") if agreement.status == AgreementStatus.ACTIVE
                  else _("协议已发送到职工手机，职工签名后生效"), "success")
            return redirect(url_for(".agreement", agreement_id=agreement.id))
    return render_form("carebridge/guardianship/agreement_form.html", form=form, worker=worker,
                       has_children=bool(children))


@bp.route("/agreements/<int:agreement_id>")
def agreement(agreement_id: int):
    agreement, actor = _agreement_or_404(agreement_id, GUARDIANSHIP_VIEW)
    return render_template(AGREEMENT_PAGE, **_agreement_page(agreement, actor))


AGREEMENT_PAGE = "carebridge/guardianship/agreement.html"


def _agreement_page(agreement, actor, *, end_form=None, revoke_form=None) -> dict:
    unit = agreement.worker.org_unit
    return dict(
        agreement=agreement, today=local_today(), number=documents.agreement_number(agreement),
        may_manage=has_permission(actor.key, GUARDIANSHIP_MANAGE, unit),
        may_end=rules.may_end(agreement), may_revoke=rules.may_revoke(agreement),
        awaits_signature=rules.awaits_signature(agreement),
        carer_id=shown_id_number(actor.key, agreement.carer_id_number, unit),
        end_form=end_form or CloseAgreementForm(prefix="end"),
        revoke_form=revoke_form or CloseAgreementForm(prefix="revoke"), **LABELS)


@bp.route("/agreements/<int:agreement_id>/<any(end, revoke):action>", methods=["POST"])
def close_agreement(agreement_id: int, action: str):
    agreement, actor = _agreement_or_404(agreement_id, GUARDIANSHIP_MANAGE)
    form = CloseAgreementForm(prefix=action)
    if form.validate_on_submit():
        close = services.end_agreement if action == "end" else services.revoke_agreement
        try:
            close(agreement, reason=form.reason.data, actor=actor, today=local_today())
        except CareBridgeError as error:
            attach_error(form, error)
        else:
            flash(_("协议已终止") if action == "end" else _("协议已撤销"), "success")
            return redirect(url_for(".agreement", agreement_id=agreement.id))
    return render_refused(AGREEMENT_PAGE,
                          **_agreement_page(agreement, actor, **{f"{action}_form": form}))


def pdf_response(data: bytes, name: str):
    response = send_file(io.BytesIO(data), mimetype="application/pdf", as_attachment=True,
                         download_name=name)
    response.headers["Cache-Control"] = "no-store"
    return response


def verify_url(agreement) -> str:
    return public_url("carebridge.guardianship.verify", code=agreement.verification_code)


def company_name() -> str:
    company = get_company()
    return company.name if company else ""


@bp.route("/agreements/<int:agreement_id>/agreement.pdf")
def agreement_document(agreement_id: int):
    agreement, actor = _agreement_or_404(agreement_id, GUARDIANSHIP_MANAGE)
    data = documents.agreement_pdf(agreement, company_name=company_name(),
                                   verify_url=verify_url(agreement), today=local_today())
    services.record_download(agreement, actor, "agreement.downloaded")
    return pdf_response(data, f"{documents.agreement_number(agreement)}.pdf")


@bp.route("/agreements/<int:agreement_id>/notices/<any(school, village):recipient>/"
          "<int:child_id>.pdf")
def notice_document(agreement_id: int, recipient: str, child_id: int):
    agreement, actor = _agreement_or_404(agreement_id, GUARDIANSHIP_MANAGE)
    child = next((child for child in agreement.children if child.id == child_id), None)
    if child is None:
        abort(404)
    data = documents.notice_pdf(agreement, child, recipient, company_name=company_name(),
                                verify_url=verify_url(agreement), today=local_today())
    services.record_download(agreement, actor, "agreement.notice_downloaded", recipient=recipient,
                             child=child.id)
    return pdf_response(data, f"{documents.agreement_number(agreement)}-{recipient}-{child.id}.pdf")


@bp.route("/agreements/<int:agreement_id>/scan")
def agreement_scan(agreement_id: int):
    agreement, actor = _agreement_or_404(agreement_id, GUARDIANSHIP_MANAGE)
    if not agreement.scan:
        abort(404)
    services.record_download(agreement, actor, "agreement.scan_viewed")
    extension = {"image/png": "png", "image/jpeg": "jpg"}.get(agreement.scan_content_type, "pdf")
    response = send_file(io.BytesIO(agreement.scan), mimetype=agreement.scan_content_type,
                         as_attachment=True,
                         download_name=f"{documents.agreement_number(agreement)}-scan.{extension}")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/verify/<code>")
def verify(code: str):
    """Public: a school or village committee scans the QR code of a document to check it."""
    agreement = queries.agreement_by_code(code)
    page = render_template(
        "carebridge/guardianship/verify.html", agreement=agreement, today=local_today(),
        number=documents.agreement_number(agreement) if agreement else None,
        masked_worker=mask_name(agreement.worker.name) if agreement else None,
        masked_carer=mask_name(agreement.carer_name) if agreement else None, **LABELS)
    return page, 200 if agreement else 404, PUBLIC_HEADERS


@bp.route("/follow-up")
def follow_up():
    actor = require(GUARDIANSHIP_VIEW)
    today, days = local_today(), queries.follow_up_days()
    page = queries.follow_up_page(scope_paths=scope_paths(actor.key, GUARDIANSHIP_VIEW),
                                  today=today, days=days, page=_page())
    return render_template("carebridge/guardianship/follow_up.html", page=page, today=today,
                           days=days,
                           counts=children_counts([worker.id for worker, _last in page.items]))


@bp.route("/follow-up/export.<any(xlsx, csv):fmt>")
def export_follow_up(fmt: str):
    """The whole follow-up list, as on screen."""
    actor = require(GUARDIANSHIP_VIEW)
    today, days = local_today(), queries.follow_up_days()
    scope = scope_paths(actor.key, GUARDIANSHIP_VIEW)
    rows = list_exports.follow_up_rows(scope_paths=scope, today=today, days=days,
                                       full_phone_paths=full_phone_paths(actor.key))
    return audited_export(list_exports.FOLLOW_UP_TABLE, rows, fmt, actor=actor,
                          filters={"date": today.isoformat(), "days": days}, scope_paths=scope)


@bp.route("/workers/<int:worker_id>/contacts", methods=["GET", "POST"])
def worker_contacts(worker_id: int):
    worker, actor = _worker_or_404(worker_id, GUARDIANSHIP_VIEW)
    may_log = has_permission(actor.key, GUARDIANSHIP_MANAGE, worker.org_unit)
    today = local_today()
    children = children_of(worker)
    form = ContactForm(data=None if request.method == "POST" else {"contact_on": today})
    form.who.choices = who_choices(children, queries.current_carers(children, today))
    if request.method == "POST":
        require(GUARDIANSHIP_MANAGE, worker.org_unit)
        if form.validate_on_submit():
            party, child_id = form.party_and_child()
            try:
                contacts.log_contact(worker, child_id=child_id, party=party, kind=form.kind.data,
                                     contact_on=form.contact_on.data, note=form.note.data,
                                     actor=actor, today=today)
            except CareBridgeError as error:
                attach_error(form, error)
            else:
                flash(_("已代职工登记联系"), "success")
                return redirect(url_for(".worker_contacts", worker_id=worker.id))
    return render_form("carebridge/guardianship/contacts.html", worker=worker, form=form,
                       may_log=may_log, page=queries.contacts_of(worker, page=_page()), **LABELS)


@bp.route("/workers/<int:worker_id>/record")
def worker_record(worker_id: int):
    worker, actor = _worker_or_404(worker_id, GUARDIANSHIP_VIEW)
    return render_template(RECORD_PAGE, **_record_page(worker, actor))


RECORD_PAGE = "carebridge/guardianship/record.html"


def _record_page(worker, actor, form=None) -> dict:
    today = local_today()
    return dict(
        worker=worker, page=queries.timeline(worker, page=_page()),
        regularity=queries.contact_regularity(worker, today),
        agreements=queries.agreements_of(worker),
        form=form or IntegrityForm(data={"occurred_on": today}),
        may_issue=has_permission(actor.key, INTEGRITY_MANAGE, worker.org_unit), today=today,
        **LABELS)


@bp.route("/workers/<int:worker_id>/record", methods=["POST"])
def issue_entry(worker_id: int):
    worker, actor = _worker_or_404(worker_id, INTEGRITY_MANAGE)
    form = IntegrityForm()
    if form.validate_on_submit():
        commending = form.kind.data == IntegrityKind.COMMENDATION.value
        issue = integrity.commend if commending else integrity.admonish
        try:
            issue(worker, reason=form.reason.data, occurred_on=form.occurred_on.data, actor=actor,
                  today=local_today())
        except CareBridgeError as error:
            attach_error(form, error)
        else:
            flash(_("已记入诚信档案"), "success")
            return redirect(url_for(".worker_record", worker_id=worker.id))
    return render_refused(RECORD_PAGE, **_record_page(worker, actor, form))
