"""The officers' work-near-home pages (``/positions/…``): sites' locations, openings added,
changed and closed (errors named by field, nothing stored), transfer requests (waiting first)
approved or declined, a worker's transfer history linked from the worker's page, and every page
naming a record answering 404 outside the actor's subtree."""
from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from plugin.access.roles import Role
from plugin.audit.models import AuditEvent
from plugin.core.db import session
from plugin.org.models import OrgKind
from plugin.positions.models import Opening, OpeningStatus, TransferStatus, WorkLocation

from .conftest import submit
from .positions_support import NANBU, NANSHAN, SHUANGLIU, ask, locate, make_opening, parent


@pytest.fixture
def world(make_unit, make_worker, make_child, clock):
    bureau = make_unit(OrgKind.SUBSIDIARY, name="第一工程局")
    other_bureau = make_unit(OrgKind.SUBSIDIARY, name="装备公司")
    work = make_unit(OrgKind.SITE, parent=bureau, name="深圳项目部")
    home = make_unit(OrgKind.SITE, parent=bureau, name="南部项目部")
    away = make_unit(OrgKind.SITE, parent=other_bureau, name="双流构件厂")
    locate(work, NANSHAN)
    near = make_opening(home, "钢筋工", county=NANBU)
    far = make_opening(away, "焊工", county=SHUANGLIU)
    worker = parent(make_worker, make_child, work, NANBU, name="赵铁柱")
    return {"bureau": bureau, "other_bureau": other_bureau, "work": work, "home": home,
            "away": away, "near": near, "far": far, "worker": worker,
            "near_request": ask(worker, near, "想回家"), "far_request": ask(worker, far)}


@pytest.fixture
def hr(world, make_user, login):
    return login(make_user(Role.HR_OFFICER, world["bureau"]))


def count(model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_lists_show_the_actors_subtree_only(hr, world):
    page = hr.get("/positions/").text
    assert "钢筋工" in page and "焊工" not in page and "四川省南充市南部县" in page
    requests = hr.get("/positions/requests").text
    assert f'data-request="{world["near_request"].id}"' in requests
    assert f'data-request="{world["far_request"].id}"' not in requests
    sites = hr.get("/positions/sites").text
    assert "南部项目部" in sites and "双流构件厂" not in sites


@pytest.mark.parametrize("path", [
    "/positions/openings/{far}/edit", "/positions/requests/{far_request}",
    "/positions/sites/{away}/location", "/positions/sites/{bureau_unit}/location",
    "/positions/openings/2000000000/edit", "/positions/requests/2000000000",
])
def test_records_outside_the_subtree_are_not_found(hr, world, path):
    url = path.format(far=world["far"].id, far_request=world["far_request"].id,
                      away=world["away"].id, bureau_unit=world["bureau"].id)
    assert hr.get(url).status_code == 404


def test_writes_outside_the_subtree_are_not_found(hr, world):
    token_page = "/positions/openings/new"
    closing = submit(hr, f"/positions/openings/{world['far'].id}/close", {},
                     form_url=token_page)
    deciding = submit(hr, f"/positions/requests/{world['far_request'].id}/decide",
                      {"outcome": "approved"}, form_url=token_page)
    assert closing.status_code == deciding.status_code == 404
    session.expire_all()
    assert world["far"].status == OpeningStatus.OPEN
    assert world["far_request"].status == TransferStatus.REQUESTED


def test_a_site_manager_sees_but_does_not_decide(world, make_user, login):
    manager = login(make_user(Role.SITE_MANAGER, world["home"]))
    assert manager.get(f"/positions/requests/{world['near_request'].id}").status_code == 200
    assert 'id="decision-form"' not in manager.get(
        f"/positions/requests/{world['near_request'].id}").text
    assert submit(manager, f"/positions/requests/{world['near_request'].id}/decide",
                  {"outcome": "approved"},
                  form_url=f"/positions/requests/{world['near_request'].id}").status_code == 403
    assert manager.get("/positions/openings/new").status_code == 403


def test_recording_a_sites_location(hr, world):
    url = f"/positions/sites/{world['home'].id}/location"
    refused = submit(hr, url, {"county_code": "511300", "address": ""})  # a prefecture
    assert refused.status_code == 422 and "未知的县级行政区划代码" in refused.text
    missing = submit(hr, url, {"county_code": "", "address": ""})
    assert missing.status_code == 422 and "请填写项目部所在县" in missing.text
    saved = submit(hr, url, {"county_code": "511302", "address": "顺庆区人民路"})
    assert saved.status_code == 302
    location = session.scalars(select(WorkLocation).where(
        WorkLocation.org_unit_id == world["home"].id)).one()
    assert (location.county_code, location.address) == ("511302", "顺庆区人民路")
    assert session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "positions.location_saved")) == 4  # three in the world, one here


def test_adding_changing_and_closing_an_opening(hr, world, make_unit):
    unlocated = make_unit(OrgKind.SITE, parent=world["bureau"], name="新开项目部")
    before = count(Opening)
    refused = submit(hr, "/positions/openings/new", {
        "unit": str(unlocated.id), "trade": "", "headcount": "十个", "starts_on": "2027-03-01",
        "ends_on": "2027-01-01"})
    assert refused.status_code == 422 and count(Opening) == before
    for message in ("还没有登记所在地区", "必填项不能为空", "招用人数要填 1 到 10000 之间的整数",
                    "结束日期不能早于开始日期"):
        assert message in refused.text, message
    outside = submit(hr, "/positions/openings/new", {
        "unit": str(world["away"].id), "trade": "电工", "headcount": "2",
        "starts_on": "2027-03-01"})
    assert outside.status_code == 422 and "请选择项目部" in outside.text
    duplicate = submit(hr, "/positions/openings/new", {
        "unit": str(world["home"].id), "trade": "钢筋工", "headcount": "2",
        "starts_on": "2026-12-01"})
    assert duplicate.status_code == 422 and "已有开始日期相同" in duplicate.text
    added = submit(hr, "/positions/openings/new", {
        "unit": str(world["home"].id), "trade": "电工", "headcount": "3",
        "starts_on": "2027-03-01", "ends_on": "2027-12-31", "notes": "持证"})
    assert added.status_code == 302 and count(Opening) == before + 1
    opening = session.scalars(select(Opening).where(Opening.trade == "电工")).one()
    edited = submit(hr, f"/positions/openings/{opening.id}/edit", {
        "trade": "电工", "headcount": "5", "starts_on": "2027-03-01", "ends_on": "",
        "notes": "持证"})
    assert edited.status_code == 302
    session.refresh(opening)
    assert (opening.headcount, opening.ends_on) == (5, None)
    event = session.scalars(select(AuditEvent).where(
        AuditEvent.action == "positions.opening_updated")).one()
    assert event.details["fields"] == ["headcount", "ends_on"]
    closed = submit(hr, f"/positions/openings/{opening.id}/close", {},
                    form_url=f"/positions/openings/{opening.id}/edit")
    assert closed.status_code == 302
    session.refresh(opening)
    assert opening.status == OpeningStatus.CLOSED
    again = submit(hr, f"/positions/openings/{opening.id}/edit", {
        "trade": "电工", "headcount": "9", "starts_on": "2027-03-01"},
        form_url="/positions/openings/new")
    assert again.status_code == 422 and "已经关闭" in again.text


def test_requests_waiting_come_first(hr, world):
    from plugin.core.host import Actor
    from plugin.positions import transfers

    transfers.decide(world["near_request"], transfers.Outcome.DECLINED, reason="已招满",
                     effective_on=None, actor=Actor(key="hr", name="人事"))
    second = ask(world["worker"], world["near"], "再试一次")
    page = hr.get("/positions/requests").text
    assert page.index(f'data-request="{second.id}"') < page.index(
        f'data-request="{world["near_request"].id}"')
    only_open = hr.get("/positions/requests?status=requested").text
    assert f'data-request="{world["near_request"].id}"' not in only_open


def test_approving_and_declining(hr, world):
    request = world["near_request"]
    url = f"/positions/requests/{request.id}"
    page = hr.get(url).text
    assert "赵铁柱" in page and "想回家" in page and "同县" in page
    no_reason = submit(hr, f"{url}/decide", {"outcome": "declined", "reason": ""},
                       form_url=url)
    assert no_reason.status_code == 422 and "不同意时请写明原因" in no_reason.text
    no_outcome = submit(hr, f"{url}/decide", {"reason": "x"}, form_url=url)
    assert no_outcome.status_code == 422 and "请选择同意或不同意" in no_outcome.text
    too_early = submit(hr, f"{url}/decide", {"outcome": "approved",
                                             "effective_on": "2026-11-01"}, form_url=url)
    assert too_early.status_code == 422 and "到岗日期不能早于申请日期" in too_early.text
    session.expire_all()
    assert request.status == TransferStatus.REQUESTED
    approved = submit(hr, f"{url}/decide", {"outcome": "approved",
                                            "effective_on": "2026-12-10",
                                            "reason": "请到南部项目部报到"}, form_url=url)
    assert approved.status_code == 302
    session.expire_all()
    assert (request.status, request.effective_on, request.decided_on) == (
        TransferStatus.APPROVED, date(2026, 12, 10), date(2026, 11, 22))
    assert session.scalars(select(AuditEvent.action).where(
        AuditEvent.target_type == "positions_transfer",
        AuditEvent.target_id == str(request.id))).all()[-1] == "positions.transfer_approved"
    shown = hr.get(url).text
    assert 'id="decision-form"' not in shown and "请到南部项目部报到" in shown
    again = submit(hr, f"{url}/decide", {"outcome": "declined", "reason": "改主意"},
                   form_url="/positions/openings/new")
    assert again.status_code == 422 and "已经处理完毕" in again.text


def test_the_worker_page_links_to_the_transfer_history(hr, world):
    worker = world["worker"]
    page = hr.get(f"/workers/{worker.id}").text
    assert 'id="positions-worker-link"' in page
    history = hr.get(f"/positions/workers/{worker.id}").text
    assert "南部项目部" in history and "钢筋工" in history and "待处理" in history


def test_the_worker_history_is_not_found_outside_the_subtree(world, make_user, login):
    other = login(make_user(Role.HR_OFFICER, world["other_bureau"]))
    assert other.get(f"/positions/workers/{world['worker'].id}").status_code == 404
    assert other.get(f"/positions/requests/{world['near_request'].id}").status_code == 404
    assert other.get(f"/positions/requests/{world['far_request'].id}").status_code == 200


def test_the_audit_log_reads_the_features_events(world, make_user, login):
    admin = login(make_user(Role.ADMIN))
    page = admin.get("/audit/").text
    for words in ("申请调动", "添加招用需求", "登记项目部所在地区", "调动申请", "招用需求"):
        assert words in page, words
    shown = re.sub(r"<[^>]*>", "", page)  # what reads, not the codes in attributes
    assert "positions_" not in shown and "positions." not in shown
