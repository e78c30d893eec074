"""Test data factories: workers and children made through the real registry services, so every
record is valid, categorised and audited exactly as in production.

Use the ``make_worker`` and ``make_child`` fixtures (defined in ``conftest``)::

    worker = make_worker(site)                      # a worker with nothing special
    child = make_child(worker, left_behind=True)    # a left-behind child of that worker
"""
from __future__ import annotations

from datetime import date
from itertools import count
from typing import Any

from plugin.core.host import Actor
from plugin.registry.models import Child, Worker
from plugin.registry.schema import CHILD_FIELDS, WORKER_FIELDS, parse_record
from plugin.registry.services import upsert_child, upsert_worker

SYSTEM = Actor.system("tests")

#: The registry's "today" in factories; the ``clock`` fixture's date.
TODAY = date(2026, 11, 22)
_numbers = count(1)

#: Facts that make a worker's child left-behind: the worker came in 2024, the other parent
#: stays at home but cannot take care of the child (DOMAIN §3).
LEFT_BEHIND_PARENT = {"entry_date": "2024-03-01", "works_away_since": "2024-03-01",
                      "other_parent_status": "在家",
                      "other_parent_capable": "否"}


def make_worker(unit, *, employee_number: str | None = None, name: str | None = None,
                phone: str | None = None, **fields: Any) -> Worker:
    """A worker of ``unit``; ``fields`` are raw roster values by field code (see WORKER_FIELDS)."""
    number = next(_numbers)
    raw = {"employee_number": employee_number or f"T{number:05d}",
           "name": name or f"职工{number}",
           "phone": phone or f"139{number:08d}", **fields}
    return upsert_worker(parse_record(raw, WORKER_FIELDS, today=TODAY), unit=unit, actor=SYSTEM).record


def make_child(parent: Worker, *, left_behind: bool = False, name: str | None = None,
               birth_date: str = "2016-05-05", parent_role: str = "父亲", **fields: Any) -> Child:
    """A child of ``parent``. ``left_behind=True`` also sets the parent's facts so the computed
    category is left-behind; otherwise the child lives with the parents."""
    if left_behind:
        upsert_worker(parse_record({"employee_number": parent.employee_number, "name": parent.name,
                                    **LEFT_BEHIND_PARENT},
                                   WORKER_FIELDS, today=TODAY), unit=parent.org_unit, actor=SYSTEM)
    raw = {"parent_employee_number": parent.employee_number, "parent_role": parent_role,
           "name": name or f"孩子{next(_numbers)}", "birth_date": birth_date,
           "lives_in_home_area": "是" if left_behind else "否", **fields}
    child = upsert_child(parse_record(raw, CHILD_FIELDS, today=TODAY), actor=SYSTEM, today=TODAY).record
    assert not left_behind or child.left_behind is True, child.categories_missing
    return child
