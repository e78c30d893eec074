"""Recognising a child exactly once when several requests register it at the same moment.

A child without an ID number is known by its parent, name and birth date, facts spread over two
tables that no constraint can tie together; a child with an ID number is known by its blind index,
unique in the database. :func:`upsert_child` looks the child up and creates it if it is not
there: two requests doing that at once would both create it (40 identical posts made 8
children). So before looking, a request locks its parents' rows and the ID number it carries;
a second request waits there, then finds what the first one committed.
"""
from __future__ import annotations

from typing import Any

from flask import current_app

from ..core.db import lock_key, lock_rows
from .models import Worker


def lock_child_identity(values: dict[str, Any], *parents: Worker | None) -> None:
    """Hold the parents' rows and the child's ID number until the transaction ends.

    Call before looking the child up. The parents are locked in id order, then the ID number (by
    its blind index, never in clear), so two callers never wait for each other in a circle.
    """
    lock_rows(Worker, [parent.id for parent in parents if parent is not None])
    id_number = values.get("id_number")
    if id_number is not None:
        index = current_app.extensions["carebridge"].cipher.blind_index(id_number.number,
                                                                       purpose="id_number")
        lock_key("cb_child.id_number", index)
