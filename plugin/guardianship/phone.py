"""Worker phone pages (``/w/…``): log a contact, see one's own record and agreements, sign an
agreement sent for signing. Tiny pages; JavaScript only for drawing the signature."""
from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for

from ..core.clock import local_today
from ..core.errors import CareBridgeError
from ..core.forms import attach_error, render_form
from ..registry.queries import children_of
from ..worker_access.cookies import request_worker_actor, require_worker
from . import contacts, documents, queries, rules, services
from .forms import ContactForm, SignForm, who_choices
from .labels import CONTACT_KIND_LABELS, INTEGRITY_LABELS, PARTY_LABELS, STATUS_LABELS
from .texts import contact_commitment, declaration_text
from .views import company_name, pdf_response, verify_url

phone_bp = Blueprint("guardianship_phone", __name__, url_prefix="/w", template_folder="templates")

RECENT_CONTACTS = 20


@phone_bp.route("/contacts", methods=["GET", "POST"])
def contacts_page():
    worker = require_worker()
    today = local_today()
    children = children_of(worker)
    form = ContactForm(data=None if request.method == "POST" else {"contact_on": today})
    form.who.choices = who_choices(children, queries.current_carers(children, today))
    if form.validate_on_submit():
        party, child_id = form.party_and_child()
        try:
            contacts.log_contact(worker, child_id=child_id, party=party, kind=form.kind.data,
                                 contact_on=form.contact_on.data, note=form.note.data,
                                 actor=request_worker_actor(worker), today=today)
        except CareBridgeError as error:
            attach_error(form, error)
        else:
            return redirect(url_for(".contacts_page", saved=1))
    return render_form(
        "carebridge/guardianship/phone_contacts.html", worker=worker, form=form, today=today,
        has_children=bool(children), saved=request.args.get("saved") == "1",
        recent=queries.contacts_of(worker, per_page=RECENT_CONTACTS).items,
        kind_labels=CONTACT_KIND_LABELS, party_labels=PARTY_LABELS)


@phone_bp.route("/record")
def record():
    worker = require_worker()
    today = local_today()
    return render_template(
        "carebridge/guardianship/phone_record.html", worker=worker, today=today,
        entries=queries.timeline(worker, page=request.args.get("page", 1, type=int)),
        regularity=queries.contact_regularity(worker, today),
        agreements=queries.agreements_of(worker),
        signed=request.args.get("signed") == "1", integrity_labels=INTEGRITY_LABELS,
        status_labels=STATUS_LABELS, awaits_signature_of=rules.awaits_signature_of,
        has_document=rules.has_document)


def _own_agreement(worker, agreement_id: int):
    agreement = queries.get_agreement(agreement_id)
    if agreement is None or worker not in agreement.parent_workers():
        abort(404)
    return agreement


@phone_bp.route("/agreements/<int:agreement_id>/sign", methods=["GET", "POST"])
def sign(agreement_id: int):
    worker = require_worker()
    agreement = _own_agreement(worker, agreement_id)
    if not rules.awaits_signature_of(agreement, worker):
        return redirect(url_for(".record"))
    form = SignForm()
    if form.validate_on_submit():
        try:
            services.sign_on_phone(agreement, worker, form.signature.data,
                                   confirmed=form.confirmed.data, today=local_today(),
                                   ip=request.remote_addr, user_agent=request.user_agent.string)
        except CareBridgeError as error:
            attach_error(form, error)
        else:
            return redirect(url_for(".record", signed=1))
    return render_form("carebridge/guardianship/phone_sign.html", agreement=agreement,
                       form=form, commitment=contact_commitment(agreement),
                       declaration=declaration_text(agreement.declaration_version))


@phone_bp.route("/agreements/<int:agreement_id>.pdf")
def agreement_document(agreement_id: int):
    worker = require_worker()
    agreement = _own_agreement(worker, agreement_id)
    data = documents.agreement_pdf(agreement, company_name=company_name(),
                                   verify_url=verify_url(agreement), today=local_today())
    services.record_download(agreement, request_worker_actor(worker), "agreement.downloaded")
    return pdf_response(data, f"{documents.agreement_number(agreement)}.pdf")
