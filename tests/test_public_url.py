"""Issue #13, finding 9d: links that leave the screen (QR codes on projectors, pledge and
agreement PDFs and their verification links) use the configured public URL, never the Host
header of the request; with trusted hosts a forged Host is refused."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from employer_portal.config import load_config
from plugin.access.roles import Role
from plugin.core.urls import public_base_url, public_url

from .attendance_support import make_lecture
from .pledges_support import make_family, paper_pledge, pdf_text

PUBLIC = "https://care.example.com"
FORGED = {"Host": "evil.example"}


def forged(client) -> dict:
    """A forged Host header; the client sends its session cookie to that host as well."""
    client.set_cookie("session", client.get_cookie("session").value, domain="evil.example")
    return FORGED


@pytest.fixture
def public(app, set_setting):
    set_setting("CAREBRIDGE_PUBLIC_URL", PUBLIC)


def test_the_projector_qr_code_ignores_a_forged_host(public, company, make_unit, make_user, login,
                                                     clock):
    site = make_unit()
    lecture = make_lecture(site)
    client = login(make_user(Role.ADMIN))
    state = client.get(f"/attendance/sessions/{lecture.id}/projector.json",
                       headers=forged(client)).json
    assert state["url"].startswith(f"{PUBLIC}/c/")
    page = client.get(f"/attendance/sessions/{lecture.id}/projector", headers=forged(client)).text
    assert f"{PUBLIC}/c/" in page and "evil.example" not in page


def test_the_pledge_pdf_links_to_the_public_url_whatever_the_host(
        public, company, make_unit, make_worker, make_child, make_user, login, clock, tmp_path):
    family = make_family(make_unit, make_worker, make_child)
    pledge = paper_pledge(family)
    client = login(make_user(Role.ADMIN))
    response = client.get(f"/pledges/{pledge.id}/pdf", headers=forged(client))
    assert response.status_code == 200
    text = "".join(pdf_text(response.data, tmp_path).split())
    assert "care.example.com/v/" in text and "evil.example" not in text


def test_site_zips_store_the_public_verification_base(public, company, app):
    from plugin.pledges.responses import verify_url, verify_url_base

    with app.test_request_context("/pledges/", base_url="http://evil.example"):
        assert verify_url_base() == f"{PUBLIC}/v/"
        assert verify_url("ABCD") == f"{PUBLIC}/v/ABCD"


def test_agreement_documents_link_to_the_public_url(public, company, app):
    from plugin.guardianship.views import verify_url

    with app.test_request_context("/guardianship/", base_url="http://evil.example"):
        url = verify_url(SimpleNamespace(verification_code="K7Q2"))
    assert url.startswith(f"{PUBLIC}/") and url.endswith("K7Q2") and "evil" not in url


def test_without_a_public_url_links_follow_the_request(app, company):
    """Development: no public URL configured, the request's host is used."""
    with app.test_request_context("/", base_url="http://127.0.0.1:5000"):
        assert public_url("carebridge.pledges_public.verify", code="X") == "http://127.0.0.1:5000/v/X"


def test_the_public_url_works_outside_a_request_and_keeps_its_prefix(app, set_setting):
    set_setting("CAREBRIDGE_PUBLIC_URL", "https://portal.example.com/care")
    with app.app_context():
        assert public_url("carebridge.pledges_public.verify", code="X") == (
            "https://portal.example.com/care/v/X")


@pytest.mark.parametrize("value,expected", [
    ("https://care.example.com/", "https://care.example.com"),
    ("https://care.example.com:8443/portal/", "https://care.example.com:8443/portal"),
    ("http://10.0.0.5", "http://10.0.0.5"), ("", None), (None, None),
])
def test_the_public_url_is_normalised(value, expected):
    assert public_base_url(value) == expected


@pytest.mark.parametrize("value", [
    "care.example.com", "ftp://care.example.com", "https://care.example.com/?x=1",
    "https://care.example.com/#top", "https://user:pw@care.example.com", "https:///path",
    "https://care.example.com:99999", "https://care.example.com/a b", "javascript:alert(1)",
])
def test_a_malformed_public_url_stops_the_start(value):
    with pytest.raises(ValueError):
        public_base_url(value)


def test_the_portal_reads_public_url_and_trusted_hosts_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("CAREBRIDGE_PUBLIC_URL", "https://care.example.com/")
    monkeypatch.setenv("CAREBRIDGE_TRUSTED_HOSTS", " care.example.com, .example.org ,")
    config = load_config(tmp_path, {"SECRET_KEY": "x"})
    assert config["CAREBRIDGE_PUBLIC_URL"] == PUBLIC
    assert config["TRUSTED_HOSTS"] == ["care.example.com", ".example.org"]
    monkeypatch.delenv("CAREBRIDGE_TRUSTED_HOSTS")
    monkeypatch.delenv("CAREBRIDGE_PUBLIC_URL")
    config = load_config(tmp_path, {"SECRET_KEY": "x"})
    assert config["TRUSTED_HOSTS"] is None and config["CAREBRIDGE_PUBLIC_URL"] is None
    monkeypatch.setenv("CAREBRIDGE_PUBLIC_URL", "care.example.com")
    with pytest.raises(ValueError):
        load_config(tmp_path, {"SECRET_KEY": "x"})


def test_trusted_hosts_refuse_a_forged_host(app, company, client, monkeypatch):
    monkeypatch.setitem(app.config, "TRUSTED_HOSTS", ["care.example.com", ".example.org"])
    assert client.get("/login", headers=FORGED).status_code == 400
    assert client.get("/v/", headers=FORGED).status_code == 400
    assert client.get("/login", headers={"Host": "care.example.com"}).status_code == 200
    assert client.get("/login", headers={"Host": "care.example.com:8443"}).status_code == 200
    assert client.get("/login", headers={"Host": "portal.example.org"}).status_code == 200
