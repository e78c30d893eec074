"""What officers do to one hardship-aid application (``/aid/applications/<id>/…``): decide the
step of its chain that waits (approve, reject, send back; the last approval of cash names the
fund), pay one-off aid, cancel an application not yet paid, close a recurring case.

Each POST calls one service. The service makes the real checks (the step's role, separation of
duties, the fund's money), so a refused decision is shown again on the application's page with
the service's message, and the request stores nothing.
"""
from __future__ import annotations

from flask import Blueprint, flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..core.errors import CareBridgeError
from ..core.forms import attach_error, render_refused
from . import queries, services
from .forms import DecisionForm, PayForm, ReasonForm
from .models import DecisionOutcome
from .permissions import AID_DECIDE, AID_PAY
from .views import APPLICATION_PAGE, application_context, application_for, employee_number_of

bp = Blueprint("aid_decisions", __name__, url_prefix="/aid/applications",
               template_folder="templates")

DONE = {
    DecisionOutcome.APPROVED: _l("已同意"),
    DecisionOutcome.REJECTED: _l("已签署不同意意见，申请未通过"),
    DecisionOutcome.SENT_BACK: _l("已退回补充"),
}


def _refused(application, actor, error: CareBridgeError | None, form, **forms):
    """The application's page again with the refused form (422, nothing stored). The
    service's errors about a field are shown at the field; one about the application as a whole
    (a step decided meanwhile, someone who may not decide it) at the top of the page."""
    whole = None
    if error is not None:
        if error.field or getattr(error, "errors", None):
            attach_error(form, error)
        else:
            whole = error
    return render_refused(APPLICATION_PAGE, **application_context(
        application, actor, refused=True, error=whole, **forms))


def _back(application):
    return redirect(url_for("carebridge.aid.application", application_id=application.id))


@bp.route("/<int:application_id>/decide", methods=["POST"])
def decide(application_id: int):
    application, actor = application_for(application_id, AID_DECIDE)
    form = DecisionForm(prefix="decision")
    if not form.validate_on_submit():
        return _refused(application, actor, None, form, decision_form=form)
    outcome = form.outcome_value()
    if outcome is None:
        form.form_errors.append(_("请选择同意、不同意或退回补充"))
        return _refused(application, actor, None, form, decision_form=form)
    fund_id = form.fund_id()
    fund = queries.get_fund(fund_id) if fund_id else None
    step = form.step_value()
    try:
        services.decide(application, actor, outcome, step=-1 if step is None else step,
                        comment=form.comment.data, fund=fund,
                        actor_employee_number=employee_number_of(actor))
    except CareBridgeError as error:
        return _refused(application, actor, error, form, decision_form=form)
    flash(str(DONE[outcome]), "success")
    return _back(application)


@bp.route("/<int:application_id>/pay", methods=["POST"])
def pay(application_id: int):
    application, actor = application_for(application_id, AID_PAY)
    form = PayForm(prefix="pay")
    if form.validate_on_submit():
        if form.paid_on.data is None:
            form.paid_on.errors = [*form.paid_on.errors, _("请填写发放日期")]
            return _refused(application, actor, None, form, pay_form=form)
        try:
            services.pay(application, actor, paid_on=form.paid_on.data,
                         reference=form.reference.data)
        except CareBridgeError as error:
            return _refused(application, actor, error, form, pay_form=form)
        flash(_("已登记发放"), "success")
        return _back(application)
    return _refused(application, actor, None, form, pay_form=form)


@bp.route("/<int:application_id>/cancel", methods=["POST"])
def cancel(application_id: int):
    application, actor = application_for(application_id, AID_PAY)
    form = ReasonForm(prefix="cancel")
    if form.validate_on_submit():
        try:
            services.cancel(application, actor, reason=form.reason.data)
        except CareBridgeError as error:
            return _refused(application, actor, error, form, cancel_form=form)
        flash(_("已撤销这份申请"), "success")
        return _back(application)
    return _refused(application, actor, None, form, cancel_form=form)


@bp.route("/<int:application_id>/close", methods=["POST"])
def close(application_id: int):
    application, actor = application_for(application_id, AID_PAY)
    form = ReasonForm(prefix="close")
    if form.validate_on_submit():
        try:
            services.close_case(application, actor, reason=form.reason.data)
        except CareBridgeError as error:
            return _refused(application, actor, error, form, close_form=form)
        flash(_("按月救助已结案"), "success")
        return _back(application)
    return _refused(application, actor, None, form, close_form=form)
