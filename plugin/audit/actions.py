"""Human labels for audit action codes.

Features declare theirs in their :class:`~plugin.core.features.Feature` (``audit_actions``); a
host app adds labels for the actions it records itself (sign-in, its own user accounts) with
:func:`register_action_labels`.
"""
from __future__ import annotations

from ..core.features import declared_features

_HOST_LABELS: dict[str, object] = {}


def register_action_labels(labels: dict) -> None:
    """Labels for a host's own audit actions (``auth.login`` …)."""
    _HOST_LABELS.update(labels)


def action_labels() -> dict[str, object]:
    """Every known action code with its label."""
    labels = dict(_HOST_LABELS)
    for feature in declared_features():
        labels.update(feature.audit_actions)
    return labels


def action_label(code: str) -> str:
    label = action_labels().get(code)
    return str(label) if label is not None else code
