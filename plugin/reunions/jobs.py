"""Scheduled work of reunion campaigns (thin: the rules live in :mod:`.services`)."""
from __future__ import annotations

from ..core.host import Actor
from . import services

SYSTEM = Actor.system("reunions")


def lapse_due_offers() -> dict[str, int]:
    """Offers from the waiting list not taken in time lapse; the places go to the next
    household."""
    return {"lapsed": services.lapse_offers(actor=SYSTEM)}
