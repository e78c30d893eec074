"""Campaigns and applications: create, apply, approve, waitlist, reject, offer, cancel.

Functions check every rule first (a :class:`~plugin.core.errors.ValidationError` or
:class:`~plugin.core.errors.InputInvalid` naming the form field), then change, flush, write the
application's history and the audit log, notify, and never commit. Places and money move only
through :mod:`.allocation`.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select

from ..audit.services import record_event
from ..core.clock import local_today, utcnow
from ..core.db import lock_rows, session
from ..core.errors import CareBridgeError, InputInvalid, ValidationError
from ..core.host import Actor
from ..core.i18n import N_
from ..core.money import format_yuan
from ..core.text import clean_free_text, clean_person_name
from ..org.models import OrgUnit
from ..registry.models import Child, Worker
from ..registry.queries import children_of
from ..registry.regions import is_three_areas_three_prefectures
from . import allocation, notices, rules
from .models import (
    HOLDING,
    OPEN,
    Application,
    ApplicationEvent,
    ApplicationStatus,
    Campaign,
    CampaignKind,
    CampaignQuota,
    Eligibility,
    SubsidyKind,
    Traveller,
    TravellerKind,
    TravelMode,
)

NAME_MAX = 200
PLACE_MAX = 200
REASON_MAX = 300
#: Hours a waiting-list offer holds its places, unless the campaign says otherwise.
DEFAULT_OFFER_HOURS = 48

SHORTFALL_MESSAGES = {
    allocation.Shortfall.PLACES: N_("%(unit)s 的名额已满（共 %(places)s 个，还剩 %(free)s 个），"
                                    "这户需要 %(needed)s 个；可以列入候补"),
    allocation.Shortfall.BUDGET: N_("活动预算不足：还剩 %(left)s 元，这户补贴需要 %(needed)s 元；"
                                    "可以列入候补"),
}


# -- campaigns ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CampaignInput:
    name: str | None
    kind: CampaignKind | None
    applications_open_on: date | None
    applications_close_on: date | None
    travel_from: date | None
    travel_until: date | None
    budget_fen: int | None
    household_limit: int | None
    eligibility: Eligibility | None
    subsidy_kind: SubsidyKind | None
    subsidy_percent: int | None
    subsidy_amount_fen: int | None
    travel_modes: Sequence[TravelMode]
    offer_hours: int | None = DEFAULT_OFFER_HOURS


def _campaign_errors(data: CampaignInput) -> list[CareBridgeError]:
    errors: list[CareBridgeError] = []

    def need(value, field):
        if value is None:
            errors.append(ValidationError(N_("请填写这一项"), field=field))
    for field in ("kind", "applications_open_on", "applications_close_on", "travel_from",
                  "travel_until", "budget_fen", "eligibility", "subsidy_kind"):
        need(getattr(data, field), field)
    if not data.travel_modes:
        errors.append(ValidationError(N_("请至少选择一种出行方式"), field="travel_modes"))
    if (data.applications_open_on and data.applications_close_on
            and data.applications_close_on < data.applications_open_on):
        errors.append(ValidationError(N_("申请截止日期不能早于申请开始日期"),
                                      field="applications_close_on"))
    if data.travel_from and data.travel_until and data.travel_until < data.travel_from:
        errors.append(ValidationError(N_("出行结束日期不能早于出行开始日期"), field="travel_until"))
    if data.budget_fen is not None and data.budget_fen <= 0:
        errors.append(ValidationError(N_("预算必须大于 0"), field="budget_fen"))
    if data.household_limit is not None and not 1 <= data.household_limit <= 10:
        errors.append(ValidationError(N_("每户人数上限应在 1 到 10 之间"), field="household_limit"))
    if data.offer_hours is not None and not 1 <= data.offer_hours <= 24 * 14:
        errors.append(ValidationError(N_("递补确认时限应在 1 到 336 小时之间"),
                                      field="offer_hours"))
    if data.subsidy_kind == SubsidyKind.PERCENT_CAPPED and (
            data.subsidy_percent is None or not 1 <= data.subsidy_percent <= 100):
        errors.append(ValidationError(N_("补贴比例应在 1% 到 100% 之间"),
                                      field="subsidy_percent"))
    if data.subsidy_kind in (SubsidyKind.PERCENT_CAPPED, SubsidyKind.FIXED) and (
            data.subsidy_amount_fen is None or data.subsidy_amount_fen <= 0):
        errors.append(ValidationError(
            N_("请填写每人补贴金额") if data.subsidy_kind == SubsidyKind.FIXED
            else N_("请填写每人补贴上限"), field="subsidy_amount_fen"))
    return errors


def create_campaign(data: CampaignInput, *, unit: OrgUnit, quotas: dict[OrgUnit, int],
                    actor: Actor) -> Campaign:
    """A campaign for ``unit``'s subtree, with places for each unit in ``quotas`` (units of the
    subtree: a worker counts against the nearest one above them)."""
    errors = _campaign_errors(data)
    name = clean_free_text(data.name, max_length=NAME_MAX, field="name")
    if not name:
        errors.append(ValidationError(N_("请填写活动名称"), field="name"))
    quota_errors = _quota_errors(unit, quotas)
    InputInvalid.raise_if_any(errors + quota_errors)
    campaign = Campaign(
        org_unit=unit, name=name, kind=data.kind, applications_open_on=data.applications_open_on,
        applications_close_on=data.applications_close_on, travel_from=data.travel_from,
        travel_until=data.travel_until, budget_fen=data.budget_fen, committed_fen=0,
        household_limit=data.household_limit or 4, eligibility=data.eligibility,
        subsidy_kind=data.subsidy_kind,
        subsidy_percent=(data.subsidy_percent if data.subsidy_kind == SubsidyKind.PERCENT_CAPPED
                         else None),
        subsidy_amount_fen=(None if data.subsidy_kind == SubsidyKind.FULL
                            else data.subsidy_amount_fen),
        travel_modes=",".join(mode.value for mode in data.travel_modes),
        offer_hours=data.offer_hours or DEFAULT_OFFER_HOURS, created_by=actor.key,
        created_at=utcnow())
    campaign.quotas = [CampaignQuota(org_unit=quota_unit, places=places, taken=0)
                       for quota_unit, places in quotas.items()]
    session.add(campaign)
    session.flush()
    record_event("reunion.campaign_created", actor, target_type="reunion_campaign",
                 target_id=campaign.id, org_unit_id=unit.id,
                 details={"kind": campaign.kind.value, "budget_fen": campaign.budget_fen,
                          "places": sum(quotas.values())})
    return campaign


def _quota_errors(unit: OrgUnit, quotas: dict[OrgUnit, int]) -> list[CareBridgeError]:
    errors: list[CareBridgeError] = []
    if not quotas:
        errors.append(ValidationError(N_("请至少为一个单位设置名额"), field="quotas"))
    for quota_unit, places in quotas.items():
        if not quota_unit.path.startswith(unit.path):
            errors.append(ValidationError(N_("%(unit)s 不在活动的范围内"), field="quotas",
                                          unit=quota_unit.name))
        elif places is None or places < 1:
            errors.append(ValidationError(N_("%(unit)s 的名额必须大于 0"), field="quotas",
                                          unit=quota_unit.name))
    return errors


def set_quota(campaign: Campaign, quota_unit: OrgUnit, places: int, *, actor: Actor) -> None:
    """Change a unit's places (never below the places already held)."""
    InputInvalid.raise_if_any(_quota_errors(campaign.org_unit, {quota_unit: places}))
    quota = next((q for q in campaign.quotas if q.org_unit_id == quota_unit.id), None)
    if quota is None:
        quota = CampaignQuota(campaign=campaign, org_unit=quota_unit, places=places, taken=0)
        session.add(quota)
        before = None
    else:
        lock_rows(CampaignQuota, [quota.id])
        session.refresh(quota, ["taken", "places"])
        if places < quota.taken:
            raise ValidationError(N_("%(unit)s 已有 %(taken)s 个名额被占用，名额不能少于此数"),
                                  field="quotas", unit=quota_unit.name, taken=quota.taken)
        before = quota.places
        quota.places = places
    session.flush()
    record_event("reunion.quota_changed", actor, target_type="reunion_campaign",
                 target_id=campaign.id, org_unit_id=quota_unit.id,
                 details={"unit": quota_unit.name, "from": before, "to": places})
    offer_next(campaign, actor=actor)


def quota_for(campaign: Campaign, unit: OrgUnit) -> CampaignQuota | None:
    """The quota a worker of ``unit`` counts against: the nearest unit above it with places."""
    candidates = [quota for quota in campaign.quotas if unit.path.startswith(quota.org_unit.path)]
    return max(candidates, key=lambda quota: len(quota.org_unit.path), default=None)


def is_open_for_applications(campaign: Campaign, today: date) -> bool:
    return (campaign.closed_at is None
            and campaign.applications_open_on <= today <= campaign.applications_close_on)


# -- applying ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class TravellerInput:
    kind: TravellerKind
    name: str | None = None
    child_id: int | None = None
    relation: str | None = None
    id_number: str | None = None


@dataclass(frozen=True)
class ApplicationInput:
    travellers: Sequence[TravellerInput]
    from_place: str | None
    to_place: str | None
    depart_on: date | None
    return_on: date | None
    travel_mode: TravelMode | None
    estimated_fare_fen: int | None


def child_facts(children: Sequence[Child]) -> list[rules.ChildFacts]:
    return [rules.ChildFacts(child.left_behind, child.in_difficulty, child.de_facto_unsupported,
                             child.in_three_areas) for child in children]


def last_travelled_on(worker_id: int) -> date | None:
    """The last day the worker's household travelled with a campaign (its departure)."""
    return session.execute(select(func.max(Application.depart_on)).where(
        Application.worker_id == worker_id,
        Application.status == ApplicationStatus.TRAVELLED)).scalar_one()


def priority_for(worker: Worker, children: Sequence[Child], today: date) -> rules.Priority:
    region = worker.hukou_region_code
    return rules.priority_of(
        child_facts(children),
        worker_in_three_areas=bool(region and is_three_areas_three_prefectures(region)),
        last_travelled_on=last_travelled_on(worker.id), today=today)


def open_application_of(campaign: Campaign, worker: Worker) -> Application | None:
    return session.execute(select(Application).where(
        Application.campaign_id == campaign.id, Application.worker_id == worker.id,
        Application.status.in_(OPEN))).scalar_one_or_none()


#: Why a worker cannot apply for a campaign (:func:`blockers`); each caller words them for its
#: reader (the officer's form, the worker's phone).
CLOSED, OUTSIDE, NO_QUOTA, NOT_ELIGIBLE, NO_CHILDREN = (
    "closed", "outside", "no_quota", "not_eligible", "no_children")


def blockers(campaign: Campaign, worker: Worker, children: Sequence[Child],
             today: date) -> tuple[str, ...]:
    """What stops ``worker`` from applying for ``campaign`` on ``today`` (empty: nothing), whatever
    the application says; an application already open is :func:`open_application_of`'s."""
    found = []
    if not is_open_for_applications(campaign, today):
        found.append(CLOSED)
    if not worker.org_unit.path.startswith(campaign.org_unit.path):
        found.append(OUTSIDE)
    if quota_for(campaign, worker.org_unit) is None:
        found.append(NO_QUOTA)
    if not rules.is_eligible(campaign.eligibility, child_facts(children)):
        found.append(NOT_ELIGIBLE)
    if campaign.kind.family_travels and not children:
        found.append(NO_CHILDREN)
    return tuple(found)


def apply(campaign: Campaign, worker: Worker, data: ApplicationInput, *, actor: Actor,
          today: date | None = None) -> Application:
    """The worker's household applies (on the phone, or an officer for them)."""
    today = today or local_today()
    lock_rows(Worker, [worker.id])  # one open application per worker: a second request waits
    children = children_of(worker)
    errors: list[CareBridgeError] = []
    blocked = blockers(campaign, worker, children, today)
    if CLOSED in blocked:
        errors.append(ValidationError(N_("这项活动现在不接受申请（申请时间 %(start)s 至 %(end)s）"),
                                      start=campaign.applications_open_on.isoformat(),
                                      end=campaign.applications_close_on.isoformat()))
    if OUTSIDE in blocked:
        errors.append(ValidationError(N_("这名职工不在活动的范围内")))
    if NO_QUOTA in blocked:
        errors.append(ValidationError(N_("职工所在单位没有这项活动的名额")))
    if open_application_of(campaign, worker) is not None:
        errors.append(ValidationError(N_("这名职工已经申请了这项活动")))
    if NOT_ELIGIBLE in blocked:
        errors.append(ValidationError(N_("这项活动只面向%(who)s"),
                                      who=str(campaign.eligibility.label)))
    # NO_CHILDREN is said with the travellers chosen (_travellers, on the children field).
    quota = quota_for(campaign, worker.org_unit)
    travellers, traveller_errors = _travellers(campaign, worker, children, data.travellers)
    errors += traveller_errors
    from_place = clean_free_text(data.from_place, max_length=PLACE_MAX, field="from_place")
    to_place = clean_free_text(data.to_place, max_length=PLACE_MAX, field="to_place")
    if not from_place:
        errors.append(ValidationError(N_("请填写出发地"), field="from_place"))
    if not to_place:
        errors.append(ValidationError(N_("请填写目的地"), field="to_place"))
    errors += _trip_errors(campaign, data)
    InputInvalid.raise_if_any(errors)
    priority = priority_for(worker, children, today)
    application = Application(
        campaign=campaign, worker_id=worker.id, org_unit_id=worker.org_unit_id,
        quota_id=quota.id, status=ApplicationStatus.APPLIED, priority_band=priority.band,
        priority_reasons=",".join(priority.reasons), from_place=from_place, to_place=to_place,
        depart_on=data.depart_on, return_on=data.return_on, travel_mode=data.travel_mode,
        estimated_fare_fen=data.estimated_fare_fen, subsidy_fen=0, applied_by=actor.key,
        applied_at=utcnow())
    application.travellers = travellers
    session.add(application)
    session.flush()
    _history(application, actor, "applied", None, ApplicationStatus.APPLIED)
    record_event("reunion.applied", actor, target_type="reunion_application",
                 target_id=application.id, org_unit_id=application.org_unit_id,
                 details={"campaign": campaign.id, "places": application.places,
                          "band": application.priority_band})
    return application


def _travellers(campaign: Campaign, worker: Worker, children: Sequence[Child],
                wanted: Sequence[TravellerInput]) -> tuple[list[Traveller], list[CareBridgeError]]:
    errors: list[CareBridgeError] = []
    own = {child.id: child for child in children}
    travellers: list[Traveller] = []
    seen_children: set[int] = set()
    for entry in wanted:
        if entry.kind == TravellerKind.WORKER:
            if any(t.kind == TravellerKind.WORKER for t in travellers):
                continue
            travellers.append(Traveller(kind=TravellerKind.WORKER, name=worker.name,
                                        relation=None, id_number=worker.id_number))
        elif entry.kind == TravellerKind.CHILD:
            child = own.get(entry.child_id or 0)
            if child is None:
                errors.append(ValidationError(N_("只能选择这名职工自己的子女"), field="children"))
                continue
            if child.id in seen_children:
                continue
            seen_children.add(child.id)
            travellers.append(Traveller(kind=TravellerKind.CHILD, child_id=child.id,
                                        name=child.name, relation=None,
                                        id_number=child.id_number))
        else:
            try:
                name = clean_person_name(entry.name, max_length=100, field="relatives")
            except ValidationError as error:
                errors.append(error)
                continue
            if not name:
                continue
            relation = clean_free_text(entry.relation, max_length=32, field="relatives")
            travellers.append(Traveller(kind=TravellerKind.RELATIVE, name=name,
                                        relation=relation, id_number=None))
    if not travellers:
        errors.append(ValidationError(N_("请选择出行的人"), field="travellers"))
    elif len(travellers) > campaign.household_limit:
        errors.append(ValidationError(N_("每户最多 %(limit)s 人，这份申请有 %(count)s 人"),
                                      field="travellers", limit=campaign.household_limit,
                                      count=len(travellers)))
    if campaign.kind.family_travels and not seen_children and travellers:
        errors.append(ValidationError(N_("小候鸟和反探亲活动请选择来工地团聚的子女"),
                                      field="children"))
    return travellers, errors


def _trip_errors(campaign: Campaign, data: ApplicationInput) -> list[CareBridgeError]:
    errors: list[CareBridgeError] = []
    if data.depart_on is None:
        errors.append(ValidationError(N_("请填写出发日期"), field="depart_on"))
    elif not campaign.travel_from <= data.depart_on <= campaign.travel_until:
        errors.append(ValidationError(N_("出发日期应在活动的出行时间内（%(start)s 至 %(end)s）"),
                                      field="depart_on", start=campaign.travel_from.isoformat(),
                                      end=campaign.travel_until.isoformat()))
    if data.return_on is not None and data.depart_on is not None \
            and data.return_on < data.depart_on:
        errors.append(ValidationError(N_("返程日期不能早于出发日期"), field="return_on"))
    if data.travel_mode is None or data.travel_mode not in campaign.modes:
        errors.append(ValidationError(N_("请从活动提供的出行方式中选择"), field="travel_mode"))
    if data.estimated_fare_fen is None or data.estimated_fare_fen <= 0:
        errors.append(ValidationError(N_("请填写每人预计票价"), field="estimated_fare_fen"))
    elif data.estimated_fare_fen > 1_000_000:
        errors.append(ValidationError(N_("每人预计票价不能超过 10000 元"),
                                      field="estimated_fare_fen"))
    return errors


# -- deciding ----------------------------------------------------------------------------------

def estimated_subsidy(application: Application) -> int:
    return rules.subsidy_for(application.campaign,
                             [application.estimated_fare_fen] * application.places)


def approve(application: Application, *, actor: Actor) -> Application:
    """Approve within the site's places and the budget, or say which ran short."""
    _expect(application, (ApplicationStatus.APPLIED, ApplicationStatus.WAITLISTED))
    shortfall = allocation.hold(application, estimated_subsidy(application))
    if shortfall is not None:
        raise _shortfall_error(application, shortfall)
    _move(application, ApplicationStatus.APPROVED, actor, "approved")
    notices.tell_worker(application, notices.APPROVED, actor)
    return application


def _shortfall_error(application: Application, shortfall: allocation.Shortfall):
    quota = session.get(CampaignQuota, application.quota_id)
    if shortfall == allocation.Shortfall.PLACES:
        return ValidationError(SHORTFALL_MESSAGES[shortfall], unit=quota.org_unit.name,
                               places=quota.places, free=allocation.free_places(quota),
                               needed=application.places)
    return ValidationError(SHORTFALL_MESSAGES[shortfall],
                           left=format_yuan(allocation.money_left(application.campaign)),
                           needed=format_yuan(estimated_subsidy(application)))


def waitlist(application: Application, *, actor: Actor) -> Application:
    _expect(application, (ApplicationStatus.APPLIED,))
    _move(application, ApplicationStatus.WAITLISTED, actor, "waitlisted")
    notices.tell_worker(application, notices.WAITLISTED, actor)
    return application


def reject(application: Application, reason: str | None, *, actor: Actor) -> Application:
    _expect(application, (ApplicationStatus.APPLIED, ApplicationStatus.WAITLISTED))
    text = _reason(reason)
    application.reject_reason = text
    _move(application, ApplicationStatus.REJECTED, actor, "rejected", reason=text)
    notices.tell_worker(application, notices.REJECTED, actor)
    return application


def change_priority(application: Application, band: int | None, reason: str | None, *,
                    actor: Actor) -> Application:
    """An officer moves a household to another band; the reason is kept in the history."""
    errors: list[CareBridgeError] = []
    if band not in rules.BANDS:
        errors.append(ValidationError(N_("优先级应为 1、2 或 3"), field="band"))
    try:
        text = _reason(reason)
    except ValidationError as error:
        errors.append(error)
    InputInvalid.raise_if_any(errors)
    if application.status not in (ApplicationStatus.APPLIED, ApplicationStatus.WAITLISTED):
        raise ValidationError(N_("只能调整待审批或候补中的申请的优先级"))
    if band == application.priority_band:
        raise ValidationError(N_("优先级没有变化"), field="band")
    before = application.priority_band
    application.priority_band = band
    session.flush()
    _history(application, actor, f"priority:{before}->{band}", application.status,
             application.status, reason=text)
    record_event("reunion.priority_changed", actor, target_type="reunion_application",
                 target_id=application.id, org_unit_id=application.org_unit_id,
                 details={"from": before, "to": band})
    return application


def cancel(application: Application, reason: str | None, *, actor: Actor,
           refund_fen: int | None = None) -> Application:
    """Cancel an application (the worker or an officer); places held go to the waiting list."""
    _expect(application, (ApplicationStatus.APPLIED, ApplicationStatus.WAITLISTED,
                          ApplicationStatus.OFFERED, ApplicationStatus.APPROVED,
                          ApplicationStatus.BOOKED))
    text = _reason(reason)
    if refund_fen is not None and refund_fen < 0:
        raise ValidationError(N_("退款金额不能为负数"), field="refund_fen")
    held = application.status in HOLDING
    if held:
        # Booked tickets cost what the carrier does not refund; that much stays spent.
        kept = (max(0, application.subsidy_fen - (refund_fen or 0))
                if application.status == ApplicationStatus.BOOKED else 0)
        allocation.release(application, keep_fen=kept)
    application.refund_fen = refund_fen
    _move(application, ApplicationStatus.CANCELLED, actor, "cancelled", reason=text)
    if held:
        offer_next(application.campaign, actor=actor)
    return application


#: What a worker may give up on the phone; booked tickets are the union's to cancel (with the
#: carrier's refund).
WITHDRAWABLE = (ApplicationStatus.APPLIED, ApplicationStatus.WAITLISTED,
                ApplicationStatus.OFFERED, ApplicationStatus.APPROVED)


def withdraw(application: Application, reason: str | None, *, actor: Actor) -> Application:
    """The worker gives up their own application; places it held go to the waiting list."""
    _expect(application, (*WITHDRAWABLE, ApplicationStatus.BOOKED))
    if application.status == ApplicationStatus.BOOKED:
        raise ValidationError(N_("车票已经订好，请联系工会办理退票"))
    return cancel(application, reason, actor=actor)


def allocate(campaign: Campaign, *, actor: Actor) -> dict[str, int]:
    """Approve the applications waiting, in the queue's order, while places and money last;
    a household that does not fit whole goes on the waiting list, and smaller ones behind it
    may still fit."""
    approved = waitlisted = 0
    pending = session.execute(select(Application).where(
        Application.campaign_id == campaign.id,
        Application.status == ApplicationStatus.APPLIED).order_by(*rules.queue_order())).scalars()
    for application in list(pending):
        if not _still(application, ApplicationStatus.APPLIED):
            continue
        if allocation.hold(application, estimated_subsidy(application)) is None:
            _move(application, ApplicationStatus.APPROVED, actor, "approved")
            notices.tell_worker(application, notices.APPROVED, actor)
            approved += 1
        else:
            _move(application, ApplicationStatus.WAITLISTED, actor, "waitlisted")
            notices.tell_worker(application, notices.WAITLISTED, actor)
            waitlisted += 1
    record_event("reunion.allocated", actor, target_type="reunion_campaign", target_id=campaign.id,
                 org_unit_id=campaign.org_unit_id,
                 details={"approved": approved, "waitlisted": waitlisted})
    return {"approved": approved, "waitlisted": waitlisted}


# -- the waiting list ----------------------------------------------------------------------------

def offer_next(campaign: Campaign, *, actor: Actor) -> list[Application]:
    """Offer freed places to the waiting list, in the queue's order: each household gets its
    places held whole for ``offer_hours``; one too large for what is free keeps its place in the
    queue and a smaller one behind it may be offered."""
    offered: list[Application] = []
    if campaign.closed_at is not None:
        return offered
    waiting = session.execute(select(Application).where(
        Application.campaign_id == campaign.id,
        Application.status == ApplicationStatus.WAITLISTED).order_by(*rules.queue_order())
    ).scalars()
    expires = utcnow() + timedelta(hours=campaign.offer_hours)
    for application in list(waiting):
        if not _still(application, ApplicationStatus.WAITLISTED):
            continue
        if allocation.hold(application, estimated_subsidy(application)) is None:
            application.offer_expires_at = expires
            _move(application, ApplicationStatus.OFFERED, actor, "offered")
            notices.tell_worker(application, notices.OFFERED, actor)
            offered.append(application)
    return offered


def accept_offer(application: Application, *, actor: Actor) -> Application:
    _expect(application, (ApplicationStatus.OFFERED,))
    if application.offer_expires_at is not None and application.offer_expires_at <= utcnow():
        raise ValidationError(N_("递补名额的确认时间已过"))
    application.offer_expires_at = None
    _move(application, ApplicationStatus.APPROVED, actor, "offer_accepted")
    return application


def decline_offer(application: Application, *, actor: Actor) -> Application:
    _expect(application, (ApplicationStatus.OFFERED,))
    allocation.release(application)
    application.offer_expires_at = None
    _move(application, ApplicationStatus.CANCELLED, actor, "offer_declined")
    offer_next(application.campaign, actor=actor)
    return application


def lapse_offers(*, actor: Actor) -> int:
    """Offers not taken in time lapse, and their places go to the next households. Idempotent:
    an offer lapses once."""
    due = list(session.execute(select(Application).where(
        Application.status == ApplicationStatus.OFFERED,
        Application.offer_expires_at <= utcnow()).order_by(Application.id)).scalars())
    campaigns = {}
    lapsed = 0
    for application in due:
        if not _still(application, ApplicationStatus.OFFERED):
            continue
        allocation.release(application)
        _move(application, ApplicationStatus.LAPSED, actor, "offer_lapsed")
        notices.tell_worker(application, notices.LAPSED, actor)
        campaigns[application.campaign_id] = application.campaign
        lapsed += 1
    for campaign in campaigns.values():
        offer_next(campaign, actor=actor)
    return lapsed


# -- after booking -----------------------------------------------------------------------------

def mark_travelled(application: Application, *, travelled: bool, actor: Actor) -> Application:
    _expect(application, (ApplicationStatus.BOOKED,))
    # Either way the tickets were bought: their subsidy stays spent, and the places no longer
    # matter (the journey is over).
    _move(application, ApplicationStatus.TRAVELLED if travelled else ApplicationStatus.NO_SHOW,
          actor, "travelled" if travelled else "no_show")
    return application


# -- helpers ------------------------------------------------------------------------------------

def _expect(application: Application, statuses: tuple[ApplicationStatus, ...]) -> None:
    """Lock the application and read its status again: of two officers deciding it at the same
    moment, the second sees what the first did."""
    lock_rows(Application, [application.id])
    session.refresh(application, ["status", "subsidy_fen", "offer_expires_at"])
    if application.status not in statuses:
        raise ValidationError(N_("这份申请现在是“%(status)s”，不能这样办理"),
                              status=str(application.status.label))


def _still(application: Application, status: ApplicationStatus) -> bool:
    """For batches: lock the application and check it is still in ``status`` (another request
    may have decided it since the batch read it)."""
    lock_rows(Application, [application.id])
    session.refresh(application, ["status", "subsidy_fen", "offer_expires_at"])
    return application.status == status


def _reason(reason: str | None) -> str:
    text = clean_free_text(reason, max_length=REASON_MAX, field="reason")
    if not text:
        raise ValidationError(N_("请填写原因"), field="reason")
    return text


def _move(application: Application, to: ApplicationStatus, actor: Actor, action: str, *,
          reason: str | None = None) -> None:
    before = application.status
    application.status = to
    session.flush()
    _history(application, actor, action, before, to, reason=reason)
    record_event(f"reunion.{action}", actor, target_type="reunion_application",
                 target_id=application.id, org_unit_id=application.org_unit_id,
                 details={"from": before.value if before else None, "to": to.value})


def _history(application: Application, actor: Actor, action: str,
             before: ApplicationStatus | None, after: ApplicationStatus | None, *,
             reason: str | None = None) -> None:
    session.add(ApplicationEvent(
        application_id=application.id, occurred_at=utcnow(), actor_key=actor.key[:64],
        action=action[:32], from_status=before.value if before else None,
        to_status=after.value if after else None, reason=reason))


# -- results: closing a campaign (appended for the results and the demo) ---------------------

def close_campaign(campaign: Campaign, *, actor: Actor) -> Campaign:
    """The campaign is over: no more applications or moves up the waiting list. Offers already
    made can still be taken until they lapse; approved households book and travel as usual."""
    if campaign.closed_at is not None:
        raise ValidationError(N_("这项活动已经结束"))
    campaign.closed_at = utcnow()
    session.flush()
    record_event("reunion.campaign_closed", actor, target_type="reunion_campaign",
                 target_id=campaign.id, org_unit_id=campaign.org_unit_id, details={})
    return campaign


# -- booking: the agent's results imported (appended for the booking pages) -----------------------

#: The actual prices cost more than the budget has left.
BOOKING_BUDGET_SHORT = N_("活动预算不足：按实际票价这户的补贴为 %(subsidy)s 元，比批准时多 "
                          "%(more)s 元，预算只剩 %(left)s 元")


def book(application: Application, *, actor: Actor) -> Application:
    """An approved household whose travellers all have their tickets (number and actual price,
    already set on each traveller) is booked: the subsidy is recomputed from the actual prices
    (:func:`.rules.subsidy_for`) and the budget takes the difference, or refuses it and nothing
    changes."""
    _expect(application, (ApplicationStatus.APPROVED,))
    missing = [traveller for traveller in application.travellers
               if not traveller.ticket_number or traveller.ticket_price_fen is None]
    if missing:
        raise ValidationError(N_("还有 %(count)s 人没有出票：全家都出票后才能登记为已出票"),
                              count=len(missing))
    subsidy = rules.subsidy_for(application.campaign, [
        traveller.ticket_price_fen for traveller in application.travellers])
    before = application.subsidy_fen
    if not allocation.adjust_money(application, subsidy):
        raise ValidationError(BOOKING_BUDGET_SHORT, subsidy=format_yuan(subsidy),
                              more=format_yuan(subsidy - before),
                              left=format_yuan(allocation.money_left(application.campaign)))
    _move(application, ApplicationStatus.BOOKED, actor, "booked")
    notices.tell_worker(application, notices.BOOKED, actor)
    return application
