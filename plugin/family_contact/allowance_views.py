"""The allowance pages (``/contact/allowances/``): policies and their versions, the month's grants,
carrier batches (export, download, results), the failures to follow up, and one worker's
allowances with why they are or are not granted.

Views are thin: parse the input, call one service, render. Seeing policies, grants and a worker's
page needs :data:`~.permissions.CONTACT_VIEW`; setting policies, batches and failures need
:data:`~.permissions.CONTACT_ALLOWANCES`. A worker outside the actor's subtrees, and a batch
exported for a unit outside them (:func:`.batches.batch_unit`), answer 404 like one that does
not exist.
"""
from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _

from ..access.checks import has_permission, require, scope_paths
from ..access.scope import Scope, load_in_scope
from ..core.clock import local_today
from ..core.errors import CareBridgeError, ErrorList
from ..core.forms import attach_error, choices, render_refused
from ..core.http import attachment_disposition
from ..org.models import OrgKind
from ..org.queries import get_unit, sorted_tree, units_in_subtrees
from ..privacy.assessments import usable_assessments
from ..privacy.assessments_forms import set_assessment_choices
from ..privacy.masking import mask_phone
from ..registry.queries import get_worker
from . import allowance_queries as queries
from . import batches, policies, rules
from .allowance_forms import ExportForm, GrantFilterForm, PolicyForm, ResultsForm
from .carriers import carrier_choices, carrier_format, carrier_label
from .models import Eligibility, GrantStatus
from .permissions import CONTACT_ALLOWANCES, CONTACT_VIEW

bp = Blueprint("family_contact_allowances", __name__, url_prefix="/contact/allowances",
               template_folder="templates")

PAGES = "carebridge/family_contact/allowances/"
#: What a page shows of each grant's status.
TEMPLATE_HELPERS = {"carrier_label": carrier_label, "mask_phone": mask_phone,
                    "statuses": list(GrantStatus), "month_key": queries.month_key}


@bp.context_processor
def _allowance_context():
    def may_allowances() -> bool:
        actor = current_app.extensions["carebridge"].adapter.current_actor()
        return actor is not None and has_permission(actor.key, CONTACT_ALLOWANCES)

    return {"may_allowances": may_allowances}


def _units(actor, permission) -> list:
    """Units (not teams) where ``actor`` holds ``permission``, as a tree."""
    return [unit for unit in sorted_tree(units_in_subtrees(scope_paths(actor.key, permission)))
            if unit.kind != OrgKind.TEAM]


def _unit_pairs(units) -> list[tuple[str, str]]:
    return [(str(unit.id), "　" * (unit.depth or 0) + unit.name) for unit in units]


def _unit_choice(units, value):
    """The chosen unit among ``units`` (anything else: None)."""
    return {str(unit.id): unit for unit in units}.get(value or "")


def _attach_all(form, error: CareBridgeError) -> None:
    """Each of the service's errors on its field, unless the form's own parsing marked it."""
    parsed = {field.name for field in form if field.errors}
    for each in getattr(error, "errors", None) or [error]:
        if each.field not in parsed:
            attach_error(form, each)


# -- policies ------------------------------------------------------------------------------------

def _policy_form_defaults(units) -> dict | None:
    """``?unit=<id>``: the form filled in with that unit's newest version, to change one thing."""
    unit = _unit_choice(units, request.args.get("unit"))
    if unit is None:
        return None
    latest = policies.latest_version(unit)
    month = rules.first_of_month(local_today())
    if latest is None:
        return {"unit": str(unit.id), "starts_on": month}
    return {"unit": str(unit.id), "eligibility": latest.eligibility.value,
            "minutes_per_month": latest.minutes_per_month,
            "data_mb_per_month": latest.data_mb_per_month, "carrier": latest.carrier,
            "minute_cost_fen": latest.minute_cost_fen, "mb_cost_fen": latest.mb_cost_fen,
            "starts_on": max(month, latest.starts_on),
            "prorate_joiners": latest.prorate_joiners}


def _policies_page(actor, form: PolicyForm | None, *, refused: bool = False):
    month = rules.first_of_month(local_today())
    paths = scope_paths(actor.key, CONTACT_VIEW)
    versions = policies.versions_in_subtrees(paths)
    from_above = []
    for path in paths:
        unit = get_unit(int(path.strip("/").split("/")[-1]))
        applying = policies.policy_for_unit(unit, month) if unit is not None else None
        if applying is not None and applying.org_unit not in versions:
            from_above.append((unit, applying))
    context = dict(form=form, versions=versions, from_above=from_above, month=month,
                   in_force={unit.id: rules.policy_in_force(each, month)
                             for unit, each in versions.items()},
                   may_set={unit.id for unit in versions
                            if has_permission(actor.key, CONTACT_ALLOWANCES, unit)},
                   **TEMPLATE_HELPERS)
    if refused:
        return render_refused(PAGES + "policies.html", **context)
    return render_template(PAGES + "policies.html", **context)


@bp.route("/")
def index():
    actor = require(CONTACT_VIEW)
    form = None
    if has_permission(actor.key, CONTACT_ALLOWANCES):
        units = _units(actor, CONTACT_ALLOWANCES)
        form = PolicyForm(data=_policy_form_defaults(units))
        form.set_choices(units)
    return _policies_page(actor, form)


def _policy_input(form: PolicyForm) -> policies.PolicyInput:
    eligibility = form.eligibility.data
    return policies.PolicyInput(
        eligibility=Eligibility(eligibility) if eligibility in {
            member.value for member in Eligibility} else None,
        minutes_per_month=form.minutes_per_month.data,
        data_mb_per_month=form.data_mb_per_month.data, carrier=form.carrier.data or None,
        minute_cost_fen=form.minute_cost_fen.data, mb_cost_fen=form.mb_cost_fen.data,
        starts_on=form.starts_on.data, prorate_joiners=bool(form.prorate_joiners.data),
        suspended=bool(form.suspended.data))


@bp.route("/policies", methods=["POST"])
def add_policy():
    actor = require(CONTACT_ALLOWANCES)
    units = _units(actor, CONTACT_ALLOWANCES)
    form = PolicyForm()
    form.set_choices(units)
    form.validate()
    if not form.csrf_token.errors:
        unit = _unit_choice(units, form.unit.data)
        data = _policy_input(form)
        try:
            if any(field.errors for field in form):
                # The service names what else is wrong, so the form shows every error at once.
                policies.PolicyRefused.raise_if_any(policies.check_policy(unit, data))
            else:
                policy = policies.add_policy_version(unit, data, actor)
                flash(_("已为%(unit)s添加第 %(version)s 版亲情通话补贴政策",
                        unit=policy.org_unit.name, version=policy.version), "success")
                return redirect(url_for(".index") + f"#unit-{policy.org_unit_id}")
        except CareBridgeError as error:
            _attach_all(form, error)
    return _policies_page(actor, form, refused=True)


# -- grants --------------------------------------------------------------------------------------

@bp.route("/grants")
def grants():
    actor = require(CONTACT_VIEW)
    scope = Scope.of_actor(actor, CONTACT_VIEW)
    units = _units(actor, CONTACT_VIEW)
    form = GrantFilterForm(request.args)
    form.unit.choices = choices([("", _("全部"))] + _unit_pairs(units))
    form.validate()
    month = rules.first_of_month(local_today())
    if "month" in request.args and not form.month.errors:
        month = form.month.data  # empty: every month
    form.month.data = month
    status = form.status.data if form.status.data in {s.value for s in GrantStatus} else None
    criteria = queries.GrantFilter(month=month, status=GrantStatus(status) if status else None,
                                   unit=_unit_choice(units, form.unit.data))
    return render_template(
        PAGES + "grants.html", form=form, page=queries.grants_page(
            scope, criteria, request.args.get("page", 1, type=int)),
        totals=queries.grant_totals(scope, criteria),
        phones=Scope.of_actor(actor, CONTACT_ALLOWANCES), **TEMPLATE_HELPERS)


# -- batches -------------------------------------------------------------------------------------

def _export_form(actor, form: ExportForm | None = None) -> tuple[ExportForm, list]:
    units = _units(actor, CONTACT_ALLOWANCES)
    form = form or ExportForm(data={"month": rules.first_of_month(local_today()),
                                    "unit": str(units[0].id) if units else ""})
    form.carrier.choices = choices([("", "—")] + carrier_choices())
    form.unit.choices = choices([("", "—")] + _unit_pairs(units))
    set_assessment_choices(form, usable_assessments(
        batches.CARRIER_EXPORT, [unit.path for unit in units], local_today()))
    return form, units


def _batches_page(actor, form: ExportForm | None = None, *, refused: bool = False):
    form, _units_shown = _export_form(actor, form)
    context = dict(form=form, rows=queries.batches_in(Scope.of_actor(actor, CONTACT_ALLOWANCES)),
                   **TEMPLATE_HELPERS)
    if refused:
        return render_refused(PAGES + "batches.html", **context)
    return render_template(PAGES + "batches.html", **context)


@bp.route("/batches")
def batches_index():
    actor = require(CONTACT_ALLOWANCES)
    return _batches_page(actor)


@bp.route("/batches/export", methods=["POST"])
def export():
    actor = require(CONTACT_ALLOWANCES)
    form, units = _export_form(actor, ExportForm())
    if form.validate_on_submit():
        try:
            outcome = batches.export_batch(form.month.data, form.carrier.data or None,
                                           _unit_choice(units, form.unit.data), actor,
                                           assessment_id=form.assessment_id,
                                           purpose=form.purpose.data)
        except CareBridgeError as error:
            _attach_all(form, error)
        else:
            flash(_("已生成第 %(batch)s 批：%(lines)s 条，请下载文件报送%(carrier)s",
                    batch=outcome.batch.id, lines=outcome.batch.lines,
                    carrier=carrier_label(outcome.batch.carrier)), "success")
            if outcome.needing_phone:
                flash(_("%(count)s 条发放记录没有手机号码，没有放进这一批：请在花名册中补上后"
                        "再导出", count=outcome.needing_phone), "warning")
            return redirect(url_for(".batch", batch_id=outcome.batch.id))
    return _batches_page(actor, form, refused=True)


def _batch_or_404(batch_id: int):
    return load_in_scope(batches.get_batch, batch_id, CONTACT_ALLOWANCES,
                         unit=batches.batch_unit)


def _batch_page(batch, *, form: ResultsForm | None = None, errors: ErrorList | None = None):
    context = dict(batch=batch, unit=batches.batch_unit(batch), form=form or ResultsForm(),
                   counts=queries.batch_counts(batch),
                   page=queries.batch_grants(batch, request.args.get("page", 1, type=int)),
                   import_errors=batches.describe(errors, carrier_format(batch.carrier))
                   if errors else None,
                   max_megabytes=batches.MAX_RESULT_BYTES // (1024 * 1024), **TEMPLATE_HELPERS)
    if form is not None:
        return render_refused(PAGES + "batch.html", **context)
    return render_template(PAGES + "batch.html", **context)


@bp.route("/batches/<int:batch_id>")
def batch(batch_id: int):
    found, _actor = _batch_or_404(batch_id)
    return _batch_page(found)


@bp.route("/batches/<int:batch_id>/file")
def batch_file(batch_id: int):
    found, actor = _batch_or_404(batch_id)
    made = batches.batch_file(found, actor)
    response = Response(made.content, mimetype=made.content_type)
    response.headers["Content-Disposition"] = attachment_disposition(made.ascii_filename,
                                                                     made.filename)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.route("/batches/<int:batch_id>/results", methods=["POST"])
def import_results(batch_id: int):
    found, actor = _batch_or_404(batch_id)
    form = ResultsForm()
    if not form.validate_on_submit():
        return _batch_page(found, form=form)
    upload = form.file.data
    try:
        outcome = batches.import_results(
            found, upload.stream.read(batches.MAX_RESULT_BYTES + 1), actor,
            filename=upload.filename)
    except batches.ResultsRefused as refusal:
        return _batch_page(found, form=form, errors=refusal.errors)
    flash(_("已导入 %(rows)s 行：到账 %(credited)s 条（其中重试成功 %(retried)s 条），失败 "
            "%(failed)s 条，%(unchanged)s 条与已登记的结果相同未改动", rows=outcome.rows,
            credited=outcome.credited, retried=outcome.retried, failed=outcome.failed,
            unchanged=outcome.unchanged), "success" if not outcome.failed else "warning")
    return redirect(url_for(".batch", batch_id=found.id))


@bp.route("/failures")
def failures():
    actor = require(CONTACT_ALLOWANCES)
    scope = Scope.of_actor(actor, CONTACT_ALLOWANCES)
    return render_template(PAGES + "failures.html",
                           page=queries.failures(scope, page=request.args.get("page", 1,
                                                                               type=int)),
                           needing_phone=queries.needing_phone(scope), **TEMPLATE_HELPERS)


# -- one worker ----------------------------------------------------------------------------------

@bp.route("/workers/<int:worker_id>")
def worker(worker_id: int):
    found, actor = load_in_scope(get_worker, worker_id, CONTACT_VIEW)
    granted = queries.grants_of_worker(found)
    return render_template(PAGES + "worker.html", worker=found, grants=granted,
                       reasons=queries.explain(found, local_today(), granted),
                       phones=has_permission(actor.key, CONTACT_ALLOWANCES, found.org_unit),
                       **TEMPLATE_HELPERS)
