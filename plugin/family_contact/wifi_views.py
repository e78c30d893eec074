"""Pages of living areas and their WiFi (``/contact/wifi/…``): the areas of the actor's scope with
their WiFi and residents, an area with its residents, the area form, housing workers by employee
number, and the coverage of each site."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..access.checks import has_permission, require
from ..access.scope import Scope, load_in_scope, valid_id
from ..core.clock import local_today
from ..core.errors import CareBridgeError
from ..core.forms import attach_error, choices, render_form
from ..org.queries import get_unit
from . import living_areas
from .permissions import CONTACT_ROOMS, CONTACT_VIEW
from .wifi_forms import AreaForm, ResidentsForm

bp = Blueprint("family_contact_wifi", __name__, url_prefix="/contact/wifi",
               template_folder="templates")

PAGES = "carebridge/family_contact/"


@bp.route("/")
def index():
    actor = require(CONTACT_VIEW)
    scope = Scope.of_actor(actor, CONTACT_VIEW)
    sites = living_areas.sites_in(scope)
    unit_id = request.args.get("unit", type=int)
    unit = get_unit(unit_id) if unit_id and valid_id(unit_id) else None
    if unit is not None and not scope.covers(unit):
        unit = None
    page = living_areas.areas_page(scope, local_today(), unit=unit,
                                   page=request.args.get("page", 1, type=int))
    changes = {area.id for area, _residents in page.items
               if has_permission(actor.key, CONTACT_ROOMS, area.org_unit)}
    return render_template(PAGES + "wifi_areas.html", page=page, unit=unit, sites=sites,
                           changes=changes,
                           may_add=bool(Scope.of_actor(actor, CONTACT_ROOMS)))


@bp.route("/coverage")
def coverage():
    actor = require(CONTACT_VIEW)
    today = local_today()
    rows = living_areas.coverage_by_site(Scope.of_actor(actor, CONTACT_VIEW), today)
    total = living_areas.SiteCoverage(None, sum(row.employed for row in rows),
                                      sum(row.covered for row in rows))
    return render_template(PAGES + "wifi_coverage.html", rows=rows, total=total, today=today)


@bp.route("/areas/new", methods=["GET", "POST"])
def new_area():
    actor = require(CONTACT_ROOMS)
    scope = Scope.of_actor(actor, CONTACT_ROOMS)
    sites = living_areas.sites_in(scope)
    form = AreaForm()
    form.unit.choices = choices([("", "—")] + [(str(site.id), site.name) for site in sites])
    if form.validate_on_submit():
        by_id = {str(site.id): site for site in sites}
        try:
            area = living_areas.save_area(None, _area_input(form),
                                          site=by_id.get(form.unit.data or ""), scope=scope,
                                          actor=actor, today=local_today())
        except CareBridgeError as error:
            attach_error(form, error)
        else:
            flash(_("已新建居住区“%(name)s”", name=area.name), "success")
            return redirect(url_for(".area", area_id=area.id))
    return render_form(PAGES + "wifi_area_form.html", form=form, area=None)


@bp.route("/areas/<int:area_id>")
def area(area_id: int):
    found, actor = load_in_scope(living_areas.get_area, area_id, CONTACT_VIEW)
    page = living_areas.residents_page(found, local_today(),
                                       page=request.args.get("page", 1, type=int))
    return render_template(PAGES + "wifi_area.html", area=found, page=page,
                           may_change=has_permission(actor.key, CONTACT_ROOMS, found.org_unit))


@bp.route("/areas/<int:area_id>/edit", methods=["GET", "POST"])
def edit_area(area_id: int):
    found, actor = load_in_scope(living_areas.get_area, area_id, CONTACT_ROOMS,
                                 seen_with=CONTACT_VIEW)
    form = AreaForm(obj=None if request.method == "POST" else found)
    del form.unit
    if form.validate_on_submit():
        try:
            living_areas.save_area(found, _area_input(form), site=None,
                                   scope=Scope.of_actor(actor, CONTACT_ROOMS), actor=actor,
                                   today=local_today())
        except CareBridgeError as error:
            attach_error(form, error)
        else:
            flash(_("已保存居住区“%(name)s”", name=found.name), "success")
            return redirect(url_for(".area", area_id=found.id))
    return render_form(PAGES + "wifi_area_form.html", form=form, area=found)


@bp.route("/areas/<int:area_id>/residents", methods=["GET", "POST"])
def residents(area_id: int):
    found, actor = load_in_scope(living_areas.get_area, area_id, CONTACT_ROOMS,
                                 seen_with=CONTACT_VIEW)
    form = ResidentsForm()
    if form.validate_on_submit():
        try:
            outcome = living_areas.assign_residents(
                found, form.numbers.data, scope=Scope.of_actor(actor, CONTACT_ROOMS),
                actor=actor, today=local_today())
        except CareBridgeError as error:
            attach_error(form, error)
        else:
            flash(_("已登记入住 %(housed)s 人，从其他居住区迁入 %(moved)s 人，原已住在这里 "
                    "%(already)s 人", housed=len(outcome.housed), moved=len(outcome.moved),
                    already=len(outcome.already)), "success")
            return redirect(url_for(".area", area_id=found.id))
    return render_form(PAGES + "wifi_residents_form.html", form=form, area=found)


def _area_input(form: AreaForm) -> living_areas.AreaInput:
    return living_areas.AreaInput(name=form.name.data, wifi=bool(form.wifi.data),
                                  wifi_since=form.wifi_since.data,
                                  bandwidth_mbps=form.bandwidth_mbps.data)
