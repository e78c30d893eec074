"""Roles granted on organisation subtrees, and the one permission check every feature uses."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..core.features import Feature
from .permissions import USERS_MANAGE

feature = Feature(
    name="access",
    package=__name__,
    models=("models",),
    permissions={USERS_MANAGE: ()},
    audit_actions={
        "role.granted": _l("授予角色"),
        "role.revoked": _l("撤销角色"),
    },
)
