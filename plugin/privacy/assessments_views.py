"""Impact-assessment pages (``/privacy/assessments/``): the assessments of the actor's subtrees
with whether each holds today and when it was last used, a new one, one assessment with the
exports that relied on it, changing one no export has used, and ending one early. There is no
delete: assessments are kept at least three years after their last use (PIPL Art. 56). An
assessment of a unit outside the actor's subtrees answers 404."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..access.checks import require, scope_paths
from ..access.scope import load_in_scope
from ..core.clock import local_today
from ..core.errors import CareBridgeError
from ..core.forms import (
    attach_error,
    attach_service_error,
    choices,
    render_form,
    render_refused,
    submitted,
)
from ..org.models import OrgKind
from ..org.queries import sorted_tree, units_in_subtrees
from . import assessments
from .assessments_forms import AssessmentForm, WithdrawForm
from .assessments_permissions import PRIVACY_ASSESSMENTS

bp = Blueprint("privacy_assessments", __name__, url_prefix="/privacy/assessments",
               template_folder="templates")

PAGES = "carebridge/privacy/"


def _assessment_for(assessment_id: int):
    return load_in_scope(assessments.get_assessment, assessment_id, PRIVACY_ASSESSMENTS)


def _units(actor) -> list:
    return [unit for unit in sorted_tree(units_in_subtrees(
        scope_paths(actor.key, PRIVACY_ASSESSMENTS))) if unit.kind != OrgKind.TEAM]


def _form(actor, form: AssessmentForm) -> tuple[AssessmentForm, dict]:
    units = {str(unit.id): unit for unit in _units(actor)}
    form.unit.choices = choices([("", "—")] + [
        (key, "　" * (unit.depth or 0) + unit.name) for key, unit in units.items()])
    return form, units


def _input(form: AssessmentForm, units: dict) -> assessments.AssessmentInput:
    return assessments.AssessmentInput(
        unit=units.get(form.unit.data or ""), recipient_kind=form.recipient_kind.data or None,
        recipient_name=form.recipient_name.data, purpose=form.purpose.data,
        data_categories=form.data_categories.data, legal_basis=form.legal_basis.data,
        necessity=form.necessity.data, risks_and_measures=form.risks_and_measures.data,
        assessed_by=form.assessed_by.data, assessed_on=form.assessed_on.data,
        valid_until=form.valid_until.data)


@bp.route("/")
def index():
    actor = require(PRIVACY_ASSESSMENTS)
    page = assessments.assessments_page(scope_paths=scope_paths(actor.key, PRIVACY_ASSESSMENTS),
                                        page=request.args.get("page", 1, type=int))
    today = local_today()
    return render_template(PAGES + "assessments_index.html", page=page, today=today,
                           ends_on=assessments.ends_on,
                           usable=lambda each: assessments.is_usable_on(each, today))


@bp.route("/new", methods=["GET", "POST"])
def new():
    actor = require(PRIVACY_ASSESSMENTS)
    today = local_today()
    defaults = None
    if request.method != "POST":
        first = _units(actor)[:1]
        defaults = {"assessed_on": today, "assessed_by": actor.name,
                    "unit": str(first[0].id) if first else ""}
    form, units = _form(actor, AssessmentForm(data=defaults))
    if submitted(form):
        try:
            created = assessments.create_assessment(_input(form, units), actor=actor,
                                                    today=today)
        except CareBridgeError as error:
            attach_service_error(form, error)
        else:
            flash(_("已保存影响评估"), "success")
            return redirect(url_for(".assessment", assessment_id=created.id))
    return render_form(PAGES + "assessments_form.html", form=form, assessment=None)


def _detail(found, *, withdraw_form=None, refused=False):
    today = local_today()
    context = dict(assessment=found, today=today, ends_on=assessments.ends_on(found),
                   usable=assessments.is_usable_on(found, today),
                   purge_on=assessments.earliest_purge_on(found),
                   kind_label=assessments.export_kind_label,
                   exports=assessments.exports_page(found, request.args.get("page", 1, type=int)),
                   withdraw_form=withdraw_form or WithdrawForm(prefix="withdraw"))
    if refused:
        return render_refused(PAGES + "assessments_detail.html", **context)
    return render_template(PAGES + "assessments_detail.html", **context)


@bp.route("/<int:assessment_id>")
def assessment(assessment_id: int):
    found, _actor = _assessment_for(assessment_id)
    return _detail(found)


@bp.route("/<int:assessment_id>/edit", methods=["GET", "POST"])
def edit(assessment_id: int):
    found, actor = _assessment_for(assessment_id)
    defaults = None
    if request.method != "POST":
        defaults = {name: getattr(found, name) for name in (
            "recipient_name", "purpose", "data_categories", "legal_basis", "necessity",
            "risks_and_measures", "assessed_by", "assessed_on", "valid_until")}
        defaults.update(unit=str(found.org_unit_id), recipient_kind=found.recipient_kind.value)
    form, units = _form(actor, AssessmentForm(data=defaults))
    if submitted(form):
        try:
            assessments.update_assessment(found, _input(form, units), actor=actor,
                                          today=local_today())
        except CareBridgeError as error:
            attach_service_error(form, error)
        else:
            flash(_("已保存影响评估"), "success")
            return redirect(url_for(".assessment", assessment_id=found.id))
    return render_form(PAGES + "assessments_form.html", form=form, assessment=found)


@bp.route("/<int:assessment_id>/withdraw", methods=["POST"])
def withdraw(assessment_id: int):
    found, actor = _assessment_for(assessment_id)
    form = WithdrawForm(prefix="withdraw")
    if form.validate_on_submit():
        try:
            assessments.withdraw_assessment(found, reason=form.reason.data, actor=actor,
                                            today=local_today())
        except CareBridgeError as error:
            attach_error(form, error)
        else:
            flash(_("已终止这份评估，今后的导出不能再依据它"), "success")
            return redirect(url_for(".assessment", assessment_id=found.id))
    return _detail(found, withdraw_form=form, refused=True)
