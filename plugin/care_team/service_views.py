"""Pages of service records (``/care-team/services/…``): the list, finding the worker served by
employee number, recording a service for a worker's family, one record (its notes audited), and
a worker's and a child's service history (audited).

Notes (what was done, the outcome) are shown to those who record services over the record's
unit; others who see the care team see the record without them.
"""
from __future__ import annotations

from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..access.checks import has_permission, require
from ..access.scope import Scope, load_in_scope, valid_id
from ..core.clock import local_today
from ..core.errors import CareBridgeError
from ..core.forms import attach_error, choices, render_form
from ..org.queries import get_unit, sorted_tree, units_in_subtrees
from ..registry.queries import children_of, get_child, get_worker
from ..registry.services import find_worker
from . import members, service_records
from .forms import ServiceForm
from .models import SERVICE_KIND_LABELS, ServiceKind
from .permissions import CARE_SERVICES, CARE_VIEW

bp = Blueprint("care_team_services", __name__, url_prefix="/care-team/services",
               template_folder="templates")

FORM_PAGE = "carebridge/care_team/service_form.html"
HISTORY_PAGE = "carebridge/care_team/history.html"


def _day(name: str) -> date | None:
    try:
        return date.fromisoformat(request.args.get(name) or "")
    except ValueError:
        return None


@bp.route("/")
def index():
    actor = require(CARE_VIEW)
    scope = Scope.of_actor(actor, CARE_VIEW)
    code = request.args.get("kind")
    kind = ServiceKind(code) if code in {k.value for k in ServiceKind} else None
    unit_id = request.args.get("unit", type=int)
    unit = get_unit(unit_id) if unit_id and valid_id(unit_id) else None
    unit = unit if unit is not None and scope.covers(unit) else None
    start, end = _day("start"), _day("end")
    page = service_records.services_page(scope, service_records.ServiceFilter(
        kind=kind, unit=unit, start=start, end=end), page=request.args.get("page", 1, type=int))
    ids = [service.id for service in page.items]
    return render_template(
        "carebridge/care_team/services.html", page=page, kind=kind, unit=unit,
        start=request.args.get("start", ""), end=request.args.get("end", ""),
        units=sorted_tree(units_in_subtrees(list(scope.paths))), kinds=SERVICE_KIND_LABELS,
        providers=service_records.providers_of(ids),
        may_record=has_permission(actor.key, CARE_SERVICES))


@bp.route("/new")
def find_recipient():
    """Find the worker served by employee number (only where the actor records services)."""
    actor = require(CARE_SERVICES)
    number = (request.args.get("employee_number") or "").strip().upper()
    worker = find_worker(number, scope=Scope.of_actor(actor, CARE_SERVICES)) if number else None
    if worker is not None:
        return redirect(url_for(".new", worker_id=worker.id))
    return render_template(FORM_PAGE, worker=None, form=None, number=number,
                           lookup_error=_("找不到这个工号的职工") if number else None)


@bp.route("/new/<int:worker_id>", methods=["GET", "POST"])
def new(worker_id: int):
    worker, actor = load_in_scope(get_worker, worker_id, CARE_SERVICES, seen_with=CARE_VIEW)
    today = local_today()
    form = ServiceForm(data=None if request.method == "POST" else {"occurred_on": today})
    form.members.choices = choices(
        (member.id, f"{member.name}（{member.kind.label}，{member.org_unit.name}）")
        for member in members.members_serving(worker.org_unit, form.occurred_on.data or today))
    form.children.choices = choices((child.id, child.name) for child in children_of(worker))
    if form.validate_on_submit():
        try:
            service = service_records.record_service(worker, service_records.ServiceInput(
                kind=form.kind.data or None, occurred_on=form.occurred_on.data,
                member_ids=form.members.data or (), child_ids=form.children.data or (),
                description=form.description.data, outcome=form.outcome.data,
                follow_up_on=form.follow_up_on.data), actor=actor, today=today)
        except CareBridgeError as error:
            attach_error(form, error)
        else:
            flash(_("已登记服务"), "success")
            return redirect(url_for(".service", service_id=service.id))
    return render_form(FORM_PAGE, form=form, worker=worker, number=worker.employee_number,
                       lookup_error=None)


@bp.route("/<int:service_id>")
def service(service_id: int):
    found, actor = load_in_scope(service_records.get_service, service_id, CARE_VIEW)
    may_read_notes = has_permission(actor.key, CARE_SERVICES, found.org_unit)
    description, outcome = (service_records.read_notes(found, actor) if may_read_notes
                            else (None, None))
    return render_template(
        "carebridge/care_team/service.html", service=found, may_read_notes=may_read_notes,
        description=description, outcome=outcome,
        providers=service_records.providers_of([found.id])[found.id],
        children=service_records.children_served([found.id])[found.id])


@bp.route("/workers/<int:worker_id>")
def worker_history(worker_id: int):
    worker, actor = load_in_scope(get_worker, worker_id, CARE_VIEW)
    page = service_records.worker_history(worker, page=request.args.get("page", 1, type=int))
    return render_template(HISTORY_PAGE, **_history(worker, None, page, actor, worker.org_unit))


@bp.route("/children/<int:child_id>")
def child_history(child_id: int):
    child, actor = load_in_scope(get_child, child_id, CARE_VIEW)
    page = service_records.child_history(child, page=request.args.get("page", 1, type=int))
    return render_template(HISTORY_PAGE, **_history(None, child, page, actor, child.org_unit))


def _history(worker, child, page, actor, unit) -> dict:
    """A history page: notes for those who record services there; the read audited."""
    may_read_notes = has_permission(actor.key, CARE_SERVICES, unit)
    service_records.record_history_read(child or worker, page.items, actor,
                                        with_notes=may_read_notes)
    ids = [item.id for item in page.items]
    return dict(worker=worker, child=child, subject=child or worker, page=page,
                may_read_notes=may_read_notes,
                may_record=may_read_notes and worker is not None,
                providers=service_records.providers_of(ids),
                children=service_records.children_served(ids))
