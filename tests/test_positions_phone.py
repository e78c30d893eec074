"""The worker's work-near-home pages on a phone (``/w/positions/``): the positions of the home
province nearest first with each site's county and the distance in words, only for workers with
left-behind children (others read why), asking for a transfer (refusals name the reason and
store nothing; one open request per opening, kept by the database too), the requests with the
reason of a refusal, withdrawing, and other workers' requests and unsuggested openings hidden."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from plugin.audit.models import AuditEvent
from plugin.core.db import session
from plugin.org.models import OrgKind
from plugin.positions import transfers
from plugin.positions.models import OpeningStatus, TransferRequest, TransferStatus
from plugin.positions.workplaces import close_opening

from .conftest import SYSTEM, csrf_token
from .positions_support import (
    NANBU,
    NANSHAN,
    SHUANGLIU,
    SHUNQING,
    TODAY,
    ask,
    locate,
    make_opening,
    parent,
)
from .worker_phone_support import signed_in_phone


@pytest.fixture
def sites(make_unit):
    return {"work": make_unit(OrgKind.SITE, name="深圳前海项目部"),
            "home": make_unit(OrgKind.SITE, name="南部县城项目部"),
            "prefecture": make_unit(OrgKind.SITE, name="顺庆项目部"),
            "province": make_unit(OrgKind.SITE, name="双流构件厂")}


@pytest.fixture
def openings(sites, clock):
    locate(sites["work"], NANSHAN)
    return {"home": make_opening(sites["home"], "钢筋工", headcount=8, county=NANBU,
                                 notes="包住宿"),
            "prefecture": make_opening(sites["prefecture"], "电工", county=SHUNQING),
            "province": make_opening(sites["province"], "焊工", county=SHUANGLIU)}


@pytest.fixture
def worker(sites, make_worker, make_child, clock):
    return parent(make_worker, make_child, sites["work"], NANBU, name="赵铁柱")


@pytest.fixture
def phone(worker, client):
    return signed_in_phone(client, worker)


def count() -> int:
    return session.scalar(select(func.count()).select_from(TransferRequest))


def ask_on(phone, opening, note="想离孩子近一点"):
    url = f"/w/positions/openings/{opening.id}"
    page = phone.get(url)
    assert page.status_code == 200, page.text
    return phone.post(url, data={"csrf_token": csrf_token(page.text), "note": note})


def test_the_pages_need_the_phone_sign_in(client, worker):
    response = client.get("/w/positions/")
    assert response.status_code == 302 and "/w/sign-in" in response.headers["Location"]


def test_the_phone_home_links_to_positions_near_home(phone, openings):
    assert 'id="positions-link"' in phone.get("/w/").text


def test_positions_near_home_nearest_first_with_county_and_distance(phone, openings):
    page = phone.get("/w/positions/").text
    order = [page.index(f'data-opening="{openings[key].id}"')
             for key in ("home", "prefecture", "province")]
    assert order == sorted(order)
    assert "四川省南充市南部县" in page and "四川省成都市双流区" in page
    for words in ("同县", "同市", "同省"):
        assert words in page
    assert "深圳前海项目部" not in page  # the worker's own site (another province anyway)


def test_a_worker_without_left_behind_children_reads_why(client, sites, openings, make_worker,
                                                         make_child):
    worker = make_worker(sites["work"], hukou_region_code=NANBU)
    make_child(worker)  # lives with the parents
    phone = signed_in_phone(client, worker)
    page = phone.get("/w/positions/").text
    assert 'id="not-eligible"' in page and "钢筋工" not in page
    assert phone.get(f"/w/positions/openings/{openings['home'].id}").status_code == 404


def test_asking_for_a_transfer(phone, worker, openings):
    response = ask_on(phone, openings["home"])
    assert response.status_code == 302 and response.headers["Location"].endswith(
        "/w/positions/requests?asked=1")
    request = session.scalars(select(TransferRequest)).one()
    assert (request.worker_id, request.opening_id, request.status, request.note) == (
        worker.id, openings["home"].id, TransferStatus.REQUESTED, "想离孩子近一点")
    assert request.org_unit_id == openings["home"].org_unit_id
    assert request.from_unit_id == worker.org_unit_id
    event = session.scalars(select(AuditEvent).where(
        AuditEvent.action == "positions.transfer_requested")).one()
    assert event.actor_key == f"worker:{worker.id}" and "想离孩子" not in str(event.details)
    mine = phone.get("/w/positions/requests?asked=1").text
    assert 'id="asked-notice"' in mine and "南部县城项目部" in mine and "等待单位答复" in mine
    # the list now says it was asked, and the opening's page has no second button
    assert "data-asked" in phone.get("/w/positions/").text
    assert 'id="already-asked"' in phone.get(f"/w/positions/openings/{openings['home'].id}").text


def test_refused_requests_say_why_and_store_nothing(phone, worker, openings):
    too_long = ask_on(phone, openings["home"], note="长" * 301)
    assert too_long.status_code == 422 and count() == 0
    ask_on(phone, openings["home"])
    # the same opening again (a form from an old page)
    url = f"/w/positions/openings/{openings['prefecture'].id}"
    token = csrf_token(phone.get(url).text)
    again = phone.post(f"/w/positions/openings/{openings['home'].id}",
                       data={"csrf_token": token, "note": ""})
    assert again.status_code == 422 and "您已经申请过这个岗位" in again.text
    assert 'id="request-error"' in again.text and count() == 1


def test_one_open_request_per_worker_and_opening(worker, openings):
    ask(worker, openings["home"])
    with pytest.raises(transfers.ValidationError) as refused:
        ask(worker, openings["home"])
    assert refused.value.message == transfers.ALREADY_ASKED
    # the database keeps it even when the check is passed by
    session.add(TransferRequest(worker_id=worker.id, opening_id=openings["home"].id,
                                org_unit_id=openings["home"].org_unit_id,
                                from_unit_id=worker.org_unit_id, requested_on=TODAY, status=TransferStatus.REQUESTED))
    with pytest.raises(IntegrityError), session.begin_nested():
        session.flush()


def test_the_service_refuses_what_the_phone_does_not_offer(worker, openings, sites, make_unit,
                                                           make_worker, make_child):
    away = make_opening(make_unit(OrgKind.SITE, name="南山二期"), county=NANSHAN)
    own = make_opening(sites["work"], "普工")
    for opening, message in ((away, transfers.NOT_NEAR_HOME), (own, transfers.OWN_SITE)):
        with pytest.raises(transfers.ValidationError) as refused:
            ask(worker, opening)
        assert refused.value.errors[0].message == message
    close_opening(openings["province"], actor=SYSTEM)
    assert openings["province"].status == OpeningStatus.CLOSED
    with pytest.raises(transfers.ValidationError) as refused:
        ask(worker, openings["province"])
    assert refused.value.errors[0].message == transfers.OPENING_GONE
    assert count() == 0


def test_closed_or_far_openings_are_not_found_on_the_phone(phone, openings, make_unit):
    away = make_opening(make_unit(OrgKind.SITE, name="南山二期"), county=NANSHAN)
    close_opening(openings["province"], actor=SYSTEM)
    token = csrf_token(phone.get(f"/w/positions/openings/{openings['home'].id}").text)
    for opening_id in (away.id, openings["province"].id, 2_000_000_000, 2**40):
        assert phone.get(f"/w/positions/openings/{opening_id}").status_code == 404
    assert phone.post(f"/w/positions/openings/{away.id}",
                      data={"csrf_token": token}).status_code == 404
    assert count() == 0


def test_the_worker_reads_the_outcome_and_the_reason(phone, worker, openings):
    declined = ask(worker, openings["home"])
    approved = ask(worker, openings["prefecture"])
    transfers.decide(declined, transfers.Outcome.DECLINED, reason="钢筋工已招满",
                     effective_on=None, actor=SYSTEM)
    transfers.decide(approved, transfers.Outcome.APPROVED, reason=None,
                     effective_on=date(2026, 12, 5), actor=SYSTEM)
    page = phone.get("/w/positions/requests").text
    assert "钢筋工已招满" in page and "单位没有同意" in page
    assert "单位已同意调动" in page and "2026-12-05" in page
    assert "data-withdraw" not in page


def test_withdrawing_a_request(phone, worker, openings):
    request = ask(worker, openings["home"])
    page = phone.get("/w/positions/requests").text
    response = phone.post(f"/w/positions/requests/{request.id}/withdraw",
                          data={"csrf_token": csrf_token(page)})
    assert response.status_code == 302
    session.refresh(request)
    assert request.status == TransferStatus.WITHDRAWN and request.decided_by == f"worker:{worker.id}"
    # withdrawing again is refused, nothing changes
    again = phone.post(f"/w/positions/requests/{request.id}/withdraw",
                       data={"csrf_token": csrf_token(page)})
    assert again.status_code == 422 and 'id="request-error"' in again.text
    # and the worker may ask again
    assert ask_on(phone, openings["home"]).status_code == 302 and count() == 2


def test_another_workers_request_is_not_found(phone, openings, sites, make_worker, make_child,
                                              client):
    other = parent(make_worker, make_child, sites["work"], NANBU, name="钱多多")
    theirs = ask(other, openings["home"])
    token = csrf_token(phone.get(f"/w/positions/openings/{openings['home'].id}").text)
    assert phone.post(f"/w/positions/requests/{theirs.id}/withdraw",
                      data={"csrf_token": token}).status_code == 404
    assert "钱多多" not in phone.get("/w/positions/requests").text
    session.refresh(theirs)
    assert theirs.status == TransferStatus.REQUESTED


def test_the_workers_own_data_file_lists_their_requests(worker, openings):
    from plugin.positions.subject_data import subject_data

    assert subject_data(worker) == []
    request = ask(worker, openings["home"], "想离孩子近一点")
    transfers.decide(request, transfers.Outcome.DECLINED, reason="已招满", effective_on=None,
                     actor=SYSTEM)
    [section] = subject_data(worker)
    [(day, text)] = section.rows
    assert day == "2026-11-22"
    assert all(words in text for words in ("南部县城项目部", "钢筋工", "未同意", "想离孩子近一点",
                                           "已招满"))
