"""The audit log: who did what to which record, when and from where."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..core.features import Feature
from ..core.roles import Role
from .permissions import AUDIT_VIEW

feature = Feature(
    name="audit",
    package=__name__,
    models=("models",),
    permissions={AUDIT_VIEW: (Role.AUDITOR,)},
    audit_actions={"export.downloaded": _l("导出列表")},
)
