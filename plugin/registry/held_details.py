"""Details of a child under 14 held, encrypted, until a guardian consents (PIPL Art. 31).

A roster or form often gives a child's ID number, school or carer before anyone has asked the
guardian. Those details are not written to the record (only the minimum needed to count the
child is, :data:`~plugin.registry.consent.MINIMUM_CHILD_FIELDS`); instead they are kept here,
encrypted, for ``CAREBRIDGE_CONSENT_HOLD_DAYS`` days. Consent given in that time, on the
worker's phone, on paper or in a later roster, applies them without a second import
(:mod:`plugin.registry.guardian_consent`); after it the daily job erases them.

This module only stores, reads and erases; it does not touch the child's record.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import delete, insert, select

from ..audit.services import record_event
from ..core.db import session
from ..core.host import Actor
from ..core.settings import setting
from .idnumber import IdNumber
from .models import Child, ChildHeldDetails

HOLD_DAYS_SETTING = "CAREBRIDGE_CONSENT_HOLD_DAYS"


@dataclass(frozen=True)
class HeldDetails:
    fields: dict[str, Any]  #: field code → value as serialised (the ID number as text)
    held_on: date
    expires_on: date

    @property
    def codes(self) -> list[str]:
        return sorted(self.fields)


def hold_days() -> int:
    return setting(HOLD_DAYS_SETTING)


def _serialisable(values: Mapping[str, Any]) -> dict[str, Any]:
    """Field values as JSON can keep them: an ID number as its 18 characters, enums by value."""
    result = {}
    for code, value in values.items():
        if value is None:
            continue
        if isinstance(value, IdNumber):
            value = value.number
        elif isinstance(value, date):
            value = value.isoformat()
        elif hasattr(value, "value"):  # str enums
            value = value.value
        result[code] = value
    return result


def hold(child: Child, values: Mapping[str, Any], *, today: date) -> HeldDetails | None:
    """Keep ``values`` (withheld fields of ``child``) until ``today`` + the hold days, merged
    over what is already held (the newest value of a field wins); the time starts again."""
    new = _serialisable(values)
    if not new:
        return None
    expires_on = today + timedelta(days=hold_days())
    held = session.execute(select(ChildHeldDetails).where(
        ChildHeldDetails.child_id == child.id)).scalar_one_or_none()
    if held is None:
        held = ChildHeldDetails(child_id=child.id, payload="{}", held_on=today,
                                expires_on=expires_on)
        session.add(held)
    merged = {**json.loads(held.payload), **new}
    held.payload = json.dumps(merged, ensure_ascii=False, sort_keys=True)
    held.held_on, held.expires_on = today, expires_on
    session.flush()
    return HeldDetails(merged, today, expires_on)


def hold_new(records: Iterable[tuple[int, Mapping[str, Any]]], *, today: date) -> int:
    """:func:`hold` for children just inserted (nothing held yet), with one statement; returns
    how many children have details held."""
    expires_on = today + timedelta(days=hold_days())
    rows = [{"child_id": child_id, "held_on": today, "expires_on": expires_on,
             "payload": json.dumps(fields, ensure_ascii=False, sort_keys=True)}
            for child_id, values in records if (fields := _serialisable(values))]
    if rows:
        session.execute(insert(ChildHeldDetails), rows)
    return len(rows)


def held_for(child: Child) -> HeldDetails | None:
    """What is held for ``child``, expired or not (the job erases expired details daily)."""
    held = session.execute(select(ChildHeldDetails).where(
        ChildHeldDetails.child_id == child.id)).scalar_one_or_none()
    if held is None:
        return None
    return HeldDetails(json.loads(held.payload), held.held_on, held.expires_on)


def held_child_ids(child_ids: Iterable[int], *, today: date) -> dict[int, date]:
    """Of these children, those with details held and not yet expired: child id → last day."""
    ids = list(child_ids)
    if not ids:
        return {}
    return dict(session.execute(select(ChildHeldDetails.child_id, ChildHeldDetails.expires_on)
                                .where(ChildHeldDetails.child_id.in_(ids),
                                       ChildHeldDetails.expires_on >= today)).all())


def take(child: Child, *, today: date) -> HeldDetails | None:
    """Remove and return what is held for ``child``. Details past their last day are not
    returned (the daily job erases them, audited)."""
    held = held_for(child)
    if held is None or held.expires_on < today:
        return None
    session.execute(delete(ChildHeldDetails).where(ChildHeldDetails.child_id == child.id))
    return held


def discard(child: Child) -> list[str]:
    """Erase what is held for ``child`` (consent refused or withdrawn); returns the field codes."""
    held = held_for(child)
    if held is None:
        return []
    session.execute(delete(ChildHeldDetails).where(ChildHeldDetails.child_id == child.id))
    return held.codes


def discard_expired(*, today: date, actor: Actor) -> int:
    """Erase every child's details whose last day is before ``today``, each erasure audited.
    Idempotent: a second run the same day finds nothing."""
    expired = session.execute(
        select(ChildHeldDetails.child_id, Child.org_unit_id, ChildHeldDetails.expires_on)
        .join(Child, Child.id == ChildHeldDetails.child_id)
        .where(ChildHeldDetails.expires_on < today)).all()
    if not expired:
        return 0
    session.execute(delete(ChildHeldDetails).where(
        ChildHeldDetails.child_id.in_([child_id for child_id, _unit, _day in expired])))
    for child_id, org_unit_id, expires_on in expired:
        record_event("child.held_details_discarded", actor, target_type="child",
                     target_id=child_id, org_unit_id=org_unit_id,
                     details={"expired_on": expires_on.isoformat()})
    return len(expired)
