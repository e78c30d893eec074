"""Officers' pages of work near home (``/positions/…``): the openings of the actor's scope, the
sites with their location, adding, changing and closing openings, the transfer requests (those
waiting first) with their decision, and a worker's transfer history.

Views are thin: parse the input, call one service, render; the request boundary commits. Seeing
needs ``positions.view``, changing locations and openings ``positions.manage``, deciding
``positions.decide``, each on the record's site (a request's: the opening's site; a worker's
history: the worker's unit). A record outside the actor's subtrees answers 404 exactly like one
that does not exist (one seen but not acted on: 403).
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..access.checks import has_permission, require
from ..access.scope import Scope, load_in_scope
from ..core.clock import local_today
from ..core.errors import CareBridgeError
from ..core.forms import (
    ActionForm,
    attach_service_error,
    choices,
    flash_refusal,
    has_errors,
    render_form,
    submitted,
)
from ..org.models import OrgKind
from ..org.queries import get_unit
from ..registry.queries import get_worker
from ..registry.regions import region_name
from . import queries, rules, transfers, workplaces
from .forms import DecisionForm, LocationForm, OpeningFilterForm, OpeningForm
from .models import OpeningStatus, TransferStatus
from .permissions import POSITIONS_DECIDE, POSITIONS_MANAGE, POSITIONS_VIEW

bp = Blueprint("positions", __name__, url_prefix="/positions", template_folder="templates")

PAGES = "carebridge/positions/"


def _region(code: str | None) -> str:
    return (region_name(code) or code) if code else "—"


# -- openings ------------------------------------------------------------------------------------

@bp.route("/")
def index():
    actor = require(POSITIONS_VIEW)
    form = OpeningFilterForm(request.args)
    status = form.status.data if form.status.data in {s.value for s in OpeningStatus} else None
    page = queries.openings_page(Scope.of_actor(actor, POSITIONS_VIEW),
                                 status=OpeningStatus(status) if status else None,
                                 page=request.args.get("page", 1, type=int))
    ids = [opening.id for opening in page.items]
    return render_template(
        PAGES + "index.html", form=form, page=page, region=_region,
        locations=queries.locations_of(list({opening.org_unit_id for opening in page.items})),
        waiting=queries.open_request_counts(ids),
        may_manage=has_permission(actor.key, POSITIONS_MANAGE))


def _managed_sites(actor) -> dict[str, object]:
    return {str(site.id): site
            for site in workplaces.sites_in(Scope.of_actor(actor, POSITIONS_MANAGE))}


@bp.route("/openings/new", methods=["GET", "POST"])
def new_opening():
    actor = require(POSITIONS_MANAGE)
    sites = _managed_sites(actor)
    preselected = request.args.get("unit") if request.args.get("unit") in sites else None
    form = OpeningForm(data=None if request.method == "POST" else {"unit": preselected})
    form.unit.choices = choices([("", "—")] + [(key, site.name) for key, site in sites.items()])
    if submitted(form):
        try:
            opening = workplaces.save_opening(
                None, form.values(), site=sites.get(form.unit.data or ""),
                scope=Scope.of_actor(actor, POSITIONS_MANAGE), actor=actor, today=local_today())
        except CareBridgeError as error:
            attach_service_error(form, error)
        else:
            if not has_errors(form):
                flash(_("已添加%(site)s的“%(trade)s”招用需求", site=opening.org_unit.name,
                        trade=opening.trade), "success")
                return redirect(url_for(".index"))
    return render_form(PAGES + "opening_form.html", form=form, opening=None)


@bp.route("/openings/<int:opening_id>/edit", methods=["GET", "POST"])
def edit_opening(opening_id: int):
    opening, actor = load_in_scope(workplaces.get_opening, opening_id, POSITIONS_MANAGE,
                                   seen_with=POSITIONS_VIEW)
    form = OpeningForm(data=None if request.method == "POST" else {
        "trade": opening.trade, "headcount": str(opening.headcount),
        "starts_on": opening.starts_on.isoformat(),
        "ends_on": opening.ends_on.isoformat() if opening.ends_on else "",
        "notes": opening.notes})
    del form.unit
    if submitted(form):
        try:
            workplaces.save_opening(opening, form.values(), site=None,
                                    scope=Scope.of_actor(actor, POSITIONS_MANAGE), actor=actor,
                                    today=local_today())
        except CareBridgeError as error:
            attach_service_error(form, error)
        else:
            if not has_errors(form):
                flash(_("已保存%(site)s的“%(trade)s”招用需求", site=opening.org_unit.name,
                        trade=opening.trade), "success")
                return redirect(url_for(".index"))
    return render_form(PAGES + "opening_form.html", form=form, opening=opening,
                       close_form=ActionForm())


@bp.route("/openings/<int:opening_id>/close", methods=["POST"])
def close_opening(opening_id: int):
    opening, actor = load_in_scope(workplaces.get_opening, opening_id, POSITIONS_MANAGE,
                                   seen_with=POSITIONS_VIEW)
    if not ActionForm().validate_on_submit():
        flash_refusal(_("页面已过期，请重新操作"))
        return redirect(url_for(".edit_opening", opening_id=opening.id))
    try:
        workplaces.close_opening(opening, actor=actor)
    except CareBridgeError as error:
        flash_refusal(error.localized())
    else:
        flash(_("已关闭%(site)s的“%(trade)s”招用需求，职工手机上不再显示",
                site=opening.org_unit.name, trade=opening.trade), "success")
    return redirect(url_for(".index"))


# -- sites and their locations -------------------------------------------------------------------

@bp.route("/sites")
def sites():
    actor = require(POSITIONS_VIEW)
    shown = workplaces.sites_in(Scope.of_actor(actor, POSITIONS_VIEW))
    return render_template(PAGES + "sites.html", sites=shown, region=_region,
                           locations=queries.locations_of([site.id for site in shown]),
                           manages={site.id for site in shown
                                    if has_permission(actor.key, POSITIONS_MANAGE, site)})


def _site(unit_id: int, permission):
    site, actor = load_in_scope(get_unit, unit_id, permission, unit=lambda unit: unit,
                                seen_with=POSITIONS_VIEW)
    if site.kind != OrgKind.SITE:
        abort(404)
    return site, actor


@bp.route("/sites/<int:unit_id>/location", methods=["GET", "POST"])
def location(unit_id: int):
    site, actor = _site(unit_id, POSITIONS_MANAGE)
    current = workplaces.location_of(site)
    form = LocationForm(obj=None if request.method == "POST" else current)
    if submitted(form):
        try:
            workplaces.save_location(site, form.values(),
                                     scope=Scope.of_actor(actor, POSITIONS_MANAGE), actor=actor)
        except CareBridgeError as error:
            attach_service_error(form, error)
        else:
            if not has_errors(form):
                flash(_("已保存%(site)s的所在地区", site=site.name), "success")
                return redirect(url_for(".sites"))
    return render_form(PAGES + "location_form.html", form=form, site=site, location=current,
                       region=_region)


# -- transfer requests ---------------------------------------------------------------------------

def _request_site(found):
    return found.opening.org_unit


@bp.route("/requests")
def requests():
    actor = require(POSITIONS_VIEW)
    wanted = request.args.get("status")
    status = TransferStatus(wanted) if wanted in {s.value for s in TransferStatus} else None
    page = queries.requests_page(Scope.of_actor(actor, POSITIONS_VIEW), status=status,
                                 page=request.args.get("page", 1, type=int))
    return render_template(PAGES + "requests.html", page=page, status=status,
                           statuses=list(TransferStatus), region=_region)


def _request_page(found, actor, *, form=None):
    locations = queries.locations_of([found.org_unit_id])
    distance = queries.distance_of(found, locations)
    location_ = locations.get(found.org_unit_id)
    return render_form(
        PAGES + "request.html", transfer=found, form=form or DecisionForm(), region=_region,
        county=location_.county_code if location_ is not None else None,
        distance_words=rules.DISTANCE_WORDS.get(distance) if distance is not None else None,
        may_decide=found.status == TransferStatus.REQUESTED
        and has_permission(actor.key, POSITIONS_DECIDE, found.opening.org_unit),
        may_see_worker=has_permission(actor.key, POSITIONS_VIEW, found.worker.org_unit))


@bp.route("/requests/<int:request_id>")
def transfer(request_id: int):
    found, actor = load_in_scope(transfers.get_request, request_id, POSITIONS_VIEW,
                                 unit=_request_site)
    return _request_page(found, actor)


@bp.route("/requests/<int:request_id>/decide", methods=["POST"])
def decide(request_id: int):
    found, actor = load_in_scope(transfers.get_request, request_id, POSITIONS_DECIDE,
                                 unit=_request_site, seen_with=POSITIONS_VIEW)
    form = DecisionForm()
    if submitted(form):
        try:
            transfers.decide(found, form.outcome_value(), reason=form.reason.data,
                             effective_on=form.effective_on.data, actor=actor)
        except CareBridgeError as error:
            attach_service_error(form, error)
        else:
            if not has_errors(form):
                flash(_("已处理%(worker)s的调动申请：%(status)s", worker=found.worker.name,
                        status=found.status.label), "success")
                return redirect(url_for(".transfer", request_id=found.id))
    else:
        form.form_errors.append(_("页面已过期，请重新操作"))
    return _request_page(found, actor, form=form)


@bp.route("/workers/<int:worker_id>")
def worker(worker_id: int):
    """The worker's transfer history: every request and its outcome."""
    found, _actor = load_in_scope(get_worker, worker_id, POSITIONS_VIEW)
    history = queries.requests_of_worker(found.id)
    return render_template(PAGES + "worker.html", worker=found, history=history,
                           region=_region)
