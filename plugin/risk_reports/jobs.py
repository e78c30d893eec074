"""Scheduled work of risk reports (declared in the feature, :mod:`plugin.risk_reports`)."""
from __future__ import annotations

from .escalation import escalate_overdue


def escalate_risk_reports() -> dict[str, int]:
    """Every few minutes: cases not reported to the police, or not followed up, in time climb
    the escalation ladder (:mod:`.escalation`). Idempotent; only flushes, the scheduler commits."""
    return escalate_overdue()
