"""Which permissions each role holds, read from the features' declarations.

Each feature says in its :class:`~plugin.core.features.Feature` which roles hold each of its
permissions by default; administrators hold every permission of every declared feature. This
module names no feature.
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping

from ..core.features import declarations_version, declared_features
from ..core.roles import ROLE_LABELS, Permission, Role

__all__ = ["ROLE_LABELS", "ROLE_PERMISSIONS", "Permission", "Role", "all_permissions",
           "roles_holding"]


class _RolePermissions(Mapping[Role, frozenset[Permission]]):
    """``ROLE_PERMISSIONS[role]``: the permissions a role holds, rebuilt when features are
    declared."""

    def __init__(self) -> None:
        self._version = -1
        self._table: dict[Role, frozenset[Permission]] = {}

    def _current(self) -> dict[Role, frozenset[Permission]]:
        version = declarations_version()
        if version != self._version:
            held: dict[Role, set[Permission]] = {role: set() for role in Role}
            for feature in declared_features():
                for permission, roles in feature.permissions.items():
                    held[Role.ADMIN].add(permission)
                    for role in roles:
                        held[Role(role)].add(permission)
            self._table = {role: frozenset(permissions) for role, permissions in held.items()}
            self._version = version
        return self._table

    def __getitem__(self, role: Role) -> frozenset[Permission]:
        return self._current()[Role(role)]

    def __iter__(self) -> Iterator[Role]:
        return iter(Role)

    def __len__(self) -> int:
        return len(Role)


ROLE_PERMISSIONS = _RolePermissions()


def all_permissions() -> frozenset[Permission]:
    """Every permission some declared feature defines (what an administrator holds)."""
    return ROLE_PERMISSIONS[Role.ADMIN]


def roles_holding(permission: Permission) -> list[Role]:
    """The roles that hold ``permission``, in the order of :class:`Role`."""
    return [role for role, held in ROLE_PERMISSIONS.items() if permission in held]
