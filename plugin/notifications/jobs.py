"""Scheduled work of the notifications feature (declared in :mod:`plugin.jobs`)."""
from __future__ import annotations

from .services import purge_read_notifications


def purge_old_read_notifications() -> int:
    return purge_read_notifications(older_than_days=180)
