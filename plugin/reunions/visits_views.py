"""Visiting children on site (小候鸟, 反探亲): register a child's stay, the programme and its
attendance, and who is on site today (``/reunions/…``)."""
from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for

from ..access.checks import require
from ..access.scope import Scope, require_in_scope, valid_id
from ..core.clock import local_today
from ..core.db import session
from ..core.errors import CareBridgeError
from ..core.forms import attach_error, render_form
from ..org.models import OrgUnit
from . import queries, visits
from .models import ActivityKind, Traveller, VisitActivity
from .permissions import REUNIONS_VISITS
from .visits_forms import ActivityForm, AttendanceForm, VisitForm

bp = Blueprint("reunions_visits", __name__, url_prefix="/reunions", template_folder="templates")


def _scope():
    actor = require(REUNIONS_VISITS)
    return actor, Scope.of_actor(actor, REUNIONS_VISITS)


def _campaign(campaign_id: int):
    """The campaign if it reaches the actor's scope (run within it or above it), else 404."""
    actor, scope = _scope()
    campaign = queries.get_campaign(campaign_id) if valid_id(campaign_id) else None
    if campaign is None or not queries.campaign_reaches(campaign, scope):
        abort(404)
    return campaign, actor, scope


@bp.route("/on-site")
def on_site():
    _actor, scope = _scope()
    today = local_today()
    return render_template("carebridge/reunions/on_site.html", visits=visits.on_site(scope, today),
                           today=today)


@bp.route("/<int:campaign_id>/visits")
def campaign_visits(campaign_id: int):
    campaign, _actor, scope = _campaign(campaign_id)
    return render_template(
        "carebridge/reunions/visits.html", campaign=campaign,
        visits=visits.visits_of(campaign, scope),
        to_register=visits.visitable_travellers(campaign, scope),
        activities=visits.activities_of(campaign, scope), today=local_today())


@bp.route("/<int:campaign_id>/visits/new/<int:traveller_id>", methods=["GET", "POST"])
def register_visit(campaign_id: int, traveller_id: int):
    campaign, actor, scope = _campaign(campaign_id)
    traveller = session.get(Traveller, traveller_id) if valid_id(traveller_id) else None
    if (traveller is None or traveller.application.campaign_id != campaign.id
            or not scope.covers(traveller.application.org_unit)):
        abort(404)
    form = VisitForm(data=None if request.method == "POST" else {
        "arrives_on": traveller.application.depart_on,
        "leaves_on": traveller.application.return_on})
    if form.is_submitted() and form.validate():
        try:
            visits.register_visit(traveller, visits.VisitInput(
                arrives_on=form.arrives_on.data, leaves_on=form.leaves_on.data,
                accommodation=form.accommodation.data,
                responsible_adult=form.responsible_adult.data,
                responsible_adult_phone=form.responsible_adult_phone.data,
                emergency_contact=form.emergency_contact.data,
                emergency_phone=form.emergency_phone.data,
                insurance_number=form.insurance_number.data), actor=actor)
        except CareBridgeError as error:
            attach_error(form, error)
        else:
            return redirect(url_for(".campaign_visits", campaign_id=campaign.id))
    return render_form("carebridge/reunions/visit_form.html", form=form, campaign=campaign,
                       traveller=traveller)


@bp.route("/<int:campaign_id>/activities/new", methods=["GET", "POST"])
def new_activity(campaign_id: int):
    campaign, actor, scope = _campaign(campaign_id)
    form = ActivityForm()
    units = queries.units_for_activities(campaign, scope)
    form.unit.choices = [(unit.id, unit.name) for unit in units]
    if form.is_submitted() and form.validate():
        unit = session.get(OrgUnit, form.unit.data) if form.unit.data else None
        if unit is not None and not scope.covers(unit):
            unit = None
        try:
            visits.add_activity(campaign, unit,
                                ActivityKind(form.kind.data) if form.kind.data else None,
                                form.title.data, form.held_on.data, form.place.data, actor=actor)
        except CareBridgeError as error:
            attach_error(form, error)
        else:
            return redirect(url_for(".campaign_visits", campaign_id=campaign.id))
    return render_form("carebridge/reunions/activity_form.html", form=form, campaign=campaign)


@bp.route("/activities/<int:activity_id>", methods=["GET", "POST"])
def activity(activity_id: int):
    found = session.get(VisitActivity, activity_id) if valid_id(activity_id) else None
    actor = require_in_scope(REUNIONS_VISITS, found.org_unit if found else None)
    expected = visits.expected_at(found)
    form = AttendanceForm(data=None if request.method == "POST"
                          else {"present": sorted(visits.attendance_of(found))})
    form.present.choices = [(visit.id, visit.traveller.name) for visit in expected]
    if form.is_submitted() and form.validate():
        try:
            visits.record_attendance(found, form.present.data or [], actor=actor)
        except CareBridgeError as error:
            attach_error(form, error)
        else:
            return redirect(url_for(".activity", activity_id=found.id, saved=1))
    return render_form("carebridge/reunions/activity.html", form=form, activity=found,
                       campaign=queries.get_campaign(found.campaign_id), expected=expected)
