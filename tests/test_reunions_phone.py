"""The worker's reunion pages on a phone (``/w/reunions/``): the open campaigns, applying for a
household (ID numbers from the registry, never shown in full), errors named by field with
nothing stored, other workers' applications hidden, and answering an offer from the waiting
list, in time or too late."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from plugin.core.db import session
from plugin.org.models import OrgKind
from plugin.registry.idnumber import check_character
from plugin.reunions import services
from plugin.reunions.models import (
    Application,
    ApplicationStatus,
    CampaignKind,
    Eligibility,
    Traveller,
    TravellerKind,
)

from .conftest import SYSTEM, csrf_token
from .reunions_support import apply, make_campaign
from .worker_phone_support import signed_in_phone

HUKOU = "511302"  # 四川省南充市顺庆区


def id_number(birth: date, sequence: str = "013") -> str:
    first17 = f"{HUKOU}{birth:%Y%m%d}{sequence}"
    return first17 + check_character(first17)


WORKER_ID = id_number(date(1990, 1, 1))
CHILD_IDS = (id_number(date(2016, 5, 5), "021"), id_number(date(2018, 3, 3), "042"))


@pytest.fixture
def site(make_unit):
    return make_unit(OrgKind.SITE, name="前海项目部")


@pytest.fixture
def family(site, make_worker, make_child, clock):
    """A worker with a hukou in Nanchong and two children, all with ID numbers (the children's
    kept with their guardian's consent)."""
    worker = make_worker(site, name="赵铁柱", id_number=WORKER_ID)
    children = [make_child(worker, name=name, birth_date=f"{born:%Y-%m-%d}",
                           id_number=number, consent_given_on="2026-11-01")
                for name, born, number in (("赵小妹", date(2016, 5, 5), CHILD_IDS[0]),
                                           ("赵小弟", date(2018, 3, 3), CHILD_IDS[1]))]
    return worker, children


@pytest.fixture
def campaign(site, clock):
    return make_campaign(site.parent, {site: 10})


@pytest.fixture
def phone(family, client):
    return signed_in_phone(client, family[0])


def post_application(phone, campaign, **fields):
    url = f"/w/reunions/{campaign.id}/apply"
    page = phone.get(url)
    data = {"csrf_token": csrf_token(page.text), "worker_travels": "y", "children": [],
            "from_place": "深圳市前海项目部", "to_place": "四川省南充市顺庆区",
            "depart_on": "2027-02-01", "return_on": "2027-02-15", "travel_mode": "train",
            "fare": "350.50", **fields}
    return phone.post(url, data=data)


def applications():
    return session.execute(select(Application)).scalars().all()


def test_the_phone_home_page_has_a_tile(phone):
    home = phone.get("/w/")
    assert 'id="reunions-link"' in home.text and "/w/reunions/" in home.text


def test_the_pages_need_the_phone_sign_in(client, campaign):
    response = client.get(f"/w/reunions/{campaign.id}/apply")
    assert response.status_code == 302 and response.location.startswith("/w/sign-in?next=")


def test_a_worker_applies_with_two_children(phone, family, campaign):
    worker, children = family
    mine = phone.get("/w/reunions/")
    assert 'id="no-applications"' in mine.text and f'id="apply-{campaign.id}"' in mine.text
    page = phone.get(f"/w/reunions/{campaign.id}/apply")
    assert page.status_code == 200
    # From the site to the hukou for a trip home; the household limit is shown.
    assert 'value="前海项目部"' in page.text and 'value="四川省南充市顺庆区"' in page.text
    assert "最多 4 人" in page.text and "赵小妹" in page.text and "赵小弟" in page.text
    # ID numbers come from the registry and are only ever shown masked.
    for number in (WORKER_ID, *CHILD_IDS):
        assert number not in page.text and number[-4:] in page.text
    response = post_application(phone, campaign, children=[str(c.id) for c in children])
    application = session.execute(select(Application)).scalar_one()
    assert response.status_code == 302
    assert response.location == f"/w/reunions/applications/{application.id}?applied=1"
    assert application.places == 3 and application.estimated_fare_fen == 35_050
    assert application.applied_by == f"worker:{worker.id}"
    assert application.depart_on == date(2027, 2, 1) and application.return_on == date(2027, 2, 15)
    travellers = {t.name: t for t in application.travellers}
    assert travellers["赵铁柱"].kind == TravellerKind.WORKER
    assert travellers["赵铁柱"].id_number == WORKER_ID
    assert travellers["赵小妹"].id_number == CHILD_IDS[0]
    shown = phone.get(response.location)
    assert 'id="applied-notice"' in shown.text and 'data-status="applied"' in shown.text
    assert "赵小弟" in shown.text and "提交了申请" in shown.text and "本人办理" in shown.text
    for number in (WORKER_ID, *CHILD_IDS):
        assert number not in shown.text
    mine = phone.get("/w/reunions/")
    assert f'id="apply-{campaign.id}"' not in mine.text and "已申请，查看进度" in mine.text
    # Applying again leads to the application, never to a second one.
    again = phone.get(f"/w/reunions/{campaign.id}/apply")
    assert again.status_code == 302 and again.location.endswith(f"/applications/{application.id}")


@pytest.mark.parametrize("fields, field, message", [
    ({"worker_travels": ""}, "travellers", "请选择出行的人"),
    ({"depart_on": "2027-03-01"}, "depart_on", "出发日期应在活动的出行时间内"),
    ({"depart_on": "二月一日"}, "depart_on", "请按“年-月-日”填写日期"),
    ({"fare": "12.345"}, "fare", "金额最多精确到分"),
    ({"fare": ""}, "fare", "请填写每人预计票价"),
    ({"travel_mode": "flight"}, "travel_mode", "请从活动提供的出行方式中选择"),
    ({"relatives-0-name": "赵大山"}, "relatives", "请填写赵大山和您的关系"),
])
def test_errors_name_the_field_and_nothing_is_stored(phone, campaign, fields, field, message):
    response = post_application(phone, campaign, **fields)
    assert response.status_code == 422
    assert f'id="{field}-errors"' in response.text and message in response.text
    if field in ("depart_on", "fare"):
        assert f'value="{fields[field]}"' in response.text  # the input is kept
    assert applications() == []
    assert session.execute(select(func.count()).select_from(Traveller)).scalar_one() == 0


def test_relatives_travel_with_the_children_on_a_summer_visit(phone, family, site):
    worker, children = family
    summer = make_campaign(site.parent, {site: 10}, name="2027 小候鸟",
                           kind=CampaignKind.SUMMER_VISIT)
    page = phone.get(f"/w/reunions/{summer.id}/apply")
    # The family comes from the hukou to the site; the worker does not travel.
    assert 'name="worker_travels"' not in page.text
    assert page.text.index('value="四川省南充市顺庆区"') < page.text.index('value="前海项目部"')
    response = post_application(phone, summer, worker_travels="", children=[str(children[0].id)],
                                **{"relatives-0-name": "王桂兰", "relatives-0-relation": "奶奶",
                                   "from_place": "四川省南充市顺庆区", "to_place": "前海项目部"})
    assert response.status_code == 302, response.text
    application = session.execute(select(Application)).scalar_one()
    assert [(t.kind, t.name, t.relation) for t in application.travellers] == [
        (TravellerKind.CHILD, "赵小妹", None), (TravellerKind.RELATIVE, "王桂兰", "奶奶")]


def test_a_summer_visit_needs_a_child(phone, site):
    summer = make_campaign(site.parent, {site: 10}, kind=CampaignKind.SUMMER_VISIT)
    response = post_application(phone, summer, **{"relatives-0-name": "王桂兰",
                                                  "relatives-0-relation": "奶奶"})
    assert response.status_code == 422 and 'id="children-errors"' in response.text
    assert applications() == []


def test_other_workers_and_other_units_are_not_found(family, campaign, site, make_unit,
                                                     make_worker, client):
    other = apply(campaign, make_worker(site))
    elsewhere = make_unit(OrgKind.SITE, name="别处项目部")
    outside = make_campaign(elsewhere, {elsewhere: 5}, name="别处的活动")
    # Signed in after the records were made: a refused request rolls back what is not committed.
    phone = signed_in_phone(client, family[0])
    token = csrf_token(phone.get(f"/w/reunions/{campaign.id}/apply").text)
    assert phone.get(f"/w/reunions/applications/{other.id}").status_code == 404
    assert phone.post(f"/w/reunions/applications/{other.id}/accept",
                      data={"csrf_token": token}).status_code == 404
    assert phone.post(f"/w/reunions/applications/{other.id}/decline",
                      data={"csrf_token": token}).status_code == 404
    session.refresh(other)
    assert other.status == ApplicationStatus.APPLIED
    assert phone.get(f"/w/reunions/{outside.id}/apply").status_code == 404
    assert "别处的活动" not in phone.get("/w/reunions/").text
    assert phone.get("/w/reunions/999999/apply").status_code == 404


def test_a_closed_campaign_says_so(phone, site, campaign):
    closed = make_campaign(site.parent, {site: 5}, name="国庆返乡",
                           applications_open_on=date(2026, 9, 1),
                           applications_close_on=date(2026, 9, 20))
    assert "国庆返乡" not in phone.get("/w/reunions/").text
    token = csrf_token(phone.get(f"/w/reunions/{campaign.id}/apply").text)
    page = phone.get(f"/w/reunions/{closed.id}/apply")
    assert page.status_code == 200 and 'id="apply-blocked"' in page.text
    assert "现在不接受申请" in page.text and 'id="apply-form"' not in page.text
    response = phone.post(f"/w/reunions/{closed.id}/apply",
                          data={"csrf_token": token,
                                "worker_travels": "y", "depart_on": "2027-02-01",
                                "travel_mode": "train", "fare": "300"})
    assert response.status_code == 422 and applications() == []


def offered(campaign, worker, site, make_worker):
    """The worker's household on the waiting list gets an offer when a place frees."""
    holder = apply(campaign, make_worker(site))
    services.approve(holder, actor=SYSTEM)
    waiting = apply(campaign, worker)
    services.waitlist(waiting, actor=SYSTEM)
    services.cancel(holder, "家中有事", actor=SYSTEM)
    assert waiting.status == ApplicationStatus.OFFERED
    return waiting


def test_accepting_an_offer_on_the_phone(phone, family, site, make_worker):
    campaign = make_campaign(site.parent, {site: 1})
    application = offered(campaign, family[0], site, make_worker)
    page = phone.get(f"/w/reunions/applications/{application.id}")
    assert 'id="offer"' in page.text and 'id="accept-offer"' in page.text
    assert "列入候补名单" in page.text
    response = phone.post(f"/w/reunions/applications/{application.id}/accept",
                          data={"csrf_token": csrf_token(page.text)})
    assert response.status_code == 302
    session.refresh(application)
    assert application.status == ApplicationStatus.APPROVED
    page = phone.get(f"/w/reunions/applications/{application.id}")
    assert 'data-status="approved"' in page.text and "确认参加，递补成功" in page.text
    assert 'id="accept-offer"' not in page.text


def test_a_lapsed_offer_says_so(phone, family, site, make_worker, clock):
    campaign = make_campaign(site.parent, {site: 1}, offer_hours=48)
    application = offered(campaign, family[0], site, make_worker)
    opened = phone.get(f"/w/reunions/applications/{application.id}")
    assert 'id="accept-offer"' in opened.text
    clock.advance(hours=48, minutes=1)
    page = phone.get(f"/w/reunions/applications/{application.id}")
    assert 'id="offer-lapsed"' in page.text and "确认时间" in page.text
    assert 'id="accept-offer"' not in page.text
    # The page opened before the deadline, its button pressed after it.
    response = phone.post(f"/w/reunions/applications/{application.id}/accept",
                          data={"csrf_token": csrf_token(opened.text)})
    assert response.status_code == 422 and "递补名额的确认时间已过" in response.text
    session.refresh(application)
    assert application.status == ApplicationStatus.OFFERED
    services.lapse_offers(actor=SYSTEM)
    page = phone.get(f"/w/reunions/applications/{application.id}")
    assert 'data-status="lapsed"' in page.text and "已让给下一户" in page.text


def test_a_rejection_shows_its_reason_and_history(phone, family, campaign):
    application = apply(campaign, family[0])
    services.reject(application, "已享受过本年度补贴", actor=SYSTEM)
    page = phone.get(f"/w/reunions/applications/{application.id}")
    assert 'id="reject-reason"' in page.text and "已享受过本年度补贴" in page.text
    assert "申请未通过" in page.text


def test_who_may_not_apply_is_told_why(phone, site):
    narrow = make_campaign(site.parent, {site: 5}, name="留守儿童家庭返乡",
                           eligibility=Eligibility.LEFT_BEHIND_OR_DIFFICULTY)
    mine = phone.get("/w/reunions/")
    assert "留守儿童家庭返乡" in mine.text and f'id="apply-{narrow.id}"' not in mine.text
    assert "这项活动只面向" in mine.text
    page = phone.get(f"/w/reunions/{narrow.id}/apply")
    assert 'id="apply-blocked"' in page.text and 'id="apply-form"' not in page.text


def test_a_booked_household_sees_its_tickets_and_is_told(phone, family, campaign):
    worker, children = family
    application = apply(campaign, worker, children=children[:1])
    services.approve(application, actor=SYSTEM)
    for number, traveller in enumerate(application.travellers):
        traveller.ticket_number, traveller.carrier = f"E10{number}", "中国铁路"
        traveller.service_number, traveller.seat = "K1234", f"05车{number + 1}号"
        traveller.ticket_price_fen = 25_000
    services.book(application, actor=SYSTEM)
    home = phone.get("/w/").text
    assert "车票已订好" in home
    page = phone.get(f"/w/reunions/applications/{application.id}").text
    assert "K1234" in page and "05车1号" in page and "05车2号" in page


def test_a_worker_withdraws_and_the_places_go_to_the_next_household(phone, family, site,
                                                                     make_worker):
    campaign = make_campaign(site.parent, {site: 1})
    mine = apply(campaign, family[0])
    services.approve(mine, actor=SYSTEM)
    waiting = apply(campaign, make_worker(site))
    services.waitlist(waiting, actor=SYSTEM)
    url = f"/w/reunions/applications/{mine.id}"
    page = phone.get(url).text
    assert 'id="withdraw"' in page
    refused = phone.post(f"{url}/withdraw", data={"csrf_token": csrf_token(page),
                                                  "reason": " "})
    assert refused.status_code == 422 and "请填写原因" in refused.text
    assert mine.status == ApplicationStatus.APPROVED
    done = phone.post(f"{url}/withdraw", data={"csrf_token": csrf_token(page),
                                               "reason": "工地赶工"})
    assert done.status_code == 302
    assert mine.status == ApplicationStatus.CANCELLED
    assert waiting.status == ApplicationStatus.OFFERED


def test_booked_tickets_are_not_withdrawn_on_the_phone(phone, family, campaign):
    application = apply(campaign, family[0])
    services.approve(application, actor=SYSTEM)
    for traveller in application.travellers:
        traveller.ticket_number, traveller.carrier, traveller.service_number = "E1", "铁路", "K1"
        traveller.ticket_price_fen = 20_000
    url = f"/w/reunions/applications/{application.id}"
    token = csrf_token(phone.get(url).text)  # shown before the tickets were booked
    services.book(application, actor=SYSTEM)
    assert 'id="withdraw"' not in phone.get(url).text
    refused = phone.post(f"{url}/withdraw", data={"csrf_token": token,
                                                  "reason": "不去了"})
    assert refused.status_code == 422 and "请联系工会办理退票" in refused.text
    assert application.status == ApplicationStatus.BOOKED
