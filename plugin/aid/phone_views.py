"""The worker's own hardship-aid pages on a phone (``/w/aid/``): their applications and where each
stands, in plain words, with the approvers' comments (approvers named by their role, never by
name); applying, completing an application that was sent back, and withdrawing one not yet
paid. Plain forms, no JavaScript (a cheap phone's WeChat browser over plain http). Only the
signed-in worker's own applications: any other answers 404."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..access.scope import valid_id
from ..core.errors import CareBridgeError
from ..core.forms import (
    attach_error,
    attach_service_error,
    choices,
    has_errors,
    render_form,
    render_refused,
    submitted,
)
from ..core.roles import ROLE_LABELS, Role
from ..core.settings import setting
from ..registry.queries import children_of
from ..worker_access.cookies import request_worker_actor, require_worker
from . import application_queries, queries, rules, services
from .forms import application_defaults, mask_account
from .models import CANCELLABLE_STATUSES, ApplicationStatus, DecisionOutcome
from .phone_forms import PhoneApplicationForm, WithdrawForm

bp = Blueprint("aid_phone", __name__, url_prefix="/w/aid", template_folder="templates")

MINE_PAGE = "carebridge/aid/phone_mine.html"
APPLY_PAGE = "carebridge/aid/phone_apply.html"
APPLICATION_PAGE = "carebridge/aid/phone_application.html"

#: Where an application stands, in the worker's words.
STATUS_WORDS = {
    ApplicationStatus.IN_REVIEW: _l("正在审批，请耐心等待"),
    ApplicationStatus.SENT_BACK: _l("需要您补充材料：请看下面的审批意见，补充后重新提交"),
    ApplicationStatus.APPROVED: _l("已经批准，正在安排发放"),
    ApplicationStatus.PAYING: _l("已经批准，每月发放中"),
    ApplicationStatus.PAID: _l("已经发放"),
    ApplicationStatus.CLOSED: _l("救助已经结束"),
    ApplicationStatus.REJECTED: _l("没有通过，原因请看审批意见"),
    ApplicationStatus.CANCELLED: _l("已经撤回"),
}
OUTCOME_WORDS = {
    DecisionOutcome.APPROVED: _l("同意"),
    DecisionOutcome.REJECTED: _l("不同意"),
    DecisionOutcome.SENT_BACK: _l("退回，请补充"),
}


@dataclass(frozen=True)
class HistoryLine:
    at: datetime | None
    who: str
    text: str
    comment: str | None


def _role_words(role: str) -> str:
    try:
        return str(ROLE_LABELS[Role(role)])
    except ValueError:
        return role


def history_lines(application) -> list[HistoryLine]:
    """The application's story: submitted, each decision by the approver's role (the step's
    name in earlier rounds, whose chain may have differed), resubmissions."""
    chain = rules.chain_of(application)
    if application.applied_by.startswith("worker:"):
        lines = [HistoryLine(application.submitted_at, _("您"), _("提交了申请"), None)]
    else:
        lines = [HistoryLine(application.submitted_at, _("单位工作人员"), _("代您提交了申请"),
                             None)]
    rounds = application_queries.decisions_by_round(application.id)
    for number in range(1, application.round + 1):
        if number > 1:
            lines.append(HistoryLine(None, "", _("申请补充后重新提交（第 %(round)s 次审批）",
                                                 round=number), None))
        for decision in rounds.get(number, []):
            step = chain[decision.step] if number == application.round \
                and decision.step < len(chain) else None
            who = (f"{decision.step_name}（{_role_words(step.role)}）" if step is not None
                   else decision.step_name)
            lines.append(HistoryLine(decision.decided_at, who,
                                     str(OUTCOME_WORDS[decision.outcome]), decision.comment))
    return lines


def _own_application(application_id: int):
    worker = require_worker()
    application = queries.get_application(application_id) if valid_id(application_id) else None
    if application is None or application.worker_id != worker.id:
        abort(404)
    return worker, application


def _form(worker, *, defaults=None) -> PhoneApplicationForm:
    form = PhoneApplicationForm(data=defaults)
    form.children.choices = choices((child.id, child.name) for child in children_of(worker))
    return form


@bp.route("/")
def mine():
    worker = require_worker()
    return render_template(MINE_PAGE, worker=worker,
                           applications=application_queries.applications_of_worker(worker.id),
                           status_words=STATUS_WORDS)


@bp.route("/apply", methods=["GET", "POST"])
def apply():
    worker = require_worker()
    form = _form(worker)
    if submitted(form):
        data = form.application_input(max_bytes=setting("CAREBRIDGE_AID_EVIDENCE_MAX_BYTES"))
        try:
            application = services.apply(worker, data, request_worker_actor(worker))
        except CareBridgeError as error:
            attach_service_error(form, error)
        else:
            if not has_errors(form):
                return redirect(url_for(".application", application_id=application.id,
                                        applied=1))
    return render_form(APPLY_PAGE, worker=worker, form=form, application=None)


@bp.route("/applications/<int:application_id>")
def application(application_id: int):
    worker, application = _own_application(application_id)
    return _application_page(worker, application)


def _application_page(worker, application, *, withdraw_form=None, error=None):
    render = render_refused if withdraw_form is not None else render_template
    chain = rules.chain_of(application)
    waiting = (chain[application.current_step].name
               if application.status == ApplicationStatus.IN_REVIEW
               and application.current_step < len(chain) else None)
    return render(APPLICATION_PAGE, worker=worker, application=application, error=error,
                  waiting_step=waiting,
                  words=STATUS_WORDS[application.status], history=history_lines(application),
                  children=application_queries.children_named(application),
                  evidence=queries.evidence_of(application.id),
                  payments=queries.payments_of(application.id),
                  masked_account=mask_account(application.account_number),
                  applied=request.args.get("applied") == "1",
                  may_withdraw=application.status in CANCELLABLE_STATUSES,
                  withdraw_form=withdraw_form or WithdrawForm())


@bp.route("/applications/<int:application_id>/resubmit", methods=["GET", "POST"])
def resubmit(application_id: int):
    worker, application = _own_application(application_id)
    posted = request.method == "POST"
    if not posted and application.status != ApplicationStatus.SENT_BACK:
        return redirect(url_for(".application", application_id=application.id))
    # (A form submitted from an old page gets the service's answer: not sent back.)
    form = _form(worker, defaults=None if posted else application_defaults(
        application, queries.children_ids(application.id)))
    if submitted(form):
        data = form.application_input(max_bytes=setting("CAREBRIDGE_AID_EVIDENCE_MAX_BYTES"),
                                      account_number=application.account_number)
        try:
            services.resubmit(application, data, request_worker_actor(worker))
        except CareBridgeError as error:
            attach_service_error(form, error)
        else:
            if not has_errors(form):
                return redirect(url_for(".application", application_id=application.id))
    return render_form(APPLY_PAGE, worker=worker, form=form, application=application,
                       masked_account=mask_account(application.account_number),
                       evidence=queries.evidence_of(application.id),
                       history=history_lines(application))


@bp.route("/applications/<int:application_id>/withdraw", methods=["POST"])
def withdraw(application_id: int):
    """The worker withdraws the application; money held for it goes back to the fund."""
    worker, application = _own_application(application_id)
    form = WithdrawForm()
    if form.validate_on_submit():
        try:
            services.cancel(application, request_worker_actor(worker), reason=form.reason.data)
        except CareBridgeError as error:
            attach_error(form, error)
            shown = None if error.field else error.localized()
            return _application_page(worker, application, withdraw_form=form, error=shown)
        return redirect(url_for(".application", application_id=application.id))
    return _application_page(worker, application, withdraw_form=form)
