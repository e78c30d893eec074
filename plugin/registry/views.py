from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..access.checks import has_permission, require, scope_paths
from ..access.roles import Permission
from ..access.scope import Scope, load_in_scope
from ..audit.actions import action_label
from ..audit.exports import audited_export, list_filters
from ..core.clock import local_today
from ..core.errors import CareBridgeError
from ..core.forms import (
    attach_error,
    attach_errors,
    choices,
    flash_refusal,
    render_form,
    render_refused,
)
from ..org.queries import get_unit
from . import guardian_consent, held_details, queries, services
from .categories import CATEGORY_CODES, FOCUS_FLAG_CODES
from .consent import CURRENT_NOTICE_VERSION, active_consent, needs_consent
from .exports import CHILDREN_TABLE, WORKERS_TABLE, child_rows, worker_rows
from .forms import (
    ConsentForm,
    RevealForm,
    UnitChoiceForm,
    WithdrawConsentForm,
    form_values,
    record_form,
    stored_values,
)
from .id_access import may_see_id_numbers, shown_id_number
from .labels import (
    CATEGORY_LABELS,
    FACT_LABELS,
    FLAG_LABELS,
    PARENT_STATUS_LABELS,
    PRESUMED_LABELS,
)
from .models import EmploymentStatus
from .permissions import (
    CHILDREN_ID_VIEW,
    CHILDREN_MANAGE,
    CHILDREN_VIEW,
    WORKERS_MANAGE,
    WORKERS_VIEW,
)
from .phones import full_phone_paths, shown_phone_for_current_user
from .reveals import remember_reveal, take_reveal
from .schema import (
    CHILD_CONSENT_FIELD_CODES,
    CHILD_FIELDS,
    WORKER_FIELDS,
    RecordInvalid,
    parse_record,
)

bp = Blueprint("registry", __name__, template_folder="templates")
#: ``cb_worker_phone(worker)``: the phone as the signed-in user may see it (every staff page).
bp.add_app_template_global(shown_phone_for_current_user, "cb_worker_phone")

WORKER_FORM_EXCLUDE = ("site", "team")
#: Labels of the field codes a child's change history lists (the parent links are named by role).
HISTORY_FIELD_LABELS = {**{spec.code: spec.label for spec in CHILD_FIELDS},
                        "mother": _l("母亲"), "father": _l("父亲"), "org_unit_id": _l("所属单位")}
CHILD_FORM_EXCLUDE = ("parent_employee_number", "parent_role", "other_parent_employee_number",
                      *CHILD_CONSENT_FIELD_CODES)


def _worker_or_404(worker_id: int, permission: Permission):
    """The worker and the actor; 404 for a worker outside where the actor sees workers."""
    return load_in_scope(queries.get_worker, worker_id, permission, seen_with=WORKERS_VIEW)


def _child_or_404(child_id: int, permission: Permission):
    """The child and the actor; 404 for a child outside where the actor sees children."""
    return load_in_scope(queries.get_child, child_id, permission, seen_with=CHILDREN_VIEW)


def _worker_criteria(actor) -> queries.WorkerFilter:
    """The workers list's filters from the query string (the page and its export)."""
    unit = get_unit(request.args.get("unit", type=int)) if request.args.get("unit") else None
    status = request.args.get("status")
    return queries.WorkerFilter(
        search=(request.args.get("q") or "").strip() or None, unit=unit,
        category=request.args.get("category") or None, focus_flag=request.args.get("flag") or None,
        missing_fact=request.args.get("missing") or None,
        awaiting_consent_on=local_today() if request.args.get("consent") == "awaiting" else None,
        status=EmploymentStatus(status) if status in {s.value for s in EmploymentStatus} else None,
        phone_prefix_paths=full_phone_paths(actor.key))


@bp.route("/workers/")
def workers():
    actor = require(WORKERS_VIEW)
    scope = scope_paths(actor.key, WORKERS_VIEW)
    criteria = _worker_criteria(actor)
    page = queries.search_workers(criteria, scope_paths=scope,
                                  page=request.args.get("page", 1, type=int))
    return render_template(
        "carebridge/registry/workers.html", page=page, criteria=criteria,
        counts=queries.children_counts([worker.id for worker in page.items]),
        units=queries.units_for_assignment(scope), category_labels=CATEGORY_LABELS,
        undetermined=queries.UNDETERMINED, fact_labels=FACT_LABELS,
        flag_labels=FLAG_LABELS, categories=CATEGORY_CODES, flags=FOCUS_FLAG_CODES,
        may_manage=has_permission(actor.key, WORKERS_MANAGE),
        may_export_children=has_permission(actor.key, CHILDREN_VIEW))


@bp.route("/workers/export.<any(xlsx, csv):fmt>")
def export_workers(fmt: str):
    """The workers list as on screen (same filters and scope), every page of it."""
    actor = require(WORKERS_VIEW)
    criteria, scope = _worker_criteria(actor), scope_paths(actor.key, WORKERS_VIEW)
    rows = worker_rows(criteria, scope_paths=scope, full_phone_paths=full_phone_paths(actor.key))
    return audited_export(WORKERS_TABLE, rows, fmt, actor=actor, filters=list_filters(),
                          org_unit_id=criteria.unit.id if criteria.unit else None,
                          scope_paths=scope)


@bp.route("/workers/children.<any(xlsx, csv):fmt>")
def export_children(fmt: str):
    """The children of the workers the list shows (same filters), one row per child; each
    child in the file is an audited read of its record."""
    actor = require(CHILDREN_VIEW)
    criteria = _worker_criteria(actor)
    rows = child_rows(criteria, scope_paths=scope_paths(actor.key, WORKERS_VIEW),
                      child_scope_paths=scope_paths(actor.key, CHILDREN_VIEW), actor=actor,
                      today=local_today())
    return audited_export(CHILDREN_TABLE, rows, fmt, actor=actor, filters=list_filters(),
                          org_unit_id=criteria.unit.id if criteria.unit else None)


def _save_worker(form, unit_form, actor, *, worker=None):
    unit = get_unit(unit_form.unit.data)
    if unit is None:
        abort(400)
    require(WORKERS_MANAGE, unit)
    raw = form_values(form, WORKER_FIELDS, keep_blank_id=worker is not None)
    if worker is not None:
        raw["employee_number"] = worker.employee_number
    scope = Scope.of_actor(actor, WORKERS_MANAGE)
    try:
        values = parse_record(raw, WORKER_FIELDS, today=local_today())
        if worker is None:
            return services.create_worker(values, unit=unit, actor=actor, scope=scope)
        return services.upsert_worker(values, unit=unit, actor=actor, scope=scope).record
    except RecordInvalid as invalid:
        attach_errors(form, invalid.errors)
    except CareBridgeError as error:
        attach_error(form, error)
    return None


@bp.route("/workers/new", methods=["GET", "POST"])
def new_worker():
    actor = require(WORKERS_MANAGE)
    form = record_form(WORKER_FIELDS, exclude=WORKER_FORM_EXCLUDE)
    unit_form = UnitChoiceForm(prefix="placement")
    unit_form.unit.choices = _unit_choices(actor, WORKERS_MANAGE)
    if request.method == "POST" and form.validate_on_submit() and unit_form.validate():
        worker = _save_worker(form, unit_form, actor)
        if worker is not None:
            flash(_("已保存"), "success")
            return redirect(url_for(".worker", worker_id=worker.id))
    return render_form("carebridge/registry/worker_form.html", form=form, unit_form=unit_form,
                       worker=None)


@bp.route("/workers/<int:worker_id>")
def worker(worker_id: int):
    worker, actor = _worker_or_404(worker_id, WORKERS_VIEW)
    return render_template(
        "carebridge/registry/worker.html", worker=worker, children=queries.children_of(worker),
        category_labels=CATEGORY_LABELS, parent_status_labels=PARENT_STATUS_LABELS,
        masked_id=shown_id_number(actor.key, worker.id_number, worker.org_unit),
        may_manage=has_permission(actor.key, WORKERS_MANAGE, worker.org_unit),
        may_add_child=has_permission(actor.key, CHILDREN_MANAGE, worker.org_unit))


@bp.route("/workers/<int:worker_id>/edit", methods=["GET", "POST"])
def edit_worker(worker_id: int):
    worker, actor = _worker_or_404(worker_id, WORKERS_MANAGE)
    form = record_form(WORKER_FIELDS, exclude=WORKER_FORM_EXCLUDE + ("employee_number",),
                       data=(None if request.method == "POST"
                             else stored_values(worker, WORKER_FIELDS)))
    unit_form = UnitChoiceForm(prefix="placement", data={"unit": worker.org_unit_id})
    unit_form.unit.choices = _unit_choices(actor, WORKERS_MANAGE)
    # The save is the action, not one more check: kept out of the condition.
    if request.method == "POST" and form.validate_on_submit() and unit_form.validate():  # noqa: SIM102
        if _save_worker(form, unit_form, actor, worker=worker) is not None:
            flash(_("已保存"), "success")
            return redirect(url_for(".worker", worker_id=worker.id))
    return render_form("carebridge/registry/worker_form.html", form=form, unit_form=unit_form,
                       worker=worker)


def _unit_choices(actor, permission):
    return choices((unit.id, "　" * unit.depth + unit.name)
                   for unit in queries.units_for_assignment(scope_paths(actor.key, permission)))


@bp.route("/workers/<int:worker_id>/children/new", methods=["GET", "POST"])
def new_child(worker_id: int):
    worker, actor = _worker_or_404(worker_id, CHILDREN_MANAGE)
    form = record_form(CHILD_FIELDS, exclude=("parent_employee_number",
                                              *CHILD_CONSENT_FIELD_CODES))
    if request.method == "POST" and form.validate_on_submit():
        raw = form_values(form, CHILD_FIELDS, keep_blank_id=False)
        raw["parent_employee_number"] = worker.employee_number
        child = _save_child(form, raw, actor)
        if child is not None:
            return redirect(url_for(".child", child_id=child.id))
    return render_form("carebridge/registry/child_form.html", form=form, worker=worker, child=None)


def _save_child(form, raw, actor, *, child=None):
    today = local_today()
    try:
        outcome = services.upsert_child(parse_record(raw, CHILD_FIELDS, today=today), actor=actor,
                                        today=today, child=child,
                                        scope=Scope.of_actor(actor, CHILDREN_MANAGE))
    except RecordInvalid as invalid:
        attach_errors(form, invalid.errors)
        return None
    except CareBridgeError as error:
        attach_error(form, error)
        return None
    if outcome.withheld:
        flash(_("这名儿童未满 14 周岁且尚无监护人同意，以下信息未保存：%(fields)s",
                fields="、".join(str(_field_label(code)) for code in outcome.withheld)), "warning")
    else:
        flash(_("已保存"), "success")
    return outcome.record


def _field_label(code):
    from .schema import field_label

    return field_label(CHILD_FIELDS, code)


@bp.route("/children/<int:child_id>")
def child(child_id: int):
    child, actor = _child_or_404(child_id, CHILDREN_VIEW)
    # The full number once, right after its (audited) reveal redirected here; a reload masks it.
    revealed = (child.id_number if take_reveal("child", child.id)
                and may_see_id_numbers(actor.key, child.org_unit) else None)
    return _render_child(child, actor, revealed_id=revealed)


def _render_child(child, actor, *, revealed_id=None):
    """The child's record; every rendering of it is audited. A refused form about the child is
    shown again without the record (:func:`_refused_child_form`), so it reads nothing to audit."""
    services.record_child_view(child, actor)
    today = local_today()
    may_manage = has_permission(actor.key, CHILDREN_MANAGE, child.org_unit)
    return render_template(
        "carebridge/registry/child.html", child=child, history=queries.child_history(child),
        masked_id=shown_id_number(actor.key, child.id_number, child.org_unit),
        revealed_id=revealed_id, may_see_id=may_see_id_numbers(actor.key, child.org_unit),
        may_manage=may_manage, reveal_form=RevealForm(prefix="reveal"),
        consent_form=ConsentForm(prefix="consent", data={"given_on": today}),
        withdraw_form=WithdrawConsentForm(prefix="withdraw"), consent=active_consent(child),
        consent_needed=needs_consent(child.birth_date, today),
        notice_version=CURRENT_NOTICE_VERSION, held=_held_summary(child, today),
        category_labels=CATEGORY_LABELS, flag_labels=FLAG_LABELS, fact_labels=FACT_LABELS,
        categories=CATEGORY_CODES, action_label=action_label,
        missing_labels=[FACT_LABELS.get(code, code) for code in child.categories_missing.split()],
        presumed=[(code, getattr(child, code), [PRESUMED_LABELS.get(fact, fact) for fact in facts])
                  for code, facts in services.parse_presumed(child.categories_presumed).items()
                  if code in CATEGORY_LABELS],
        field_labels=HISTORY_FIELD_LABELS,
        visible_parents={
            link.worker_id for link in child.parent_links
            if has_permission(actor.key, WORKERS_VIEW, link.worker.org_unit)})


def _held_summary(child, today):
    """(labels of the fields held for lack of consent, their last day), or None."""
    held = held_details.held_for(child)
    if held is None or held.expires_on < today:
        return None
    return [str(_field_label(code)) for code in held.codes], held.expires_on


@bp.route("/children/<int:child_id>/edit", methods=["GET", "POST"])
def edit_child(child_id: int):
    child, actor = _child_or_404(child_id, CHILDREN_MANAGE)
    # The parent the form saves through: one the actor may manage children of (a child may
    # also have a parent at another site, who is neither named here nor used).
    scope = Scope.of_actor(actor, CHILDREN_MANAGE)
    link = next((link for link in child.parent_links if scope.covers(link.worker.org_unit)), None)
    if link is None:
        flash(_("这名儿童的家长不在您可以管理的范围内，"
                "请联系上级单位的人力资源部门修改"), "warning")
        return redirect(url_for(".child", child_id=child.id))
    if request.method == "GET":
        # The form shows the decrypted address, health note and carer's phone: a read.
        services.record_child_view(child, actor, page="edit")
    form = record_form(CHILD_FIELDS, exclude=CHILD_FORM_EXCLUDE,
                       data=(None if request.method == "POST"
                             else stored_values(child, CHILD_FIELDS)))
    if request.method == "POST" and form.validate_on_submit():
        raw = form_values(form, CHILD_FIELDS, keep_blank_id=True)
        raw.update(parent_employee_number=link.worker.employee_number, parent_role=link.role.value)
        saved = _save_child(form, raw, actor, child=child)
        if saved is not None:
            return redirect(url_for(".child", child_id=saved.id))
    return render_form("carebridge/registry/child_form.html", form=form, worker=link.worker,
                       child=child)


def _refused_child_form(template: str, child, actor, **context):
    """A refused form about ``child`` shown again on a page of its own: the child's name, the
    masked ID number and the form, not the record. The refused request stores nothing, its
    audit rows included, so it must not show what would need a ``child.viewed`` row; the record
    is one link away, audited when it is opened."""
    return render_refused(template, child=child,
                          masked_id=shown_id_number(actor.key, child.id_number, child.org_unit),
                          **context)


@bp.route("/children/<int:child_id>/reveal-id", methods=["POST"])
def reveal_child_id(child_id: int):
    child, actor = _child_or_404(child_id, CHILDREN_ID_VIEW)
    form = RevealForm(prefix="reveal")
    if form.validate_on_submit():
        try:
            services.reveal_id_number(child, reason=form.reason.data, actor=actor)
        except CareBridgeError as error:
            attach_error(form, error)
        else:
            # Redirect, so a reload does not reveal (and audit) again; the page shows it once.
            remember_reveal("child", child.id)
            return redirect(url_for(".child", child_id=child.id))
    return _refused_child_form("carebridge/registry/child_reveal.html", child, actor,
                               reveal_form=form)


@bp.route("/children/<int:child_id>/consent", methods=["POST"])
def give_consent(child_id: int):
    child, actor = _child_or_404(child_id, CHILDREN_MANAGE)
    form = ConsentForm(prefix="consent")
    if form.validate_on_submit():
        try:
            outcome = guardian_consent.give_consent(
                child, guardian_name=form.guardian_name.data, method=form.method.data,
                given_on=form.given_on.data, actor=actor, today=local_today())
        except CareBridgeError as error:
            attach_error(form, error)
        else:
            flash(_("已登记监护人同意"), "success")
            _flash_held_outcome(outcome)
            return redirect(url_for(".child", child_id=child.id))
    return _refused_child_form("carebridge/registry/child_consent.html", child, actor,
                               consent_form=form, notice_version=CURRENT_NOTICE_VERSION)


def _flash_held_outcome(outcome) -> None:
    if outcome.applied:
        flash(_("暂存的信息已补入档案：%(fields)s",
                fields="、".join(str(_field_label(code)) for code in outcome.applied)), "success")
    if outcome.refused:
        flash(_("暂存的身份证号码已被另一条记录登记，未补入，请核实后在编辑页填写"), "warning")


@bp.route("/children/<int:child_id>/consent/withdraw", methods=["POST"])
def withdraw(child_id: int):
    child, actor = _child_or_404(child_id, CHILDREN_MANAGE)
    form = WithdrawConsentForm(prefix="withdraw")
    if form.validate_on_submit():
        try:
            guardian_consent.withdraw(child, reason=form.reason.data, actor=actor)
        except CareBridgeError as error:
            flash_refusal(error.localized())
        else:
            flash(_("已撤回同意，超出最低限度的信息已删除"), "success")
    return redirect(url_for(".child", child_id=child.id))
