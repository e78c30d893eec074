"""What may be done with an agreement in its present state: one function per decision, read by
the services that act (which refuse otherwise) and by the pages that offer the action."""
from __future__ import annotations

from ..registry.models import Worker
from .models import OPEN_STATUSES, AgreementStatus, EntrustmentAgreement


def may_end(agreement: EntrustmentAgreement) -> bool:
    """Only an agreement in force is ended early (the parent came home, the child moved…)."""
    return agreement.status == AgreementStatus.ACTIVE


def may_revoke(agreement: EntrustmentAgreement) -> bool:
    """An open agreement, in force or still waiting for the worker's signature, may be revoked."""
    return agreement.status in OPEN_STATUSES


def awaits_signature(agreement: EntrustmentAgreement) -> bool:
    """The agreement was sent to the worker's phone and is not signed yet."""
    return agreement.status == AgreementStatus.PENDING


def awaits_signature_of(agreement: EntrustmentAgreement, worker: Worker) -> bool:
    """The agreement waits for ``worker``'s signature (the other parent named in it sees it, but
    does not sign)."""
    return awaits_signature(agreement) and agreement.worker_id == worker.id


def has_document(agreement: EntrustmentAgreement) -> bool:
    """The agreement's PDF is offered to the worker once it no longer waits for a signature."""
    return not awaits_signature(agreement)
