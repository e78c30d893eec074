"""Pages of the care team's roster (``/care-team/…``): the roster with its filters, a member with
their trainings, adding and changing a member, recording a training.

Views are thin: parse the input, call one service, render; the request boundary commits. A member
is seen by users whose ``CARE_VIEW`` scope holds the member's unit: any other answers 404,
exactly like one that does not exist.
"""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..access.checks import has_permission, require
from ..access.scope import Scope, load_in_scope, valid_id
from ..core.clock import local_today
from ..core.errors import CareBridgeError
from ..core.forms import attach_error, choices, render_form, render_refused
from ..org.queries import get_unit, sorted_tree, units_in_subtrees
from . import members
from .forms import ACTIVE_FILTERS, MemberForm, TrainingForm
from .models import MEMBER_KIND_LABELS, MemberKind
from .permissions import CARE_COMMEND, CARE_MANAGE, CARE_SERVICES, CARE_VIEW

bp = Blueprint("care_team", __name__, url_prefix="/care-team", template_folder="templates")

MEMBER_PAGE = "carebridge/care_team/member.html"
MEMBER_FORM = "carebridge/care_team/member_form.html"


@bp.route("/")
def index():
    actor = require(CARE_VIEW)
    scope = Scope.of_actor(actor, CARE_VIEW)
    kind_code = request.args.get("kind")
    kind = MemberKind(kind_code) if kind_code in {k.value for k in MemberKind} else None
    active_code = request.args.get("active", "1")
    active_code = active_code if active_code in ACTIVE_FILTERS else "1"
    unit_id = request.args.get("unit", type=int)
    unit = get_unit(unit_id) if unit_id and valid_id(unit_id) else None
    unit = unit if unit is not None and scope.covers(unit) else None
    today = local_today()
    page = members.roster_page(scope, members.RosterFilter(
        kind=kind, active={"1": True, "0": False}.get(active_code), unit=unit), today,
        page=request.args.get("page", 1, type=int))
    return render_template(
        "carebridge/care_team/roster.html", page=page, kind=kind, active=active_code,
        unit=unit, units=sorted_tree(units_in_subtrees(list(scope.paths))), today=today,
        kinds=MEMBER_KIND_LABELS, active_filters=ACTIVE_FILTERS,
        may_manage=has_permission(actor.key, CARE_MANAGE),
        may_record=has_permission(actor.key, CARE_SERVICES),
        may_commend=has_permission(actor.key, CARE_COMMEND))


def _unit_choices(form: MemberForm, scope: Scope) -> None:
    form.unit.choices = choices([("", _("请选择"))] + [
        (unit.id, unit.name) for unit in sorted_tree(units_in_subtrees(list(scope.paths)))])


def _member_input(form: MemberForm) -> members.MemberInput:
    return members.MemberInput(
        unit=get_unit(form.unit.data) if form.unit.data and valid_id(form.unit.data) else None,
        kind=form.kind.data or None, name=form.name.data, joined_on=form.joined_on.data,
        engagement=form.engagement.data or None, provider=form.provider.data,
        employee_number=form.employee_number.data, phone=form.phone.data,
        specialties=form.specialties.data, available_days=form.available_days.data or (),
        availability_note=form.availability_note.data, left_on=form.left_on.data)


@bp.route("/members/new", methods=["GET", "POST"])
def new_member():
    actor = require(CARE_MANAGE)
    scope = Scope.of_actor(actor, CARE_MANAGE)
    today = local_today()
    form = MemberForm(data=None if request.method == "POST" else {"joined_on": today})
    _unit_choices(form, scope)
    if form.validate_on_submit():
        try:
            member = members.add_member(_member_input(form), scope=scope, actor=actor,
                                        today=today)
        except CareBridgeError as error:
            attach_error(form, error)
        else:
            flash(_("已添加关爱服务队伍成员"), "success")
            return redirect(url_for(".member", member_id=member.id))
    return render_form(MEMBER_FORM, form=form, member=None)


@bp.route("/members/<int:member_id>")
def member(member_id: int):
    found, actor = load_in_scope(members.get_member, member_id, CARE_VIEW)
    return render_template(MEMBER_PAGE, **_member_page(found, actor))


@bp.route("/members/<int:member_id>/edit", methods=["GET", "POST"])
def edit_member(member_id: int):
    found, actor = load_in_scope(members.get_member, member_id, CARE_MANAGE,
                                 seen_with=CARE_VIEW)
    scope = Scope.of_actor(actor, CARE_MANAGE)
    form = MemberForm(data=None if request.method == "POST" else {
        "unit": found.org_unit_id, "kind": found.kind.value,
        "engagement": found.engagement.value if found.engagement else "",
        "provider": found.provider, "name": found.name,
        "employee_number": found.worker.employee_number if found.worker else None,
        "phone": found.phone, "specialties": found.specialties,
        "available_days": found.weekdays, "availability_note": found.availability_note,
        "joined_on": found.joined_on, "left_on": found.left_on})
    _unit_choices(form, scope)
    if form.validate_on_submit():
        try:
            members.update_member(found, _member_input(form), scope=scope, actor=actor,
                                  today=local_today())
        except CareBridgeError as error:
            attach_error(form, error)
        else:
            flash(_("已保存"), "success")
            return redirect(url_for(".member", member_id=found.id))
    return render_form(MEMBER_FORM, form=form, member=found)


@bp.route("/members/<int:member_id>/trainings", methods=["POST"])
def record_training(member_id: int):
    found, actor = load_in_scope(members.get_member, member_id, CARE_MANAGE,
                                 seen_with=CARE_VIEW)
    form = TrainingForm(prefix="training")
    if form.validate_on_submit():
        try:
            members.record_training(found, members.TrainingInput(
                title=form.title.data, held_on=form.held_on.data, hours=form.hours.data,
                provider=form.provider.data), actor=actor, today=local_today())
        except CareBridgeError as error:
            attach_error(form, error)
        else:
            flash(_("已登记培训"), "success")
            return redirect(url_for(".member", member_id=found.id))
    return render_refused(MEMBER_PAGE, **_member_page(found, actor, training_form=form))


def _member_page(found, actor, *, training_form=None) -> dict:
    today = local_today()
    trainings = members.trainings_of(found)
    may_manage = has_permission(actor.key, CARE_MANAGE, found.org_unit)
    return dict(member=found, trainings=trainings, today=today, may_manage=may_manage,
                active=found.active_on(today), weekdays=members.weekday_labels(found),
                total_hours=sum(training.minutes for training in trainings) / 60,
                training_form=training_form or TrainingForm(prefix="training",
                                                            data={"held_on": today}))
