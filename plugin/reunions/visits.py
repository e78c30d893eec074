"""Children staying at the parent's site (小候鸟, 反探亲): their stay, the adult responsible for
them, the programme of activities and who attended, and who is on site today.

A child under 8 (:data:`~.models.UNDER_CARE_AGE`) is registered only with a named adult
responsible for them at all times and that adult's phone (Minors Protection Law Art. 21); the
database refuses such a row without the adult too (``ck_cb_reunion_site_visit_adult_under_8``).
A child whose age the registry does not know is treated as under 8.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from ..access.scope import Scope
from ..audit.services import record_event
from ..core.clock import utcnow
from ..core.db import lock_rows, session
from ..core.errors import CareBridgeError, InputInvalid, ValidationError
from ..core.host import Actor
from ..core.i18n import N_
from ..core.text import clean_free_text, clean_person_name
from ..registry.categories import age_on
from ..registry.models import Child
from ..registry.values import parse_phone
from .models import (
    UNDER_CARE_AGE,
    ActivityAttendance,
    ActivityKind,
    Application,
    ApplicationStatus,
    Campaign,
    SiteVisit,
    Traveller,
    TravellerKind,
    VisitActivity,
)

#: Applications whose children may be registered on site: decided and not called off.
VISITING = (ApplicationStatus.APPROVED, ApplicationStatus.BOOKED, ApplicationStatus.TRAVELLED)


def adult_required(age_on_arrival: int | None) -> bool:
    """Python twin of the table's CHECK: under 8 (or of unknown age) needs a named adult."""
    return age_on_arrival is None or age_on_arrival < UNDER_CARE_AGE


@dataclass(frozen=True)
class VisitInput:
    arrives_on: date | None
    leaves_on: date | None
    accommodation: str | None
    responsible_adult: str | None
    responsible_adult_phone: str | None
    emergency_contact: str | None
    emergency_phone: str | None
    insurance_number: str | None


def visitable_travellers(campaign: Campaign, scope: Scope) -> list[tuple[Traveller, Application]]:
    """Children of decided applications in ``scope`` not registered on site yet."""
    registered = select(SiteVisit.traveller_id).where(SiteVisit.campaign_id == campaign.id)
    rows = session.execute(
        select(Traveller, Application).join(Application, Traveller.application_id == Application.id)
        .where(Application.campaign_id == campaign.id, Application.status.in_(VISITING),
               Traveller.kind == TravellerKind.CHILD, Traveller.id.not_in(registered),
               scope.contains_unit_id(Application.org_unit_id))
        .order_by(Application.id, Traveller.id)).all()
    return [(traveller, application) for traveller, application in rows]


def register_visit(traveller: Traveller, data: VisitInput, *, actor: Actor) -> SiteVisit:
    lock_rows(Traveller, [traveller.id])  # registered once, also when two press at once
    application = traveller.application
    campaign = application.campaign
    errors: list[CareBridgeError] = []
    if traveller.kind != TravellerKind.CHILD or application.status not in VISITING:
        raise ValidationError(N_("只能为已批准申请中的子女登记到访"))
    if not campaign.kind.family_travels:
        raise ValidationError(N_("只有小候鸟和反探亲活动登记孩子到访工地"))
    if session.execute(select(SiteVisit.id).where(SiteVisit.traveller_id == traveller.id)
                       ).first() is not None:
        raise ValidationError(N_("这名孩子的到访已经登记"))
    if data.arrives_on is None:
        errors.append(ValidationError(N_("请填写到达日期"), field="arrives_on"))
    if data.leaves_on is None:
        errors.append(ValidationError(N_("请填写离开日期"), field="leaves_on"))
    elif data.arrives_on is not None and data.leaves_on < data.arrives_on:
        errors.append(ValidationError(N_("离开日期不能早于到达日期"), field="leaves_on"))
    accommodation = clean_free_text(data.accommodation, max_length=200, field="accommodation")
    if not accommodation:
        errors.append(ValidationError(N_("请填写住宿安排"), field="accommodation"))
    child = session.get(Child, traveller.child_id) if traveller.child_id else None
    age = (age_on(child.birth_date, data.arrives_on)
           if child is not None and child.birth_date and data.arrives_on else None)
    adult, adult_phone = _person(data.responsible_adult, data.responsible_adult_phone,
                                 "responsible_adult", "responsible_adult_phone", errors)
    if adult_required(age) and data.arrives_on is not None and not (adult and adult_phone):
        errors.append(ValidationError(
            N_("不满 8 周岁的孩子须有一名成年人全程负责照看，请填写其姓名和电话"),
            field="responsible_adult"))
    contact, contact_phone = _person(data.emergency_contact, data.emergency_phone,
                                     "emergency_contact", "emergency_phone", errors)
    if not contact:
        errors.append(ValidationError(N_("请填写紧急联系人"), field="emergency_contact"))
    if not contact_phone:
        errors.append(ValidationError(N_("请填写紧急联系人电话"), field="emergency_phone"))
    insurance = clean_free_text(data.insurance_number, max_length=64, field="insurance_number")
    InputInvalid.raise_if_any(errors)
    visit = SiteVisit(
        campaign_id=campaign.id, application_id=application.id, traveller=traveller,
        child_id=traveller.child_id, org_unit_id=application.org_unit_id,
        arrives_on=data.arrives_on, leaves_on=data.leaves_on,
        age_on_arrival=age if age is not None else 0, accommodation=accommodation,
        responsible_adult=adult, responsible_adult_phone=adult_phone,
        emergency_contact=contact, emergency_phone=contact_phone, insurance_number=insurance,
        registered_by=actor.key, registered_at=utcnow())
    session.add(visit)
    session.flush()
    record_event("reunion.visit_registered", actor, target_type="reunion_visit",
                 target_id=visit.id, org_unit_id=visit.org_unit_id,
                 details={"campaign": campaign.id, "arrives_on": visit.arrives_on.isoformat(),
                          "leaves_on": visit.leaves_on.isoformat()})
    return visit


def _person(name, phone, name_field, phone_field, errors) -> tuple[str | None, str | None]:
    try:
        cleaned = clean_person_name(name, max_length=100, field=name_field)
    except ValidationError as error:
        errors.append(error)
        cleaned = None
    try:
        number = parse_phone(phone, field=phone_field)
    except ValidationError as error:
        errors.append(error)
        number = None
    return cleaned, number


def visits_of(campaign: Campaign, scope: Scope) -> list[SiteVisit]:
    return list(session.execute(
        select(SiteVisit).where(SiteVisit.campaign_id == campaign.id,
                                scope.contains_unit_id(SiteVisit.org_unit_id))
        .order_by(SiteVisit.arrives_on, SiteVisit.id)).scalars())


def on_site(scope: Scope, day: date) -> list[SiteVisit]:
    """Children staying at sites of ``scope`` on ``day`` (arrival and departure days
    included)."""
    return list(session.execute(
        select(SiteVisit).where(SiteVisit.arrives_on <= day, SiteVisit.leaves_on >= day,
                                scope.contains_unit_id(SiteVisit.org_unit_id))
        .order_by(SiteVisit.org_unit_id, SiteVisit.id)).scalars())


# -- the programme -------------------------------------------------------------------------------

def add_activity(campaign: Campaign, unit, kind: ActivityKind | None, title: str | None,
                 held_on: date | None, place: str | None, *, actor: Actor) -> VisitActivity:
    errors: list[CareBridgeError] = []
    if kind is None:
        errors.append(ValidationError(N_("请选择活动类型"), field="kind"))
    cleaned_title = clean_free_text(title, max_length=200, field="title")
    if not cleaned_title:
        errors.append(ValidationError(N_("请填写活动名称"), field="title"))
    if held_on is None:
        errors.append(ValidationError(N_("请填写活动日期"), field="held_on"))
    elif not campaign.travel_from <= held_on <= campaign.travel_until:
        errors.append(ValidationError(N_("活动日期应在活动的出行时间内（%(start)s 至 %(end)s）"),
                                      field="held_on", start=campaign.travel_from.isoformat(),
                                      end=campaign.travel_until.isoformat()))
    if unit is None or not unit.path.startswith(campaign.org_unit.path):
        errors.append(ValidationError(N_("请选择活动范围内的单位"), field="unit"))
    InputInvalid.raise_if_any(errors)
    activity = VisitActivity(campaign_id=campaign.id, org_unit=unit, kind=kind,
                             title=cleaned_title, held_on=held_on,
                             place=clean_free_text(place, max_length=200, field="place"),
                             created_by=actor.key, created_at=utcnow())
    session.add(activity)
    session.flush()
    record_event("reunion.activity_added", actor, target_type="reunion_activity",
                 target_id=activity.id, org_unit_id=unit.id,
                 details={"campaign": campaign.id, "kind": kind.value})
    return activity


def activities_of(campaign: Campaign, scope: Scope) -> list[VisitActivity]:
    return list(session.execute(
        select(VisitActivity).where(VisitActivity.campaign_id == campaign.id,
                                    scope.contains_unit_id(VisitActivity.org_unit_id))
        .order_by(VisitActivity.held_on, VisitActivity.id)).scalars())


def expected_at(activity: VisitActivity) -> list[SiteVisit]:
    """The children staying in the activity's subtree on its day."""
    return [visit for visit in on_site(Scope.of_unit(activity.org_unit), activity.held_on)
            if visit.campaign_id == activity.campaign_id]


def attendance_of(activity: VisitActivity) -> set[int]:
    return set(session.execute(select(ActivityAttendance.visit_id).where(
        ActivityAttendance.activity_id == activity.id)).scalars())


def record_attendance(activity: VisitActivity, present_visit_ids: Iterable[int], *,
                      actor: Actor) -> tuple[int, int]:
    """Set who attended (children staying on the day only); returns (added, removed)."""
    allowed = {visit.id for visit in expected_at(activity)}
    wanted = set(present_visit_ids)
    if wanted - allowed:
        raise ValidationError(N_("只能登记当天在工地的孩子"), field="present")
    current = attendance_of(activity)
    added, removed = wanted - current, current - wanted
    for visit_id in sorted(added):
        session.add(ActivityAttendance(activity_id=activity.id, visit_id=visit_id,
                                       recorded_by=actor.key, recorded_at=utcnow()))
    if removed:
        for row in session.execute(select(ActivityAttendance).where(
                ActivityAttendance.activity_id == activity.id,
                ActivityAttendance.visit_id.in_(removed))).scalars():
            session.delete(row)
    session.flush()
    if added or removed:
        record_event("reunion.attendance_recorded", actor, target_type="reunion_activity",
                     target_id=activity.id, org_unit_id=activity.org_unit_id,
                     details={"present": len(wanted), "added": len(added),
                              "removed": len(removed)})
    return len(added), len(removed)
