"""What the worker is told about their transfer request on the phone (and by text message where
an SMS channel is registered: :mod:`plugin.worker_notices`)."""
from __future__ import annotations

from ..core.host import Actor
from ..worker_notices.messages import POSITIONS_TRANSFER_APPROVED, POSITIONS_TRANSFER_DECLINED
from ..worker_notices.services import send_notices
from .models import TransferRequest, TransferStatus

#: The notice for each outcome the worker should hear about.
KIND_OF_STATUS = {TransferStatus.APPROVED: POSITIONS_TRANSFER_APPROVED,
                  TransferStatus.DECLINED: POSITIONS_TRANSFER_DECLINED}


def tell_worker(request: TransferRequest, actor: Actor) -> None:
    """One notice per request and outcome, linking to the worker's requests."""
    kind = KIND_OF_STATUS.get(request.status)
    if kind is None:
        return
    send_notices([request.worker_id], kind,
                 {"site": request.opening.org_unit.name, "trade": request.opening.trade},
                 ("carebridge.positions_phone.mine", {}), actor,
                 dedupe_key=f"{kind}:{request.id}", org_unit_id=request.org_unit_id,
                 audit_details={"positions_transfer": request.id})
