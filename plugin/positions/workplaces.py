"""Sites' locations and openings: recorded, changed and closed by HR, and imported from
spreadsheets through the roster importer (:func:`store_row`).

*Product rules* where the guidance is silent:

- A site's location is its county (a county-level GB/T 2260 code, withdrawn ones accepted) and
  an optional address; one per site. Only sites (项目部/厂区) have one.
- An opening belongs to a site that has a location (nothing could be suggested from one
  without). It is one of its site, trade and first day: a second one with the same values is
  refused (the database keeps it), a later import row with them updates it.
- Closing an opening takes it off the workers' phones; requests already made stay for HR to
  decide. A closed opening is not changed any more (a new need is a new opening).
- An import row names its site under the importing unit (or is imported into the site itself);
  a site outside the importer's scope is "not found", never named. A row gives the site its
  location when it has none; a row whose county differs from the site's recorded one is refused
  (the location is changed on the site's page, not by whichever row comes last). A matching
  opening takes the row's headcount, last day and notes; a row that changes nothing writes and
  audits nothing.

Each service checks everything first, then changes, flushes and audits; the caller commits.
"""
from __future__ import annotations

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
from ..core.text import clean_free_text
from ..org.models import OrgKind, OrgUnit
from ..org.queries import in_subtrees
from ..registry.schema import RecordInvalid, parse_record
from .fields import ADDRESS_MAX, FIELDS, OPENING_FIELDS, check_period, parse_county
from .models import Opening, OpeningStatus, WorkLocation

NEED_SITE = N_("请选择项目部（厂区）")
NEED_COUNTY = N_("请填写项目部所在县（市、区）的6位代码")
NO_LOCATION = N_("%(site)s还没有登记所在地区，请先登记所在县（市、区）")
DUPLICATE = N_("%(site)s已有开始日期相同的“%(trade)s”招用需求")
ALREADY_CLOSED = N_("这条招用需求已经关闭")
CLOSED_UNCHANGED = N_("这条招用需求已经关闭，不能修改；新的需求请另行添加")
SITE_NOT_FOUND = N_("在%(unit)s下找不到名为“%(value)s”的项目部（厂区）")
SITE_AMBIGUOUS = N_("%(unit)s下有不止一个名为“%(value)s”的项目部（厂区），请导入到所在的上级单位")
SITE_NEEDED = N_("请填写项目部（厂区）名称（导入到项目部本身时可不填）")
COUNTY_DIFFERS = N_("%(site)s登记的所在地区是 %(recorded)s，与本行的 %(value)s 不一致；"
                    "如需更正，请在项目部的页面修改")

_OPENING_SPECS = tuple(spec for spec in FIELDS if spec.code in OPENING_FIELDS)
_PERIOD = ("starts_on", "ends_on")
_PERIOD_SPECS = tuple(spec for spec in FIELDS if spec.code in _PERIOD)


# -- reading -------------------------------------------------------------------------------------

def get_location(location_id: int) -> WorkLocation | None:
    return session.get(WorkLocation, location_id)


def location_of(site: OrgUnit) -> WorkLocation | None:
    return session.scalar(select(WorkLocation).where(WorkLocation.org_unit_id == site.id))


def get_opening(opening_id: int) -> Opening | None:
    return session.get(Opening, opening_id)


def sites_in(scope: Scope) -> list[OrgUnit]:
    """The sites of ``scope``, by name."""
    return list(session.scalars(select(OrgUnit).where(
        scope.contains_unit_id(OrgUnit.id), OrgUnit.kind == OrgKind.SITE)
        .order_by(OrgUnit.name, OrgUnit.id)))


# -- locations -----------------------------------------------------------------------------------

def save_location(site: OrgUnit | None, raw: Mapping[str, Any], *, scope: Scope,
                  actor: Actor) -> WorkLocation:
    """Record or change where ``site`` is from the form's ``county_code`` and ``address``."""
    errors = ErrorList()
    if site is None or site.kind != OrgKind.SITE or not scope.covers(site):
        errors.add(ValidationError(NEED_SITE, field="unit"))
    county = errors.collect(lambda: parse_county(raw.get("county_code")))
    if county is None and not any(error.field == "county_code" for error in errors):
        errors.add(ValidationError(NEED_COUNTY, field="county_code"))
    address = errors.collect(lambda: clean_free_text(raw.get("address"), max_length=ADDRESS_MAX,
                                                     field="address"))
    InputInvalid.raise_if_any(errors)
    return _store_location(site, county, address, actor=actor, keep_address=False)


def _store_location(site: OrgUnit, county: str, address: str | None, *, actor: Actor,
                    keep_address: bool) -> WorkLocation:
    location = location_of(site)
    if location is None:
        location = WorkLocation(org_unit_id=site.id, org_unit=site, county_code=county,
                                address=address, updated_at=utcnow(), updated_by=actor.key)
        session.add(location)
        session.flush()
        record_event("positions.location_saved", actor, target_type="positions_location",
                     target_id=location.id, org_unit_id=site.id,
                     details={"positions_site": site.name, "positions_county": county})
        return location
    values = {"county_code": county} if keep_address else {"county_code": county,
                                                          "address": address}
    changes = apply_changes(location, values)
    if changes:
        location.updated_at, location.updated_by = utcnow(), actor.key
        session.flush()
        record_event("positions.location_saved", actor, target_type="positions_location",
                     target_id=location.id, org_unit_id=site.id,
                     details={"positions_site": site.name, "positions_county": county,
                              "fields": list(changes)})
    return location


# -- openings ------------------------------------------------------------------------------------

def parse_opening(raw: Mapping[str, Any], *, today: date) -> dict[str, Any]:
    """The values of an opening from what a person typed, or every error at once."""
    errors = ErrorList()
    values: dict[str, Any] = {}
    try:
        values = parse_record({code: raw.get(code) for code in OPENING_FIELDS}, _OPENING_SPECS,
                              today=today)
    except RecordInvalid as refused:
        errors.extend(refused.errors)
        try:  # the period's dates, when readable, for the rule across them
            values = parse_record({code: raw.get(code) for code in _PERIOD}, _PERIOD_SPECS,
                                  today=today)
        except RecordInvalid:
            values = {}
    check_period(values, errors)
    InputInvalid.raise_if_any(errors)
    return values


def save_opening(opening: Opening | None, raw: Mapping[str, Any], *, site: OrgUnit | None,
                 scope: Scope, actor: Actor, today: date) -> Opening:
    """Add an opening of ``site`` (``opening`` None) or change ``opening`` (its site stays)
    from the form's text values. ``scope`` is where the actor manages openings."""
    errors = ErrorList()
    if opening is not None:
        lock_rows(Opening, [opening.id])
        session.refresh(opening)
        if opening.status != OpeningStatus.OPEN:
            raise ValidationError(CLOSED_UNCHANGED)
        site = opening.org_unit
    elif site is None or site.kind != OrgKind.SITE or not scope.covers(site):
        errors.add(ValidationError(NEED_SITE, field="unit"))
        site = None
    elif location_of(site) is None:
        errors.add(ValidationError(NO_LOCATION, field="unit", site=site.name))
    try:
        values = parse_opening(raw, today=today)
    except InputInvalid as refused:
        errors.extend(refused.errors)
        values = {}
    if site is not None and values and _same_key(site, values, opening) is not None:
        errors.add(ValidationError(DUPLICATE, field="trade", site=site.name,
                                   trade=values["trade"]))
    InputInvalid.raise_if_any(errors)
    full = {code: values.get(code) for code in OPENING_FIELDS}
    if opening is None:
        opening = _create_opening(site, full, actor=actor)
        record_event("positions.opening_created", actor, target_type="positions_opening",
                     target_id=opening.id, org_unit_id=site.id, details=_about(opening))
        return opening
    changes = _update_opening(opening, full, actor=actor)
    if changes:
        record_event("positions.opening_updated", actor, target_type="positions_opening",
                     target_id=opening.id, org_unit_id=site.id,
                     details={**_about(opening), "fields": list(changes)})
    return opening


def close_opening(opening: Opening, *, actor: Actor) -> None:
    """Take an opening off the workers' phones (requests made stay to be decided)."""
    lock_rows(Opening, [opening.id])
    session.refresh(opening)
    if opening.status == OpeningStatus.CLOSED:
        raise ValidationError(ALREADY_CLOSED)
    opening.status = OpeningStatus.CLOSED
    opening.updated_at, opening.updated_by = utcnow(), actor.key
    session.flush()
    record_event("positions.opening_closed", actor, target_type="positions_opening",
                 target_id=opening.id, org_unit_id=opening.org_unit_id, details=_about(opening))


def _same_key(site: OrgUnit, values: Mapping[str, Any], opening: Opening | None) -> int | None:
    statement = select(Opening.id).where(Opening.org_unit_id == site.id,
                                         Opening.trade == values["trade"],
                                         Opening.starts_on == values["starts_on"])
    if opening is not None:
        statement = statement.where(Opening.id != opening.id)
    return session.scalar(statement.limit(1))


def _create_opening(site: OrgUnit, values: Mapping[str, Any], *, actor: Actor) -> Opening:
    now = utcnow()
    opening = Opening(org_unit_id=site.id, org_unit=site, status=OpeningStatus.OPEN,
                      created_at=now, updated_at=now, updated_by=actor.key, **values)
    try:
        with session.begin_nested():  # the same opening saved a moment ago by someone else
            session.add(opening)
            session.flush()
    except IntegrityError:
        raise ValidationError(DUPLICATE, field="trade", site=site.name,
                              trade=values["trade"]) from None
    return opening


def _update_opening(opening: Opening, values: Mapping[str, Any], *, actor: Actor) -> dict:
    changes = apply_changes(opening, values)
    if not changes:
        return changes
    opening.updated_at, opening.updated_by = utcnow(), actor.key
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        raise ValidationError(DUPLICATE, field="trade", site=opening.org_unit.name,
                              trade=opening.trade) from None
    return changes


def _about(opening: Opening) -> dict[str, Any]:
    return {"positions_site": opening.org_unit.name, "positions_trade": opening.trade,
            "positions_headcount": opening.headcount,
            "positions_starts_on": opening.starts_on.isoformat()}


# -- the import ----------------------------------------------------------------------------------

def _site_named(unit: OrgUnit, name: str | None, scope: Scope) -> OrgUnit:
    if not name:
        if unit.kind == OrgKind.SITE and scope.covers(unit):
            return unit
        raise ValidationError(SITE_NEEDED, field="site")
    found = list(session.scalars(select(OrgUnit).where(
        OrgUnit.kind == OrgKind.SITE, OrgUnit.name == name, in_subtrees(OrgUnit.path, [unit.path]),
        scope.contains_unit_id(OrgUnit.id)).limit(2)))
    if not found:
        raise ValidationError(SITE_NOT_FOUND, field="site", unit=unit.name, value=name)
    if len(found) > 1:
        raise ValidationError(SITE_AMBIGUOUS, field="site", unit=unit.name, value=name)
    return found[0]


def store_row(values: dict, *, unit: OrgUnit, actor: Actor, scope: Scope, today: date) -> str:
    """One parsed row of an imported file of openings (see the module's rules):
    ``"created"``, ``"updated"`` or ``"unchanged"``; a row that breaks a rule raises, naming
    the field."""
    errors = ErrorList()
    check_period(values, errors)
    site = errors.collect(lambda: _site_named(unit, values.get("site"), scope))
    county = values.get("county_code")
    location = location_of(site) if site is not None else None
    if site is not None and location is None and county is None:
        errors.add(ValidationError(NEED_COUNTY, field="county_code"))
    elif location is not None and county is not None and county != location.county_code:
        errors.add(ValidationError(COUNTY_DIFFERS, field="county_code", site=site.name,
                                   recorded=location.county_code, value=county))
    InputInvalid.raise_if_any(errors)
    located = location is None
    if located:
        _store_location(site, county, None, actor=actor, keep_address=True)
    full = {code: values.get(code) for code in OPENING_FIELDS}
    existing_id = _same_key(site, full, None)
    if existing_id is None:
        opening = _create_opening(site, full, actor=actor)
        record_event("positions.opening_imported", actor, target_type="positions_opening",
                     target_id=opening.id, org_unit_id=site.id,
                     details={**_about(opening), "positions_outcome": "created"})
        return "created"
    opening = session.get(Opening, existing_id)
    updates = {code: values[code] for code in ("headcount", "ends_on", "notes") if code in values}
    if opening.status != OpeningStatus.OPEN:
        if any(getattr(opening, code) != value for code, value in updates.items()):
            raise ValidationError(CLOSED_UNCHANGED)
        return "updated" if located else "unchanged"
    changes = _update_opening(opening, updates, actor=actor)
    if changes:
        record_event("positions.opening_imported", actor, target_type="positions_opening",
                     target_id=opening.id, org_unit_id=site.id,
                     details={**_about(opening), "positions_outcome": "updated",
                              "fields": list(changes)})
    return "updated" if changes or located else "unchanged"
