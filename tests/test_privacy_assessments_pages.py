"""Impact-assessment pages (``/privacy/assessments/``): administrators record, read, change (until
used) and end assessments; nothing deletes one; a refused form names every field and stores
nothing; an assessment of another subtree answers 404, a user without the permission 403.

Needs the privacy feature's declarations (its blueprints, ``privacy.assessments``)."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from plugin.access.roles import Role
from plugin.core.db import session
from plugin.org.models import OrgKind
from plugin.privacy.assessments_models import ImpactAssessment

from .conftest import submit
from .privacy_subject_support import make_assessment

BASE = "/privacy/assessments"
FORM = {"recipient_kind": "ticket_agent", "recipient_name": "铁路票务代理",
        "purpose": "为职工订春节返乡车票", "data_categories": "姓名、身份证号码、手机号码",
        "legal_basis": "实名购票所必需", "necessity": "铁路实名制", "risks_and_measures": "用后删除",
        "assessed_by": "人力资源部", "assessed_on": "2026-11-20", "valid_until": "2027-03-31"}


@pytest.fixture
def world(company, make_unit, make_user, clock):
    site = make_unit(OrgKind.SITE, name="甲项目部")
    other = make_unit(OrgKind.SITE, name="乙项目部")
    return dict(company=company, site=site, other=other,
                admin=make_user(Role.ADMIN, company), site_admin=make_user(Role.ADMIN, site),
                hr=make_user(Role.HR_OFFICER, company))


def test_an_assessment_is_recorded_read_and_listed(world, login):
    admin = login(world["admin"])
    response = submit(admin, f"{BASE}/new", {**FORM, "unit": str(world["company"].id)})
    assert response.status_code == 302, response.text
    made = session.scalars(select(ImpactAssessment)).one()
    page = admin.get(response.headers["Location"])
    assert page.status_code == 200 and "铁路票务代理" in page.text and "实名购票所必需" in page.text
    assert 'data-usable="yes"' in page.text and 'id="edit-assessment"' in page.text
    assert f'data-assessment="{made.id}"' in admin.get(f"{BASE}/").text


def test_a_refused_form_names_every_field_and_stores_nothing(world, login):
    admin = login(world["admin"])
    response = submit(admin, f"{BASE}/new", {"unit": "", "recipient_kind": "", "assessed_on":
                                             "2026-13-45", "valid_until": ""}, form_url=f"{BASE}/new")
    assert response.status_code == 422
    assert "请选择适用单位" in response.text and "请选择接收方类型" in response.text
    assert response.text.count("请填写这一项") == 7 and "请填写有效期" in response.text
    assert session.scalar(select(func.count()).select_from(ImpactAssessment)) == 0


def test_changed_until_used_ended_early_and_never_deleted(world, login):
    admin = login(world["admin"])
    made = make_assessment(world["company"])
    url = f"{BASE}/{made.id}"
    edited = submit(admin, f"{url}/edit", {**FORM, "recipient_kind": "carrier",
                                           "unit": str(world["company"].id)})
    assert edited.status_code == 302
    session.refresh(made)
    assert made.recipient_name == "铁路票务代理"
    made.last_used_on = made.assessed_on
    session.flush()
    assert 'id="edit-assessment"' not in admin.get(url).text
    refused = submit(admin, f"{url}/edit", {**FORM, "unit": str(world["company"].id)})
    assert refused.status_code == 422 and "已有导出依据这份评估，不能再修改" in refused.text
    ended = submit(admin, f"{url}/withdraw", {"withdraw-reason": "代理更换"}, form_url=url)
    assert ended.status_code == 302
    page = admin.get(url)
    assert 'data-usable="no"' in page.text and "代理更换" in page.text
    assert admin.post(f"{url}/delete").status_code in (404, 405)
    assert session.get(ImpactAssessment, made.id) is not None


def test_another_subtrees_assessment_is_not_found_and_others_may_not(world, login):
    theirs = make_assessment(world["other"], recipient_name="乙的运营商")
    site_admin = login(world["site_admin"])
    response = site_admin.get(f"{BASE}/{theirs.id}")
    assert response.status_code == 404 and "乙的运营商" not in response.text
    assert "乙的运营商" not in site_admin.get(f"{BASE}/").text
    assert login(world["hr"]).get(f"{BASE}/").status_code == 403
