"""Adding, changing, deactivating and importing entries of the referral directory.

*Product rules* where the guidance is silent:

- An entry names its kind, the region it serves (a county, prefecture or province code), a phone
  number, and an organisation or a person (or both); township, village, address and notes are
  optional. The values are read by :data:`.fields.FIELDS`, as the import reads them.
- An entry is one of its kind for its region, township, village, organisation and person: a
  second one with the same values is refused (the database keeps it, see
  :attr:`.models.ReferralContact.match_key`), whoever keeps the first.
- An entry is kept by a unit (usually the company root); only holders of ``referrals.manage``
  over that unit change it. Deactivated entries stay (referrals made with them name them) and
  can be activated again; they are no longer suggested.
- An import row is matched on those identifying values: new ones are added under the importing
  unit, a match the importer may manage takes the row's phone, address and notes (and is active
  again: the file says the entry is there), a row that changes nothing writes and audits
  nothing, and a match kept outside the importer's scope is refused without naming it.
- Names and phone numbers are personal information: the audit log says which fields changed,
  never their values.

Each service checks everything first, then changes, flushes and audits; the caller commits.
"""
from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..access.scope import Scope
from ..audit.services import record_event
from ..core.changes import apply_changes
from ..core.clock import utcnow
from ..core.db import lock_rows, session
from ..core.errors import ErrorList, InputInvalid, ValidationError
from ..core.host import Actor
from ..core.i18n import N_
from ..org.models import OrgKind, OrgUnit
from ..registry.schema import RecordInvalid, parse_record
from .fields import FIELDS, KEY_FIELDS
from .models import ContactKind, ReferralContact

NEED_UNIT = N_("请选择维护该条目的单位")
NEED_WHO = N_("请填写单位名称或联系人姓名（至少一项）")
DUPLICATE = N_("已有类别、地区、乡镇、村、单位和联系人都相同的条目")
KEPT_ELSEWHERE = N_("已有相同的条目，由其他单位维护，不能通过导入修改")
ALREADY_INACTIVE = N_("该条目已停用")
ALREADY_ACTIVE = N_("该条目正在使用")

#: The values an entry carries besides its unit, in the order of the form.
VALUE_FIELDS = tuple(spec.code for spec in FIELDS)
#: What an import may change on an entry it matches (the rest identifies it).
IMPORT_UPDATES = tuple(code for code in VALUE_FIELDS if code not in KEY_FIELDS)
#: An entry names at least one of these.
WHO_FIELDS = ("organisation", "person_name")
_WHO_SPECS = tuple(spec for spec in FIELDS if spec.code in WHO_FIELDS)


# --- reading ------------------------------------------------------------------------------------

def get_contact(contact_id: int) -> ReferralContact | None:
    return session.get(ReferralContact, contact_id)


def units_for_entries(scope: Scope) -> list[OrgUnit]:
    """The units of ``scope`` that may keep entries (all but teams), by path: the company root
    first for a company-wide manager."""
    return list(session.scalars(select(OrgUnit).where(
        scope.contains_unit_id(OrgUnit.id), OrgUnit.kind != OrgKind.TEAM).order_by(OrgUnit.path)))


def match_key(values: Mapping[str, Any]) -> str:
    """The digest of the identifying values (missing ones count as empty)."""
    parts = []
    for code in KEY_FIELDS:
        value = values.get(code)
        parts.append(value.value if isinstance(value, ContactKind) else (value or ""))
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


# --- checking -----------------------------------------------------------------------------------

def parse_values(raw: Mapping[str, Any], *, today: date) -> dict[str, Any]:
    """Every field of an entry from what a person typed, or every error at once."""
    errors = ErrorList()
    try:
        values = parse_record({code: raw.get(code) for code in VALUE_FIELDS}, FIELDS,
                              today=today)
    except RecordInvalid as refused:
        errors.extend(refused.errors)
        try:  # which of the others were readable, for the rule across fields
            values = parse_record({code: raw.get(code) for code in WHO_FIELDS}, _WHO_SPECS,
                                  today=today)
        except RecordInvalid:
            values = {}
    _check_rules(values, errors)
    InputInvalid.raise_if_any(errors)
    return values


def _check_rules(values: Mapping[str, Any], errors: ErrorList) -> None:
    """Rules across fields: an organisation or a person."""
    if any(error.field in WHO_FIELDS for error in errors):
        return
    if not (values.get("organisation") or values.get("person_name")):
        errors.add(ValidationError(NEED_WHO, field="organisation"))


def _other_with_key(key: str, contact: ReferralContact | None) -> ReferralContact | None:
    statement = select(ReferralContact).where(ReferralContact.match_key == key)
    if contact is not None and contact.id is not None:
        statement = statement.where(ReferralContact.id != contact.id)
    return session.scalar(statement.limit(1))


# --- changing -----------------------------------------------------------------------------------

def save_contact(contact: ReferralContact | None, raw: Mapping[str, Any], *,
                 unit: OrgUnit | None, scope: Scope, actor: Actor,
                 today: date) -> ReferralContact:
    """Add an entry kept by ``unit`` (``contact`` None) or change ``contact`` (its unit stays;
    ``unit`` is ignored) from the form's text values. ``scope`` is where the actor manages
    entries."""
    errors = ErrorList()
    if contact is None and (unit is None or unit.kind == OrgKind.TEAM or not scope.covers(unit)):
        errors.add(ValidationError(NEED_UNIT, field="unit"))
    try:
        values = parse_values(raw, today=today)
    except InputInvalid as refused:
        errors.extend(refused.errors)
    else:
        if _other_with_key(match_key(values), contact) is not None:
            errors.add(ValidationError(DUPLICATE, field="organisation"))
    InputInvalid.raise_if_any(errors)
    full = {code: values.get(code) for code in VALUE_FIELDS}
    if contact is None:
        contact = _create(full, unit=unit, actor=actor, errors_field="organisation")
        record_event("referrals.contact_created", actor, target_type="referral_contact",
                     target_id=contact.id, org_unit_id=contact.org_unit_id,
                     details=_about(contact))
        return contact
    changes = _update(contact, full, actor=actor)
    if changes:
        record_event("referrals.contact_updated", actor, target_type="referral_contact",
                     target_id=contact.id, org_unit_id=contact.org_unit_id,
                     details={**_about(contact), "fields": list(changes)})
    return contact


def set_active(contact: ReferralContact, active: bool, *, actor: Actor) -> None:
    """Deactivate an entry (no longer suggested) or activate it again."""
    lock_rows(ReferralContact, [contact.id])
    session.refresh(contact)
    if contact.active == active:
        raise ValidationError(ALREADY_ACTIVE if active else ALREADY_INACTIVE)
    contact.active = active
    contact.updated_at, contact.updated_by = utcnow(), actor.key
    session.flush()
    if active:
        record_event("referrals.contact_updated", actor, target_type="referral_contact",
                     target_id=contact.id, org_unit_id=contact.org_unit_id,
                     details={**_about(contact), "fields": ["active"]})
    else:
        record_event("referrals.contact_deactivated", actor, target_type="referral_contact",
                     target_id=contact.id, org_unit_id=contact.org_unit_id,
                     details=_about(contact))


def store_row(values: dict, *, unit: OrgUnit, actor: Actor, scope: Scope, today: date) -> str:
    """One parsed row of an imported directory (see the module's rules): ``"created"``,
    ``"updated"`` or ``"unchanged"``; a row that breaks a rule raises, naming the field."""
    errors = ErrorList()
    _check_rules(values, errors)
    InputInvalid.raise_if_any(errors)
    key = match_key(values)
    existing = session.scalar(select(ReferralContact).where(ReferralContact.match_key == key))
    if existing is None:
        if not scope.covers(unit):
            raise ValidationError(NEED_UNIT, field=None)
        full = {code: values.get(code) for code in VALUE_FIELDS}
        contact = _create(full, unit=unit, actor=actor, errors_field=None)
        record_event("referrals.contact_imported", actor, target_type="referral_contact",
                     target_id=contact.id, org_unit_id=contact.org_unit_id,
                     details={**_about(contact), "referrals_outcome": "created"})
        return "created"
    if not scope.covers(existing.org_unit):
        raise ValidationError(KEPT_ELSEWHERE)
    updates = {code: values[code] for code in IMPORT_UPDATES if code in values}
    updates["active"] = True
    changes = _update(existing, updates, actor=actor)
    if not changes:
        return "unchanged"
    record_event("referrals.contact_imported", actor, target_type="referral_contact",
                 target_id=existing.id, org_unit_id=existing.org_unit_id,
                 details={**_about(existing), "referrals_outcome": "updated",
                          "fields": list(changes)})
    return "updated"


def _create(values: Mapping[str, Any], *, unit: OrgUnit, actor: Actor,
            errors_field: str | None) -> ReferralContact:
    contact = ReferralContact(org_unit_id=unit.id, org_unit=unit, match_key=match_key(values),
                              active=True, updated_at=utcnow(), updated_by=actor.key, **values)
    try:
        with session.begin_nested():  # the same entry saved a moment ago by someone else
            session.add(contact)
            session.flush()
    except IntegrityError:
        raise ValidationError(DUPLICATE, field=errors_field) from None
    return contact


def _update(contact: ReferralContact, values: Mapping[str, Any], *, actor: Actor) -> dict:
    changes = apply_changes(contact, values)
    if not changes:
        return changes
    contact.match_key = match_key({code: getattr(contact, code) for code in KEY_FIELDS})
    contact.updated_at, contact.updated_by = utcnow(), actor.key
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        raise ValidationError(DUPLICATE, field="organisation") from None
    return changes


def _about(contact: ReferralContact) -> dict[str, Any]:
    """What the audit log says of an entry: never the person's name or phone."""
    return {"referrals_kind": contact.kind.value, "referrals_region": contact.region_code,
            "referrals_organisation": contact.organisation}
