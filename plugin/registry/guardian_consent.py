"""A guardian gives or withdraws consent for a child under 14, whoever records it.

The officer's form (paper, in person), the worker's phone (the worker is the guardian) and a
roster's consent columns all end here or in :func:`~plugin.registry.services.upsert_child`:
consent is recorded, the details held for lack of it are applied
(:mod:`plugin.registry.held_details`), and the child's categories are decided again.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from ..core.errors import ValidationError
from ..core.host import Actor
from . import held_details
from .consent import active_consent, record_consent, withdraw_consent
from .models import Child, ChildConsent, ConsentMethod
from .services import apply_held_details, recompute_categories


@dataclass(frozen=True)
class ConsentOutcome:
    consent: ChildConsent
    #: Field codes of held details written to the record.
    applied: list[str] = field(default_factory=list)
    #: Field codes of held details that could not be (an ID number registered meanwhile).
    refused: list[str] = field(default_factory=list)


def give_consent(child: Child, *, guardian_name: str, method: ConsentMethod, given_on: date,
                 actor: Actor, today: date,
                 guardian_worker_id: int | None = None) -> ConsentOutcome:
    if active_consent(child) is not None:
        raise ValidationError("这名儿童已有有效的监护人同意", field="given_on")
    consent = record_consent(child, guardian_name=guardian_name, method=method,
                             given_on=given_on, actor=actor, today=today,
                             guardian_worker_id=guardian_worker_id)
    outcome = apply_held_details(child, actor=actor, today=today)
    recompute_categories(child, today)
    return ConsentOutcome(consent, outcome.applied, outcome.refused)


def withdraw(child: Child, *, reason: str, actor: Actor) -> ChildConsent:
    """Withdraw the consent: what it allowed beyond the minimum is erased, and so is anything
    still held."""
    consent = withdraw_consent(child, reason=reason, actor=actor)
    held_details.discard(child)
    return consent
