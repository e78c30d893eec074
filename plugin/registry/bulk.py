"""Creating many new workers or children at once, for roster imports.

The row-by-row :func:`~plugin.registry.services.upsert_worker` costs two flushes and a savepoint
per worker; a first import of a large roster is almost only new workers. The caller checks
everything a row could be refused for first (parsing, duplicates in the file, ID numbers already
held, the unit); what remains is inserted with one statement per batch, and each creation is
audited exactly as the row-by-row path does it.
"""
from __future__ import annotations

from datetime import date
from types import SimpleNamespace
from typing import Any

from sqlalchemy import insert

from ..audit.models import AuditEvent
from ..core.clock import utcnow
from ..core.db import session
from ..core.host import Actor
from . import held_details
from .consent import MINIMUM_CHILD_FIELDS, needs_consent
from .models import Child, ChildParent, EmploymentStatus, ParentRole, Worker
from .services import (
    CHILD_LINK_FIELDS,
    CONSENT_FIELDS,
    UNIT_FIELDS,
    category_columns,
    child_facts,
    id_number_index,
)
from .values import pinyin_initials

# The tables, not the mapped classes: the rows are complete column dicts, and an ORM bulk insert
# would only add its per-row bookkeeping to the same statements.
_WORKERS, _CHILDREN, _AUDIT_EVENTS = Worker.__table__, Child.__table__, AuditEvent.__table__

#: Worker columns a roster can fill (the record's field codes, less the unit names).
_COLUMNS = ("name", "sex", "id_number", "phone", "hukou_region_code", "subcontractor", "entry_date",
            "employment_status", "left_on", "works_away_since", "other_parent_status",
            "other_parent_since", "other_parent_capable", "own_parent_status",
            "own_parent_status_since", "own_parent_capable")


def insert_new_workers(records: list[tuple[dict[str, Any], int]], *, actor: Actor) -> list[int]:
    """Insert workers whose employee and ID numbers nobody holds yet, each with the id of its
    unit; returns their ids in order.

    Same stored values as :func:`~plugin.registry.services.upsert_worker` creating them one by
    one, including the product rule that working away starts at the entry date.
    """
    if not records:
        return []
    now = utcnow()
    rows = []
    for values, unit_id in records:
        fields = {key: value for key, value in values.items() if key not in UNIT_FIELDS}
        row = {column: fields.get(column) for column in _COLUMNS}
        id_number = fields.get("id_number")
        row.update(
            employee_number=fields["employee_number"],
            name_initials=pinyin_initials(fields["name"]),
            id_number=id_number.number if id_number is not None else None,
            id_number_index=id_number_index(id_number.number) if id_number is not None else None,
            employment_status=fields.get("employment_status") or EmploymentStatus.ACTIVE,
            works_away_since=fields.get("works_away_since") or fields.get("entry_date"),
            org_unit_id=unit_id, created_at=now, updated_at=now,
        )
        rows.append(row)
    # Matched back by employee number (unique), not by row order: asking for RETURNING in
    # parameter order makes SQLAlchemy insert one row per statement on SQLite.
    inserted = dict(session.execute(
        insert(_WORKERS).returning(_WORKERS.c.employee_number, _WORKERS.c.id), rows).all())
    ids = [inserted[row["employee_number"]] for row in rows]
    session.execute(insert(_AUDIT_EVENTS), [
        {"occurred_at": now, "action": "worker.created", "actor_key": actor.key,
         "actor_name": actor.name[:200], "target_type": "worker", "target_id": str(worker_id),
         "org_unit_id": row["org_unit_id"], "ip": actor.ip, "user_agent": actor.user_agent,
         "details": None}
        for worker_id, row in zip(ids, rows, strict=True)])
    return ids


#: Child columns a roster can fill.
_CHILD_COLUMNS = ("sex", "ethnicity", "birth_date", "hukou_region_code", "hukou_rural", "address",
                  "lives_with", "living_situation", "lives_in_home_area",
                  "outside_hukou_county_since", "school", "grade", "boarding", "health_note",
                  "has_disability", "family_poverty",
                  "guardianship_lacking_with_harm", "carer_name", "carer_relation", "carer_phone",
                  "village_committee_contact", "village_child_director")
_FLAG_COLUMNS = ("wandering", "psychological_anomaly", "asked_for_help")


def storable_child_fields(values: dict[str, Any],
                          today: date) -> tuple[dict[str, Any], dict[str, Any]]:
    """What may be stored of a NEW child's record, and what is withheld for lack of consent
    (a new child has no guardian's consent yet; under 14 only the minimum is kept, the rest is
    held: :mod:`plugin.registry.held_details`). A row carrying a consent is not for this path."""
    fields = {key: value for key, value in values.items()
              if key not in CHILD_LINK_FIELDS and key not in CONSENT_FIELDS}
    if not needs_consent(fields.get("birth_date"), today):
        return fields, {}
    withheld = {key: value for key, value in fields.items()
                if key not in MINIMUM_CHILD_FIELDS and value is not None}
    return {key: value for key, value in fields.items() if key in MINIMUM_CHILD_FIELDS}, withheld


def insert_new_children(records: list[tuple[dict[str, Any], Worker, ParentRole, dict[str, Any]]],
                        *, actor: Actor, today: date) -> list[int]:
    """Insert children nobody has registered yet, each with one worker parent.

    ``records`` holds (storable fields, parent, the parent's role, withheld fields and values).
    The categories are decided before the insert, from the same facts the row-by-row path uses;
    withheld details are held, as the row-by-row path holds them.
    """
    if not records:
        return []
    now = utcnow()
    rows = []
    for fields, parent, role, _withheld in records:
        row = {column: fields.get(column) for column in _CHILD_COLUMNS}
        row.update({column: bool(fields.get(column)) for column in _FLAG_COLUMNS})
        id_number = fields.get("id_number")
        row.update(name=fields["name"], name_initials=pinyin_initials(fields["name"]),
                   id_number=id_number.number if id_number is not None else None,
                   id_number_index=(id_number_index(id_number.number) if id_number is not None
                                    else None),
                   org_unit_id=parent.org_unit_id, created_at=now, updated_at=now)
        row.update(category_columns(child_facts(SimpleNamespace(**row), parents={role: parent}),
                                    today))
        rows.append(row)
    ids = list(session.execute(insert(_CHILDREN).returning(
        _CHILDREN.c.id, sort_by_parameter_order=True), rows).scalars())
    session.execute(insert(ChildParent.__table__), [
        {"child_id": child_id, "worker_id": parent.id, "role": role}
        for child_id, (_fields, parent, role, _withheld) in zip(ids, records, strict=True)])
    session.execute(insert(_AUDIT_EVENTS), [
        {"occurred_at": now, "action": "child.created", "actor_key": actor.key,
         "actor_name": actor.name[:200], "target_type": "child", "target_id": str(child_id),
         "org_unit_id": parent.org_unit_id, "ip": actor.ip, "user_agent": actor.user_agent,
         "details": {"fields": [code for code, value in fields.items()
                                if value is not None and code != "name"]
                     + [role.value], **({"withheld": sorted(withheld)} if withheld else {})}}
        for child_id, (fields, parent, role, withheld) in zip(ids, records, strict=True)])
    held_details.hold_new(((child_id, withheld)
                           for child_id, (*_, withheld) in zip(ids, records, strict=True)
                           if withheld), today=today)
    return ids
