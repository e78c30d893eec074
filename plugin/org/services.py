"""Changes to the company and its organisation tree. Every change is audited."""
from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app
from sqlalchemy import select

from ..audit.services import record_event
from ..core.changes import apply_changes
from ..core.clock import DEFAULT_TIMEZONE
from ..core.db import session
from ..core.errors import ValidationError
from ..core.host import Actor
from ..core.text import clean_code, clean_free_text, clean_person_name
from ..signals import org_unit_created, org_unit_updated
from .models import ALLOWED_CHILD_KINDS, Company, OrgKind, OrgUnit

UNIT_FIELDS = ("name", "responsible_department", "responsible_person", "responsible_phone")


def _check_timezone(name: str) -> None:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError("未知的时区：%(zone)s", field="timezone", zone=name) from None


def _check_name(name: str) -> str:
    name = clean_free_text(name) or ""
    if not name:
        raise ValidationError("名称不能为空", field="name")
    if len(name) > 200:
        raise ValidationError("名称不能超过 200 个字符", field="name")
    return name


def create_company(name: str, *, actor: Actor, timezone: str = DEFAULT_TIMEZONE) -> Company:
    """Create the company and the root (group) unit of its tree. Only once per deployment."""
    if session.execute(select(Company.id)).first() is not None:
        raise ValidationError("公司已经设置过了", field="name")
    name = _check_name(name)
    _check_timezone(timezone)
    company = Company(name=name, timezone=timezone)
    root = OrgUnit(kind=OrgKind.GROUP, name=name, depth=0)
    session.add_all([company, root])
    session.flush()
    root.path = f"/{root.id}/"
    record_event("company.created", actor, target_type="company", target_id=company.id,
                 org_unit_id=root.id, details={"name": name, "timezone": timezone})
    session.flush()
    return company


def update_company(company: Company, *, actor: Actor, name: str, timezone: str) -> Company:
    name = _check_name(name)
    _check_timezone(timezone)
    changes = apply_changes(company, {"name": name, "timezone": timezone})
    if "timezone" in changes:
        current_app.extensions["carebridge"].forget_company_timezone()
    if changes:
        session.flush()
        record_event("company.updated", actor, target_type="company", target_id=company.id,
                     details=changes)
    return company


def create_unit(parent: OrgUnit, kind: OrgKind, name: str, *, actor: Actor,
                responsible_department: str | None = None, responsible_person: str | None = None,
                responsible_phone: str | None = None) -> OrgUnit:
    kind = OrgKind(kind)
    if kind not in ALLOWED_CHILD_KINDS[parent.kind]:
        raise ValidationError("%(parent)s 下不能建立这种单位", field="kind", parent=parent.name)
    name = _check_name(name)
    _check_unique_sibling_name(parent.id, name)
    unit = OrgUnit(
        parent=parent, kind=kind, name=name, depth=parent.depth + 1,
        **_unit_details(responsible_department=responsible_department,
                        responsible_person=responsible_person,
                        responsible_phone=responsible_phone),
    )
    session.add(unit)
    session.flush()
    unit.path = f"{parent.path}{unit.id}/"
    record_event("org.unit_created", actor, target_type="org_unit", target_id=unit.id,
                 org_unit_id=unit.id,
                 details={"name": name, "kind": kind.value, "parent": parent.id})
    session.flush()
    org_unit_created.send(_sender(), unit=unit, actor=actor)
    return unit


def update_unit(unit: OrgUnit, *, actor: Actor, **values: str | None) -> OrgUnit:
    """Change a unit's name or responsible department/person; records old and new values."""
    unknown = set(values) - set(UNIT_FIELDS)
    if unknown:
        raise TypeError(f"unknown unit fields: {sorted(unknown)}")
    if "name" in values:
        values["name"] = _check_name(values["name"] or "")
        if values["name"] != unit.name and unit.parent_id is not None:
            _check_unique_sibling_name(unit.parent_id, values["name"])
    changes = apply_changes(unit, {**values, **_unit_details(**{
        field: value for field, value in values.items() if field != "name"})})
    if changes:
        session.flush()
        record_event("org.unit_updated", actor, target_type="org_unit", target_id=unit.id,
                     org_unit_id=unit.id, details=changes)
        org_unit_updated.send(_sender(), unit=unit, changes=changes, actor=actor)
    return unit


def _check_unique_sibling_name(parent_id: int, name: str) -> None:
    clash = session.execute(
        select(OrgUnit.id).where(OrgUnit.parent_id == parent_id, OrgUnit.name == name)
    ).first()
    if clash is not None:
        raise ValidationError("同一上级单位下已有名为“%(name)s”的单位", field="name", name=name)


def _sender():
    return current_app._get_current_object()


#: How each optional detail of a unit is cleaned (empty is ``None``).
_DETAIL_CLEANERS = {"responsible_department": clean_free_text,
                    "responsible_person": clean_person_name, "responsible_phone": clean_code}


def _unit_details(**values: str | None) -> dict[str, str | None]:
    return {field: _DETAIL_CLEANERS[field](value) for field, value in values.items()}
