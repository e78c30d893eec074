"""The worker's phone pages (my pledges, signing with a drawn signature) and the public
verification page the QR code opens (genuine, expired, revoked, forged)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from plugin.audit.models import AuditEvent
from plugin.core.db import session
from plugin.pledges import services
from plugin.pledges.models import Pledge, SigningMethod
from plugin.pledges.rules import display_code

from .conftest import csrf_token
from .pledges_support import (
    OFFICER,
    Family,
    drawn_signature_url,
    make_family,
    paper_pledge,
    phone_pledge,
)
from .worker_phone_support import signed_in_phone


@pytest.fixture
def family(make_unit, make_worker, make_child, clock) -> Family:
    return make_family(make_unit, make_worker, make_child)


@pytest.fixture
def phone(family, client):
    """The worker's phone, signed in (employee number + the worker's PIN)."""
    return signed_in_phone(client, family.worker)


def sign(phone, **fields):
    page = phone.get("/w/pledges/sign")
    template_id = services.current_template().id
    data = {"csrf_token": csrf_token(page.text), "template_id": str(template_id),
            "children": [str(child_id) for child_id in fields.pop("children")],
            "signature": drawn_signature_url(), "agree": "y", **fields}
    return phone.post("/w/pledges/sign", data=data)


def test_worker_pages_need_the_phone_sign_in(family, client):
    response = client.get("/w/pledges/sign")
    assert response.status_code == 302 and response.location.startswith("/w/sign-in?next=")


def test_home_links_to_my_pledges(phone):
    assert "/w/pledges/" in phone.get("/w/").text


def test_a_worker_reads_the_text_and_signs_with_a_finger(family, phone):
    mine = phone.get("/w/pledges/")
    assert 'id="no-pledges"' in mine.text and 'id="sign-pledge"' in mine.text
    page = phone.get("/w/pledges/sign")
    assert "每周至少与子女和照护人联系一次" in page.text and "赵小妹" in page.text
    assert 'data-signature-for="signature"' in page.text and "signature_pad.umd.min.js" in page.text
    assert "<script>" not in page.text  # only script files: the CSP forbids inline scripts
    response = sign(phone, children=[child.id for child in family.children])
    assert response.status_code == 302 and response.location == "/w/pledges/?signed=1"
    pledge = session.execute(select(Pledge)).scalar_one()
    assert pledge.method == SigningMethod.PHONE and pledge.signature_png.startswith(b"\x89PNG")
    mine = phone.get(response.location)
    assert 'id="signed-notice"' in mine.text and 'data-status="valid"' in mine.text
    pdf = phone.get(f"/w/pledges/{pledge.id}/pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    downloaded = session.execute(select(AuditEvent).where(AuditEvent.action == "pledge.pdf_downloaded")).scalar_one()
    assert downloaded.actor_key == f"worker:{family.worker.id}"


@pytest.mark.parametrize("fields, message", [
    ({"signature": ""}, "请用手指在框内写下您的名字"),
    ({"signature": "data:image/png;base64,AAAA"}, "签名图片无效"),
    ({"agree": ""}, "请先勾选同意"),
    ({"children_none": True}, "请选择承诺书涵盖的子女"),
])
def test_signing_errors_are_shown_and_nothing_is_stored(family, phone, fields, message):
    children = [] if fields.pop("children_none", False) else [family.children[0].id]
    response = sign(phone, children=children, **fields)
    assert response.status_code == 422 and message in response.text
    assert session.execute(select(Pledge)).first() is None


def test_another_workers_pledge_cannot_be_downloaded(family, phone, make_worker, make_child):
    other = make_worker(family.site)
    pledge = paper_pledge(type(family)(family.site, other, [make_child(other)]))
    assert phone.get(f"/w/pledges/{pledge.id}/pdf").status_code == 404


# -- public verification --------------------------------------------------------------------------

def test_a_genuine_valid_document(family, client):
    pledge = phone_pledge(family)
    page = client.get(f"/v/{pledge.verification_code}")
    assert page.status_code == 200 and "真实有效" in page.text
    assert "赵**" in page.text and "赵铁柱" not in page.text  # plugin.privacy.masking
    assert "2026-11-22" in page.text and "2027-11-21" in page.text
    for private in ("赵小妹", "E2001", "前海项目部", "13800135678", "002X"):
        assert private not in page.text
    assert page.headers["Cache-Control"] == "no-store" and "noindex" in page.headers["X-Robots-Tag"]


def test_codes_typed_from_paper_are_found(family, client):
    pledge = phone_pledge(family)
    typed = display_code(pledge.verification_code).lower()
    response = client.get("/v/", query_string={"code": f" {typed} "})
    assert response.status_code == 302 and response.location == f"/v/{pledge.verification_code}"
    assert "真实有效" in client.get(f"/v/{typed}").text


def test_an_expired_document(family, client, clock):
    pledge = paper_pledge(family)
    clock.advance(days=365)
    page = client.get(f"/v/{pledge.verification_code}")
    assert page.status_code == 200 and "真实，但已过期" in page.text


def test_a_revoked_document(family, client):
    pledge = paper_pledge(family)
    services.revoke(pledge, "代签，不是本人签字", OFFICER)
    page = client.get(f"/v/{pledge.verification_code}")
    assert "真实，但已撤销" in page.text and "代签" not in page.text


@pytest.mark.parametrize("code", ["ABCDEFGHJKMNPQRS", "x", "%3Cscript%3E"])
def test_a_forged_code_is_not_found(family, client, code):
    phone_pledge(family)
    page = client.get(f"/v/{code}")
    assert page.status_code == 404 and "查无此文件" in page.text
    assert "<script>" not in page.text


def test_the_verification_form_without_a_code(client, company):
    page = client.get("/v/")
    assert page.status_code == 200 and 'id="verify-form"' in page.text and "verify-result" not in page.text


def test_the_sign_button_waits_for_the_renewal_window(family, phone, clock):
    phone_pledge(family)
    mine = phone.get("/w/pledges/")
    assert 'id="sign-pledge"' not in mine.text and "2027-10-22 起可以续签" in mine.text
    refused = sign(phone, children=[family.children[0].id])
    assert refused.status_code == 422 and "到期前 30 天内可以续签" in refused.text
    clock.advance(days=335)
    assert 'id="sign-pledge"' in phone.get("/w/pledges/").text
    assert sign(phone, children=[child.id for child in family.children]).status_code == 302
