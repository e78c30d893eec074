"""Officers' pages of hardship-aid applications (``/aid/``): the priority view, one application
(its family, evidence, chain and money), the evidence and the full account number (each read
audited), and applying for a worker's family or completing an application sent back.

Views are thin: parse the input, call one service, render; the request boundary commits. An
application is seen by officers whose ``AID_VIEW`` scope holds its unit: any other answers 404,
exactly like one that does not exist. The decision, payment and end of an application are in
:mod:`.decision_views`, the approval chains in :mod:`.chain_views`.

Reading an application is audited (it holds health and family data). A refused form about it
is shown again without that data (circumstances, children, account, evidence), so the refused
request, whose audit rows are rolled back, shows nothing personal unaudited.
"""
from __future__ import annotations

import io

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _

from ..access.checks import has_permission, require
from ..access.scope import Scope, load_in_scope, valid_id
from ..core.clock import local_today
from ..core.errors import CareBridgeError
from ..core.forms import ActionForm, attach_service_error, choices, has_errors, render_form
from ..core.host import Actor
from ..core.i18n import N_
from ..core.money import format_yuan
from ..core.roles import ROLE_LABELS
from ..core.settings import setting
from ..registry.queries import children_of, get_worker
from ..registry.reveals import remember_reveal, take_reveal
from ..registry.services import find_worker
from . import application_queries, queries, rules, services
from .forms import (
    BAND_LABELS,
    PRIORITY_REASON_LABELS,
    AidApplicationForm,
    DecisionForm,
    PayForm,
    ReasonForm,
    application_defaults,
    mask_account,
)
from .models import CANCELLABLE_STATUSES, ApplicationStatus, HelpKind
from .permissions import AID_APPLY, AID_CONFIGURE, AID_PAY, AID_VIEW

bp = Blueprint("aid", __name__, url_prefix="/aid", template_folder="templates")

INDEX_PAGE = "carebridge/aid/index.html"
APPLICATION_PAGE = "carebridge/aid/application.html"
APPLY_PAGE = "carebridge/aid/apply_form.html"
#: The kind of reveal noted in the session (:mod:`plugin.registry.reveals`).
REVEAL_KIND = "aid_account"

LABELS = {"band_labels": BAND_LABELS, "reason_labels": PRIORITY_REASON_LABELS,
          "statuses": list(ApplicationStatus),
          "role_labels": {role.value: label for role, label in ROLE_LABELS.items()}}
PAGE_EXPIRED = N_("页面已过期，请刷新后重试")
NO_ACCOUNT = N_("这份申请没有收款账号")


def employee_number_of(actor: Actor) -> str | None:
    """The actor's employee number, when the host links staff accounts to the roster."""
    adapter = current_app.extensions["carebridge"].adapter
    return adapter.employee_numbers([actor.key]).get(actor.key)


def application_for(application_id: int, permission=AID_VIEW):
    """The application and the actor; 404 for one of a unit outside where the actor sees aid."""
    return load_in_scope(queries.get_application, application_id, permission,
                         seen_with=AID_VIEW)


# -- the priority view ----------------------------------------------------------------------------

@bp.route("/")
def index():
    actor = require(AID_VIEW)
    scope = Scope.of_actor(actor, AID_VIEW)
    code = request.args.get("status")
    status = ApplicationStatus(code) if code in {s.value for s in ApplicationStatus} else None
    waiting = application_queries.waiting_for(actor, scope, employee_number_of(actor))
    mine = request.args.get("mine") == "1"
    page = application_queries.priority_page(
        scope, status=ApplicationStatus.IN_REVIEW if mine else status,
        only_ids=waiting if mine else None, page=request.args.get("page", 1, type=int))
    return render_template(
        INDEX_PAGE, page=page, status=status, mine=mine, waiting_count=len(waiting),
        counts=application_queries.status_counts(scope), chain_of=rules.chain_of,
        may_apply=has_permission(actor.key, AID_APPLY),
        may_configure=has_permission(actor.key, AID_CONFIGURE), **LABELS)


# -- one application ------------------------------------------------------------------------------

def application_context(application, actor, *, refused: bool = False, error=None,
                        decision_form=None, pay_form=None, cancel_form=None,
                        close_form=None) -> dict:
    """What the application page shows; ``refused``: a form shown again (nothing personal)."""
    unit = application.org_unit
    chain = rules.chain_of(application)
    rounds = application_queries.decisions_by_round(application.id)
    holds = application_queries.holds_step(application, actor)
    conflict = application_queries.conflict(application, actor, employee_number_of(actor)) \
        if holds else None
    needs_fund = (holds and application.current_step == len(chain) - 1
                  and application.help_kind == HelpKind.CASH)
    form = decision_form or DecisionForm(prefix="decision",
                                         data={"step": str(application.current_step)})
    if needs_fund:
        form.fund.choices = choices([("", "—")] + [
            (str(fund.id), _("%(fund)s（可用 %(amount)s 元）", fund=fund.name,
                             amount=format_yuan(available, grouping=True)))
            for fund, available in application_queries.funds_for(unit)])
    may_pay = has_permission(actor.key, AID_PAY, unit)
    revealed = None
    if not refused and may_pay and take_reveal(REVEAL_KIND, application.id):
        revealed = application.account_number
    return dict(
        application=application, worker=application.worker, chain=chain, refused=refused,
        error=error, steps=application_queries.step_rows(application, rounds.get(
            application.round, [])),
        earlier_rounds=[(number, rounds[number]) for number in sorted(rounds)
                        if number != application.round],
        children=[] if refused else application_queries.children_named(application),
        evidence=[] if refused else queries.evidence_of(application.id),
        payments=queries.payments_of(application.id),
        masked_account=mask_account(application.account_number), revealed_account=revealed,
        holds_step=holds, conflict_message=_(services.CONFLICT_MESSAGES[conflict])
        if conflict else None, needs_fund=needs_fund,
        decision_form=form, may_pay=may_pay,
        may_apply=has_permission(actor.key, AID_APPLY, unit),
        pay_form=pay_form or PayForm(prefix="pay", data={"paid_on": local_today()}),
        cancel_form=cancel_form or ReasonForm(prefix="cancel"),
        close_form=close_form or ReasonForm(prefix="close"),
        reveal_form=ActionForm(prefix="reveal"), cancellable=CANCELLABLE_STATUSES, **LABELS)


@bp.route("/applications/<int:application_id>")
def application(application_id: int):
    application, actor = application_for(application_id)
    services.read_application(application, actor)
    return render_template(APPLICATION_PAGE, **application_context(application, actor))


@bp.route("/applications/<int:application_id>/evidence/<int:evidence_id>")
def evidence(application_id: int, evidence_id: int):
    application, actor = application_for(application_id)
    item = queries.get_evidence(application.id, evidence_id) if valid_id(evidence_id) else None
    if item is None:
        abort(404)
    content = services.evidence_content(item, application, actor)
    name = "".join(char for char in item.filename or "" if char.isprintable())
    response = send_file(io.BytesIO(content), mimetype=item.content_type, as_attachment=True,
                         download_name=name or f"evidence-{item.id}")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/applications/<int:application_id>/reveal-account", methods=["POST"])
def reveal_account(application_id: int):
    """The full account number, for the person paying: audited, then shown once on the page
    the reveal redirects to (a reload masks it again)."""
    application, actor = application_for(application_id, AID_PAY)
    form = ActionForm(prefix="reveal")
    if not form.validate_on_submit() or not application.account_number:
        error = CareBridgeError(PAGE_EXPIRED if application.account_number else NO_ACCOUNT)
        return render_form(APPLICATION_PAGE, **application_context(
            application, actor, refused=True, error=error))
    services.reveal_account_number(application, actor)
    remember_reveal(REVEAL_KIND, application.id)
    return redirect(url_for(".application", application_id=application.id) + "#account")


# -- applying for a family ------------------------------------------------------------------------

@bp.route("/apply")
def find_applicant():
    """Find the worker by employee number (only within where the actor may apply)."""
    actor = require(AID_APPLY)
    number = (request.args.get("employee_number") or "").strip().upper()
    worker = find_worker(number, scope=Scope.of_actor(actor, AID_APPLY)) if number else None
    if worker is not None:
        return redirect(url_for(".apply", worker_id=worker.id))
    return render_template(APPLY_PAGE, worker=None, form=None, application=None, number=number,
                           lookup_error=_("找不到这个工号的职工") if number else None)


def _application_form(worker, *, defaults=None) -> AidApplicationForm:
    form = AidApplicationForm(data=defaults)
    form.children.choices = choices((child.id, child.name) for child in children_of(worker))
    return form


@bp.route("/workers/<int:worker_id>/apply", methods=["GET", "POST"])
def apply(worker_id: int):
    worker, actor = load_in_scope(get_worker, worker_id, AID_APPLY, seen_with=AID_VIEW)
    form = _application_form(worker)
    if request.method == "POST":
        form.validate()
        if not form.csrf_token.errors:
            data = form.application_input(max_bytes=setting("CAREBRIDGE_AID_EVIDENCE_MAX_BYTES"))
            try:
                application = services.apply(worker, data, actor)
            except CareBridgeError as error:
                attach_service_error(form, error)
            else:
                if not has_errors(form):
                    flash(_("已代 %(name)s 提交困难帮扶申请", name=worker.name), "success")
                    return redirect(url_for(".application", application_id=application.id))
    return render_form(APPLY_PAGE, worker=worker, form=form, application=None,
                       number=worker.employee_number, lookup_error=None)


@bp.route("/applications/<int:application_id>/resubmit", methods=["GET", "POST"])
def resubmit(application_id: int):
    """Complete an application that was sent back; it goes through its chain again."""
    application, actor = application_for(application_id, AID_APPLY)
    submitted = request.method == "POST"
    if not submitted and application.status != ApplicationStatus.SENT_BACK:
        return redirect(url_for(".application", application_id=application.id))
    # (A form submitted from an old page gets the service's answer: not sent back.)
    worker = application.worker
    if not submitted:
        services.read_application(application, actor)  # the form shows what the family wrote
    form = _application_form(worker, defaults=None if submitted else
                             application_defaults(application,
                                                  queries.children_ids(application.id)))
    if submitted:
        form.validate()
        if not form.csrf_token.errors:
            data = form.application_input(
                max_bytes=setting("CAREBRIDGE_AID_EVIDENCE_MAX_BYTES"),
                account_number=application.account_number)
            try:
                services.resubmit(application, data, actor)
            except CareBridgeError as error:
                attach_service_error(form, error)
            else:
                if not has_errors(form):
                    flash(_("已重新提交，申请将重新审批"), "success")
                    return redirect(url_for(".application", application_id=application.id))
    return render_form(APPLY_PAGE, worker=worker, form=form, application=application,
                       number=worker.employee_number, lookup_error=None,
                       masked_account=mask_account(application.account_number),
                       evidence=queries.evidence_of(application.id),
                       decisions=application_queries.decisions_by_round(application.id).get(
                           application.round, []))
