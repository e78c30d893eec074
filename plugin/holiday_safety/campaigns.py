"""Holiday safety campaigns: drafting one per site, scheduling its lecture, sending the checklist
to the audience and reminding those who have not confirmed, closing it; the dates an
administrator enters; the worker's confirmation from the phone.

Services take plain values and model objects, check every rule (raising a ``CareBridgeError``
naming the form field), then change, flush and audit; they never commit (the request boundary
or the job does).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import select, update

from ..access.checks import has_permission
from ..access.queries import holders_of
from ..audit.services import record_event
from ..core.clock import local_today, utcnow
from ..core.dates import company_zone, to_local
from ..core.db import session
from ..core.errors import ErrorList, InputInvalid, ValidationError
from ..core.host import Actor
from ..core.i18n import N_, translatable_label
from ..core.text import clean_free_text
from ..lectures import services as lectures
from ..lectures.models import LectureFormat, LectureTopic
from ..notifications.services import notify
from ..org.models import OrgUnit
from ..org.queries import get_root_unit
from ..worker_notices.services import SendOutcome
from . import queries
from .holidays import HolidayStart
from .models import (
    CHECKLIST,
    TOPICS,
    CampaignStatus,
    HolidayDates,
    HolidayKind,
    SafetyCampaign,
    SafetyRecipient,
    SafetyTopic,
    TravelPlan,
    codes,
)
from .notices import send_checklist
from .permissions import HOLIDAY_SAFETY_CONFIGURE, HOLIDAY_SAFETY_MANAGE
from .rules import remindable_condition

#: The lecture topic of each safety topic (fire, gas and the internet have none: the lecture's
#: description names them).
LECTURE_TOPICS = {
    SafetyTopic.DROWNING: LectureTopic.DROWNING,
    SafetyTopic.TRAFFIC: LectureTopic.TRAFFIC_SAFETY,
    SafetyTopic.BULLYING: LectureTopic.BULLYING,
    SafetyTopic.SEXUAL_ASSAULT: LectureTopic.SEXUAL_ASSAULT,
}
CARER_MAX = 200
TRAVEL_NOTE_MAX = 300
#: Entered dates: a year from last year to five years ahead.
YEARS_AHEAD = 5
#: Where an entered first day may fall (the days off of Spring Festival begin between late
#: January and mid-February; schools break up for the summer in June to August).
DATE_WINDOWS = {HolidayKind.SPRING_FESTIVAL: ((1, 10), (2, 28)),
                HolidayKind.SUMMER: ((6, 1), (8, 31))}
NOTIFY_CATEGORY = "holiday_safety.drafted"


def holiday_name(campaign: SafetyCampaign) -> str:
    return _("%(year)s年%(holiday)s", year=campaign.year, holiday=campaign.kind.label)


# -- drafting ------------------------------------------------------------------------------------

def draft_campaign(site: OrgUnit, start: HolidayStart, actor: Actor) -> SafetyCampaign | None:
    """The campaign of ``site`` before ``start``'s holiday, and its managers told; None when the
    site already has it (the key is unique per site, kind and year)."""
    if start.starts_on is None:
        raise ValidationError("没有这个假期的日期，无法起草", field="starts_on")
    exists = session.execute(select(SafetyCampaign.id).where(
        SafetyCampaign.org_unit_id == site.id, SafetyCampaign.kind == start.kind,
        SafetyCampaign.year == start.year)).first()
    if exists is not None:
        return None
    campaign = SafetyCampaign(org_unit=site, kind=start.kind, year=start.year,
                        holiday_starts_on=start.starts_on, topics=codes(TOPICS[start.kind]),
                        checklist=codes(CHECKLIST), status=CampaignStatus.DRAFT,
                        drafted_at=utcnow())
    session.add(campaign)
    session.flush()
    record_event("holiday_safety.drafted", actor, target_type="holiday_safety_campaign",
                 target_id=campaign.id, org_unit_id=site.id,
                 details={"holiday_kind": start.kind.value, "year": start.year,
                          "holiday_starts_on": start.starts_on.isoformat()})
    notify(holders_of(HOLIDAY_SAFETY_MANAGE, site),
           N_("%(site)s：%(year)s年%(holiday)s前的假期安全教育已起草"),
           body=N_("假期从 %(starts)s 开始。请安排安全教育宣讲，宣讲安排好后系统会请有 16 岁以下"
                   "子女的职工在手机上确认假期安全清单。"),
           params={"site": site.name, "year": start.year,
                   "holiday": translatable_label(start.kind.label),
                   "starts": start.starts_on.isoformat()},
           link=("carebridge.holiday_safety.campaign", {"campaign_id": campaign.id}),
           category=NOTIFY_CATEGORY)
    return campaign


# -- the lecture ---------------------------------------------------------------------------------

@dataclass
class LectureInput:
    title: str | None
    format: LectureFormat | str | None
    venue: str | None
    topics: list[str]
    #: Aware UTC datetimes (the form's wall-clock time converted), or None when not given.
    starts_at: datetime | None
    ends_at: datetime | None
    description: str | None = None


def lecture_defaults(campaign: SafetyCampaign, today: date) -> dict:
    """What the lecture form starts with: a title naming the holiday, a talk at the site, at
    19:00 a week before the holiday (or tomorrow when that is past), the campaign's topics."""
    day = max(campaign.holiday_starts_on - timedelta(days=7), today + timedelta(days=1))
    topics = campaign.topic_list
    return {
        "title": _("%(holiday)s假期安全教育", holiday=holiday_name(campaign)),
        "format": LectureFormat.TALK.value,
        "venue": campaign.org_unit.name,
        "topics": [LECTURE_TOPICS[topic].value for topic in topics if topic in LECTURE_TOPICS],
        "starts_at": datetime.combine(day, time(19, 0)),
        "ends_at": datetime.combine(day, time(20, 0)),
        "description": _("假期安全专题：%(topics)s。请有 16 岁以下子女的职工参加，会后在手机上确认"
                         "假期安全清单。", topics="、".join(str(topic.label) for topic in topics)),
    }


def schedule_lecture(campaign: SafetyCampaign, details: LectureInput, actor: Actor) -> int:
    """Create the campaign's lecture through the lectures feature, mark the campaign scheduled
    and send the checklist to its audience; returns the lecture session's id."""
    _check_may_manage(campaign, actor)
    if campaign.status != CampaignStatus.DRAFT:
        raise ValidationError("这次假期安全教育已经安排了宣讲")
    if details.starts_at is not None and details.starts_at <= utcnow():
        raise InputInvalid([ValidationError("宣讲时间须晚于现在", field="starts_at")])
    lecture = lectures.create_session(lectures.SessionDetails(
        title=details.title, format=details.format, unit=campaign.org_unit, venue=details.venue,
        topics=details.topics, description=details.description),
        starts_at=details.starts_at, ends_at=details.ends_at, actor=actor)
    attach_lecture(campaign, lecture, actor)
    return lecture.id


def attach_lecture(campaign: SafetyCampaign, lecture, actor: Actor) -> None:
    """Keep ``lecture`` (a session the lectures feature created for the campaign's site) as the
    campaign's, mark it scheduled and send the checklist to its audience."""
    _check_may_manage(campaign, actor)
    if campaign.status != CampaignStatus.DRAFT:
        raise ValidationError("这次假期安全教育已经安排了宣讲")
    if lecture.org_unit_id != campaign.org_unit_id:
        raise ValidationError("宣讲须在本项目部举办")
    campaign.lecture_session_id = lecture.id
    campaign.lecture_on = to_local(lecture.starts_at, company_zone()).date()
    campaign.status = CampaignStatus.SCHEDULED
    campaign.scheduled_at = utcnow()
    campaign.scheduled_by = actor.key[:100]
    session.flush()
    record_event("holiday_safety.scheduled", actor, target_type="holiday_safety_campaign",
                 target_id=campaign.id, org_unit_id=campaign.org_unit_id,
                 details={"lecture": lecture.id})
    send_to_audience(campaign, actor)


def on_lecture_rescheduled(lecture, actor: Actor) -> None:
    """The lecture moved: the campaign's lecture day follows (it decides the period the campaign
    counts in)."""
    for campaign in _campaigns_of_lecture(lecture.id):
        campaign.lecture_on = to_local(lecture.starts_at, company_zone()).date()
    session.flush()


def on_lecture_cancelled(lecture, actor: Actor) -> None:
    """The lecture was cancelled: the campaign is a draft again, to schedule another lecture
    (the workers already told are not told twice)."""
    for campaign in _campaigns_of_lecture(lecture.id):
        campaign.lecture_session_id = None
        campaign.lecture_on = None
        if campaign.status == CampaignStatus.SCHEDULED:
            campaign.status = CampaignStatus.DRAFT
        session.flush()
        record_event("holiday_safety.lecture_cancelled", actor,
                     target_type="holiday_safety_campaign", target_id=campaign.id,
                     org_unit_id=campaign.org_unit_id, details={"lecture": lecture.id})


def _campaigns_of_lecture(lecture_id: int) -> list[SafetyCampaign]:
    return list(session.execute(select(SafetyCampaign).where(
        SafetyCampaign.lecture_session_id == lecture_id)).scalars())


# -- the checklist -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Sent:
    #: Workers newly added to the campaign's audience and told.
    added: int
    outcome: SendOutcome


def send_to_audience(campaign: SafetyCampaign, actor: Actor) -> Sent:
    """Tell every worker of the audience not told yet (joiners, children registered since)."""
    _check_may_manage(campaign, actor)
    if campaign.status == CampaignStatus.DRAFT:
        raise ValidationError("请先安排宣讲，再发送假期安全清单")
    if campaign.status == CampaignStatus.CLOSED:
        raise ValidationError("这次假期安全教育已经结束")
    today = local_today()
    told = queries.recipient_ids(campaign.id)
    new = [worker_id for worker_id in queries.audience_ids(campaign.org_unit,
                                                           campaign.holiday_starts_on)
           if worker_id not in told]
    now = utcnow()
    session.add_all(SafetyRecipient(campaign_id=campaign.id, worker_id=worker_id, notified_at=now)
                    for worker_id in new)
    if campaign.notified_at is None:
        campaign.notified_at = now
    session.flush()
    outcome = send_checklist(campaign, new, actor, today=today) if new else SendOutcome(0, 0)
    record_event("holiday_safety.checklist_sent", actor, target_type="holiday_safety_campaign",
                 target_id=campaign.id, org_unit_id=campaign.org_unit_id,
                 details={"count": len(new)})
    return Sent(len(new), outcome)


def remind_pending(campaign: SafetyCampaign, actor: Actor) -> int:
    """Remind the workers who have not confirmed, once a day; returns how many were reminded."""
    _check_may_manage(campaign, actor)
    if campaign.status != CampaignStatus.SCHEDULED:
        raise ValidationError("只有已安排的假期安全教育可以提醒职工")
    today = local_today()
    ids = list(session.execute(select(SafetyRecipient.worker_id).where(
        SafetyRecipient.campaign_id == campaign.id, remindable_condition(today))).scalars())
    if not ids:
        raise ValidationError("没有需要提醒的职工：都已确认，或今天已经提醒过")
    session.execute(update(SafetyRecipient).where(SafetyRecipient.campaign_id == campaign.id,
                                            SafetyRecipient.worker_id.in_(ids))
                    .values(reminded_on=today))
    send_checklist(campaign, ids, actor, today=today, reminder=True)
    record_event("holiday_safety.reminded", actor, target_type="holiday_safety_campaign",
                 target_id=campaign.id, org_unit_id=campaign.org_unit_id,
                 details={"count": len(ids)})
    return len(ids)


def close_campaign(campaign: SafetyCampaign, actor: Actor) -> None:
    _check_may_manage(campaign, actor)
    if campaign.status == CampaignStatus.CLOSED:
        raise ValidationError("这次假期安全教育已经结束")
    campaign.status = CampaignStatus.CLOSED
    campaign.closed_at = utcnow()
    session.flush()
    record_event("holiday_safety.closed", actor, target_type="holiday_safety_campaign",
                 target_id=campaign.id, org_unit_id=campaign.org_unit_id)


def _check_may_manage(campaign: SafetyCampaign, actor: Actor) -> None:
    if not actor.key.startswith("system:") and \
            not has_permission(actor.key, HOLIDAY_SAFETY_MANAGE, campaign.org_unit):
        raise ValidationError("您无权管理“%(unit)s”的假期安全教育", unit=campaign.org_unit.name)


# -- the worker's confirmation -------------------------------------------------------------------

@dataclass
class ChecklistAnswers:
    carer: str | None
    #: "yes" / "no" (or None: not answered).
    swimming_rules_explained: str | None
    travel_plan: TravelPlan | str | None
    travel_note: str | None = None


def confirm(recipient: SafetyRecipient, answers: ChecklistAnswers, actor: Actor) -> None:
    """The worker confirms the checklist, once; every answer checked first, nothing written when
    one is missing."""
    campaign = recipient.campaign
    if campaign.status == CampaignStatus.CLOSED:
        raise ValidationError("这次假期安全教育已经结束，不能再确认")
    if recipient.confirmed_at is not None:
        raise ValidationError("您已经确认过这份假期安全清单")
    errors = ErrorList()
    carer = errors.collect(lambda: clean_free_text(answers.carer, max_length=CARER_MAX,
                                                   field="carer"))
    if carer is None and not any(error.field == "carer" for error in errors):
        errors.add(ValidationError("请填写假期里谁照看孩子", field="carer"))
    swimming = {"yes": True, "no": False}.get(answers.swimming_rules_explained or "")
    if swimming is None:
        errors.add(ValidationError("请选择是否已向孩子讲清防溺水规定",
                                   field="swimming_rules_explained"))
    try:
        plan = TravelPlan(answers.travel_plan) if answers.travel_plan else None
    except ValueError:
        plan = None
    if plan is None:
        errors.add(ValidationError("请选择假期出行安排", field="travel_plan"))
    note = errors.collect(lambda: clean_free_text(answers.travel_note, max_length=TRAVEL_NOTE_MAX,
                                                  field="travel_note", multiline=True))
    InputInvalid.raise_if_any(errors)
    done = session.execute(
        update(SafetyRecipient).where(SafetyRecipient.id == recipient.id,
                                      SafetyRecipient.confirmed_at.is_(None))
        .values(confirmed_at=utcnow(), carer=carer, swimming_rules_explained=swimming,
                travel_plan=plan, travel_note=note or None)
        .execution_options(synchronize_session=False))
    if done.rowcount != 1:
        raise ValidationError("您已经确认过这份假期安全清单")
    session.refresh(recipient)
    record_event("holiday_safety.confirmed", actor, target_type="holiday_safety_campaign",
                 target_id=campaign.id, org_unit_id=campaign.org_unit_id,
                 details={"travel_plan": plan.value, "swimming_rules_explained": swimming})


def read_confirmations(campaign: SafetyCampaign, actor: Actor, rows: int) -> None:
    """Officers read the answers (who looks after the children, travel): audited."""
    record_event("holiday_safety.confirmations_viewed", actor,
                 target_type="holiday_safety_campaign", target_id=campaign.id,
                 org_unit_id=campaign.org_unit_id, details={"rows": rows})


# -- dates entered by an administrator -----------------------------------------------------------

def enter_dates(kind: HolidayKind | str | None, year: int | None, starts_on: date | None,
                actor: Actor) -> HolidayDates:
    """Enter (or correct) the first day of a holiday for a year, company-wide."""
    if not actor.key.startswith("system:") and \
            not has_permission(actor.key, HOLIDAY_SAFETY_CONFIGURE, get_root_unit()):
        raise ValidationError("您无权录入假期日期")
    errors = ErrorList()
    try:
        kind = HolidayKind(kind) if kind else None
    except ValueError:
        kind = None
    if kind is None:
        errors.add(ValidationError("请选择假期", field="kind"))
    today = local_today()
    if year is None or not today.year - 1 <= year <= today.year + YEARS_AHEAD:
        errors.add(ValidationError("年份须在 %(first)s 到 %(last)s 之间", field="year",
                                   first=today.year - 1, last=today.year + YEARS_AHEAD))
    if starts_on is None:
        errors.add(ValidationError("请填写假期第一天", field="starts_on"))
    elif kind is not None and year is not None and not errors:
        (first_month, first_day), (last_month, last_day) = DATE_WINDOWS[kind]
        first, last = date(year, first_month, first_day), date(year, last_month, last_day)
        if not first <= starts_on <= last:
            errors.add(ValidationError("%(holiday)s第一天须在 %(first)s 到 %(last)s 之间",
                                       field="starts_on", holiday=str(kind.label),
                                       first=first.isoformat(), last=last.isoformat()))
    InputInvalid.raise_if_any(errors)
    row = session.execute(select(HolidayDates).where(
        HolidayDates.kind == kind, HolidayDates.year == year)).scalar_one_or_none()
    previous = row.starts_on.isoformat() if row is not None else None
    if row is None:
        row = HolidayDates(kind=kind, year=year, starts_on=starts_on)
        session.add(row)
    row.starts_on = starts_on
    row.entered_by = actor.key[:100]
    row.entered_at = utcnow()
    session.flush()
    record_event("holiday_safety.dates_entered", actor, target_type="holiday_safety_dates",
                 target_id=row.id,
                 details={"holiday_kind": kind.value, "year": year,
                          "holiday_starts_on": starts_on.isoformat(),
                          **({"previous_starts_on": previous} if previous else {})})
    return row
