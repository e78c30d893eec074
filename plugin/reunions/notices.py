"""What the worker is told about their application, on the phone's home page (and by text
message where an SMS channel is registered: :mod:`plugin.worker_notices`)."""
from __future__ import annotations

from ..core.host import Actor
from ..worker_notices.messages import (
    REUNION_APPROVED,
    REUNION_BOOKED,
    REUNION_LAPSED,
    REUNION_OFFERED,
    REUNION_REJECTED,
    REUNION_WAITLISTED,
)
from ..worker_notices.services import send_notices
from .models import Application

APPROVED = REUNION_APPROVED
BOOKED = REUNION_BOOKED
WAITLISTED = REUNION_WAITLISTED
REJECTED = REUNION_REJECTED
OFFERED = REUNION_OFFERED
LAPSED = REUNION_LAPSED


def tell_worker(application: Application, kind: str, actor: Actor) -> None:
    """One notice per application and step (a repeated step never notifies twice)."""
    send_notices([application.worker_id], kind, {"campaign": application.campaign.name},
                 ("carebridge.reunions_phone.application", {"application_id": application.id}),
                 actor, dedupe_key=f"{kind}:{application.id}",
                 org_unit_id=application.org_unit_id,
                 audit_details={"application": application.id})
