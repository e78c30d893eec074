"""Writing the audit log. Call :func:`record_event` for every change to sensitive data and every
read of a child's record; it joins the caller's transaction, so an event is stored exactly when
the change it describes is."""
from __future__ import annotations

from typing import Any

from ..core.clock import utcnow
from ..core.db import session
from ..core.host import Actor
from .models import AuditEvent


def record_event(action: str, actor: Actor, *, target_type: str | None = None,
                 target_id: Any = None, org_unit_id: int | None = None,
                 details: dict[str, Any] | None = None) -> AuditEvent:
    event = AuditEvent(
        occurred_at=utcnow(),
        action=action,
        actor_key=actor.key,
        actor_name=actor.name[:200],
        target_type=target_type,
        target_id=None if target_id is None else str(target_id),
        org_unit_id=org_unit_id,
        ip=actor.ip,
        user_agent=actor.user_agent,
        details=details,
    )
    session.add(event)
    return event
