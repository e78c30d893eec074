"""Reads of role grants."""
from __future__ import annotations

from typing import Iterable

from sqlalchemy import select

from ..core.db import session
from .models import RoleGrant


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


def get_grant(grant_id: int) -> RoleGrant | None:
    return session.get(RoleGrant, grant_id)
