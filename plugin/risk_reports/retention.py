"""Risk reports' retention rules (``Feature.retention``, run by :mod:`plugin.privacy.retention`).

A case row is never deleted: the figures of past periods (reports by situation, time to the
police report, escalations, closures by outcome) and sealed filings count it. Two rules blank
what identifies people once it is no longer needed:

* the reporter's identity (a named reporter's key, name, contact and lookup index) a year after
  the case closed — it served the officers' questions while the case was open;
* what describes the child and the family (the facts, the described child, parent and place,
  how it was learned, follow-up notes, the closure summary and admonition text, the people and
  phones of the notices) some years after closing. The situation, dates, outcome, police
  station and receipt, escalations and the follow-ups' assessments stay.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from ..core.clock import utcnow
from ..privacy.purge import anonymise, end_of_local_day, months_before
from .models import ReportStatus, RiskFollowUp, RiskNotice, RiskReport


def _closed_before(today: date, months: int):
    return (RiskReport.status == ReportStatus.CLOSED,
            RiskReport.closed_at < end_of_local_day(months_before(today, months)))


def purge_reporters(today: date, months: int, *, dry_run: bool) -> int:
    """Named reporters of cases closed ``months`` or more ago."""
    ids = select(RiskReport.id).where(RiskReport.reporter_index.is_not(None),
                                      *_closed_before(today, months))
    return anonymise(RiskReport, ids, {"reporter_key": None, "reporter_name": None,
                                       "reporter_contact": None, "reporter_index": None},
                     dry_run=dry_run)


def purge_closed_cases(today: date, months: int, *, dry_run: bool) -> int:
    """Cases closed ``months`` or more ago: their descriptions, notes and contacts."""
    ids = select(RiskReport.id).where(RiskReport.anonymised_at.is_(None),
                                      *_closed_before(today, months))
    if not dry_run:
        chosen = ids.subquery()
        anonymise(RiskFollowUp, select(RiskFollowUp.id).where(
            RiskFollowUp.report_id.in_(select(chosen.c.id))), {"notes": None}, dry_run=False)
        anonymise(RiskNotice, select(RiskNotice.id).where(
            RiskNotice.report_id.in_(select(chosen.c.id))),
            {"person": None, "phone": None, "note": None}, dry_run=False)
    return anonymise(RiskReport, ids, {
        "facts": "", "described_child": None, "described_parent": None, "child_location": None,
        "learned_how_text": None, "reporter_key": None, "reporter_name": None,
        "reporter_contact": None, "reporter_index": None, "closure_summary": None,
        "admonition": None, "anonymised_at": utcnow()}, dry_run=dry_run)
