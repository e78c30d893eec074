"""Reads of API tokens for the admin pages."""
from __future__ import annotations

from sqlalchemy import select

from ..core.db import session
from ..org.models import OrgUnit
from ..org.queries import in_subtrees
from .models import ApiToken


def tokens_in_subtrees(root_paths: list[str]) -> list[ApiToken]:
    """Tokens scoped to a unit in the given subtrees: active ones first, newest first."""
    return list(session.execute(
        select(ApiToken).join(OrgUnit, ApiToken.org_unit_id == OrgUnit.id)
        .where(in_subtrees(OrgUnit.path, root_paths))
        .order_by(ApiToken.revoked_at.is_not(None), ApiToken.id.desc())).scalars())


def get_token(token_id: int) -> ApiToken | None:
    return session.get(ApiToken, token_id)
