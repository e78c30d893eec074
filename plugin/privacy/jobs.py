"""Scheduled work of the privacy feature (declared in its Feature)."""
from __future__ import annotations

from ..core.clock import local_today
from ..core.host import Actor
from .retention import purge_all


def purge_expired_personal_data() -> dict[str, int]:
    """Erase or anonymise what every retention rule says has run out today, committing rule by
    rule; a second run the same day finds nothing."""
    return purge_all(local_today(), actor=Actor.system("scheduler"), commit=True)
