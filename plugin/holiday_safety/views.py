"""Officers' pages of holiday safety campaigns (``/holiday-safety/``): the campaigns of the
actor's subtree and the holidays that have no date, one campaign (its lecture through the
lectures feature, its counts, its buttons), scheduling its lecture, the workers who have not
confirmed (with a reminder), the confirmations (audited), and the dates an administrator enters.

Views are thin: parse the input, call one service, render; the request boundary commits. A
campaign is seen by officers whose ``HOLIDAY_SAFETY_VIEW`` scope holds its site: any other
answers 404, exactly like one that does not exist.
"""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..access.checks import has_permission, require
from ..access.scope import Scope, load_in_scope
from ..core.clock import local_today
from ..core.errors import CareBridgeError
from ..core.forms import ActionForm, attach_error, flash_refusal, render_form
from ..lectures.periods import local_to_utc
from ..org.queries import get_root_unit
from . import campaigns, holidays, queries
from .forms import DatesForm, LectureForm
from .lecture_links import lecture_summary
from .models import CampaignStatus, HolidayKind
from .permissions import HOLIDAY_SAFETY_CONFIGURE, HOLIDAY_SAFETY_MANAGE, HOLIDAY_SAFETY_VIEW

bp = Blueprint("holiday_safety", __name__, url_prefix="/holiday-safety",
               template_folder="templates")

INDEX_PAGE = "carebridge/holiday_safety/index.html"
CAMPAIGN_PAGE = "carebridge/holiday_safety/campaign.html"
LECTURE_PAGE = "carebridge/holiday_safety/lecture_form.html"
PENDING_PAGE = "carebridge/holiday_safety/pending.html"
CONFIRMED_PAGE = "carebridge/holiday_safety/confirmed.html"
DATES_PAGE = "carebridge/holiday_safety/dates.html"


def campaign_for(campaign_id: int, permission=HOLIDAY_SAFETY_VIEW):
    """The campaign and the actor; 404 for one of a site outside where the actor sees them."""
    return load_in_scope(queries.get_campaign, campaign_id, permission,
                         seen_with=HOLIDAY_SAFETY_VIEW)


@bp.route("/")
def index():
    actor = require(HOLIDAY_SAFETY_VIEW)
    scope = Scope.of_actor(actor, HOLIDAY_SAFETY_VIEW)
    code = request.args.get("status")
    status = CampaignStatus(code) if code in {s.value for s in CampaignStatus} else None
    return render_template(
        INDEX_PAGE, page=queries.campaigns_page(scope, status=status,
                                                page=request.args.get("page", 1, type=int)),
        status=status, statuses=list(CampaignStatus), counts=queries.status_counts(scope),
        without_dates=holidays.without_dates(local_today()),
        upcoming=holidays.upcoming(local_today()),
        may_configure=has_permission(actor.key, HOLIDAY_SAFETY_CONFIGURE, get_root_unit()))


@bp.route("/campaigns/<int:campaign_id>")
def campaign(campaign_id: int):
    campaign, actor = campaign_for(campaign_id)
    notified, confirmed = queries.campaign_counts(campaign.id)
    return render_template(
        CAMPAIGN_PAGE, campaign=campaign, lecture=lecture_summary(campaign), notified=notified,
        confirmed=confirmed, action_form=ActionForm(),
        may_manage=has_permission(actor.key, HOLIDAY_SAFETY_MANAGE, campaign.org_unit))


@bp.route("/campaigns/<int:campaign_id>/lecture", methods=["GET", "POST"])
def schedule(campaign_id: int):
    """Schedule the campaign's lecture (pre-filled from the campaign); the checklist goes out."""
    campaign, actor = campaign_for(campaign_id, HOLIDAY_SAFETY_MANAGE)
    if request.method == "GET" and campaign.status != CampaignStatus.DRAFT:
        return redirect(url_for(".campaign", campaign_id=campaign.id))
    defaults = campaigns.lecture_defaults(campaign, local_today())
    form = LectureForm(data=None if request.method == "POST" else defaults)
    if form.validate_on_submit():
        try:
            campaigns.schedule_lecture(campaign, campaigns.LectureInput(
                title=form.title.data, format=form.format.data, venue=form.venue.data,
                topics=form.topics.data or [], description=form.description.data,
                starts_at=_utc(form.starts_at.data), ends_at=_utc(form.ends_at.data)), actor)
        except CareBridgeError as error:
            attach_error(form, error)
        else:
            flash(_("已安排宣讲，并已通知有 16 岁以下子女的职工确认假期安全清单"), "success")
            return redirect(url_for(".campaign", campaign_id=campaign.id))
    return render_form(LECTURE_PAGE, campaign=campaign, form=form)


def _utc(value):
    return local_to_utc(value) if value is not None else None


@bp.route("/campaigns/<int:campaign_id>/send", methods=["POST"])
def send(campaign_id: int):
    """Send the checklist to the workers of the audience not told yet."""
    campaign, actor = campaign_for(campaign_id, HOLIDAY_SAFETY_MANAGE)
    if not ActionForm().validate_on_submit():
        flash_refusal(_("页面已过期，请刷新后重试"))
    else:
        try:
            sent = campaigns.send_to_audience(campaign, actor)
        except CareBridgeError as error:
            flash_refusal(error.localized())
        else:
            flash(_("已通知 %(count)s 名职工", count=sent.added) if sent.added else
                  _("没有新的需要通知的职工"), "success")
    return redirect(url_for(".campaign", campaign_id=campaign.id))


@bp.route("/campaigns/<int:campaign_id>/close", methods=["POST"])
def close(campaign_id: int):
    campaign, actor = campaign_for(campaign_id, HOLIDAY_SAFETY_MANAGE)
    if not ActionForm().validate_on_submit():
        flash_refusal(_("页面已过期，请刷新后重试"))
    else:
        try:
            campaigns.close_campaign(campaign, actor)
        except CareBridgeError as error:
            flash_refusal(error.localized())
        else:
            flash(_("这次假期安全教育已结束"), "success")
    return redirect(url_for(".campaign", campaign_id=campaign.id))


@bp.route("/campaigns/<int:campaign_id>/pending")
def pending(campaign_id: int):
    """The workers told who have not confirmed the checklist."""
    campaign, actor = campaign_for(campaign_id)
    return render_template(
        PENDING_PAGE, campaign=campaign,
        page=queries.pending_page(campaign, page=request.args.get("page", 1, type=int)),
        action_form=ActionForm(), today=local_today(),
        may_manage=has_permission(actor.key, HOLIDAY_SAFETY_MANAGE, campaign.org_unit))


@bp.route("/campaigns/<int:campaign_id>/remind", methods=["POST"])
def remind(campaign_id: int):
    campaign, actor = campaign_for(campaign_id, HOLIDAY_SAFETY_MANAGE)
    if not ActionForm().validate_on_submit():
        flash_refusal(_("页面已过期，请刷新后重试"))
    else:
        try:
            count = campaigns.remind_pending(campaign, actor)
        except CareBridgeError as error:
            flash_refusal(error.localized())
        else:
            flash(_("已再次提醒 %(count)s 名职工", count=count), "success")
    return redirect(url_for(".pending", campaign_id=campaign.id))


@bp.route("/campaigns/<int:campaign_id>/confirmed")
def confirmed(campaign_id: int):
    """The workers' answers (who looks after the children, travel plans): each read audited."""
    campaign, actor = campaign_for(campaign_id)
    page = queries.confirmed_page(campaign, page=request.args.get("page", 1, type=int))
    campaigns.read_confirmations(campaign, actor, len(page.items))
    return render_template(CONFIRMED_PAGE, campaign=campaign, page=page)


@bp.route("/dates", methods=["GET", "POST"])
def dates():
    """The holidays' first days (the calendar's, the default, or entered); administrators enter
    a year's date where the calendar has none."""
    actor = require(HOLIDAY_SAFETY_CONFIGURE, get_root_unit())
    form = DatesForm(data=None if request.method == "POST" else
                     {"kind": request.args.get("kind"), "year": request.args.get("year",
                                                                                type=int)})
    if form.validate_on_submit():
        try:
            campaigns.enter_dates(form.kind.data, form.year.data, form.starts_on.data, actor)
        except CareBridgeError as error:
            attach_error(form, error)
        else:
            flash(_("已保存假期日期"), "success")
            return redirect(url_for(".dates"))
    today = local_today()
    years = [today.year, today.year + 1]
    entered = holidays.entered_dates(years)
    starts = [holidays.holiday_start(kind, year, entered) for year in years
              for kind in HolidayKind]
    return render_form(DATES_PAGE, form=form, starts=starts,
                       without_dates=holidays.without_dates(today))

