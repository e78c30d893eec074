"""Officers' pages of reunion campaigns (``/reunions/``): the campaigns, creating one (with the
travel window suggested from the official holiday calendar), a campaign's places, budget,
lottery and applications in queue order, one application and its history, and applying for a
worker's household.

Views are thin: parse the input, call one service, render. A campaign is seen by officers whose
scope meets its subtree (run within it, or covering it from above); an application by officers
whose scope holds the worker's unit: any other answers 404, exactly like one that does not
exist. What acts on a whole campaign (its places, the lottery, allocating in order) needs
``REUNIONS_MANAGE`` on the campaign's own unit.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..access.checks import has_permission, require, scope_paths
from ..access.roles import Permission
from ..access.scope import Scope, load_in_scope, require_in_scope, valid_id
from ..core.clock import local_today
from ..core.errors import CareBridgeError
from ..core.forms import (
    ActionForm,
    attach_error,
    attach_service_error,
    choices,
    has_errors,
    render_form,
    render_refused,
)
from ..org.models import OrgKind, OrgUnit
from ..org.queries import get_unit, sorted_tree, units_in_subtrees
from ..registry.queries import children_of, get_worker
from ..registry.regions import region_name
from ..registry.services import find_worker
from . import lottery, queries, services
from .forms import (
    BAND_LABELS,
    HISTORY_ACTION_LABELS,
    PRIORITY_REASON_LABELS,
    ApplyForm,
    CampaignForm,
    PriorityForm,
    QuotaForm,
    ReasonForm,
)
from .history import history_context
from .holidays import next_year_for, suggest_travel_window
from .models import (
    ApplicationStatus,
    CampaignKind,
    Eligibility,
    SubsidyKind,
    TravellerKind,
    TravelMode,
)
from .permissions import REUNIONS_BOOK, REUNIONS_MANAGE, REUNIONS_VIEW, REUNIONS_VISITS

bp = Blueprint("reunions", __name__, url_prefix="/reunions", template_folder="templates")

INDEX_PAGE = "carebridge/reunions/index.html"
CAMPAIGN_FORM_PAGE = "carebridge/reunions/campaign_form.html"
CAMPAIGN_PAGE = "carebridge/reunions/campaign.html"
APPLICATION_PAGE = "carebridge/reunions/application.html"
APPLY_PAGE = "carebridge/reunions/apply_form.html"
WORKER_PAGE = "carebridge/reunions/worker.html"

LABELS = {"band_labels": BAND_LABELS, "reason_labels": PRIORITY_REASON_LABELS,
          "statuses": list(ApplicationStatus),
          "action_labels": HISTORY_ACTION_LABELS,
          "status_labels": {status.value: status.label for status in ApplicationStatus}}
#: Statuses from which each button moves an application (the buttons shown).
ACTIONS_FROM = {
    "approve": (ApplicationStatus.APPLIED, ApplicationStatus.WAITLISTED),
    "waitlist": (ApplicationStatus.APPLIED,),
    "reject": (ApplicationStatus.APPLIED, ApplicationStatus.WAITLISTED),
    "priority": (ApplicationStatus.APPLIED, ApplicationStatus.WAITLISTED),
    "cancel": (ApplicationStatus.APPLIED, ApplicationStatus.WAITLISTED, ApplicationStatus.OFFERED,
               ApplicationStatus.APPROVED, ApplicationStatus.BOOKED),
}


# -- who sees what ----------------------------------------------------------------------------

def _campaign_for(campaign_id: int, permission: Permission):
    """The campaign and the actor holding ``permission`` somewhere; 404 for a campaign that
    does not exist or whose subtree does not meet where the actor sees reunions."""
    actor = require(permission)
    campaign = queries.get_campaign(campaign_id) if valid_id(campaign_id) else None
    seen = Scope.of_actor(actor, REUNIONS_VIEW)
    if campaign is None or not queries.campaign_reaches(campaign, seen):
        abort(404)
    if not queries.campaign_reaches(campaign, Scope.of_actor(actor, permission)):
        abort(403)
    return campaign, actor


def _run_campaign(campaign_id: int):
    """The campaign and an actor who may act on all of it (REUNIONS_MANAGE on its unit)."""
    campaign, actor = _campaign_for(campaign_id, REUNIONS_VIEW)
    if not has_permission(actor.key, REUNIONS_MANAGE, campaign.org_unit):
        abort(403)
    return campaign, actor


def _application_for(application_id: int, permission: Permission):
    """The application and the actor; 404 for one of a worker outside where the actor sees
    reunions."""
    return load_in_scope(queries.get_application, application_id, permission,
                         seen_with=REUNIONS_VIEW)


# -- campaigns ----------------------------------------------------------------------------------

@bp.route("/")
def index():
    actor = require(REUNIONS_VIEW)
    scope = Scope.of_actor(actor, REUNIONS_VIEW)
    campaigns = queries.campaigns_in(scope)
    ids = [campaign.id for campaign in campaigns]
    return render_template(INDEX_PAGE, campaigns=campaigns, places=queries.places_of(ids),
                           waiting=queries.applied_counts(ids, scope),
                           may_create=has_permission(actor.key, REUNIONS_MANAGE), **LABELS)


def _quota_units(unit: OrgUnit) -> list[OrgUnit]:
    """The units offered places in a campaign of ``unit``'s subtree: the unit itself and its
    sites (a site's campaign: its teams)."""
    below = OrgKind.TEAM if unit.kind in (OrgKind.SITE, OrgKind.TEAM) else OrgKind.SITE
    return [each for each in sorted_tree(units_in_subtrees([unit.path]))
            if each.id == unit.id or each.kind == below]


def _quota_input(units: list[OrgUnit]) -> tuple[dict[OrgUnit, int], dict[int, str], list[str]]:
    """Places typed per unit (``quota-<id>``; empty: no places for the unit), the raw text
    kept for the page, and the inputs that are not whole numbers."""
    quotas: dict[OrgUnit, int] = {}
    raw: dict[int, str] = {}
    errors: list[str] = []
    for unit in units:
        text = (request.form.get(f"quota-{unit.id}") or "").strip()
        raw[unit.id] = text
        if not text:
            continue
        if not text.isdigit() or len(text) > 6:
            errors.append(_("%(unit)s 的名额请填写整数", unit=unit.name))
            continue
        quotas[unit] = int(text)
    return quotas, raw, errors


def _suggestion(kind: CampaignKind | None, year: int | None):
    if kind is None or year is None or not 2000 <= year <= 2100:
        return None
    return suggest_travel_window(kind, year)


@bp.route("/new", methods=["GET", "POST"])
def new_campaign():
    actor = require(REUNIONS_MANAGE)
    today = local_today()
    unit_id = request.args.get("unit", type=int)
    unit = get_unit(unit_id) if unit_id and valid_id(unit_id) else None
    if unit_id and unit is None:
        abort(404)
    if unit is not None:
        require_in_scope(REUNIONS_MANAGE, unit, seen_with=REUNIONS_VIEW)
    kind_code = request.args.get("kind")
    kind = CampaignKind(kind_code) if kind_code in {k.value for k in CampaignKind} else None
    year = request.args.get("year", type=int) or (next_year_for(kind, today) if kind else None)
    suggestion = _suggestion(kind, year)
    submitted = request.method == "POST"
    defaults = None
    if not submitted:
        defaults = {"applications_open_on": today}
        if kind is not None:
            defaults.update(kind=kind.value, name=_("%(year)s年%(kind)s", year=year,
                                                      kind=kind.label))
        if suggestion is not None:
            defaults.update(travel_from=suggestion.travel_from,
                            travel_until=suggestion.travel_until)
        if kind is not None and kind.family_travels:
            defaults["eligibility"] = Eligibility.PARENTS.value
    form = CampaignForm(data=defaults)
    quota_units = _quota_units(unit) if unit is not None else []
    quota_raw: dict[int, str] = {}
    quota_errors: list[str] = []
    if submitted:
        form.validate()
        if unit is None:
            form.form_errors.append(_("请先选择活动范围"))
        elif not form.csrf_token.errors:
            quotas, quota_raw, quota_errors = _quota_input(quota_units)
            try:
                campaign = services.create_campaign(_campaign_input(form), unit=unit,
                                                    quotas=quotas, actor=actor)
            except CareBridgeError as error:
                quota_errors += attach_service_error(form, error, elsewhere=("quotas",))
            else:
                if not has_errors(form) and not quota_errors:
                    flash(_("已创建团聚活动"), "success")
                    return redirect(url_for(".campaign", campaign_id=campaign.id))
    units = sorted_tree(units_in_subtrees(scope_paths(actor.key, REUNIONS_MANAGE)))
    return render_form(CAMPAIGN_FORM_PAGE, form=form, unit=unit, units=units, kind=kind,
                       year=year, suggestion=suggestion, kinds=list(CampaignKind),
                       quota_units=quota_units, quota_raw=quota_raw, quota_errors=quota_errors)


def _campaign_input(form: CampaignForm) -> services.CampaignInput:
    return services.CampaignInput(
        name=form.name.data, kind=form.enum_value("kind", CampaignKind),
        applications_open_on=form.applications_open_on.data,
        applications_close_on=form.applications_close_on.data,
        travel_from=form.travel_from.data, travel_until=form.travel_until.data,
        budget_fen=form.budget_fen.data, household_limit=form.household_limit.data,
        eligibility=form.enum_value("eligibility", Eligibility),
        subsidy_kind=form.enum_value("subsidy_kind", SubsidyKind),
        subsidy_percent=form.subsidy_percent.data,
        subsidy_amount_fen=form.subsidy_amount_fen.data,
        travel_modes=[TravelMode(code) for code in form.travel_modes.data or ()
                      if code in {mode.value for mode in TravelMode}],
        offer_hours=form.offer_hours.data)


@bp.route("/<int:campaign_id>")
def campaign(campaign_id: int):
    campaign, actor = _campaign_for(campaign_id, REUNIONS_VIEW)
    return render_template(CAMPAIGN_PAGE, **_campaign_page(campaign, actor))


def _status_filter() -> ApplicationStatus | None:
    status = request.args.get("status")
    return ApplicationStatus(status) if status in {s.value for s in ApplicationStatus} else None


def _campaign_page(campaign, actor, *, quota_form=None, error=None) -> dict:
    scope = Scope.of_actor(actor, REUNIONS_VIEW)
    manage = Scope.of_actor(actor, REUNIONS_MANAGE)
    status = _status_filter()
    quota_form = quota_form or QuotaForm(prefix="quota")
    quota_units = [unit for unit in _quota_units(campaign.org_unit)
                   if unit.id not in {quota.org_unit_id for quota in campaign.quotas}]
    return dict(
        campaign=campaign, status=status, error=error,
        rows=queries.campaign_applications(campaign, scope, status),
        counts=queries.status_counts(campaign, scope),
        may_run=has_permission(actor.key, REUNIONS_MANAGE, campaign.org_unit),
        may_act=manage.covers, action_form=ActionForm(), quota_form=quota_form,
        new_quota_units=quota_units, actions_from=ACTIONS_FROM,
        may_apply=queries.campaign_reaches(campaign, manage)
        and services.is_open_for_applications(campaign, local_today()),
        may_book=queries.campaign_reaches(campaign, Scope.of_actor(actor, REUNIONS_BOOK)),
        may_host=campaign.kind.family_travels
        and queries.campaign_reaches(campaign, Scope.of_actor(actor, REUNIONS_VISITS)),
        **LABELS)


@bp.route("/<int:campaign_id>/quotas", methods=["POST"])
def set_quota(campaign_id: int):
    campaign, actor = _run_campaign(campaign_id)
    form = QuotaForm(prefix="quota")
    if form.validate_on_submit():
        unit_id = int(form.unit_id.data) if (form.unit_id.data or "").isdigit() else 0
        unit = get_unit(unit_id) if valid_id(unit_id) else None
        if unit is None or not unit.path.startswith(campaign.org_unit.path):
            abort(404)
        try:
            services.set_quota(campaign, unit, form.places.data, actor=actor)
        except CareBridgeError as error:
            form.places.errors = [each.localized()
                                  for each in getattr(error, "errors", None) or [error]]
        else:
            flash(_("已调整 %(unit)s 的名额", unit=unit.name), "success")
            return redirect(url_for(".campaign", campaign_id=campaign.id))
    return render_refused(CAMPAIGN_PAGE, **_campaign_page(campaign, actor, quota_form=form))


@bp.route("/<int:campaign_id>/<any(allocate, publish_seed, draw, close):action>",
          methods=["POST"])
def run_campaign(campaign_id: int, action: str):
    """Allocate the waiting applications in queue order, publish the lottery's seed, draw, or
    end the campaign."""
    campaign, actor = _run_campaign(campaign_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        if action == "allocate":
            counts = services.allocate(campaign, actor=actor)
            message = _("已按顺序分配：批准 %(approved)s 份，列入候补 %(waitlisted)s 份", **counts)
        elif action == "publish_seed":
            lottery.publish_lottery_seed(campaign, actor=actor)
            message = _("已公布抽签种子：%(seed)s", seed=campaign.lottery_seed)
        elif action == "draw":
            drawn = lottery.draw_lottery(campaign, actor=actor)
            message = _("已抽签：%(count)s 份申请", count=drawn)
        else:
            services.close_campaign(campaign, actor=actor)
            message = _("活动已结束")
    except CareBridgeError as error:
        return render_refused(CAMPAIGN_PAGE, **_campaign_page(campaign, actor, error=error))
    flash(message, "success")
    return redirect(url_for(".campaign", campaign_id=campaign.id))


# -- one application -------------------------------------------------------------------------

def _application_page(application, actor, *, error=None, reject_form=None, cancel_form=None,
                      priority_form=None) -> dict:
    return dict(
        application=application, worker=get_worker(application.worker_id), error=error,
        action_form=ActionForm(), actions_from=ACTIONS_FROM,
        may_manage=has_permission(actor.key, REUNIONS_MANAGE, application.org_unit),
        reject_form=reject_form or ReasonForm(prefix="reject"),
        cancel_form=cancel_form or ReasonForm(prefix="cancel"),
        priority_form=priority_form or PriorityForm(
            prefix="priority", data={"band": application.priority_band}),
        **{**LABELS, **history_context(application)})


@bp.route("/applications/<int:application_id>")
def application(application_id: int):
    application, actor = _application_for(application_id, REUNIONS_VIEW)
    return render_template(APPLICATION_PAGE, **_application_page(application, actor))


def _done(application):
    """Back to the campaign's list when the button was on it, else to the application."""
    if request.args.get("back") == "campaign":
        return redirect(url_for(".campaign", campaign_id=application.campaign_id,
                                status=request.args.get("status") or None))
    return redirect(url_for(".application", application_id=application.id))


@bp.route("/applications/<int:application_id>/<any(approve, waitlist):action>",
          methods=["POST"])
def decide(application_id: int, action: str):
    application, actor = _application_for(application_id, REUNIONS_MANAGE)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        if action == "approve":
            services.approve(application, actor=actor)
        else:
            services.waitlist(application, actor=actor)
    except CareBridgeError as error:
        return render_refused(APPLICATION_PAGE, **_application_page(application, actor,
                                                                    error=error))
    flash(_("已批准") if action == "approve" else _("已列入候补"), "success")
    return _done(application)


@bp.route("/applications/<int:application_id>/<any(reject, cancel):action>", methods=["POST"])
def close_application(application_id: int, action: str):
    application, actor = _application_for(application_id, REUNIONS_MANAGE)
    form = ReasonForm(prefix=action)
    page_error = None
    if form.validate_on_submit():
        step = services.reject if action == "reject" else services.cancel
        try:
            step(application, form.reason.data, actor=actor)
        except CareBridgeError as error:
            attach_error(form, error)
            page_error = _unplaced(error)
        else:
            flash(_("已标记为未通过") if action == "reject" else _("已取消这份申请"), "success")
            return _done(application)
    return render_refused(APPLICATION_PAGE, **_application_page(
        application, actor, error=page_error, **{f"{action}_form": form}))


@bp.route("/applications/<int:application_id>/priority", methods=["POST"])
def change_priority(application_id: int):
    application, actor = _application_for(application_id, REUNIONS_MANAGE)
    form = PriorityForm(prefix="priority")
    page_error = None
    if form.validate_on_submit():
        try:
            services.change_priority(application, form.band.data, form.reason.data, actor=actor)
        except CareBridgeError as error:
            attach_service_error(form, error)
            page_error = _unplaced(error)
        else:
            flash(_("已调整优先级"), "success")
            return _done(application)
    return render_refused(APPLICATION_PAGE, **_application_page(
        application, actor, error=page_error, priority_form=form))


def _unplaced(error: CareBridgeError) -> CareBridgeError | None:
    """An error about the application as a whole (its status changed since the page was
    shown): said at the top of the page, where the form that would show it may be hidden."""
    return None if error.field or getattr(error, "errors", None) else error


# -- applying for a worker ------------------------------------------------------------------

def _hukou_and_site(worker) -> tuple[str, str]:
    code = worker.hukou_region_code
    return (region_name(code) or "") if code else "", worker.org_unit.name


@bp.route("/<int:campaign_id>/apply", methods=["GET", "POST"])
def apply(campaign_id: int):
    campaign, actor = _campaign_for(campaign_id, REUNIONS_MANAGE)
    submitted = request.method == "POST"
    number = ((request.form if submitted else request.args).get("employee_number") or "")
    number = number.strip().upper()
    # Only workers for whom the actor may apply: any other number is "not found".
    worker = find_worker(number, scope=Scope.of_actor(actor, REUNIONS_MANAGE)) if number else None
    if worker is None:
        lookup_error = _("找不到这个工号的职工") if number else None
        if submitted:
            return render_refused(APPLY_PAGE, campaign=campaign, worker=None, form=None,
                                  number=number, lookup_error=lookup_error or _("请填写工号"))
        return render_template(APPLY_PAGE, campaign=campaign, worker=None, form=None,
                               number=number, lookup_error=lookup_error)
    children = children_of(worker)
    defaults = None
    if not submitted:
        hukou, site = _hukou_and_site(worker)
        family = campaign.kind.family_travels
        defaults = {"employee_number": worker.employee_number, "worker_travels": not family,
                    "children": [child.id for child in children] if family else [],
                    "from_place": hukou if family else site, "to_place": site if family else hukou,
                    "travel_mode": campaign.modes[0].value if campaign.modes else None}
    form = ApplyForm(data=defaults)
    form.children.choices = choices((child.id, child.name) for child in children)
    form.travel_mode.choices = choices((mode.value, mode.label) for mode in campaign.modes)
    if submitted:
        form.validate()
        if not form.csrf_token.errors:
            try:
                application = services.apply(campaign, worker, _application_input(form),
                                             actor=actor)
            except CareBridgeError as error:
                form.form_errors.extend(attach_service_error(
                    form, error, elsewhere=("travellers", "relatives")))
            else:
                if not has_errors(form):
                    flash(_("已代 %(name)s 提交申请", name=worker.name), "success")
                    return redirect(url_for(".application", application_id=application.id))
    return render_form(APPLY_PAGE, campaign=campaign, worker=worker, form=form,
                       number=worker.employee_number, lookup_error=None)


def _application_input(form: ApplyForm) -> services.ApplicationInput:
    travellers = [services.TravellerInput(TravellerKind.WORKER)] if form.worker_travels.data else []
    travellers += [services.TravellerInput(TravellerKind.CHILD, child_id=child_id)
                   for child_id in form.children.data or ()]
    travellers += [services.TravellerInput(TravellerKind.RELATIVE, name=entry.form.name.data,
                                           relation=entry.form.relation.data)
                   for entry in form.relatives if (entry.form.name.data or "").strip()]
    mode = form.travel_mode.data
    return services.ApplicationInput(
        travellers=travellers, from_place=form.from_place.data, to_place=form.to_place.data,
        depart_on=form.depart_on.data, return_on=form.return_on.data,
        travel_mode=TravelMode(mode) if mode in {m.value for m in TravelMode} else None,
        estimated_fare_fen=form.estimated_fare_fen.data)


# -- one worker's applications ------------------------------------------------------------------

@bp.route("/workers/<int:worker_id>")
def worker(worker_id: int):
    worker, actor = load_in_scope(get_worker, worker_id, REUNIONS_VIEW)
    return render_template(WORKER_PAGE, worker=worker,
                           applications=queries.applications_of_worker(worker.id), **LABELS)
