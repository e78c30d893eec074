"""小候鸟 on site: registering a visiting child (the under-8 rule), the programme and its
attendance, and who is on site today, through the pages."""
from datetime import date

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from plugin.access.roles import Role
from plugin.core.db import session
from plugin.org.models import OrgKind
from plugin.reunions import services
from plugin.reunions.models import ActivityAttendance, CampaignKind, SiteVisit, TravellerKind

from .conftest import SYSTEM, submit
from .factories import make_child, make_worker
from .reunions_support import apply, make_campaign

ARRIVES, LEAVES = date(2026, 11, 21), date(2026, 12, 5)


@pytest.fixture
def summer(make_unit, clock):
    """A 小候鸟 campaign at 甲项目部 whose travel window includes today (2026-11-22), with one
    worker's approved application bringing a six-year-old and a ten-year-old."""
    site = make_unit(OrgKind.SITE, name="甲项目部")
    other = make_unit(OrgKind.SITE, name="乙项目部")
    campaign = make_campaign(site.parent, {site: 5, other: 5}, kind=CampaignKind.SUMMER_VISIT,
                             name="小候鸟冬季团聚", travel_from=date(2026, 11, 20),
                             travel_until=date(2026, 12, 20))
    parent = make_worker(site, name="赵铁柱")
    young = make_child(parent, name="赵小妹", birth_date="2020-05-05")
    older = make_child(parent, name="赵小弟", birth_date="2016-05-05")
    application = apply(campaign, parent, children=[young, older], worker=False,
                        relatives=[("李桂花", "母亲")], depart_on=ARRIVES, return_on=LEAVES)
    services.approve(application, actor=SYSTEM)
    travellers = {t.name: t for t in application.travellers if t.kind == TravellerKind.CHILD}
    return site, other, campaign, travellers


def visit_data(**overrides):
    return {"arrives_on": ARRIVES.isoformat(), "leaves_on": LEAVES.isoformat(),
            "accommodation": "项目部家属房 3 号", "responsible_adult": "",
            "responsible_adult_phone": "", "emergency_contact": "李桂花",
            "emergency_phone": "13900139000", "insurance_number": "PICC-2026-001", **overrides}


def test_a_child_under_8_needs_a_named_adult_at_all_times(summer, make_user, login):
    site, _, campaign, travellers = summer
    client = login(make_user(Role.UNION_OFFICER, site))
    url = f"/reunions/{campaign.id}/visits/new/{travellers['赵小妹'].id}"
    refused = submit(client, url, visit_data())
    assert refused.status_code == 422 and "不满 8 周岁" in refused.text
    assert session.execute(select(SiteVisit)).first() is None
    accepted = submit(client, url, visit_data(responsible_adult="李桂花",
                                              responsible_adult_phone="13900139000"))
    assert accepted.status_code == 302, accepted.text
    # A ten-year-old may be registered without one.
    older = submit(client, f"/reunions/{campaign.id}/visits/new/{travellers['赵小弟'].id}",
                   visit_data())
    assert older.status_code == 302
    ages = sorted(visit.age_on_arrival for visit in session.execute(select(SiteVisit)).scalars())
    assert ages == [6, 10]


def test_the_database_refuses_a_child_under_8_without_an_adult(summer):
    _, _, campaign, travellers = summer
    traveller = travellers["赵小妹"]
    with pytest.raises(IntegrityError), session.begin_nested():
        session.execute(text(
            "INSERT INTO cb_reunion_site_visit (campaign_id, application_id, traveller_id, "
            "org_unit_id, arrives_on, leaves_on, age_on_arrival, accommodation, "
            "emergency_contact, emergency_phone, registered_by, registered_at) VALUES "
            "(:c, :a, :t, :u, '2026-11-21', '2026-12-05', 6, '宿舍', '李', 'x', 'test', "
            "'2026-11-22 00:00:00')"),
            {"c": campaign.id, "a": traveller.application_id, "t": traveller.id,
             "u": traveller.application.org_unit_id})


def test_the_site_manager_sees_who_is_on_site_today_and_only_their_site(summer, make_user,
                                                                         login):
    site, other, campaign, travellers = summer
    officer = login(make_user(Role.UNION_OFFICER, site))
    submit(officer, f"/reunions/{campaign.id}/visits/new/{travellers['赵小弟'].id}",
           visit_data(leaves_on="2026-11-21"))  # gone yesterday
    submit(officer, f"/reunions/{campaign.id}/visits/new/{travellers['赵小妹'].id}",
           visit_data(responsible_adult="李桂花", responsible_adult_phone="13900139000"))
    manager = login(make_user(Role.SITE_MANAGER, site))
    page = manager.get("/reunions/on-site").text
    table = page.split('id="on-site"')[1]
    assert "赵小妹" in table and "李桂花" in table and "赵小弟" not in table
    elsewhere = login(make_user(Role.SITE_MANAGER, other))
    assert "赵小妹" not in elsewhere.get("/reunions/on-site").text
    visit = session.execute(select(SiteVisit)).scalars().first()
    assert elsewhere.get(f"/reunions/{campaign.id}/visits/new/{visit.traveller_id}").status_code == 404


def test_activities_and_their_attendance_count_children_staying_that_day(summer, make_user,
                                                                        login):
    site, other, campaign, travellers = summer
    client = login(make_user(Role.CARE_WORKER, site))
    for name, extra in (("赵小妹", {"responsible_adult": "李桂花",
                                    "responsible_adult_phone": "13900139000"}),
                        ("赵小弟", {})):
        assert submit(client, f"/reunions/{campaign.id}/visits/new/{travellers[name].id}",
                      visit_data(**extra)).status_code == 302
    refused = submit(client, f"/reunions/{campaign.id}/activities/new",
                     {"unit": str(site.id), "kind": "", "title": "", "held_on": "2027-03-01"})
    assert refused.status_code == 422 and "请选择活动类型" in refused.text
    assert "出行时间内" in refused.text
    created = submit(client, f"/reunions/{campaign.id}/activities/new",
                     {"unit": str(site.id), "kind": "safety_education", "title": "防溺水安全课",
                      "held_on": "2026-11-25", "place": "项目部会议室"})
    assert created.status_code == 302, created.text
    page = client.get(f"/reunions/{campaign.id}/visits").text
    activity_url = page.split('href="/reunions/activities/')[1].split('"')[0]
    visits = {visit.traveller.name: visit.id for visit in session.execute(select(SiteVisit)).scalars()}
    saved = submit(client, f"/reunions/activities/{activity_url}",
                   {"present": [str(visits["赵小妹"])]})
    assert saved.status_code == 302
    assert [row.visit_id for row in session.execute(select(ActivityAttendance)).scalars()] == [
        visits["赵小妹"]]
    outsider = login(make_user(Role.CARE_WORKER, other))
    assert outsider.get(f"/reunions/activities/{activity_url}").status_code == 404


def test_children_of_a_trip_home_are_not_registered_on_site(make_unit, clock, make_user, login):
    site = make_unit(OrgKind.SITE, name="甲项目部")
    campaign = make_campaign(site, {site: 5})
    parent = make_worker(site)
    application = apply(campaign, parent, children=[make_child(parent)])
    services.approve(application, actor=SYSTEM)
    child = next(t for t in application.travellers if t.kind == TravellerKind.CHILD)
    client = login(make_user(Role.UNION_OFFICER, site))
    refused = submit(client, f"/reunions/{campaign.id}/visits/new/{child.id}", visit_data())
    assert refused.status_code == 422 and "只有小候鸟和反探亲活动" in refused.text
