import hashlib

from sqlalchemy import select

from plugin.access.roles import Role
from plugin.api_tokens.models import ApiToken, TokenScope
from plugin.api_tokens.services import authenticate, issue_token, revoke_token
from plugin.audit.models import AuditEvent
from plugin.core.db import session
from plugin.org.models import OrgKind

from .conftest import SYSTEM, csrf_token, submit


def audit_actions():
    return list(session.execute(select(AuditEvent.action).where(
        AuditEvent.target_type == "api_token").order_by(AuditEvent.id)).scalars())


def test_issuing_shows_the_token_once_and_stores_only_its_hash(company, make_user, login):
    client = login(make_user(Role.ADMIN))
    issued = submit(client, "/api-tokens/new", {"name": "金蝶HR", "unit": str(company.id),
                                                "scope": "read_write"})
    assert issued.status_code == 302  # POST-redirect-GET: a reload issues nothing
    response = client.get(issued.headers["Location"])
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    token = session.execute(select(ApiToken)).scalar_one()
    secret = response.text.split('id="api-token-secret"')[1].split('value="')[1].split('"')[0]
    assert len(secret) >= 40 and token.prefix == secret[:8]
    assert token.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in {token.name, token.prefix, token.secret_hash}
    listing = client.get("/api-tokens/")
    assert token.prefix in listing.text and secret not in listing.text
    assert token.scope == TokenScope.READ_WRITE and token.org_unit_id == company.id
    assert audit_actions() == ["api_token.issued"]


def test_revoking_from_the_list_stops_the_token(company, make_user, login):
    client = login(make_user(Role.ADMIN))
    token, secret = issue_token("用友HR", company, TokenScope.READ_ONLY, actor=SYSTEM)
    listing = client.get("/api-tokens/")
    response = client.post(f"/api-tokens/{token.id}/revoke",
                           data={"csrf_token": csrf_token(listing.text)})
    assert response.status_code == 302
    assert token.revoked_at is not None and authenticate(secret) is None
    assert audit_actions() == ["api_token.issued", "api_token.revoked"]
    assert client.post(f"/api-tokens/{token.id}/revoke").status_code == 400  # no CSRF token


def test_only_token_managers_reach_the_pages_and_only_within_their_scope(make_unit, make_user,
                                                                         login):
    site_a, site_b = make_unit(OrgKind.SITE, name="甲项目部"), make_unit(OrgKind.SITE, name="乙项目部")
    issue_token("乙的系统", site_b, TokenScope.READ_ONLY, actor=SYSTEM)
    hr_client = login(make_user(Role.HR_OFFICER))
    assert hr_client.get("/api-tokens/").status_code == 403
    client = login(make_user(Role.ADMIN, site_a))
    assert "乙的系统" not in client.get("/api-tokens/").text
    response = submit(client, "/api-tokens/new", {"name": "越权", "unit": str(site_b.id),
                                                  "scope": "read_write"})
    assert response.status_code == 422 and "越权" not in client.get("/api-tokens/").text
    assert session.execute(select(ApiToken).where(ApiToken.name == "越权")).first() is None


def test_wrong_and_revoked_secrets_do_not_authenticate(company):
    token, secret = issue_token("金蝶HR", company, TokenScope.READ_WRITE, actor=SYSTEM)
    assert authenticate(secret) is token
    assert authenticate(secret[:-1] + ("A" if secret[-1] != "A" else "B")) is None
    assert authenticate("") is None and authenticate(None) is None
    assert authenticate("x" * 1000) is None
    revoke_token(token, actor=SYSTEM)
    assert authenticate(secret) is None


def test_last_use_is_written_at_most_once_a_minute(company, clock):
    token, secret = issue_token("金蝶HR", company, TokenScope.READ_WRITE, actor=SYSTEM)
    authenticate(secret)
    first = token.last_used_at
    assert first == clock.now
    clock.advance(seconds=30)
    authenticate(secret)
    assert token.last_used_at == first
    clock.advance(seconds=31)
    authenticate(secret)
    assert token.last_used_at == clock.now
