"""Entrusted guardianship's retention rules (``Feature.retention``, run by
:mod:`plugin.privacy.retention`).

* An agreement that ended (its period's last day, or the day it was ended or revoked) keeps, after
  the retention, what the integrity record and the figures read (worker, children, period,
  status, duties, contact commitments, the carer's relation); the carer's name, phone, ID number,
  birth date and address, the other parent's name, the scan, the signature and the reason it was
  closed go.
* A logged parent–child contact keeps its date, kind and who took part (the follow-up figures
  count them); its note goes.
* An integrity entry (a commendation, an admonition, a pledge or agreement ended) keeps its kind,
  day, issuer and the record it is about (the integrity figures count them); the reason written
  for it goes.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import or_, select

from ..privacy.purge import ANONYMISED_NAME, anonymise, months_before
from .models import AgreementStatus, ContactLog, EntrustmentAgreement, IntegrityEntry

CLOSED = (AgreementStatus.ENDED, AgreementStatus.REVOKED)


def purge_ended_agreements(today: date, months: int, *, dry_run: bool) -> int:
    cutoff = months_before(today, months)
    ids = select(EntrustmentAgreement.id).where(
        EntrustmentAgreement.carer_name != ANONYMISED_NAME,
        or_(EntrustmentAgreement.ends_on <= cutoff,
            EntrustmentAgreement.status.in_(CLOSED) & (EntrustmentAgreement.closed_on <= cutoff)))
    return anonymise(EntrustmentAgreement, ids, {
        "carer_name": ANONYMISED_NAME, "carer_phone": "", "carer_id_number": None,
        "carer_birth_date": None, "carer_address": None, "other_parent_name": None,
        "scan": None, "scan_content_type": None, "signature_png": None, "close_reason": None,
    }, dry_run=dry_run)


def purge_contact_notes(today: date, months: int, *, dry_run: bool) -> int:
    ids = select(ContactLog.id).where(ContactLog.note.is_not(None),
                                      ContactLog.contact_on <= months_before(today, months))
    return anonymise(ContactLog, ids, {"note": None}, dry_run=dry_run)


def purge_integrity_reasons(today: date, months: int, *, dry_run: bool) -> int:
    """An integrity entry keeps its kind, day, issuer and record; the reason written goes."""
    cutoff = months_before(today, months)
    ids = select(IntegrityEntry.id).where(IntegrityEntry.reason.is_not(None),
                                          IntegrityEntry.occurred_on <= cutoff)
    return anonymise(IntegrityEntry, ids, {"reason": None}, dry_run=dry_run)
