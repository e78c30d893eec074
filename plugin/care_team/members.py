"""The roster of the care team (关爱服务队伍): members serving a unit's workers, their
availability and their trainings.

A member serves the workers of their unit's subtree (a member of the company serves every site).
*Product rule:* a member is active from ``joined_on`` until the day before ``left_on``; the
roster's "active" filter and the volunteer and social-worker figures read the same rule
(:func:`active_condition` is the SQL twin of :meth:`CareTeamMember.active_on`).

A member may be a company worker too: the worker is picked by employee number within the actor's
scope through the registry's published :func:`plugin.registry.services.find_worker`, so a number
of another subtree reads as not found.

Each service checks everything first, then changes, flushes and audits; the caller commits.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import and_, func, or_, select

from ..access.scope import Scope
from ..audit.services import record_event
from ..core.clock import utcnow
from ..core.db import session
from ..core.errors import ErrorList, InputInvalid, ValidationError
from ..core.host import Actor
from ..core.i18n import N_
from ..core.pagination import Page, paginate
from ..core.text import clean_code, clean_free_text, clean_person_name
from ..org.models import OrgUnit
from ..registry.services import find_worker
from ..registry.values import parse_phone
from .models import WEEKDAY_LABELS, CareTeamMember, Engagement, MemberKind, Training

NAME_MAX = 100
PROVIDER_MAX = 200
SPECIALTIES_MAX = 300
AVAILABILITY_MAX = 200
TITLE_MAX = 200
#: The longest training one record holds (a fortnight's course, full days), in hours.
HOURS_MAX = 200

NEED_UNIT = N_("请选择成员服务的单位")
NEED_KIND = N_("请选择成员类别")
NEED_NAME = N_("请填写姓名")
NEED_ENGAGEMENT = N_("社会工作者请选择自有社工或购买服务")
ENGAGEMENT_ONLY_SOCIAL = N_("只有社会工作者需要选择用工方式")
NEED_PROVIDER = N_("购买服务的社会工作者请填写服务机构")
WORKER_NOT_FOUND = N_("找不到工号为 %(number)s 的职工")
WORKER_TAKEN = N_("这名职工已经是关爱服务队伍成员了")
BAD_WEEKDAY = N_("请从列表中选择星期")
NEED_JOINED_ON = N_("请填写加入日期")
JOINED_IN_FUTURE = N_("加入日期不能晚于今天")
LEFT_BEFORE_JOINING = N_("离队日期不能早于加入日期")
LEFT_IN_FUTURE = N_("离队日期不能晚于今天")
NEED_TITLE = N_("请填写培训名称")
NEED_HELD_ON = N_("请填写培训日期")
HELD_IN_FUTURE = N_("培训日期不能晚于今天")
HOURS_RANGE = N_("培训时长应在 0.1 到 %(max)s 小时之间")


# --- the active rule ----------------------------------------------------------------------------

def active_condition(day: date):
    """SQL twin of :meth:`CareTeamMember.active_on`: a member of the team at the end of ``day``."""
    return and_(CareTeamMember.joined_on <= day,
                or_(CareTeamMember.left_on.is_(None), CareTeamMember.left_on > day))


# --- reading ------------------------------------------------------------------------------------

def get_member(member_id: int) -> CareTeamMember | None:
    return session.get(CareTeamMember, member_id)


@dataclass(frozen=True)
class RosterFilter:
    kind: MemberKind | None = None
    #: True: active members only; False: those who left; None: everyone.
    active: bool | None = True
    unit: OrgUnit | None = None


def roster_page(scope: Scope, criteria: RosterFilter, today: date, *, page: int = 1,
                per_page: int = 50) -> Page:
    """Members of ``scope``, rows of ``(member, trainings, training minutes)``, by unit path and
    name: two queries whatever the page holds (units and linked workers are joined)."""
    trainings = (select(func.count(Training.id)).where(Training.member_id == CareTeamMember.id)
                 .correlate(CareTeamMember).scalar_subquery().label("trainings"))
    minutes = (select(func.coalesce(func.sum(Training.minutes), 0))
               .where(Training.member_id == CareTeamMember.id)
               .correlate(CareTeamMember).scalar_subquery().label("minutes"))
    statement = (select(CareTeamMember, trainings, minutes)
                 .join(OrgUnit, OrgUnit.id == CareTeamMember.org_unit_id)
                 .where(scope.contains_unit_id(CareTeamMember.org_unit_id)))
    if criteria.unit is not None:
        statement = statement.where(
            Scope.of_unit(criteria.unit).contains_unit_id(CareTeamMember.org_unit_id))
    if criteria.kind is not None:
        statement = statement.where(CareTeamMember.kind == criteria.kind)
    if criteria.active is True:
        statement = statement.where(active_condition(today))
    elif criteria.active is False:
        statement = statement.where(~active_condition(today))
    statement = statement.order_by(OrgUnit.path, CareTeamMember.name, CareTeamMember.id)
    return paginate(statement, page, per_page, scalars=False)


def trainings_of(member: CareTeamMember) -> list[Training]:
    return list(session.scalars(select(Training).where(Training.member_id == member.id)
                                .order_by(Training.held_on.desc(), Training.id.desc())))


def members_serving(unit: OrgUnit, day: date) -> list[CareTeamMember]:
    """Members who may provide a service to a worker of ``unit`` on ``day``: active then, of
    ``unit`` or of a unit above it."""
    return list(session.scalars(select(CareTeamMember).where(
        CareTeamMember.org_unit_id.in_(unit.ancestor_ids), active_condition(day))
        .order_by(CareTeamMember.kind, CareTeamMember.name, CareTeamMember.id)))


def members_in(scope: Scope) -> list[CareTeamMember]:
    """Every member of ``scope`` (the nomination form's volunteers), by name."""
    return list(session.scalars(select(CareTeamMember).where(
        scope.contains_unit_id(CareTeamMember.org_unit_id))
        .order_by(CareTeamMember.name, CareTeamMember.id)))


def weekday_labels(member: CareTeamMember) -> list:
    return [WEEKDAY_LABELS[day] for day in member.weekdays if day in WEEKDAY_LABELS]


# --- changing -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class MemberInput:
    """What the form gives. ``employee_number`` links the member to a company worker."""

    unit: OrgUnit | None
    kind: MemberKind | str | None
    name: str | None
    joined_on: date | None
    engagement: Engagement | str | None = None
    provider: str | None = None
    employee_number: str | None = None
    phone: str | None = None
    specialties: str | None = None
    available_days: Sequence[int | str] = field(default_factory=tuple)
    availability_note: str | None = None
    left_on: date | None = None


def add_member(data: MemberInput, *, scope: Scope, actor: Actor, today: date) -> CareTeamMember:
    """Add a member serving ``data.unit``, which must lie in ``scope`` (where the actor manages
    the team; any other unit is refused as if it did not exist)."""
    values = _checked(data, None, scope=scope, today=today)
    member = CareTeamMember(**values, created_at=utcnow(), created_by=actor.key,
                            updated_at=utcnow())
    session.add(member)
    session.flush()
    record_event("care_team.member_added", actor, target_type="care_team_member",
                 target_id=member.id, org_unit_id=member.org_unit_id,
                 details={"care_member_kind": member.kind.value,
                          **({"worker_id": member.worker_id} if member.worker_id else {})})
    return member


def update_member(member: CareTeamMember, data: MemberInput, *, scope: Scope, actor: Actor,
                  today: date) -> list[str]:
    """Change a member (the caller checked the member is in scope); returns the fields
    changed."""
    values = _checked(data, member, scope=scope, today=today)
    changed = [name for name, value in values.items() if getattr(member, name) != value]
    if not changed:
        return []
    for name in changed:
        setattr(member, name, values[name])
    member.updated_at = utcnow()
    session.flush()
    record_event("care_team.member_updated", actor, target_type="care_team_member",
                 target_id=member.id, org_unit_id=member.org_unit_id, details={"fields": changed})
    return changed


def _checked(data: MemberInput, member: CareTeamMember | None, *, scope: Scope,
             today: date) -> dict:
    errors = ErrorList()
    if data.unit is None or not scope.covers(data.unit):
        errors.add(ValidationError(NEED_UNIT, field="unit"))
    kind = errors.collect(lambda: _member_of(MemberKind, data.kind, "kind", NEED_KIND))
    name = errors.collect(lambda: clean_person_name(data.name, max_length=NAME_MAX,
                                                    field="name"))
    if not name and not _has(errors, "name"):
        errors.add(ValidationError(NEED_NAME, field="name"))
    engagement = None
    if data.engagement not in (None, ""):
        engagement = errors.collect(lambda: _member_of(Engagement, data.engagement,
                                                       "engagement", NEED_ENGAGEMENT))
    if kind == MemberKind.SOCIAL_WORKER and engagement is None and not _has(errors,
                                                                            "engagement"):
        errors.add(ValidationError(NEED_ENGAGEMENT, field="engagement"))
    elif kind is not None and kind != MemberKind.SOCIAL_WORKER and engagement is not None:
        errors.add(ValidationError(ENGAGEMENT_ONLY_SOCIAL, field="engagement"))
    provider = errors.collect(lambda: clean_free_text(data.provider, max_length=PROVIDER_MAX,
                                                      field="provider"))
    if engagement == Engagement.PURCHASED and not provider and not _has(errors, "provider"):
        errors.add(ValidationError(NEED_PROVIDER, field="provider"))
    worker_id = None
    number = errors.collect(lambda: clean_code(data.employee_number, upper=True, max_length=64,
                                               field="employee_number"))
    if number:
        worker = find_worker(number, scope=scope)
        if worker is None:
            errors.add(ValidationError(WORKER_NOT_FOUND, field="employee_number",
                                       number=number))
        else:
            worker_id = worker.id
            taken = session.scalar(select(CareTeamMember.id).where(
                CareTeamMember.worker_id == worker.id,
                CareTeamMember.id != (member.id if member else 0)).limit(1))
            if taken is not None:
                errors.add(ValidationError(WORKER_TAKEN, field="employee_number"))
    phone = errors.collect(lambda: parse_phone(data.phone, field="phone"))
    specialties = errors.collect(lambda: clean_free_text(
        data.specialties, max_length=SPECIALTIES_MAX, field="specialties"))
    days = errors.collect(lambda: _weekdays(data.available_days))
    note = errors.collect(lambda: clean_free_text(data.availability_note,
                                                  max_length=AVAILABILITY_MAX,
                                                  field="availability_note"))
    if data.joined_on is None:
        errors.add(ValidationError(NEED_JOINED_ON, field="joined_on"))
    elif data.joined_on > today:
        errors.add(ValidationError(JOINED_IN_FUTURE, field="joined_on"))
    if data.left_on is not None:
        if data.joined_on is not None and data.left_on < data.joined_on:
            errors.add(ValidationError(LEFT_BEFORE_JOINING, field="left_on"))
        elif data.left_on > today:
            errors.add(ValidationError(LEFT_IN_FUTURE, field="left_on"))
    InputInvalid.raise_if_any(errors)
    return dict(org_unit_id=data.unit.id, kind=kind, engagement=engagement, provider=provider,
                worker_id=worker_id, name=name, phone=phone, specialties=specialties,
                available_days=",".join(str(day) for day in days),
                availability_note=note, joined_on=data.joined_on, left_on=data.left_on)


def _weekdays(values) -> list[int]:
    days = set()
    for value in values or ():
        try:
            day = int(value)
        except (TypeError, ValueError):
            raise ValidationError(BAD_WEEKDAY, field="available_days") from None
        if day not in WEEKDAY_LABELS:
            raise ValidationError(BAD_WEEKDAY, field="available_days")
        days.add(day)
    return sorted(days)


@dataclass(frozen=True)
class TrainingInput:
    title: str | None
    held_on: date | None
    #: Hours, to the tenth (``Decimal("1.5")``).
    hours: Decimal | float | None
    provider: str | None = None


def record_training(member: CareTeamMember, data: TrainingInput, *, actor: Actor,
                    today: date) -> Training:
    """Record a training ``member`` took part in (the caller checked the member is in scope)."""
    errors = ErrorList()
    title = errors.collect(lambda: clean_free_text(data.title, max_length=TITLE_MAX,
                                                   field="title"))
    if not title and not _has(errors, "title"):
        errors.add(ValidationError(NEED_TITLE, field="title"))
    if data.held_on is None:
        errors.add(ValidationError(NEED_HELD_ON, field="held_on"))
    elif data.held_on > today:
        errors.add(ValidationError(HELD_IN_FUTURE, field="held_on"))
    minutes = None
    if data.hours is not None:
        minutes = int((Decimal(str(data.hours)) * 60).to_integral_value())
    if minutes is None or not 6 <= minutes <= HOURS_MAX * 60:
        errors.add(ValidationError(HOURS_RANGE, field="hours", max=HOURS_MAX))
    provider = errors.collect(lambda: clean_free_text(data.provider, max_length=PROVIDER_MAX,
                                                      field="provider"))
    InputInvalid.raise_if_any(errors)
    training = Training(member_id=member.id, title=title, held_on=data.held_on, minutes=minutes,
                        provider=provider, recorded_at=utcnow(), recorded_by=actor.key)
    session.add(training)
    session.flush()
    record_event("care_team.training_recorded", actor, target_type="care_team_member",
                 target_id=member.id, org_unit_id=member.org_unit_id,
                 details={"title": title, "care_training_on": data.held_on.isoformat(),
                          "minutes": minutes})
    return training


def _member_of(enum_class, value, field_name: str, message: str):
    try:
        return enum_class(value)
    except ValueError:
        raise ValidationError(message, field=field_name) from None


def _has(errors: ErrorList, field_name: str) -> bool:
    return any(error.field == field_name for error in errors)
