"""How the audit log reads API token events: a token by its name (linked to the token list for
those who manage tokens at its unit; a token has no page of its own) and its scope by label."""
from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..access.checks import has_permission
from ..audit.text import AuditTarget, AuditText, Named
from ..core.db import session
from ..org.models import OrgUnit
from .models import SCOPE_LABELS, ApiToken
from .permissions import API_TOKENS_MANAGE


def describe_tokens(ids: list[str], reader_key: str | None) -> dict[str, Named]:
    rows = session.execute(
        select(ApiToken.id, ApiToken.name, OrgUnit)
        .join(OrgUnit, OrgUnit.id == ApiToken.org_unit_id)
        .where(ApiToken.id.in_([int(i) for i in ids if str(i).isdigit()]))).all()
    return {str(token_id): Named(name, url_for("carebridge.api_tokens.index")
                                 if has_permission(reader_key, API_TOKENS_MANAGE, unit) else None)
            for token_id, name, unit in rows}


AUDIT_TEXT = AuditText(
    targets={"api_token": AuditTarget(_l("API 令牌"), describe_tokens)},
    keys={"scope": _l("权限范围")},
    values={"scope": {scope.value: label for scope, label in SCOPE_LABELS.items()}},
)
