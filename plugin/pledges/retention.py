"""The pledges' retention rule (``Feature.retention``, run by :mod:`plugin.privacy.retention`).

A pledge's handwritten signature and its paper scan go once the pledge has stopped being valid
(its last valid day, or the day it was revoked) for the retention's months. The pledge row stays
with the exact text's hash, the dates and the method: pledge coverage of past periods counts it,
and its verification page still answers (without the signature).
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import or_, select

from ..privacy.purge import anonymise, end_of_local_day, months_before
from .models import Pledge


def purge_signatures(today: date, months: int, *, dry_run: bool) -> int:
    cutoff = months_before(today, months)
    ids = select(Pledge.id).where(
        or_(Pledge.scan.is_not(None), Pledge.signature_png.is_not(None)),
        or_(Pledge.valid_until <= cutoff, Pledge.revoked_at < end_of_local_day(cutoff)))
    return anonymise(Pledge, ids, {"scan": None, "scan_content_type": None,
                                   "signature_png": None}, dry_run=dry_run)
