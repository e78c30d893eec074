"""Pages of commendations (``/care-team/commendations/…``): the list, nominating a model guardian
(a worker by employee number), an outstanding volunteer (a member) or an outstanding collective
(a unit, or a group named in it), one commendation, and the decision: awarded or not."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..access.checks import has_permission, require
from ..access.scope import Scope, load_in_scope, valid_id
from ..core.clock import local_today
from ..core.errors import CareBridgeError
from ..core.forms import attach_error, choices, render_form, render_refused
from ..org.queries import get_unit, sorted_tree, units_in_subtrees
from . import commendations, members
from .forms import CATEGORY_FILTERS, STATUS_FILTERS, DecisionForm, NominationForm
from .models import CommendationCategory, CommendationStatus
from .permissions import CARE_COMMEND, CARE_VIEW

bp = Blueprint("care_team_commendations", __name__, url_prefix="/care-team/commendations",
               template_folder="templates")

COMMENDATION_PAGE = "carebridge/care_team/commendation.html"


@bp.route("/")
def index():
    actor = require(CARE_VIEW)
    scope = Scope.of_actor(actor, CARE_VIEW)
    category = request.args.get("category")
    status = request.args.get("status")
    unit_id = request.args.get("unit", type=int)
    unit = get_unit(unit_id) if unit_id and valid_id(unit_id) else None
    unit = unit if unit is not None and scope.covers(unit) else None
    page = commendations.commendations_page(scope, commendations.CommendationFilter(
        category=CommendationCategory(category) if category in CATEGORY_FILTERS else None,
        status=CommendationStatus(status) if status in STATUS_FILTERS else None, unit=unit),
        page=request.args.get("page", 1, type=int))
    return render_template(
        "carebridge/care_team/commendations.html", page=page, category=category, status=status,
        unit=unit, units=sorted_tree(units_in_subtrees(list(scope.paths))),
        categories=CATEGORY_FILTERS, statuses=STATUS_FILTERS,
        nominee_name=commendations.nominee_name,
        may_commend=has_permission(actor.key, CARE_COMMEND))


@bp.route("/new", methods=["GET", "POST"])
def nominate():
    actor = require(CARE_COMMEND)
    scope = Scope.of_actor(actor, CARE_COMMEND)
    today = local_today()
    form = NominationForm(data=None if request.method == "POST" else {
        "nominated_on": today, "category": request.args.get("category", "")})
    form.member.choices = choices([("", _("请选择"))] + [
        (member.id, f"{member.name}（{member.kind.label}，{member.org_unit.name}）")
        for member in members.members_in(scope)])
    form.unit.choices = choices([("", _("请选择"))] + [
        (unit.id, unit.name) for unit in sorted_tree(units_in_subtrees(list(scope.paths)))])
    if form.validate_on_submit():
        member = (members.get_member(form.member.data)
                  if form.member.data and valid_id(form.member.data) else None)
        unit = get_unit(form.unit.data) if form.unit.data and valid_id(form.unit.data) else None
        try:
            made = commendations.nominate(commendations.NominationInput(
                category=form.category.data or None, awarding_body=form.awarding_body.data,
                nominated_on=form.nominated_on.data, reason=form.reason.data,
                employee_number=form.employee_number.data, member=member, unit=unit,
                collective_name=form.collective_name.data), scope=scope, actor=actor,
                today=today)
        except CareBridgeError as error:
            attach_error(form, error)
        else:
            flash(_("已登记推荐"), "success")
            return redirect(url_for(".commendation", commendation_id=made.id))
    return render_form("carebridge/care_team/nominate.html", form=form)


@bp.route("/<int:commendation_id>")
def commendation(commendation_id: int):
    found, actor = load_in_scope(commendations.get_commendation, commendation_id, CARE_VIEW)
    return render_template(COMMENDATION_PAGE, **_page(found, actor))


@bp.route("/<int:commendation_id>/decide", methods=["POST"])
def decide(commendation_id: int):
    found, actor = load_in_scope(commendations.get_commendation, commendation_id, CARE_COMMEND,
                                 seen_with=CARE_VIEW)
    form = DecisionForm(prefix="decision")
    if form.validate_on_submit():
        try:
            commendations.decide(found, form.outcome.data or None,
                                 awarded_on=form.awarded_on.data, note=form.note.data,
                                 actor=actor, today=local_today())
        except CareBridgeError as error:
            attach_error(form, error)
        else:
            flash(_("已记录评定结果"), "success")
            return redirect(url_for(".commendation", commendation_id=found.id))
    return render_refused(COMMENDATION_PAGE, **_page(found, actor, decision_form=form))


def _page(found, actor, *, decision_form=None) -> dict:
    today = local_today()
    return dict(commendation=found, nominee=commendations.nominee_name(found),
                may_decide=(found.status == CommendationStatus.NOMINATED
                            and has_permission(actor.key, CARE_COMMEND, found.org_unit)),
                decision_form=decision_form or DecisionForm(prefix="decision",
                                                            data={"awarded_on": today}))
