"""Workers and children as the API returns them: field codes of the registry's field tables.

Sensitive fields (ID numbers, addresses, health notes, carers' phones) are never returned in
clear: they come back masked, first 3 and last 4 characters (the portal's reveal-with-reason
page is the only way to a full ID number). Workers' phone numbers come back masked too
(``138****5678``, :func:`plugin.privacy.masking.mask_phone`): the HR system sent them and has
them, and a token's holder needs no one's contact data.
"""
from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from plugin.org.models import OrgKind, OrgUnit
from plugin.privacy.masking import mask_id_number, mask_phone
from plugin.registry.consent import has_consent
from plugin.registry.models import Child, Worker
from plugin.registry.schema import CHILD_FIELDS, WORKER_FIELDS, FieldSpec
from plugin.registry.services import CHILD_LINK_FIELDS, CONSENT_FIELDS, UNIT_FIELDS

CATEGORY_KEYS = ("left_behind", "migrant", "in_difficulty", "de_facto_unsupported", "orphan",
                 "in_three_areas")
#: Worker fields returned masked although not sensitive (contact data; see the module docstring).
MASKED_WORKER_FIELDS = ("phone",)
#: Keys of a returned worker that are not input fields (a client may send them back; ignored).
WORKER_OUTPUT_KEYS = ("id", "org_unit", "created_at", "updated_at")
CHILD_OUTPUT_KEYS = ("id", "org_unit", "parents", "categories", "focus_flags", "categories_missing",
                     "categories_as_of", "consent_given", "created_at", "updated_at")


def json_value(value: Any, spec: FieldSpec | None = None) -> Any:
    if value is None:
        return None
    if spec is not None and spec.sensitive:
        return mask_id_number(str(value))
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def unit_json(unit: OrgUnit) -> dict:
    return {"id": unit.id, "name": unit.name, "kind": unit.kind.value}


def placement(unit: OrgUnit) -> tuple[str | None, str | None]:
    """The ``site`` and ``team`` names that put a worker in ``unit`` (as a roster would say it)."""
    if unit.kind == OrgKind.TEAM:
        return (unit.parent.name if unit.parent is not None else None), unit.name
    if unit.kind == OrgKind.SITE:
        return unit.name, None
    return None, None


def worker_json(worker: Worker) -> dict:
    data: dict[str, Any] = {"id": worker.id}
    for spec in WORKER_FIELDS:
        if spec.code not in UNIT_FIELDS:
            data[spec.code] = json_value(getattr(worker, spec.code), spec)
    for code in MASKED_WORKER_FIELDS:
        data[code] = mask_phone(data[code])
    data["site"], data["team"] = placement(worker.org_unit)
    data["org_unit"] = unit_json(worker.org_unit)
    data["created_at"] = json_value(worker.created_at)
    data["updated_at"] = json_value(worker.updated_at)
    return data


def child_json(child: Child) -> dict:
    """A child's record. Callers audit the read
    (:func:`plugin.registry.services.record_child_view`)."""
    data: dict[str, Any] = {"id": child.id}
    for spec in CHILD_FIELDS:
        if spec.code not in CHILD_LINK_FIELDS and spec.code not in CONSENT_FIELDS:
            data[spec.code] = json_value(getattr(child, spec.code), spec)
    data["parents"] = [{"employee_number": link.worker.employee_number, "role": link.role.value}
                       for link in child.parent_links]
    data["categories"] = {key: getattr(child, key) for key in CATEGORY_KEYS}
    data["focus_flags"] = child.focus_flags.split()
    data["categories_missing"] = child.categories_missing.split()
    data["categories_as_of"] = json_value(child.categories_as_of)
    data["consent_given"] = has_consent(child)
    data["org_unit"] = unit_json(child.org_unit)
    data["created_at"] = json_value(child.created_at)
    data["updated_at"] = json_value(child.updated_at)
    return data
