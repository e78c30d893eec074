"""The permission check. Every feature asks :func:`has_permission`; views use :func:`require`."""
from __future__ import annotations

from collections.abc import Iterable

from flask import abort, current_app, g, has_request_context, redirect, request
from sqlalchemy import select

from ..core.db import session
from ..core.host import Actor
from ..org.models import OrgUnit
from .models import RoleGrant
from .roles import ROLE_PERMISSIONS, Permission, Role


def grants_of(user_key: str) -> list[tuple[Role, str]]:
    """(role, unit path) pairs of a user; cached for the request, since pages ask many times."""
    cache = g.setdefault("_carebridge_grants", {}) if has_request_context() else {}
    if user_key not in cache:
        cache[user_key] = [tuple(row) for row in session.execute(
            select(RoleGrant.role, OrgUnit.path).join(OrgUnit, RoleGrant.org_unit_id == OrgUnit.id)
            .where(RoleGrant.user_key == user_key)
        )]
    return cache[user_key]


def forget_cached_grants() -> None:
    if has_request_context():
        g.pop("_carebridge_grants", None)


def scope_paths(user_key: str, permission: Permission) -> list[str]:
    """Paths of the subtrees in which the user holds ``permission`` (nested ones folded away)."""
    paths = sorted({path for role, path in grants_of(user_key)
                    if permission in ROLE_PERMISSIONS[role]})
    folded: list[str] = []
    for path in paths:
        if not any(path.startswith(kept) for kept in folded):
            folded.append(path)
    return folded


def has_permission(user_key: str | None, permission: Permission,
                   unit: OrgUnit | None = None) -> bool:
    """May the user do ``permission`` on ``unit`` (or anywhere, when no unit is given)?"""
    if not user_key:
        return False
    paths = scope_paths(user_key, permission)
    if unit is None:
        return bool(paths)
    return any(unit.path.startswith(path) for path in paths)


def require(permission: Permission, unit: OrgUnit | None = None) -> Actor:
    """For views: the signed-in actor, after checking ``permission``.

    Anonymous visitors are sent to the host's login page; signed-in users without the permission
    get 403.
    """
    return require_any((permission,), unit)


def require_any(permissions: Iterable[Permission], unit: OrgUnit | None = None) -> Actor:
    """:func:`require` for a page serving several permissions (the importer's, one per kind it
    imports): the actor must hold at least one of them."""
    adapter = current_app.extensions["carebridge"].adapter
    actor = adapter.current_actor()
    if actor is None:
        abort(redirect(adapter.login_url(request.full_path if request.query_string
                                         else request.path)))
    if not any(has_permission(actor.key, permission, unit) for permission in permissions):
        abort(403)
    return actor
