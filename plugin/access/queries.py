"""Reads of role grants, and whom an actor may manage."""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import and_, not_, or_, select, true

from ..core.db import session
from ..core.host import Actor
from ..org.models import OrgUnit
from ..org.queries import get_root_unit, in_subtrees
from .checks import grants_of, scope_paths
from .models import RoleGrant
from .permissions import USERS_MANAGE
from .roles import ROLE_PERMISSIONS, Permission, Role, roles_holding
from .scope import is_system_actor


def grants_on_unit(unit_id: int) -> list[RoleGrant]:
    return list(session.execute(
        select(RoleGrant).where(RoleGrant.org_unit_id == unit_id).order_by(RoleGrant.role)
    ).scalars())


def grants_for_users(user_keys: Iterable[str]) -> dict[str, list[RoleGrant]]:
    """Grants of many users in one query (list pages)."""
    keys = list(user_keys)
    by_user: dict[str, list[RoleGrant]] = {key: [] for key in keys}
    if not keys:
        return by_user
    for grant in session.execute(
        select(RoleGrant).where(RoleGrant.user_key.in_(keys)).order_by(RoleGrant.id)
    ).scalars():
        by_user[grant.user_key].append(grant)
    return by_user


def holders_of(permission: Permission, unit: OrgUnit) -> list[str]:
    """User keys of everyone who holds ``permission`` on ``unit`` (a grant on it or above it),
    sorted. Published for features that tell the people responsible for a unit."""
    roles = roles_holding(permission)
    if not roles:
        return []
    return list(session.execute(
        select(RoleGrant.user_key).where(RoleGrant.role.in_(roles),
                                         RoleGrant.org_unit_id.in_(unit.ancestor_ids))
        .distinct().order_by(RoleGrant.user_key)).scalars())


def grants_table(roles: Iterable[Role] | None = None):
    """Role grants as a subquery with the columns ``user_key``, ``role`` and ``org_unit_id``
    (only ``roles``, when given), for features whose figures join on who holds what where —
    published so they never read the grants' table itself."""
    statement = select(RoleGrant.user_key, RoleGrant.role, RoleGrant.org_unit_id)
    if roles is not None:
        statement = statement.where(RoleGrant.role.in_(list(roles)))
    return statement.subquery("grants")


def get_grant(grant_id: int) -> RoleGrant | None:
    return session.get(RoleGrant, grant_id)


# --- whom an actor may manage -------------------------------------------------------------------
#
# A user is within an actor's reach when the actor could have granted every role the user holds,
# where the user holds it: the actor manages users there and holds every permission of the role
# there (:func:`plugin.access.services.check_may_grant`). So nobody reaches a user with more
# power than their own, or with any grant above or outside their subtrees. A user with no grant
# at all is reached only by those who could grant any role on the whole company: such an account
# may be given any role later, so whoever knows its password then must be trusted company-wide.


def _folded(paths) -> list[str]:
    kept: list[str] = []
    for path in sorted(set(paths)):
        if not any(path.startswith(outer) for outer in kept):
            kept.append(path)
    return kept


def _common(first: list[str], second: list[str]) -> list[str]:
    """Subtree paths lying in both lists' subtrees (two subtrees meet in the deeper one)."""
    return _folded(mine if mine.startswith(theirs) else theirs
                   for mine in first for theirs in second
                   if mine.startswith(theirs) or theirs.startswith(mine))


def grantable_paths(actor_key: str, role: Role) -> list[str]:
    """The subtrees on which ``actor_key`` may grant ``role``: where they hold
    ``USERS_MANAGE`` and every permission of the role."""
    paths = scope_paths(actor_key, USERS_MANAGE)
    for permission in ROLE_PERMISSIONS[role]:
        if not paths:
            break
        paths = _common(paths, scope_paths(actor_key, permission))
    return paths


def _reaches_company(grantable: dict[Role, list[str]]) -> bool:
    root = get_root_unit()
    return root is not None and all(any(root.path.startswith(path) for path in paths)
                                    for paths in grantable.values())


def may_manage_user(actor: Actor, user_key: str) -> bool:
    """Is the user ``user_key`` within ``actor``'s reach (see above)? System actors reach all."""
    if is_system_actor(actor):
        return True
    grantable = {role: grantable_paths(actor.key, role) for role in Role}
    held = grants_of(user_key)
    if not held:
        return _reaches_company(grantable)
    return all(any(path.startswith(scope) for scope in grantable[role]) for role, path in held)


def manageable_users(actor: Actor, user_key_column):
    """SQL condition on ``user_key_column`` (a host's user id as text): the users within
    ``actor``'s reach, the same rule as :func:`may_manage_user`, for list pages that filter
    and count in the database."""
    if is_system_actor(actor):
        return true()
    grantable = {role: grantable_paths(actor.key, role) for role in Role}
    allowed = [and_(RoleGrant.role == role, in_subtrees(OrgUnit.path, paths))
               for role, paths in grantable.items() if paths]
    beyond_reach = (select(RoleGrant.id).join(OrgUnit, RoleGrant.org_unit_id == OrgUnit.id)
                    .where(RoleGrant.user_key == user_key_column,
                           not_(or_(*allowed)) if allowed else true())
                    .exists())
    if _reaches_company(grantable):
        return not_(beyond_reach)
    holds_a_grant = select(RoleGrant.id).where(RoleGrant.user_key == user_key_column).exists()
    return and_(holds_a_grant, not_(beyond_reach))
