"""Exports of personal data to third parties are tied to an impact assessment (PIPL Art. 55):
the carrier batch and the ticket agent's manifest ask for a current assessment of the right kind
and a purpose; without them nothing is exported or recorded and the form names the field, with
them an export record ties the file to the assessment."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from plugin.access.roles import Role
from plugin.audit.models import AuditEvent
from plugin.core.db import session
from plugin.core.errors import InputInvalid
from plugin.family_contact import batches
from plugin.family_contact.models import AllowanceGrant, CarrierBatch, GrantStatus
from plugin.org.models import OrgKind
from plugin.privacy.assessments_models import ExportRecord
from plugin.reunions import services as reunion_services

from .conftest import SYSTEM, submit
from .contact_allowances_support import NOV, add_policy, grant
from .privacy_subject_support import make_assessment
from .reunions_support import apply, make_campaign

BASE = "/contact/allowances"


def count(model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def audited(action: str) -> int:
    return session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == action))


# -- carrier batches ----------------------------------------------------------------------------

@pytest.fixture
def contact(company, make_unit, make_worker, make_child, make_user, clock):
    site = make_unit(OrgKind.SITE, name="甲项目部")
    for number in ("13600000001", "13600000002"):
        make_child(make_worker(site, phone=number), left_behind=True)
    add_policy(company)
    grant()
    return {"company": company, "site": site, "hr": make_user(Role.HR_OFFICER, company)}


def test_a_batch_without_a_valid_assessment_exports_nothing(contact):
    agent = make_assessment(contact["company"], "ticket_agent")
    for assessment_id, purpose, field in ((None, "十一月赠送", "assessment"),
                                          (agent.id, "十一月赠送", "assessment"),
                                          (None, "", "purpose")):
        with pytest.raises(InputInvalid) as refused:
            batches.export_batch(NOV, "china_mobile", contact["company"], SYSTEM,
                                 assessment_id=assessment_id, purpose=purpose)
        assert field in refused.value.errors.by_field()
    session.expire_all()
    assert count(CarrierBatch) == 0 and count(ExportRecord) == 0
    assert {each.status for each in session.scalars(select(AllowanceGrant))} == {
        GrantStatus.GRANTED}


def test_the_export_form_refuses_without_an_assessment_and_names_the_field(contact, login):
    hr = login(contact["hr"])
    page = hr.get(f"{BASE}/batches")
    assert 'name="assessment"' in page.text and 'name="purpose"' in page.text
    response = submit(hr, f"{BASE}/batches/export", {"month": "2026-11",
                                                     "carrier": "china_mobile",
                                                     "unit": str(contact["company"].id),
                                                     "assessment": "", "purpose": ""},
                      form_url=f"{BASE}/batches")
    assert response.status_code == 422
    assert "请选择这次对外提供所依据的个人信息保护影响评估" in response.text
    assert "请填写这次对外提供的目的" in response.text
    assert count(CarrierBatch) == 0 and count(ExportRecord) == 0
    assert audited("family_contact.batch_exported") == 0


def test_an_export_with_an_assessment_is_recorded_against_it(contact, login):
    carrier = make_assessment(contact["company"])
    expired = make_assessment(contact["company"], recipient_name="旧运营商",
                              assessed_on=date(2026, 11, 1), valid_until=date(2026, 11, 22))
    hr = login(contact["hr"])
    page = hr.get(f"{BASE}/batches")
    assert f'value="{carrier.id}"' in page.text and "中国移动深圳分公司" in page.text
    response = submit(hr, f"{BASE}/batches/export", {"month": "2026-11",
                                                     "carrier": "china_mobile",
                                                     "unit": str(contact["company"].id),
                                                     "assessment": str(carrier.id),
                                                     "purpose": "十一月亲情通话赠送"},
                      form_url=f"{BASE}/batches")
    assert response.status_code == 302, response.text
    batch = session.scalars(select(CarrierBatch)).one()
    record = session.scalars(select(ExportRecord)).one()
    assert (record.assessment_id, record.kind, record.reference, record.people, record.purpose,
            record.file_format, record.org_unit_id) == (
        carrier.id, "family_contact.carrier_batch", f"contact_batch:{batch.id}", 2,
        "十一月亲情通话赠送", "csv", contact["company"].id)
    assert record.exported_by == contact["hr"].key
    session.refresh(carrier)
    assert carrier.last_used_on == date(2026, 11, 22) and expired.last_used_on is None
    assert audited("privacy.export_recorded") == 1


# -- the ticket agent's manifest ------------------------------------------------------------------

@pytest.fixture
def trip(make_unit, make_worker, make_user, clock):
    site = make_unit(OrgKind.SITE, name="甲项目部")
    campaign = make_campaign(site.parent, {site: 10})
    application = apply(campaign, make_worker(site, name="赵铁柱"))
    reunion_services.approve(application, actor=SYSTEM)
    session.flush()
    return {"site": site, "campaign": campaign,
            "officer": make_user(Role.HR_OFFICER, site, username="booker")}


def manifest(client, campaign, fmt: str, **data):
    return submit(client, f"/reunions/{campaign.id}/manifest.{fmt}",
                  {f"manifest-{key}": value for key, value in data.items()},
                  form_url=f"/reunions/{campaign.id}/booking")


def test_the_manifest_without_a_valid_assessment_is_refused_with_the_field_named(trip, login):
    carrier = make_assessment(trip["site"].parent)  # a carrier's does not fit a ticket agent
    officer = login(trip["officer"])
    page = officer.get(f"/reunions/{trip['campaign'].id}/booking")
    assert 'id="manifest-form"' in page.text and f'value="{carrier.id}"' not in page.text
    for data, message in (({"assessment": "", "purpose": "订春节车票"},
                           "请选择这次对外提供所依据的个人信息保护影响评估"),
                          ({"assessment": str(carrier.id), "purpose": "订春节车票"},
                           "不适用于向票务代理提供"),
                          ({"assessment": "", "purpose": ""}, "请填写这次对外提供的目的")):
        response = manifest(officer, trip["campaign"], "xlsx", **data)
        assert response.status_code == 422 and message in response.text
        assert response.mimetype == "text/html"
    assert count(ExportRecord) == 0 and audited("reunion.manifest_downloaded") == 0


def test_the_manifest_with_an_assessment_is_downloaded_and_recorded(trip, login):
    agent = make_assessment(trip["site"].parent, "ticket_agent", recipient_name="铁路票务代理")
    officer = login(trip["officer"])
    for fmt, mimetype in (("xlsx", "application/vnd.openxmlformats-officedocument"
                                   ".spreadsheetml.sheet"), ("pdf", "application/pdf")):
        response = manifest(officer, trip["campaign"], fmt, assessment=str(agent.id),
                            purpose="订 2027 春节返乡车票")
        assert response.status_code == 200 and response.mimetype == mimetype
    records = session.scalars(select(ExportRecord).order_by(ExportRecord.id)).all()
    assert [(record.file_format, record.people, record.kind) for record in records] == [
        ("xlsx", 1, "reunions.manifest"), ("pdf", 1, "reunions.manifest")]
    assert {record.assessment_id for record in records} == {agent.id}
    assert audited("reunion.manifest_downloaded") == 2
    # The old download link is gone: a GET of the file answers 405, nothing recorded.
    assert officer.get(f"/reunions/{trip['campaign'].id}/manifest.xlsx").status_code == 405
