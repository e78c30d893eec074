"""Reading hardship aid: applications, their decisions and money, funds and the approval chain.
Published for other features: :func:`families_with_open_aid` (the worker ids with a case open)."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import case, func, select

from ..access.models import RoleGrant
from ..core.db import session
from ..core.roles import Role
from ..org.models import OrgUnit
from . import rules
from .models import (
    OPEN_STATUSES,
    AidApplication,
    AidFund,
    ApplicationChild,
    ApprovalTier,
    Decision,
    EntryKind,
    Evidence,
    LedgerEntry,
    Payment,
)


def get_application(application_id: int) -> AidApplication | None:
    return session.get(AidApplication, application_id)


def get_fund(fund_id: int) -> AidFund | None:
    return session.get(AidFund, fund_id)


def approval_tiers() -> list[ApprovalTier]:
    """The company's tiers, lowest maximum first (the open-ended one last)."""
    tiers = list(session.scalars(select(ApprovalTier)))
    tiers.sort(key=lambda tier: (tier.max_fen is None, tier.max_fen or 0))
    return tiers


def decisions(application_id: int) -> list[Decision]:
    return list(session.scalars(select(Decision).where(Decision.application_id == application_id)
                                .order_by(Decision.decided_at, Decision.id)))


def deciders(application_id: int, round_: int) -> list[str]:
    """Who decided a step of this round of the application's chain."""
    return list(session.scalars(select(Decision.actor_key).where(
        Decision.application_id == application_id, Decision.round == round_)))


def evidence_of(application_id: int) -> list[Evidence]:
    return list(session.scalars(select(Evidence).where(Evidence.application_id == application_id)
                                .order_by(Evidence.id)))


def get_evidence(application_id: int, evidence_id: int) -> Evidence | None:
    return session.scalars(select(Evidence).where(Evidence.id == evidence_id,
                                                  Evidence.application_id == application_id)
                           ).first()


def children_ids(application_id: int) -> list[int]:
    return list(session.scalars(select(ApplicationChild.child_id).where(
        ApplicationChild.application_id == application_id)))


def open_reservation(application_id: int) -> LedgerEntry | None:
    """The application's latest reservation (the one its payments and releases draw on)."""
    return session.scalars(select(LedgerEntry).where(
        LedgerEntry.application_id == application_id,
        LedgerEntry.kind == EntryKind.RESERVATION).order_by(LedgerEntry.id.desc()).limit(1)
    ).first()


def held_by(reservation: LedgerEntry) -> int:
    """Money still held for the reservation's application: reserved − released − paid."""
    signed = case((LedgerEntry.kind == EntryKind.RESERVATION, LedgerEntry.amount_fen),
                  (LedgerEntry.kind.in_((EntryKind.RELEASE, EntryKind.PAYOUT)),
                   -LedgerEntry.amount_fen), else_=0)
    return int(session.scalar(select(func.coalesce(func.sum(signed), 0)).where(
        LedgerEntry.application_id == reservation.application_id)))


def paid_months(application_id: int) -> set[date]:
    return set(session.scalars(select(Payment.month).where(
        Payment.application_id == application_id)))


def payments_of(application_id: int) -> list[Payment]:
    return list(session.scalars(select(Payment).where(Payment.application_id == application_id)
                                .order_by(Payment.month)))


def step_holders(step: rules.ChainStep, unit: OrgUnit) -> list[str]:
    """User keys of everyone who may decide ``step`` for an application of ``unit``."""
    ancestors = unit.ancestor_ids
    units = [ancestors[0]] if step.company_level and ancestors else ancestors
    return list(session.scalars(select(RoleGrant.user_key).where(
        RoleGrant.role.in_((step.role, Role.ADMIN.value)),
        RoleGrant.org_unit_id.in_(units)).distinct().order_by(RoleGrant.user_key)))


def recurring_due_ids() -> list[int]:
    """Recurring cases the monthly job looks at."""
    from .models import ApplicationStatus

    return list(session.scalars(select(AidApplication.id).where(
        AidApplication.monthly_fen.is_not(None),
        AidApplication.status.in_((ApplicationStatus.APPROVED, ApplicationStatus.PAYING)))
        .order_by(AidApplication.id)))


def families_with_open_aid(worker_ids: Iterable[int]) -> set[int]:
    """Published: which of these workers have an aid application still open."""
    ids = list(worker_ids)
    if not ids:
        return set()
    return set(session.scalars(select(AidApplication.worker_id).where(
        AidApplication.worker_id.in_(ids), AidApplication.status.in_(OPEN_STATUSES))))
