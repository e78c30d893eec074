from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from plugin.audit.models import AuditEvent
from plugin.core.db import session
from plugin.org.queries import get_company

from .conftest import SYSTEM


def test_times_are_stored_in_utc_and_naive_ones_refused(company):
    from plugin.audit.services import record_event

    event = record_event("auth.login", SYSTEM)
    event.occurred_at = datetime(2026, 1, 1, 20, 0, tzinfo=UTC)
    session.flush()
    session.expire_all()
    stored = session.execute(select(AuditEvent).where(AuditEvent.action == "auth.login")).scalar_one()
    assert stored.occurred_at == datetime(2026, 1, 1, 20, 0, tzinfo=UTC)
    assert stored.occurred_at.tzinfo is not None
    stored.occurred_at = datetime(2026, 1, 1, 20, 0)
    with pytest.raises(Exception, match="naive"):
        session.flush()
    session.rollback()


def test_times_are_shown_in_the_company_timezone(clock, company, make_user, login):
    from plugin.org.services import update_company

    clock.now = datetime(2026, 1, 1, 20, 30, tzinfo=UTC)
    user = make_user()
    client = login(user)
    page = client.get(f"/org/units/{company.id}").text
    assert "2026" in page
    from plugin.audit.services import record_event

    record_event("auth.login", SYSTEM)
    session.flush()
    audit = client.get("/audit/?action=auth.login").text
    assert "04:30" in audit  # 20:30 UTC is 04:30 the next day in Asia/Shanghai
    update_company(get_company(), actor=SYSTEM, name=get_company().name, timezone="Europe/London")
    assert "20:30" in client.get("/audit/?action=auth.login").text


def test_security_headers_on_every_page(client, company):
    response = client.get("/login")
    headers = response.headers
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "SAMEORIGIN"
    assert headers["Referrer-Policy"] == "same-origin"
    # HSTS over HTTPS only (plain http on the site's WiFi: tests/test_site_network.py).
    assert "max-age" in client.get("/login", base_url="https://localhost").headers[
        "Strict-Transport-Security"]


def test_bootstrap_is_served_locally(client, company):
    page = client.get("/login").text
    assert "cdn" not in page.lower()
    css = [line for line in page.splitlines() if "bootstrap" in line and ".css" in line][0]
    href = css.split('href="')[1].split('"')[0]
    assert client.get(href).status_code == 200


def test_secret_key_is_generated_once_into_the_instance_folder(tmp_path, monkeypatch):
    from employer_portal.config import secret_key

    monkeypatch.delenv("CAREBRIDGE_SECRET_KEY", raising=False)
    first = secret_key(tmp_path)
    assert len(first) > 40 and secret_key(tmp_path) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    monkeypatch.setenv("CAREBRIDGE_SECRET_KEY", "from-env")
    assert secret_key(tmp_path) == "from-env"


def test_database_url_defaults_to_sqlite_in_instance_folder(tmp_path, monkeypatch):
    from employer_portal.config import load_config

    monkeypatch.delenv("CAREBRIDGE_DATABASE_URL", raising=False)
    config = load_config(tmp_path, {"SECRET_KEY": "x"})
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'carebridge.db'}"
    monkeypatch.setenv("CAREBRIDGE_DATABASE_URL", "postgresql+psycopg://u@h/db")
    assert load_config(tmp_path, {"SECRET_KEY": "x"})["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")
