"""Commendations: nominating and recording model guardians (依法履行监护职责模范), outstanding
volunteers and outstanding collectives, with the body that awards them.

A commendation is nominated, then decided once: awarded (on a day) or not awarded (with the
reason). An award is written into the integrity record (职工诚信) through the published
:func:`plugin.guardianship.integrity.add_entry`: a model guardian's as a ``commendation`` entry of
the worker, an outstanding volunteer's as a ``volunteer_award`` entry when the member is a company
worker, each naming the commendation it comes from (``reference=("care_commendation", id)``).

*Product rule:* a decided commendation never changes, and an award is not withdrawn in the
product: the integrity record is written once (its entries are only ever inserted), and an award
really given stays a fact of the worker's record. A mistaken nomination is decided "not awarded"
before the award is recorded.

Each service checks everything first, then changes, flushes and audits; the caller commits.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from ..access.scope import Scope
from ..audit.services import record_event
from ..core.clock import utcnow
from ..core.db import lock_rows, session
from ..core.errors import ErrorList, InputInvalid, ValidationError
from ..core.host import Actor
from ..core.i18n import N_
from ..core.pagination import Page, paginate
from ..core.text import clean_code, clean_free_text
from ..guardianship.integrity import add_entry
from ..org.models import OrgUnit
from ..registry.services import find_worker
from .models import CareTeamMember, Commendation, CommendationCategory, CommendationStatus

#: The integrity-entry kinds an award writes (``commendation`` is the guardianship feature's;
#: ``volunteer_award`` this feature's own, declared in its Feature).
MODEL_GUARDIAN_ENTRY = "commendation"
VOLUNTEER_ENTRY = "volunteer_award"
#: The integrity entry's reference to the commendation.
REFERENCE_TYPE = "care_commendation"

BODY_MAX = 200
COLLECTIVE_MAX = 200
REASON_MIN = 4
REASON_MAX = 1000
NOTE_MAX = 500

NEED_CATEGORY = N_("请选择表彰类别")
NEED_EMPLOYEE_NUMBER = N_("请填写被推荐职工的工号")
WORKER_NOT_FOUND = N_("找不到工号为 %(number)s 的职工")
NEED_MEMBER = N_("请选择被推荐的队伍成员")
NEED_UNIT = N_("请选择先进集体所在的单位")
NEED_BODY = N_("请填写授予单位，如集团工会、市妇联")
NEED_NOMINATED_ON = N_("请填写推荐日期")
NOMINATED_IN_FUTURE = N_("推荐日期不能晚于今天")
NEED_REASON = N_("请写明推荐理由（至少 %(min)s 个字）")
ALREADY_DECIDED = N_("这项表彰已经评定，不能再修改")
NEED_OUTCOME = N_("请选择评定结果")
NEED_AWARDED_ON = N_("请填写授予日期")
AWARDED_IN_FUTURE = N_("授予日期不能晚于今天")
AWARDED_BEFORE_NOMINATION = N_("授予日期不能早于推荐日期（%(date)s）")
NEED_NOTE = N_("请写明未获评的原因")

#: The outcomes of :func:`decide`.
AWARD = "awarded"
NOT_AWARD = "not_awarded"


# --- reading ------------------------------------------------------------------------------------

def get_commendation(commendation_id: int) -> Commendation | None:
    return session.get(Commendation, commendation_id)


@dataclass(frozen=True)
class CommendationFilter:
    category: CommendationCategory | None = None
    status: CommendationStatus | None = None
    unit: OrgUnit | None = None


def commendations_page(scope: Scope, criteria: CommendationFilter, *, page: int = 1,
                       per_page: int = 50) -> Page:
    """Commendations of ``scope``, those waiting for a decision first, then the latest (workers,
    members and units joined: one query for the page and one to count it)."""
    statement = select(Commendation).where(scope.contains_unit_id(Commendation.org_unit_id))
    if criteria.unit is not None:
        statement = statement.where(
            Scope.of_unit(criteria.unit).contains_unit_id(Commendation.org_unit_id))
    if criteria.category is not None:
        statement = statement.where(Commendation.category == criteria.category)
    if criteria.status is not None:
        statement = statement.where(Commendation.status == criteria.status)
    statement = statement.order_by(
        (Commendation.status != CommendationStatus.NOMINATED).asc(),
        Commendation.nominated_on.desc(), Commendation.id.desc())
    return paginate(statement, page, per_page)


def nominee_name(commendation: Commendation) -> str:
    """Who is commended, in words: the worker, the member, or the collective."""
    if commendation.worker is not None:
        return commendation.worker.name
    if commendation.member is not None:
        return commendation.member.name
    if commendation.collective_name:
        return f"{commendation.org_unit.name} {commendation.collective_name}"
    return commendation.org_unit.name


# --- nominating ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class NominationInput:
    category: CommendationCategory | str | None
    awarding_body: str | None
    nominated_on: date | None
    reason: str | None
    #: Model guardian: the worker's employee number.
    employee_number: str | None = None
    #: Outstanding volunteer: the member.
    member: CareTeamMember | None = None
    #: Outstanding collective: the unit, and a group's name within it (empty: the unit itself).
    unit: OrgUnit | None = None
    collective_name: str | None = None


def nominate(data: NominationInput, *, scope: Scope, actor: Actor,
             today: date) -> Commendation:
    """Nominate a worker, a member or a collective of ``scope`` (where the actor commends; a
    nominee outside it reads as not found)."""
    errors = ErrorList()
    try:
        category = CommendationCategory(data.category)
    except ValueError:
        category = None
        errors.add(ValidationError(NEED_CATEGORY, field="category"))
    worker = member = None
    unit = None
    collective = None
    if category == CommendationCategory.MODEL_GUARDIAN:
        number = errors.collect(lambda: clean_code(data.employee_number, upper=True,
                                                   max_length=64, field="employee_number"))
        if not number:
            if not _has(errors, "employee_number"):
                errors.add(ValidationError(NEED_EMPLOYEE_NUMBER, field="employee_number"))
        else:
            worker = find_worker(number, scope=scope)
            if worker is None:
                errors.add(ValidationError(WORKER_NOT_FOUND, field="employee_number",
                                           number=number))
            else:
                unit = worker.org_unit
    elif category == CommendationCategory.OUTSTANDING_VOLUNTEER:
        member = data.member
        if member is None or not scope.covers(member.org_unit):
            member = None
            errors.add(ValidationError(NEED_MEMBER, field="member"))
        else:
            unit = member.org_unit
    elif category == CommendationCategory.OUTSTANDING_COLLECTIVE:
        if data.unit is None or not scope.covers(data.unit):
            errors.add(ValidationError(NEED_UNIT, field="unit"))
        else:
            unit = data.unit
        collective = errors.collect(lambda: clean_free_text(
            data.collective_name, max_length=COLLECTIVE_MAX, field="collective_name"))
    body = errors.collect(lambda: clean_free_text(data.awarding_body, max_length=BODY_MAX,
                                                  field="awarding_body"))
    if not body and not _has(errors, "awarding_body"):
        errors.add(ValidationError(NEED_BODY, field="awarding_body"))
    if data.nominated_on is None:
        errors.add(ValidationError(NEED_NOMINATED_ON, field="nominated_on"))
    elif data.nominated_on > today:
        errors.add(ValidationError(NOMINATED_IN_FUTURE, field="nominated_on"))
    reason = errors.collect(lambda: clean_free_text(data.reason, max_length=REASON_MAX,
                                                    field="reason", multiline=True))
    if (not reason or len(reason) < REASON_MIN) and not _has(errors, "reason"):
        errors.add(ValidationError(NEED_REASON, field="reason", min=REASON_MIN))
    InputInvalid.raise_if_any(errors)
    commendation = Commendation(
        category=category, org_unit_id=unit.id, worker_id=worker.id if worker else None,
        member_id=member.id if member else None, collective_name=collective,
        awarding_body=body, nominated_on=data.nominated_on, reason=reason,
        status=CommendationStatus.NOMINATED, nominated_at=utcnow(), nominated_by=actor.key)
    session.add(commendation)
    session.flush()
    record_event("care_team.nominated", actor, target_type="care_commendation",
                 target_id=commendation.id, org_unit_id=commendation.org_unit_id,
                 details={"care_category": category.value, "care_awarding_body": body,
                          **({"worker_id": worker.id} if worker else {})})
    return commendation


# --- deciding -----------------------------------------------------------------------------------

def decide(commendation: Commendation, outcome: str | None, *, awarded_on: date | None,
           note: str | None, actor: Actor, today: date) -> Commendation:
    """Record the decision on a nomination: awarded on ``awarded_on`` (written into the
    integrity record where the nominee is a worker), or not awarded with ``note``. Decided once:
    a second decision (two officers at once, an old page) is refused."""
    errors = ErrorList()
    if outcome not in (AWARD, NOT_AWARD):
        errors.add(ValidationError(NEED_OUTCOME, field="outcome"))
    if outcome == AWARD:
        if awarded_on is None:
            errors.add(ValidationError(NEED_AWARDED_ON, field="awarded_on"))
        elif awarded_on > today:
            errors.add(ValidationError(AWARDED_IN_FUTURE, field="awarded_on"))
        elif awarded_on < commendation.nominated_on:
            errors.add(ValidationError(AWARDED_BEFORE_NOMINATION, field="awarded_on",
                                       date=commendation.nominated_on.isoformat()))
    cleaned = errors.collect(lambda: clean_free_text(note, max_length=NOTE_MAX, field="note",
                                                     multiline=True))
    if outcome == NOT_AWARD and not cleaned and not _has(errors, "note"):
        errors.add(ValidationError(NEED_NOTE, field="note"))
    InputInvalid.raise_if_any(errors)
    lock_rows(Commendation, [commendation.id])  # a second officer at once waits, then is refused
    session.refresh(commendation)
    if commendation.status != CommendationStatus.NOMINATED:
        raise ValidationError(ALREADY_DECIDED)
    commendation.decided_at = utcnow()
    commendation.decided_by = actor.key
    if outcome == NOT_AWARD:
        commendation.status = CommendationStatus.NOT_AWARDED
        commendation.decided_on = today
        commendation.decision_note = cleaned
        session.flush()
        record_event("care_team.not_awarded", actor, target_type="care_commendation",
                     target_id=commendation.id, org_unit_id=commendation.org_unit_id,
                     details={"reason": cleaned})
        return commendation
    commendation.status = CommendationStatus.AWARDED
    commendation.decided_on = awarded_on
    commendation.decision_note = cleaned
    session.flush()
    entry = _integrity_entry(commendation, actor)
    record_event("care_team.awarded", actor, target_type="care_commendation",
                 target_id=commendation.id, org_unit_id=commendation.org_unit_id,
                 details={"care_category": commendation.category.value,
                          "care_awarded_on": awarded_on.isoformat(),
                          **({"entry": entry.id} if entry is not None else {})})
    return commendation


def _integrity_entry(commendation: Commendation, actor: Actor):
    """The award in the commended worker's integrity record, if the nominee is a worker."""
    if commendation.category == CommendationCategory.MODEL_GUARDIAN:
        worker_id, kind = commendation.worker_id, MODEL_GUARDIAN_ENTRY
    elif (commendation.category == CommendationCategory.OUTSTANDING_VOLUNTEER
          and commendation.member is not None and commendation.member.worker_id is not None):
        worker_id, kind = commendation.member.worker_id, VOLUNTEER_ENTRY
    else:
        return None
    return add_entry(worker_id, kind, commendation.decided_on,
                     reason=f"{commendation.reason}（{commendation.awarding_body}）",
                     details={"awarding_body": commendation.awarding_body},
                     issued_by=actor, reference=(REFERENCE_TYPE, commendation.id))


def _has(errors: ErrorList, field_name: str) -> bool:
    return any(error.field == field_name for error in errors)
