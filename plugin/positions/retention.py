"""Positions' retention rule (``Feature.retention``, run by :mod:`plugin.privacy.retention`).

A transfer request that was decided or withdrawn keeps its worker, opening, sites, status and days
(the transfer figures count them); what the worker wrote and the officer's reason go.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import or_, select

from ..privacy.purge import anonymise, months_before
from .models import TransferRequest


def purge_decided_transfers(today: date, months: int, *, dry_run: bool) -> int:
    ids = select(TransferRequest.id).where(
        TransferRequest.decided_on <= months_before(today, months),
        or_(TransferRequest.note.is_not(None), TransferRequest.reason.is_not(None)))
    return anonymise(TransferRequest, ids, {"note": None, "reason": None}, dry_run=dry_run)
