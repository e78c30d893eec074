"""Pages of pairing aid (结对帮扶, ``/aid/pairings/…``): the list (overdue first), pairing a helper
with a worker's family, a pairing with its contacts, logging a contact, ending a pairing."""
from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..access.checks import has_permission, require
from ..access.scope import Scope, load_in_scope, valid_id
from ..core.clock import local_today
from ..core.errors import CareBridgeError
from ..core.forms import attach_error, choices, render_form, render_refused
from ..org.queries import get_unit, units_in_subtrees
from ..registry.queries import get_worker
from . import pairing as pairings
from .pairing_forms import LIST_FILTERS, ContactForm, EndPairingForm, PairingForm
from .permissions import AID_PAIRING, AID_VIEW, AID_VISITS

bp = Blueprint("aid_pairings", __name__, url_prefix="/aid/pairings", template_folder="templates")

PAIRING_PAGE = "carebridge/aid/pairing.html"


@bp.route("/")
def index():
    actor = require(AID_VIEW)
    scope = Scope.of_actor(actor, AID_VIEW)
    today = local_today()
    status = request.args.get("status")
    status = status if status in LIST_FILTERS else None
    unit_id = request.args.get("unit", type=int)
    unit = get_unit(unit_id) if unit_id and valid_id(unit_id) else None
    page = pairings.pairings_page(scope, today, status=status, unit=unit,
                                  page=request.args.get("page", 1, type=int))
    return render_template(
        "carebridge/aid/pairings.html", page=page, status=status, unit=unit, today=today,
        filters=LIST_FILTERS, units=units_in_subtrees(list(scope.paths)),
        status_of=pairings.status_of,
        due_on=pairings.due_on, Status=pairings.PairingStatus)


@bp.route("/new/<int:worker_id>", methods=["GET", "POST"])
def new(worker_id: int):
    worker, actor = load_in_scope(get_worker, worker_id, AID_PAIRING, seen_with=AID_VIEW)
    today = local_today()
    form = PairingForm(data=None if request.method == "POST" else {
        "starts_on": today, "ends_on": today + timedelta(days=364), "contact_every_days": 30})
    accounts = pairings.helper_accounts(worker.org_unit)
    names = current_app.extensions["carebridge"].adapter.user_names(accounts)
    form.helper_user_key.choices = choices(
        [("", _("不选（帮扶人没有系统账号）"))] + [(key, names.get(key, key)) for key in accounts])
    if form.validate_on_submit():
        try:
            created = pairings.create_pairing(worker, pairings.PairingInput(
                helper_name=form.helper_name.data, helper_kind=form.helper_kind.data,
                helper_phone=form.helper_phone.data, starts_on=form.starts_on.data,
                ends_on=form.ends_on.data, contact_every_days=form.contact_every_days.data,
                helper_user_key=form.helper_user_key.data), actor=actor)
        except CareBridgeError as error:
            attach_error(form, error)
        else:
            flash(_("已建立结对帮扶"), "success")
            return redirect(url_for(".pairing", pairing_id=created.id))
    return render_form("carebridge/aid/pairing_form.html", form=form, worker=worker)


@bp.route("/<int:pairing_id>")
def pairing(pairing_id: int):
    found, actor = load_in_scope(pairings.get_pairing, pairing_id, AID_VIEW)
    return render_template(PAIRING_PAGE, **_page(found, actor))


@bp.route("/<int:pairing_id>/contacts", methods=["POST"])
def log_contact(pairing_id: int):
    found, actor = load_in_scope(pairings.get_pairing, pairing_id, AID_PAIRING,
                                 seen_with=AID_VIEW)
    form = ContactForm(prefix="contact")
    if form.validate_on_submit():
        try:
            pairings.log_contact(found, form.kind.data or None, form.contacted_on.data,
                                 form.notes.data, actor=actor, today=local_today())
        except CareBridgeError as error:
            attach_error(form, error)
        else:
            flash(_("已登记联系情况"), "success")
            return redirect(url_for(".pairing", pairing_id=found.id))
    return render_refused(PAIRING_PAGE, **_page(found, actor, contact_form=form))


@bp.route("/<int:pairing_id>/end", methods=["POST"])
def end(pairing_id: int):
    found, actor = load_in_scope(pairings.get_pairing, pairing_id, AID_PAIRING,
                                 seen_with=AID_VIEW)
    form = EndPairingForm(prefix="end")
    if form.validate_on_submit():
        try:
            pairings.end_pairing(found, form.reason.data, actor=actor)
        except CareBridgeError as error:
            attach_error(form, error)
        else:
            flash(_("已结束结对帮扶"), "success")
            return redirect(url_for(".pairing", pairing_id=found.id))
    return render_refused(PAIRING_PAGE, **_page(found, actor, end_form=form))


def _page(found, actor, *, contact_form=None, end_form=None) -> dict:
    """The pairing page: the notes only for those who log contacts (each showing audited)."""
    today = local_today()
    unit = found.org_unit
    may_manage = has_permission(actor.key, AID_PAIRING, unit)
    contacts = pairings.contacts_of(found)
    if may_manage:
        pairings.record_notes_read(found, contacts, actor)
    last = contacts[0].contacted_on if contacts else None
    return dict(
        pairing=found, contacts=contacts, may_manage=may_manage, today=today,
        status=pairings.status_of(found, last, today), due_on=pairings.due_on(found, last),
        last_contact_on=last, helper_account=_account_name(found.helper_user_key),
        may_record_visit=has_permission(actor.key, AID_VISITS, unit),
        contact_form=contact_form or ContactForm(prefix="contact",
                                                 data={"contacted_on": today}),
        end_form=end_form or EndPairingForm(prefix="end"))


def _account_name(key: str | None) -> str | None:
    if not key:
        return None
    return current_app.extensions["carebridge"].adapter.user_names([key]).get(key, key)
