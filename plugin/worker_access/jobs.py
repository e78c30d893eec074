"""Scheduled work of the phone sign-in (declared in :mod:`plugin.jobs`)."""
from __future__ import annotations

from .services import purge_stale_sign_in_records


def purge_sign_in_records() -> int:
    """Counters past their window and lock, activation codes a month past their end."""
    return purge_stale_sign_in_records()
