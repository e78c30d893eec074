"""Hardship aid's retention rules (``Feature.retention``, run by :mod:`plugin.privacy.retention`).

* When a case has ended (paid, closed, rejected or cancelled) and its retention has run out, what
  describes the family goes: the circumstances, the bank account, the evidence files and the
  reviewers' comments. The application row with its reason, amounts, dates and status, its
  payments and the fund's ledger stay: they are accounting records, and the figures of past
  periods (families helped, amounts paid) and sealed filings count them.
* A pairing that ended (early, or on its last day) loses the helper's phone, the reason it was
  ended early and the notes of its contacts; the helper, the period and each contact's day and
  kind stay (the pairing figures count them).
* A union visit loses its notes and photos; the day, the visitors, the cash (a ledger payout) and
  the goods stay.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import or_, select

from ..core.clock import utcnow
from ..privacy.purge import anonymise, end_of_local_day, erase, months_before
from .models import (
    AidApplication,
    ApplicationStatus,
    Decision,
    Evidence,
    Pairing,
    PairingContact,
    UnionVisit,
    VisitPhoto,
)

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


def purge_ended_pairings(today: date, months: int, *, dry_run: bool) -> int:
    """Pairings that ended ``months`` or more ago: their personal details and their contacts'
    notes, counted as records (pairings and contacts) changed."""
    cutoff = months_before(today, months)
    ended = select(Pairing.id).where(or_(Pairing.ends_on <= cutoff,
                                         Pairing.ended_at < end_of_local_day(cutoff)))
    contacts = anonymise(PairingContact, select(PairingContact.id).where(
        PairingContact.pairing_id.in_(ended), PairingContact.notes.is_not(None)),
        {"notes": None}, dry_run=dry_run)
    pairings = anonymise(Pairing, ended.where(or_(Pairing.helper_phone.is_not(None),
                                                  Pairing.end_reason.is_not(None))),
                         {"helper_phone": None, "end_reason": None}, dry_run=dry_run)
    return pairings + contacts


def purge_visit_notes(today: date, months: int, *, dry_run: bool) -> int:
    """Union visits made ``months`` or more ago: their notes and photos, counted as visits."""
    old = select(UnionVisit.id).where(UnionVisit.visited_on <= months_before(today, months))
    visits = old.where(or_(UnionVisit.notes.is_not(None),
                           UnionVisit.id.in_(select(VisitPhoto.visit_id))))
    changed = anonymise(UnionVisit, visits, {"notes": None}, dry_run=dry_run)
    erase(VisitPhoto, select(VisitPhoto.id).where(VisitPhoto.visit_id.in_(old)), dry_run=dry_run)
    return changed
