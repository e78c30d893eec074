"""Hardship aid's retention rule (``Feature.retention``, run by :mod:`plugin.privacy.retention`).

When a case has ended (paid, closed, rejected or cancelled) and its retention has run out, what
describes the family goes: the circumstances, the bank account, the evidence files and the
reviewers' comments. The application row with its reason, amounts, dates and status, its
payments and the fund's ledger stay: they are accounting records, and the figures of past
periods (families helped, amounts paid) and sealed filings count them.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from ..core.clock import utcnow
from ..privacy.purge import anonymise, end_of_local_day, erase, months_before
from .models import AidApplication, ApplicationStatus, Decision, Evidence

ENDED = (ApplicationStatus.PAID, ApplicationStatus.CLOSED, ApplicationStatus.REJECTED,
         ApplicationStatus.CANCELLED)


def purge_closed_applications(today: date, months: int, *, dry_run: bool) -> int:
    """Applications whose case ended ``months`` or more ago."""
    ids = select(AidApplication.id).where(
        AidApplication.anonymised_at.is_(None), AidApplication.status.in_(ENDED),
        AidApplication.ended_at < end_of_local_day(months_before(today, months)))
    if not dry_run:
        chosen = ids.subquery()
        erase(Evidence, select(Evidence.id).where(
            Evidence.application_id.in_(select(chosen.c.id))), dry_run=False)
        anonymise(Decision, select(Decision.id).where(
            Decision.application_id.in_(select(chosen.c.id)), Decision.comment.is_not(None)),
            {"comment": None}, dry_run=False)
    return anonymise(AidApplication, ids, {
        "circumstances": "", "account_holder": None, "bank_name": None, "account_number": None,
        "anonymised_at": utcnow()}, dry_run=dry_run)
