"""Guardians' separate consent for children under 14 (PIPL Art. 28, 29, 31).

Without consent only the minimum needed to count the child is kept (Art. 6): the facts that
decide its categories. Recording consent lets the rest be stored; withdrawing it erases the rest.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import and_, exists, or_, select

from ..audit.services import record_event
from ..core.clock import utcnow
from ..core.db import session
from ..core.errors import ErrorList, InputInvalid, ValidationError
from ..core.host import Actor
from ..core.text import clean_free_text, clean_person_name
from .categories import age_on
from .models import Child, ChildConsent, ConsentMethod

CONSENT_AGE = 14
#: Version of the privacy notice shown to guardians; bump it when the notice text changes.
CURRENT_NOTICE_VERSION = "2026-11"

#: What may be stored without consent: identity enough to count once, and the category facts.
MINIMUM_CHILD_FIELDS = frozenset({
    "name", "sex", "birth_date", "hukou_region_code", "hukou_rural", "lives_with",
    "living_situation", "lives_in_home_area", "outside_hukou_county_since", "has_disability",
    "family_poverty",
    "guardianship_lacking_with_harm", "wandering", "psychological_anomaly", "asked_for_help",
})
#: Columns erased when consent is withdrawn (everything not in the minimum).
ERASABLE_CHILD_FIELDS = ("id_number", "ethnicity", "address", "school", "grade", "boarding",
                         "health_note", "carer_name", "carer_relation", "carer_phone",
                         "village_committee_contact", "village_child_director")


def needs_consent(birth_date: date | None, today: date) -> bool:
    """Under 14, or age unknown (treated as under 14 until known)."""
    return birth_date is None or age_on(birth_date, today) < CONSENT_AGE


def awaiting_consent_condition(today: date):
    """SQL condition on :class:`Child`: :func:`needs_consent` on ``today`` and no active consent
    (the home page's count and the workers list's filter)."""
    try:
        turned_14_by = today.replace(year=today.year - CONSENT_AGE)
    except ValueError:  # 29 February: a child born on 28 February turned 14 today
        turned_14_by = today.replace(year=today.year - CONSENT_AGE, day=28)
    consented = select(ChildConsent.id).where(ChildConsent.child_id == Child.id,
                                              ChildConsent.withdrawn_at.is_(None))
    return and_(or_(Child.birth_date.is_(None), Child.birth_date > turned_14_by),
                ~exists(consented))


def active_consent(child: Child) -> ChildConsent | None:
    if child.id is None:
        return None
    return session.execute(
        select(ChildConsent).where(ChildConsent.child_id == child.id,
                                   ChildConsent.withdrawn_at.is_(None))
        .order_by(ChildConsent.id.desc())).scalars().first()


def active_consents(child_ids: list[int]) -> dict[int, ChildConsent]:
    """The active consent of each of these children that has one, in one query."""
    if not child_ids:
        return {}
    consents = session.execute(
        select(ChildConsent).where(ChildConsent.child_id.in_(child_ids),
                                   ChildConsent.withdrawn_at.is_(None))
        .order_by(ChildConsent.id)).scalars()
    return {consent.child_id: consent for consent in consents}


def has_consent(child: Child) -> bool:
    return active_consent(child) is not None


def record_consent(child: Child, *, guardian_name: str, method: ConsentMethod, given_on: date,
                   actor: Actor, notice_version: str = CURRENT_NOTICE_VERSION,
                   guardian_worker_id: int | None = None, today: date) -> ChildConsent:
    errors = ErrorList()
    guardian_name = errors.collect(lambda: clean_person_name(guardian_name))
    if not guardian_name:
        errors.add(ValidationError("请填写同意人（监护人）姓名", field="guardian_name"))
    if given_on > today:
        errors.add(ValidationError("日期不能晚于今天：%(value)s", field="given_on",
                                   value=given_on.isoformat()))
    InputInvalid.raise_if_any(errors)
    consent = ChildConsent(child_id=child.id, guardian_name=guardian_name[:100],
                           guardian_worker_id=guardian_worker_id, method=ConsentMethod(method),
                           notice_version=notice_version, given_on=given_on, recorded_by=actor.key)
    session.add(consent)
    session.flush()
    record_event("child.consent_recorded", actor, target_type="child", target_id=child.id,
                 org_unit_id=child.org_unit_id,
                 details={"method": consent.method.value, "notice_version": notice_version})
    return consent


def withdraw_consent(child: Child, *, reason: str, actor: Actor) -> ChildConsent:
    consent = active_consent(child)
    if consent is None:
        raise ValidationError("这名儿童没有有效的同意记录", field="reason")
    consent.withdrawn_at = utcnow()
    consent.withdrawn_by = actor.key
    consent.withdrawal_reason = (clean_free_text(reason) or "")[:300] or None
    erased = [name for name in ERASABLE_CHILD_FIELDS if getattr(child, name) is not None]
    for name in erased:
        setattr(child, name, None)
    child.id_number_index = None
    session.flush()
    record_event("child.consent_withdrawn", actor, target_type="child", target_id=child.id,
                 org_unit_id=child.org_unit_id, details={"erased": erased})
    return consent
