"""The audit log: who did what to which record, when and from where."""
from __future__ import annotations

from ..core.features import Feature
from ..core.roles import Role
from .permissions import AUDIT_VIEW

feature = Feature(
    name="audit",
    package=__name__,
    models=("models",),
    permissions={AUDIT_VIEW: (Role.AUDITOR,)},
)
