"""Logging a worker's contacts with their children and the children's carers (MPL Art. 23).

Workers log their own on the phone; an HR officer may log one on a worker's behalf, which is
audited. Logging the same contact twice (a double tap) keeps one row.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from ..audit.services import record_event
from ..core.db import lock_rows, session
from ..core.errors import ErrorList, InputInvalid, ValidationError
from ..core.host import Actor
from ..core.text import clean_free_text
from ..registry.models import Worker
from ..registry.queries import children_of
from ..worker_access.services import worker_actor
from .models import ContactKind, ContactLog, ContactParty

NOTE_MAX_LENGTH = 500


def log_contact(worker: Worker, *, child_id: int | None, party: ContactParty | str | None,
                kind: ContactKind | str | None, contact_on: date | None, note: str | None,
                actor: Actor, today: date) -> ContactLog:
    """Record one contact. ``actor`` is the worker (:func:`worker_actor`) or an officer.
    Every error is raised at once (:class:`~plugin.core.errors.InputInvalid`)."""
    errors = ErrorList()
    child = next((child for child in children_of(worker) if child.id == child_id), None)
    if child is None:
        errors.add(ValidationError("请选择您的哪个孩子或哪位照护人", field="child"))
    party = errors.collect(lambda: _member(ContactParty, party, "party",
                                           "请选择联系的是孩子还是照护人"))
    kind = errors.collect(lambda: _member(ContactKind, kind, "kind", "请选择联系方式"))
    if contact_on is None:
        errors.add(ValidationError("请填写联系日期", field="contact_on"))
    elif contact_on > today:
        errors.add(ValidationError("联系日期不能晚于今天", field="contact_on"))
    elif child is not None and child.birth_date is not None and contact_on < child.birth_date:
        errors.add(ValidationError("联系日期不能早于孩子的出生日期", field="contact_on"))
    note = errors.collect(lambda: clean_free_text(note, max_length=NOTE_MAX_LENGTH, field="note",
                                                  multiline=True))
    InputInvalid.raise_if_any(errors)
    # Taps at the same moment (or the worker and an officer at once) would each find no row and
    # write one: the second waits here until the first ends, then finds its row.
    lock_rows(Worker, [worker.id])
    existing = session.execute(select(ContactLog).where(
        ContactLog.worker_id == worker.id, ContactLog.child_id == child.id,
        ContactLog.party == party, ContactLog.kind == kind,
        ContactLog.contact_on == contact_on).limit(1)).scalar_one_or_none()
    if existing is not None:
        return existing
    log = ContactLog(worker_id=worker.id, child=child, party=party, kind=kind,
                     contact_on=contact_on, note=note, logged_by=actor.key,
                     logged_by_name=actor.name[:200])
    session.add(log)
    session.flush()
    if actor.key != worker_actor(worker).key:
        record_event("contact.logged_on_behalf", actor, target_type="worker", target_id=worker.id,
                     org_unit_id=worker.org_unit_id,
                     details={"contact": log.id, "party": party.value, "kind": kind.value,
                              "contact_on": contact_on.isoformat()})
    return log


def _member(enum_class, value, field: str, message: str):
    try:
        return enum_class(value)
    except ValueError:
        raise ValidationError(message, field=field) from None
