"""Issuing, revoking and checking API tokens. Issuing and revoking are audited."""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from sqlalchemy import select

from ..audit.services import record_event
from ..core.clock import utcnow
from ..core.db import session
from ..core.errors import CareBridgeError, ValidationError
from ..core.host import Actor
from ..core.text import clean_free_text
from ..org.models import OrgUnit
from .models import ApiToken, TokenScope

PREFIX_LENGTH = 8
#: ``last_used_at`` is written at most this often per token.
LAST_USED_RESOLUTION = timedelta(minutes=1)
#: Longer strings are not tokens we issued (``token_urlsafe(32)`` gives 43 characters).
MAX_TOKEN_LENGTH = 200


def hash_secret(secret: str) -> str:
    """SHA-256 of the secret. A fast hash is right here: secrets are 256 random bits, so there is
    nothing to guess, unlike passwords."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def issue_token(name: str, unit: OrgUnit, scope: TokenScope, *,
                actor: Actor) -> tuple[ApiToken, str]:
    """Create a token for the integration ``name`` on ``unit``'s subtree.

    Returns the token and its secret; the secret is not stored and cannot be shown again.
    """
    name = clean_free_text(name) or ""
    if not name:
        raise ValidationError("请填写对接系统的名称", field="name")
    if len(name) > 100:
        raise ValidationError("名称不能超过 %(max)s 个字符", field="name", max=100)
    scope = TokenScope(scope)
    secret = secrets.token_urlsafe(32)
    token = ApiToken(name=name, prefix=secret[:PREFIX_LENGTH], secret_hash=hash_secret(secret),
                     org_unit=unit, scope=scope, created_at=utcnow(), created_by=actor.key)
    session.add(token)
    session.flush()
    record_event("api_token.issued", actor, target_type="api_token", target_id=token.id,
                 org_unit_id=unit.id,
                 details={"name": name, "prefix": token.prefix, "scope": scope.value})
    return token, secret


def revoke_token(token: ApiToken, *, actor: Actor) -> None:
    """Stop accepting the token from now on. The row stays, for the audit trail."""
    if token.revoked_at is not None:
        raise ValidationError("这个令牌已经撤销", field="token")
    token.revoked_at = utcnow()
    token.revoked_by = actor.key
    session.flush()
    record_event("api_token.revoked", actor, target_type="api_token", target_id=token.id,
                 org_unit_id=token.org_unit_id,
                 details={"name": token.name, "prefix": token.prefix})


def authenticate(secret: str | None) -> ApiToken | None:
    """The active token whose secret this is, or ``None``; notes when it was last used."""
    if not secret or len(secret) > MAX_TOKEN_LENGTH:
        return None
    digest = hash_secret(secret)
    found = None
    for candidate in session.execute(
            select(ApiToken).where(ApiToken.prefix == secret[:PREFIX_LENGTH])).scalars():
        if hmac.compare_digest(candidate.secret_hash, digest):
            found = candidate
    if found is None or not found.is_active:
        return None
    now = utcnow()
    if found.last_used_at is None or now - found.last_used_at >= LAST_USED_RESOLUTION:
        found.last_used_at = now
        session.flush()
    return found


def token_refused_error() -> CareBridgeError:
    """What an API answers when the request carries no valid token."""
    return CareBridgeError("缺少 API 令牌，或令牌无效、已被撤销"
                           "（请在 Authorization 请求头中发送 Bearer 令牌）")


def check_may_write(token: ApiToken) -> None:
    if not token.may_write:
        raise CareBridgeError("这个 API 令牌只能读取数据，不能写入")
