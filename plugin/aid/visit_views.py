"""Pages of union visits (工会慰问, ``/aid/visits/…``): the list, recording a visit to a worker's
family (cash from a fund, goods, photos, notes), a visit, and its photos."""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..access.checks import has_permission, require
from ..access.scope import Scope, load_in_scope, valid_id
from ..core.clock import local_today
from ..core.db import session
from ..core.errors import CareBridgeError
from ..core.forms import attach_error, choices, render_form
from ..core.money import format_yuan
from ..core.uploads import megabytes
from ..org.queries import get_unit, units_in_subtrees
from ..registry.queries import get_worker
from . import ledger, visits
from .models import UNRESTRICTED, AidFund
from .pairing_forms import VisitForm
from .permissions import AID_VIEW, AID_VISITS

bp = Blueprint("aid_visits", __name__, url_prefix="/aid/visits", template_folder="templates")

PHOTO_EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png"}


@bp.route("/")
def index():
    actor = require(AID_VIEW)
    scope = Scope.of_actor(actor, AID_VIEW)
    unit_id = request.args.get("unit", type=int)
    unit = get_unit(unit_id) if unit_id and valid_id(unit_id) else None
    page = visits.visits_page(scope, unit=unit, page=request.args.get("page", 1, type=int))
    return render_template("carebridge/aid/visits.html", page=page, unit=unit,
                           units=units_in_subtrees(list(scope.paths)))


@bp.route("/new/<int:worker_id>", methods=["GET", "POST"])
def new(worker_id: int):
    worker, actor = load_in_scope(get_worker, worker_id, AID_VISITS, seen_with=AID_VIEW)
    today = local_today()
    form = VisitForm(data=None if request.method == "POST" else {"visited_on": today})
    funds = visits.funds_for(worker.org_unit)
    form.fund.choices = choices([("", _("不送慰问金"))] + [
        (fund.id, _("%(fund)s（可用 %(available)s 元）", fund=fund.name,
                    available=format_yuan(ledger.available_for(fund, (UNRESTRICTED,)),
                                          grouping=True)))
        for fund in funds])
    if form.validate_on_submit():
        limit = visits.photo_max_bytes()
        photos = [(storage.filename, storage.mimetype, storage.stream.read(limit + 1))
                  for storage in (form.photos.data or [])[:visits.PHOTOS_MAX + 1]]
        fund = session.get(AidFund, form.fund.data) if form.fund.data else None
        try:
            visit = visits.record_visit(worker, visits.VisitInput(
                visited_on=form.visited_on.data, visitors=form.visitors.data,
                cash_fen=form.cash.data, fund=fund, goods=form.goods.data,
                goods_value_fen=form.goods_value.data, notes=form.notes.data,
                photos=photos), actor=actor, today=today)
        except CareBridgeError as error:
            attach_error(form, error)
        else:
            flash(_("已登记工会慰问"), "success")
            return redirect(url_for(".visit", visit_id=visit.id))
    return render_form("carebridge/aid/visit_form.html", form=form, worker=worker,
                       max_megabytes=megabytes(visits.photo_max_bytes()), today=today)


@bp.route("/<int:visit_id>")
def visit(visit_id: int):
    found, actor = load_in_scope(visits.get_visit, visit_id, AID_VIEW)
    may_read_notes = has_permission(actor.key, AID_VISITS, found.org_unit)
    return render_template(
        "carebridge/aid/visit.html", visit=found, fund=visits.fund_of(found),
        photos=visits.photos_of(found), may_read_notes=may_read_notes,
        notes=visits.read_notes(found, actor) if may_read_notes else None)


@bp.route("/<int:visit_id>/photos/<int:photo_id>")
def photo(visit_id: int, photo_id: int):
    found, actor = load_in_scope(visits.get_visit, visit_id, AID_VIEW)
    shown = visits.get_photo(found, photo_id) if valid_id(photo_id) else None
    if shown is None:
        abort(404)
    response = Response(visits.photo_content(found, shown, actor), mimetype=shown.content_type)
    extension = PHOTO_EXTENSIONS.get(shown.content_type, "bin")
    response.headers["Content-Disposition"] = (
        f'inline; filename="visit-{found.id}-photo-{shown.id}.{extension}"')
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
