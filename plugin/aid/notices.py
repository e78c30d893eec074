"""What the family is told about its application, on the worker's phone (and by text message
where an SMS channel is registered: :mod:`plugin.worker_notices`)."""
from __future__ import annotations

from ..core.host import Actor
from ..worker_notices.messages import AID_APPROVED, AID_PAID, AID_REJECTED, AID_SENT_BACK
from ..worker_notices.services import send_notices
from .models import AidApplication, ApplicationStatus

#: The notice for each status the family should hear about.
KIND_OF_STATUS = {
    ApplicationStatus.APPROVED: AID_APPROVED,
    ApplicationStatus.SENT_BACK: AID_SENT_BACK,
    ApplicationStatus.REJECTED: AID_REJECTED,
    ApplicationStatus.PAID: AID_PAID,
}


def tell_family(application: AidApplication, actor: Actor) -> None:
    """One notice per application, status and round of its chain (a second send-back after a
    resubmission is told again; the same step twice never is)."""
    kind = KIND_OF_STATUS.get(application.status)
    if kind is None:
        return
    send_notices([application.worker_id], kind, None,
                 ("carebridge.aid_phone.application", {"application_id": application.id}),
                 actor, dedupe_key=f"{kind}:{application.id}:{application.round}",
                 org_unit_id=application.org_unit_id,
                 audit_details={"aid_application": application.id})
