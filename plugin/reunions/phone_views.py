"""The worker's own reunion pages on a phone (``/w/reunions/``): campaigns open to them, applying
for their household, their applications and what happened to each, and taking or giving up
places offered from the waiting list. Plain forms, no JavaScript (a cheap phone's WeChat
browser over plain http)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..core.clock import local_today, utcnow
from ..core.errors import CareBridgeError
from ..core.forms import ActionForm, render_form, render_refused
from ..core.money import format_yuan
from ..org.models import OrgKind, OrgUnit
from ..registry.queries import children_of
from ..registry.regions import region_name
from ..worker_access.cookies import request_worker_actor, require_worker
from . import queries, services
from .models import (
    OPEN,
    ApplicationStatus,
    Campaign,
    SubsidyKind,
    TravellerKind,
)
from .phone_forms import (
    PhoneApplicationForm,
    WithdrawForm,
    attach_service_error,
    child_choices,
    id_label,
    mode_choices,
)

bp = Blueprint("reunions_phone", __name__, url_prefix="/w/reunions", template_folder="templates")

#: What each step of an application's history means, in the worker's words.
HISTORY_WORDS = {
    "applied": _l("提交了申请"),
    "approved": _l("申请已批准"),
    "waitlisted": _l("名额暂时不够，列入候补名单"),
    "rejected": _l("申请未通过"),
    "cancelled": _l("申请已取消"),
    "offered": _l("有名额空出，为您全家保留了名额"),
    "offer_accepted": _l("确认参加，递补成功"),
    "offer_declined": _l("放弃了递补名额"),
    "offer_lapsed": _l("递补名额没有按时确认，已让给下一户"),
    "booked": _l("车票已订好"),
    "travelled": _l("已出行"),
    "no_show": _l("登记为未出行"),
}


@dataclass(frozen=True)
class HistoryLine:
    occurred_at: datetime
    text: str
    reason: str | None
    by_worker: bool


def history_lines(events, worker) -> list[HistoryLine]:
    lines = []
    for event in events:
        if event.action.startswith("priority:"):
            before, _sep, after = event.action.removeprefix("priority:").partition("->")
            text = _("优先顺序从第 %(before)s 档调整为第 %(after)s 档", before=before, after=after)
        elif event.action in HISTORY_WORDS:
            text = str(HISTORY_WORDS[event.action])
        elif event.to_status:
            try:
                label = ApplicationStatus(event.to_status).label
            except ValueError:
                label = event.to_status
            text = _("状态变为“%(status)s”", status=label)
        else:
            text = _("申请有更新")
        lines.append(HistoryLine(event.occurred_at, text, event.reason,
                                 event.actor_key == f"worker:{worker.id}"))
    return lines


def site_name(unit: OrgUnit) -> str:
    """The worker's site (a team's site), the place a family travels to or a worker from."""
    if unit.kind == OrgKind.TEAM and unit.parent is not None:
        unit = unit.parent
    return unit.name


def subsidy_text(campaign: Campaign) -> str:
    if campaign.subsidy_kind == SubsidyKind.PERCENT_CAPPED:
        if campaign.subsidy_amount_fen:
            return _("车票的 %(percent)s%%，每人最多 %(cap)s 元",
                     percent=campaign.subsidy_percent, cap=format_yuan(
                         campaign.subsidy_amount_fen))
        return _("车票的 %(percent)s%%", percent=campaign.subsidy_percent)
    if campaign.subsidy_kind == SubsidyKind.FIXED:
        return _("每人 %(amount)s 元（不超过票价）",
                 amount=format_yuan(campaign.subsidy_amount_fen or 0))
    return str(campaign.subsidy_kind.label)


def why_not_open(campaign: Campaign, worker, children, today) -> str | None:
    """Why the worker cannot apply for the campaign now (:func:`services.blockers`), in their
    words; None when they can."""
    blocked = services.blockers(campaign, worker, children, today)
    if services.CLOSED in blocked:
        return _("这项活动现在不接受申请（申请时间 %(start)s 至 %(end)s）",
                 start=campaign.applications_open_on.isoformat(),
                 end=campaign.applications_close_on.isoformat())
    if services.NO_QUOTA in blocked:
        return _("您所在的单位没有这项活动的名额")
    if services.NOT_ELIGIBLE in blocked:
        return _("这项活动只面向%(who)s", who=str(campaign.eligibility.label))
    if services.NO_CHILDREN in blocked:
        return _("这项活动是接孩子来团聚，您还没有登记子女，请联系人力资源专员。")
    return None


def _own_campaign(worker, campaign_id: int) -> Campaign:
    campaign = queries.get_campaign(campaign_id)
    if campaign is None or not campaign.org_unit.contains(worker.org_unit):
        abort(404)
    return campaign


def _own_application(application_id: int):
    worker = require_worker()
    application = queries.get_application(application_id)
    if application is None or application.worker_id != worker.id:
        abort(404)
    return worker, application


@bp.route("/")
def mine():
    worker = require_worker()
    today = local_today()
    children = children_of(worker)
    applications = queries.applications_of_worker(worker.id)
    applied = {application.campaign_id: application for application in applications
               if application.status in OPEN}
    open_campaigns = [
        (campaign, applied.get(campaign.id),
         None if campaign.id in applied else why_not_open(campaign, worker, children, today))
        for campaign in queries.campaigns_for_worker(worker)
        if services.is_open_for_applications(campaign, today)]
    return render_template("carebridge/reunions/phone_mine.html", worker=worker,
                           applications=applications, open_campaigns=open_campaigns)


def _prefill(campaign: Campaign, worker) -> dict:
    home = region_name(worker.hukou_region_code) if worker.hukou_region_code else None
    site = site_name(worker.org_unit)
    from_place, to_place = (home, site) if campaign.kind.family_travels else (site, home)
    modes = campaign.modes
    return {"worker_travels": not campaign.kind.family_travels, "from_place": from_place or "",
            "to_place": to_place or "", "travel_mode": modes[0].value if len(modes) == 1 else None}


@bp.route("/<int:campaign_id>/apply", methods=["GET", "POST"])
def apply(campaign_id: int):
    worker = require_worker()
    campaign = _own_campaign(worker, campaign_id)
    existing = services.open_application_of(campaign, worker)
    if existing is not None:
        return redirect(url_for(".application", application_id=existing.id))
    today = local_today()
    children = children_of(worker)
    blocked = why_not_open(campaign, worker, children, today)
    form = PhoneApplicationForm(data=None if request.method == "POST"
                                else _prefill(campaign, worker))
    form.children.choices = child_choices(children)
    form.travel_mode.choices = mode_choices(campaign)
    if blocked is None and form.validate_on_submit():
        travellers = []
        if form.worker_travels.data and not campaign.kind.family_travels:
            travellers.append(services.TravellerInput(TravellerKind.WORKER))
        travellers += [services.TravellerInput(TravellerKind.CHILD, child_id=child_id)
                       for child_id in form.children.data or ()]
        travellers += [services.TravellerInput(TravellerKind.RELATIVE, name=name,
                                               relation=relation)
                       for name, relation in form.relatives_typed()]
        data = services.ApplicationInput(
            travellers=travellers, from_place=form.from_place.data, to_place=form.to_place.data,
            depart_on=form.depart_on.data, return_on=form.return_on.data,
            travel_mode=form.mode(), estimated_fare_fen=form.fare.data)
        try:
            application = services.apply(campaign, worker, data,
                                         actor=request_worker_actor(worker), today=today)
        except CareBridgeError as error:
            attach_service_error(form, error)
        else:
            return redirect(url_for(".application", application_id=application.id, applied=1))
    return render_form("carebridge/reunions/phone_apply.html", worker=worker, campaign=campaign,
                       form=form, blocked=blocked, has_children=bool(children),
                       worker_id_label=id_label(worker.id_number),
                       subsidy=subsidy_text(campaign))


def _application_page(worker, application, form, *, error=None, refused=False,
                      withdraw_form=None):
    offer_lapsed = (application.status == ApplicationStatus.OFFERED
                    and application.offer_expires_at is not None
                    and application.offer_expires_at <= utcnow())
    render = render_refused if refused else render_template
    return render("carebridge/reunions/phone_application.html", worker=worker,
                  application=application, form=form, error=error, offer_lapsed=offer_lapsed,
                  applied=request.args.get("applied") == "1", id_label=id_label,
                  withdraw_form=withdraw_form or WithdrawForm(),
                  may_withdraw=application.status in services.WITHDRAWABLE,
                  subsidy=subsidy_text(application.campaign),
                  history=history_lines(queries.history_of(application), worker))


@bp.route("/applications/<int:application_id>")
def application(application_id: int):
    worker, application = _own_application(application_id)
    return _application_page(worker, application, ActionForm())


@bp.route("/applications/<int:application_id>/accept", methods=["POST"])
def accept_offer(application_id: int):
    return _answer_offer(application_id, services.accept_offer)


@bp.route("/applications/<int:application_id>/decline", methods=["POST"])
def decline_offer(application_id: int):
    return _answer_offer(application_id, services.decline_offer)


@bp.route("/applications/<int:application_id>/withdraw", methods=["POST"])
def withdraw(application_id: int):
    """The worker gives up the application; places held go to the next household."""
    worker, application = _own_application(application_id)
    form = WithdrawForm()
    shown = None
    if form.validate_on_submit():
        try:
            services.withdraw(application, form.reason.data, actor=request_worker_actor(worker))
        except CareBridgeError as error:
            attach_service_error(form, error)
            # Said at the top when the form is no longer shown (tickets booked meanwhile).
            shown = None if application.status in services.WITHDRAWABLE else error.localized()
        else:
            return redirect(url_for(".application", application_id=application.id))
    return _application_page(worker, application, ActionForm(), refused=True, error=shown,
                             withdraw_form=form)


def _answer_offer(application_id: int, answer):
    worker, application = _own_application(application_id)
    form = ActionForm()
    if not form.validate_on_submit():
        return _application_page(worker, application, form, refused=True,
                                 error=_("页面已过期，请返回后重新操作"))
    try:
        answer(application, actor=request_worker_actor(worker))
    except CareBridgeError as error:
        return _application_page(worker, application, form, error=error.localized(),
                                 refused=True)
    return redirect(url_for(".application", application_id=application.id))
