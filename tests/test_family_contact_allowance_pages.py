"""The allowance pages: the month's grants in the reader's scope with totals (a fixed number of
statements however many), a batch exported, downloaded and reconciled from the pages, refusals
listed by row, who may open what (404 outside the subtree, 403 without the permission), the
worker page's sentence for each reason a worker is or is not granted, and the worker's own
allowances on the phone."""
from __future__ import annotations

import io
import re
from datetime import date

import pytest
from sqlalchemy import select

from plugin.access.roles import Role
from plugin.core.db import session
from plugin.family_contact import batches, policies
from plugin.family_contact.models import AllowanceGrant, CarrierBatch, GrantStatus
from plugin.org.models import OrgKind

from .conftest import SYSTEM, csrf_token, submit
from .contact_allowances_support import NOV, add_policy, grant, mobile_results
from .privacy_subject_support import make_assessment
from .support import recorded_statements
from .worker_phone_support import signed_in_phone

BASE = "/contact/allowances"


@pytest.fixture
def world(company, make_unit, make_worker, make_child, make_user, clock):
    site_a = make_unit(OrgKind.SITE, name="甲项目部")
    site_b = make_unit(OrgKind.SITE, name="乙项目部")
    a1 = make_worker(site_a, name="甲一", phone="13600000001")
    a2 = make_worker(site_a, name="甲二", phone="13600000002")
    b1 = make_worker(site_b, name="乙一", phone="13700000001")
    for worker in (a1, a2, b1):
        make_child(worker, left_behind=True)
    add_policy(company)
    granted = grant()
    # Every batch relies on the carriers' impact assessment (PIPL Art. 55).
    assessment = make_assessment(company)
    return {"company": company, "site_a": site_a, "site_b": site_b, "a1": a1, "a2": a2,
            "b1": b1, "grants": granted,
            "basis": {"assessment_id": assessment.id, "purpose": "每月报送亲情通话赠送"},
            "hr": make_user(Role.HR_OFFICER, company),
            "hr_a": make_user(Role.HR_OFFICER, site_a),
            "care_a": make_user(Role.CARE_WORKER, site_a)}


def form_basis(world) -> dict:
    """The export form's impact assessment and purpose fields."""
    return {"assessment": str(world["basis"]["assessment_id"]),
            "purpose": world["basis"]["purpose"]}


def test_the_months_grants_with_totals_in_the_readers_scope(world, login):
    everyone = login(world["hr"]).get(f"{BASE}/grants")
    assert everyone.status_code == 200
    assert all(f'data-worker="{world[key].id}"' in everyone.text for key in ("a1", "a2", "b1"))
    assert 'data-minutes="900"' in everyone.text and 'data-cost="15144"' in everyone.text
    site = login(world["hr_a"]).get(f"{BASE}/grants")
    assert f'data-worker="{world["b1"].id}"' not in site.text and "乙一" not in site.text
    assert 'data-grants="2"' in site.text
    hr = login(world["hr"])
    filtered = hr.get(f"{BASE}/grants?month=2026-11&status=granted&unit={world['site_b'].id}")
    assert 'data-grants="1"' in filtered.text and "乙一" in filtered.text
    assert 'data-grants="0"' in hr.get(f"{BASE}/grants?month=2026-10").text
    assert 'data-grants="0"' in hr.get(f"{BASE}/grants?status=credited").text
    # A care worker sees the list, phone numbers masked.
    care = login(world["care_a"]).get(f"{BASE}/grants")
    assert care.status_code == 200 and "13600000001" not in care.text and "136****0001" in care.text


def test_the_grants_list_reads_a_fixed_number_of_statements(world, login, make_worker,
                                                             make_child):
    officer = login(world["hr"])

    def statements_for(more: int) -> int:
        for _ in range(more):
            make_child(make_worker(world["site_a"]), left_behind=True)
        grant()
        with recorded_statements() as statements:
            assert officer.get(f"{BASE}/grants").status_code == 200
        return len(statements)

    assert statements_for(1) == statements_for(6)


def upload(client, url: str, data: bytes, filename: str = "结果.csv"):
    page = client.get(url.rsplit("/results", 1)[0])
    return client.post(url, data={"csrf_token": csrf_token(page.text),
                                  "file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def test_a_batch_is_exported_downloaded_and_reconciled_from_the_pages(world, login):
    hr = login(world["hr"])
    response = submit(hr, f"{BASE}/batches/export", {"month": "2026-11",
                                                     "carrier": "china_mobile",
                                                     "unit": str(world["company"].id),
                                                     **form_basis(world)},
                      form_url=f"{BASE}/batches")
    assert response.status_code == 302
    batch = session.scalars(select(CarrierBatch)).one()
    assert response.headers["Location"].endswith(f"/batches/{batch.id}") and batch.lines == 3
    page = hr.get(f"{BASE}/batches/{batch.id}")
    assert page.status_code == 200 and world["grants"][world["a1"].id].line_id in page.text
    assert f'data-batch="{batch.id}"' in hr.get(f"{BASE}/batches").text
    download = hr.get(f"{BASE}/batches/{batch.id}/file")
    assert download.status_code == 200 and download.mimetype == "text/csv"
    assert "attachment" in download.headers["Content-Disposition"]
    assert world["grants"][world["b1"].id].line_id.encode() in download.data
    lines = {key: world["grants"][world[key].id].line_id for key in ("a1", "a2", "b1")}
    url = f"{BASE}/batches/{batch.id}/results"
    bad = upload(hr, url, mobile_results([(lines["a1"], "成功", None), ("209901-9", "成功", None),
                                          (lines["a2"], "失败", None)]))
    assert bad.status_code == 422 and 'id="import-errors"' in bad.text
    assert 'data-row="3"' in bad.text and 'data-row="4"' in bad.text and "209901-9" in bad.text
    session.expire_all()
    assert {each.status for each in session.scalars(select(AllowanceGrant))} == {
        GrantStatus.EXPORTED}
    good = upload(hr, url, mobile_results([(lines["a1"], "成功", None),
                                           (lines["a2"], "失败", "空号")]))
    assert good.status_code == 302
    session.expire_all()
    assert session.get(AllowanceGrant, world["grants"][world["a2"].id].id).failure_reason == "空号"
    follow_up = hr.get(f"{BASE}/failures")
    assert f'data-line="{lines["a2"]}"' in follow_up.text and "空号" in follow_up.text


def test_an_export_with_nothing_to_send_is_refused_on_the_page(world, login):
    response = submit(login(world["hr"]), f"{BASE}/batches/export",
                      {"month": "2026-12", "carrier": "china_mobile",
                       "unit": str(world["company"].id), **form_basis(world)},
                      form_url=f"{BASE}/batches")
    assert response.status_code == 422 and "没有待报送" in response.text
    assert session.scalars(select(CarrierBatch)).first() is None


def test_grants_without_a_phone_wait_on_the_follow_up_page(world, login):
    world["a2"].phone = None
    world["grants"][world["a2"].id].phone = None
    session.flush()
    outcome = batches.export_batch(NOV, "china_mobile", world["company"], SYSTEM, **world["basis"])
    assert outcome.needing_phone == 1
    page = login(world["hr_a"]).get(f"{BASE}/failures")
    assert f'data-worker="{world["a2"].id}"' in page.text.split('id="needing-phone"')[1]


def test_who_may_open_a_batch(world, login):
    theirs = batches.export_batch(NOV, "china_mobile", world["site_b"], SYSTEM, **world["basis"]).batch
    ours = batches.export_batch(NOV, "china_mobile", world["site_a"], SYSTEM, **world["basis"]).batch
    session.commit()
    officer = login(world["hr_a"])
    for path in ("", "/file"):
        assert officer.get(f"{BASE}/batches/{theirs.id}{path}").status_code == 404
        assert officer.get(f"{BASE}/batches/2000000000{path}").status_code == 404
        assert officer.get(f"{BASE}/batches/{ours.id}{path}").status_code == 200
    refused = officer.post(f"{BASE}/batches/{theirs.id}/results", data={
        "csrf_token": csrf_token(officer.get(f"{BASE}/batches").text),
        "file": (io.BytesIO(mobile_results([])), "x.csv")}, content_type="multipart/form-data")
    assert refused.status_code == 404
    listed = officer.get(f"{BASE}/batches").text
    assert f'data-batch="{ours.id}"' in listed and f'data-batch="{theirs.id}"' not in listed
    care = login(world["care_a"])
    for path in ("/batches", f"/batches/{ours.id}", f"/batches/{ours.id}/file", "/failures"):
        assert care.get(BASE + path).status_code == 403, path


def test_a_worker_outside_the_subtree_answers_404(world, login):
    officer = login(world["hr_a"])
    assert officer.get(f"{BASE}/workers/{world['a1'].id}").status_code == 200
    assert officer.get(f"{BASE}/workers/{world['b1'].id}").status_code == 404
    assert officer.get(f"{BASE}/workers/2000000000").status_code == 404
    assert login(world["care_a"]).get(f"{BASE}/workers/{world['a1'].id}").status_code == 200


# -- why a worker is or is not granted -----------------------------------------------------------

@pytest.fixture
def reasons(company, make_unit, make_worker, make_child, make_user, clock):
    """Site 甲 has a policy for the parents of left-behind children (granted on 2 November);
    site 乙 none; the subsidiary's factory a suspended one."""
    site_a = make_unit(OrgKind.SITE, name="甲项目部")
    site_b = make_unit(OrgKind.SITE, name="乙项目部")
    subsidiary = make_unit(OrgKind.SUBSIDIARY, name="二公司")
    factory = make_unit(OrgKind.SITE, parent=subsidiary, name="二公司工厂")
    add_policy(site_a)
    policies.add_policy_version(subsidiary, policies.PolicyInput(starts_on=NOV, suspended=True),
                                SYSTEM)
    people = {"granted": make_worker(site_a), "left": make_worker(site_a),
              "due": make_worker(site_a), "not_joined": make_worker(site_a),
              "no_policy": make_worker(site_b), "suspended": make_worker(factory),
              "not_eligible": make_worker(site_a)}
    for key, worker in people.items():
        if key != "not_eligible":
            make_child(worker, left_behind=True)
    make_child(people["not_eligible"])  # lives with the parents
    people["left"].left_on = date(2026, 10, 31)
    people["due"].entry_date = date(2026, 11, 20)
    people["not_joined"].entry_date = date(2026, 12, 1)
    session.flush()
    grant(date(2026, 11, 2))
    return people, make_user(Role.HR_OFFICER, company)


def why_codes(client, worker) -> list[str]:
    page = client.get(f"{BASE}/workers/{worker.id}")
    assert page.status_code == 200
    return re.findall(r'data-why="(\w+)"', page.text)


@pytest.mark.parametrize(("key", "words"), [
    ("granted", "已发放 300 分钟通话"), ("left", "离职"), ("due", "下一次每日发放"),
    ("not_joined", "2026-12-01 入职"), ("no_policy", "乙项目部"), ("suspended", "暂停发放"),
    ("not_eligible", "没有留守的子女")])
def test_the_worker_page_says_why(reasons, login, key, words):
    people, officer = reasons
    client = login(officer)
    assert why_codes(client, people[key]) == [key]
    assert words in client.get(f"{BASE}/workers/{people[key].id}").text


def test_a_grant_that_stops_next_month_is_explained(reasons, login):
    people, officer = reasons
    child = people["granted"].child_links[0].child
    child.left_behind = False  # as the nightly recomputation records a parent come home
    session.flush()
    client = login(officer)
    assert why_codes(client, people["granted"]) == ["granted", "not_eligible"]
    assert "2026年12月起" in client.get(f"{BASE}/workers/{people['granted'].id}").text


# -- the phone -----------------------------------------------------------------------------------

def test_the_worker_sees_only_their_own_allowances_on_the_phone(world, client):
    batches.export_batch(NOV, "china_mobile", world["site_a"], SYSTEM, **world["basis"])
    phone = signed_in_phone(client, world["a1"])
    page = phone.get("/w/contact/")
    assert page.status_code == 200
    assert "13600000001" in page.text and "已报送运营商，等待到账" in page.text
    assert "13600000002" not in page.text and "13700000001" not in page.text
    assert page.text.count('class="card grant"') == 1
    assert 'id="allowances-rooms-link"' in page.text
    # Not signed in: the phone's sign-in page.
    assert client.__class__(client.application).get("/w/contact/").status_code == 302
