"""Creating many new workers at once, for roster imports.

The row-by-row :func:`~plugin.registry.services.upsert_worker` costs two flushes and a savepoint
per worker; a first import of a large roster is almost only new workers. The caller checks
everything a row could be refused for first (parsing, duplicates in the file, ID numbers already
held, the unit); what remains is inserted with one statement per batch, and each creation is
audited exactly as the row-by-row path does it.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import insert

from ..audit.models import AuditEvent
from ..core.clock import utcnow
from ..core.db import session
from ..core.host import Actor
from ..org.models import OrgUnit
from .models import EmploymentStatus, Worker
from .services import UNIT_FIELDS, id_number_index
from .values import pinyin_initials

#: Worker columns a roster can fill (the record's field codes, less the unit names).
_COLUMNS = ("name", "sex", "id_number", "phone", "hukou_region_code", "subcontractor", "entry_date",
            "employment_status", "left_on", "works_away_since", "other_parent_status",
            "other_parent_since", "other_parent_capable")


def insert_new_workers(records: list[tuple[dict[str, Any], OrgUnit]], *, actor: Actor) -> list[int]:
    """Insert workers whose employee and ID numbers nobody holds yet; returns their ids in order.

    Same stored values as :func:`~plugin.registry.services.upsert_worker` creating them one by
    one, including the product rule that working away starts at the entry date.
    """
    if not records:
        return []
    now = utcnow()
    rows = []
    for values, unit in records:
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
            org_unit_id=unit.id, created_at=now, updated_at=now,
        )
        rows.append(row)
    ids = list(session.execute(
        insert(Worker).returning(Worker.id, sort_by_parameter_order=True), rows).scalars())
    session.execute(insert(AuditEvent), [
        {"occurred_at": now, "action": "worker.created", "actor_key": actor.key,
         "actor_name": actor.name[:200], "target_type": "worker", "target_id": str(worker_id),
         "org_unit_id": unit.id, "ip": actor.ip, "user_agent": actor.user_agent, "details": None}
        for worker_id, (_values, unit) in zip(ids, records)])
    return ids
