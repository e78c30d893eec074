"""Attendance's retention rule (``Feature.retention``, run by :mod:`plugin.privacy.retention`).

The log of check-in attempts (network address, device, refused scans) serves to investigate a
disputed check-in; once older than the retention it is deleted. Attendances themselves stay:
lectures' attendance figures of past periods count them, and they say no more than that a
worker attended a public lecture (the worker's name goes when the worker is anonymised).
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from ..privacy.purge import end_of_local_day, erase, months_before
from .models import CheckInAttempt


def purge_old_attempts(today: date, months: int, *, dry_run: bool) -> int:
    ids = select(CheckInAttempt.id).where(
        CheckInAttempt.attempted_at < end_of_local_day(months_before(today, months)))
    return erase(CheckInAttempt, ids, dry_run=dry_run)
