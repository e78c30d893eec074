"""Granting and revoking roles. Both are audited; nobody can hand out more than they hold, nor
touch the roles of a user beyond their reach (:func:`plugin.access.queries.may_manage_user`)."""
from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from ..audit.services import record_event
from ..core.db import session
from ..core.errors import NotFound, ValidationError
from ..core.host import Actor
from ..org.models import OrgUnit
from ..signals import role_granted, role_revoked
from .checks import has_permission
from .models import RoleGrant
from .permissions import USERS_MANAGE
from .queries import may_manage_user
from .roles import ROLE_PERMISSIONS, Role


def grant_role(user_key: str, role: Role, unit: OrgUnit, *, actor: Actor,
               check_actor: bool = True) -> RoleGrant:
    """Give ``user_key`` the role on ``unit``'s subtree. Idempotent: an existing grant is returned.

    With ``check_actor`` the granting user must manage users on that unit and hold every
    permission the role carries there (no escalation), and the user must be within their reach.
    Set-up and the shell pass ``False``, and so does account creation, which checks the grant
    before the account exists (:func:`employer_portal.accounts.services.create_staff_user`).
    """
    role = Role(role)
    if check_actor:
        check_may_grant(actor, role, unit)
        check_may_manage_user(actor, user_key)
    existing = session.execute(select(RoleGrant).where(
        RoleGrant.user_key == user_key, RoleGrant.role == role, RoleGrant.org_unit_id == unit.id,
    )).scalar_one_or_none()
    if existing is not None:
        return existing
    grant = RoleGrant(user_key=user_key, role=role, org_unit=unit, granted_by=actor.key)
    session.add(grant)
    session.flush()
    record_event("role.granted", actor, target_type="user", target_id=user_key,
                 org_unit_id=unit.id, details={"role": role.value, "unit": unit.name})
    role_granted.send(current_app._get_current_object(), grant=grant, actor=actor)
    return grant


def revoke_role(grant: RoleGrant, *, actor: Actor) -> None:
    """Take a role back. The user must be within the actor's reach, and the actor must be able
    to grant that role on that unit."""
    check_may_manage_user(actor, grant.user_key)
    check_may_grant(actor, grant.role, grant.org_unit)
    if grant.user_key == actor.key and grant.role == Role.ADMIN:
        raise ValidationError("不能撤销自己的管理员角色", field="role")
    record_event("role.revoked", actor, target_type="user", target_id=grant.user_key,
                 org_unit_id=grant.org_unit_id,
                 details={"role": grant.role.value, "unit": grant.org_unit.name})
    user_key, role, unit = grant.user_key, grant.role, grant.org_unit
    session.delete(grant)
    session.flush()
    role_revoked.send(current_app._get_current_object(), user_key=user_key, role=role, unit=unit,
                      actor=actor)


def check_may_grant(actor: Actor, role: Role, unit: OrgUnit) -> None:
    """Refuse unless ``actor`` manages users on ``unit`` and holds every permission of ``role``
    there."""
    needed = ROLE_PERMISSIONS[role] | {USERS_MANAGE}
    if not all(has_permission(actor.key, permission, unit) for permission in needed):
        raise ValidationError("您无权在“%(unit)s”授予这个角色", field="role", unit=unit.name)


def check_may_manage_user(actor: Actor, user_key: str) -> None:
    """Refuse, as if the user did not exist, unless ``user_key`` is within ``actor``'s reach:
    every role they hold is one the actor could have granted where they hold it."""
    if not may_manage_user(actor, user_key):
        raise NotFound("找不到该用户", field="user")
