"""The importer's batch paths: plainly new workers and children inserted with one statement.

Mixed into the importer (``processing._Importer``), whose state they use: the batch's
``lookup``, the unit ``resolver``, the counters, ``actor`` and ``today``. Each returns the
positions of the rows it stored; every other row goes row by row, and if the database refuses a
batch insert the whole batch does.
"""
from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import DataError, IntegrityError

from ..core.db import session
from ..core.errors import CareBridgeError
from ..registry.bulk import insert_new_children, insert_new_workers, storable_child_fields
from ..registry.models import Child, ChildParent, Worker
from ..registry.services import id_number_index

log = logging.getLogger(__name__)

#: What :func:`~plugin.registry.bulk.insert_new_children` reads of a parent: its ids and the
#: facts :func:`~plugin.registry.services.child_facts` reads.
_PARENT_COLUMNS = (Worker.id, Worker.employee_number, Worker.org_unit_id,
                   Worker.employment_status, Worker.works_away_since, Worker.other_parent_status,
                   Worker.other_parent_since, Worker.other_parent_capable, Worker.left_on,
                   Worker.own_parent_status, Worker.own_parent_status_since,
                   Worker.own_parent_capable)


class BatchInserts:
    def _create_new_workers_at_once(self, parsed) -> set[int]:
        """Insert the batch's plainly new, valid workers with one statement; returns their
        positions. Anything that could be refused is left to the row-by-row path, which also
        takes over the whole batch if the database refuses the insert."""
        lookup = self.lookup
        candidates: list[tuple[int, dict[str, Any], int]] = []
        claimed: dict[str, str] = {}
        for position, (_row_number, _cells, _raw, values, errors) in enumerate(parsed):
            if errors or values is None or values["employee_number"] in lookup.workers:
                continue
            id_number = values.get("id_number")
            index = id_number_index(id_number.number) if id_number is not None else None
            if index is not None and (index in lookup.index_holders or index in claimed):
                continue
            try:
                unit_id = self.resolver.resolve_id(values.get("site"), values.get("team"))
            except CareBridgeError:
                continue
            candidates.append((position, values, unit_id))
            if index is not None:
                claimed[index] = values["employee_number"]
        if not candidates:
            return set()
        try:
            with session.begin_nested():
                insert_new_workers([(values, unit_id) for _position, values, unit_id in candidates],
                                   actor=self.actor)
        except (IntegrityError, DataError) as error:
            log.warning("import job %s: batch insert refused (%s); going row by row", self.job_id,
                        type(error.orig).__name__)
            self.lookup = None
            return set()
        lookup.index_holders.update(claimed)
        self.counts["processed"] += len(candidates)
        self.counts["created"] += len(candidates)
        self.units.update(dict.fromkeys(self.resolver.created))
        return {position for position, _values, _unit in candidates}

    def _create_new_children_at_once(self, parsed) -> set[int]:
        """Like :meth:`_create_new_workers_at_once`, for plainly new children with one parent
        who is a worker here; children that may already exist (same parent and name, or an ID
        number somebody holds or another row of the batch repeats) and second parents go row
        by row."""
        valid = [(position, values) for position, (*_, values, errors) in enumerate(parsed)
                 if not errors and values is not None]
        numbers = {values["parent_employee_number"] for _position, values in valid}
        # Parents outside the import's scope are not found here: their rows go row by row and
        # are rejected there. Only the columns a new child needs of its parent, no entities:
        # loading workers would decrypt their ID numbers and load their relationships.
        parents = {worker.employee_number: worker for worker in session.execute(
            select(*_PARENT_COLUMNS).where(Worker.employee_number.in_(numbers),
                                           self.scope.contains_unit_id(Worker.org_unit_id)))} \
            if numbers else {}
        known = set(session.execute(
            select(ChildParent.worker_id, Child.name).join(Child, ChildParent.child_id == Child.id)
            .where(ChildParent.worker_id.in_([worker.id for worker in parents.values()]))).all()) \
            if parents else set()
        storable = []
        for position, values in valid:
            parent = parents.get(values["parent_employee_number"])
            if (parent is None or values.get("other_parent_employee_number")
                    or values.get("consent_given_on")):
                continue
            fields, withheld = storable_child_fields(values, self.today)
            id_number = fields.get("id_number")
            storable.append((position, values, parent, fields, withheld,
                             id_number_index(id_number.number) if id_number is not None else None))
        indexes = {index for *_, index in storable if index is not None}
        claimed = set(session.execute(select(Child.id_number_index).where(
            Child.id_number_index.in_(indexes))).scalars()) if indexes else set()
        candidates = []
        for position, values, parent, fields, withheld, index in storable:
            identity = (parent.id, values["name"])
            if identity in known or (index is not None and index in claimed):
                continue
            known.add(identity)
            if index is not None:
                claimed.add(index)
            candidates.append((position, (fields, parent, values["parent_role"], withheld)))
        if not candidates:
            return set()
        try:
            with session.begin_nested():
                insert_new_children([record for _position, record in candidates], actor=self.actor,
                                    today=self.today)
        except (IntegrityError, DataError) as error:
            log.warning("import job %s: batch insert refused (%s); going row by row", self.job_id,
                        type(error.orig).__name__)
            return set()
        self.counts["processed"] += len(candidates)
        self.counts["created"] += len(candidates)
        self.counts["withheld"] += sum(1 for _position, (*_, withheld) in candidates if withheld)
        return {position for position, _record in candidates}
