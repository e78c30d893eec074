"""The worker's integrity record (职工诚信, 2019 guidance): entries from pledges (through the
pledges feature's signals), agreements, commendations as a model guardian and admonitions
(Family Education Promotion Law Art. 48)."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import select

from ..audit.services import record_event
from ..core.clock import local_today
from ..core.db import session
from ..core.errors import ErrorList, InputInvalid, ValidationError
from ..core.host import Actor
from ..core.text import clean_free_text
from ..registry.models import Worker
from ..signals import pledge_expired, pledge_revoked, pledge_signed
from ..worker_access.services import worker_actor
from .labels import INTEGRITY_LABELS
from .models import IntegrityEntry, IntegrityKind

REASON_MIN_LENGTH = 4
REASON_MAX_LENGTH = 1000


def add_entry(worker_id: int, kind: str, occurred_on: date, *, reason: str | None = None,
              details: dict[str, Any] | None = None, issued_by: Actor | None = None,
              reference: tuple[str, int] | None = None) -> IntegrityEntry:
    """Add an entry to a worker's integrity record. Published for every feature: ``kind`` is one
    that some feature declares in ``Feature.integrity_kinds``."""
    kind = getattr(kind, "value", kind)
    if kind not in INTEGRITY_LABELS:
        raise ValueError(f"integrity entry kind {kind!r} is declared by no feature")
    entry = IntegrityEntry(
        worker_id=worker_id, kind=kind, occurred_on=occurred_on, reason=reason, details=details,
        issued_by=issued_by.key if issued_by else None,
        issued_by_name=issued_by.name[:200] if issued_by else None,
        reference_type=reference[0] if reference else None,
        reference_id=reference[1] if reference else None)
    session.add(entry)
    session.flush()
    return entry


def has_entry(worker_id: int, kind: str, reference: tuple[str, int]) -> bool:
    kind = getattr(kind, "value", kind)
    return session.execute(select(IntegrityEntry.id).where(
        IntegrityEntry.worker_id == worker_id, IntegrityEntry.kind == kind,
        IntegrityEntry.reference_type == reference[0],
        IntegrityEntry.reference_id == reference[1]).limit(1)).first() is not None


def commend(worker: Worker, *, reason: str | None, occurred_on: date | None, actor: Actor,
            today: date) -> IntegrityEntry:
    """Commend the worker as a model guardian (依法履行监护职责模范)."""
    return _issue(worker, IntegrityKind.COMMENDATION, "integrity.commended", reason, occurred_on,
                  actor, today)


def admonish(worker: Worker, *, reason: str | None, occurred_on: date | None, actor: Actor,
             today: date) -> IntegrityEntry:
    """Admonish a worker who neglects family-education duties (Family Education Promotion Law
    Art. 48)."""
    return _issue(worker, IntegrityKind.ADMONITION, "integrity.admonished", reason, occurred_on,
                  actor, today)


def _issue(worker, kind, action, reason, occurred_on, actor, today) -> IntegrityEntry:
    errors = ErrorList()
    text = errors.collect(lambda: clean_free_text(reason, max_length=REASON_MAX_LENGTH,
                                                  field="reason", multiline=True))
    if not text or len(text) < REASON_MIN_LENGTH:
        errors.add(ValidationError("请写明原因（至少 %(min)s 个字）", field="reason",
                                   min=REASON_MIN_LENGTH))
    if occurred_on is None:
        errors.add(ValidationError("请填写日期", field="occurred_on"))
    elif occurred_on > today:
        errors.add(ValidationError("日期不能晚于今天：%(value)s", field="occurred_on",
                                   value=occurred_on.isoformat()))
    InputInvalid.raise_if_any(errors)
    entry = add_entry(worker.id, kind, occurred_on, reason=text, issued_by=actor)
    record_event(action, actor, target_type="worker", target_id=worker.id,
                 org_unit_id=worker.org_unit_id, details={"entry": entry.id})
    return entry


def on_pledge_signed(sender, *, pledge, actor: Actor | None = None, **_extra) -> None:
    kind = IntegrityKind.PLEDGE_RENEWED if pledge.renews_id else IntegrityKind.PLEDGE_SIGNED
    reference = ("pledge", pledge.id)
    if has_entry(pledge.worker_id, kind, reference):
        return
    add_entry(pledge.worker_id, kind, pledge.signed_on,
              issued_by=actor or worker_actor(pledge.worker), reference=reference,
              details={"valid_until": pledge.valid_until.isoformat(),
                       "method": pledge.method.value})


def on_pledge_revoked(sender, *, pledge, reason: str | None = None, actor: Actor | None = None,
                      **_extra) -> None:
    reference = ("pledge", pledge.id)
    if not has_entry(pledge.worker_id, IntegrityKind.PLEDGE_REVOKED, reference):
        add_entry(pledge.worker_id, IntegrityKind.PLEDGE_REVOKED, local_today(), reason=reason,
                  issued_by=actor, reference=reference)


def on_pledge_expired(sender, *, pledge, **_extra) -> None:
    reference = ("pledge", pledge.id)
    if not has_entry(pledge.worker_id, IntegrityKind.PLEDGE_EXPIRED, reference):
        first_day_without = pledge.valid_until + timedelta(days=1)
        add_entry(pledge.worker_id, IntegrityKind.PLEDGE_EXPIRED, first_day_without,
                  details={"valid_until": pledge.valid_until.isoformat()}, reference=reference)


def connect_receivers(app: Flask) -> None:
    """Write integrity entries when ``app``'s pledges are signed, revoked or expire."""
    pledge_signed.connect(on_pledge_signed, sender=app)
    pledge_revoked.connect(on_pledge_revoked, sender=app)
    pledge_expired.connect(on_pledge_expired, sender=app)
