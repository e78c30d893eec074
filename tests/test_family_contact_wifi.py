"""Living areas and their WiFi: the area's rules, housing workers by pasted employee numbers
(all or nothing, each wrong number named), coverage per site counted by hand, and the pages with
their 404 outside the actor's subtree and 403 without the right to change."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from plugin.access.roles import Role
from plugin.access.scope import Scope
from plugin.audit.models import AuditEvent
from plugin.core.db import session
from plugin.core.errors import InputInvalid, ValidationError
from plugin.family_contact import living_areas
from plugin.family_contact.living_areas import AreaInput
from plugin.family_contact.models import LivingArea, Residence
from plugin.org.models import OrgKind

from .conftest import SYSTEM, submit
from .support import recorded_statements

TODAY = date(2026, 11, 22)
COMPANY = Scope.company()


def area(site, name="一号宿舍楼", *, wifi=True, since=date(2026, 3, 1), mbps=100):
    return living_areas.save_area(None, AreaInput(name, wifi, since, mbps), site=site,
                                  scope=COMPANY, actor=SYSTEM, today=TODAY)


def house(found, numbers, scope=COMPANY):
    return living_areas.assign_residents(found, numbers, scope=scope, actor=SYSTEM, today=TODAY)


def home_of(worker):
    return session.get(Residence, worker.id)


def errors_of(raised) -> dict:
    return raised.value.errors.by_field()


@pytest.fixture
def sites(company, make_unit, make_worker, clock):
    """Site 甲 (with a team) and site 乙: 甲 has three workers and one on its team, and one who
    left; 乙 has three workers; site 丙 has nobody."""
    site_a = make_unit(OrgKind.SITE, name="甲项目部")
    team_a = make_unit(OrgKind.TEAM, parent=site_a, name="钢筋班")
    site_b = make_unit(OrgKind.SITE, name="乙项目部")
    site_c = make_unit(OrgKind.SITE, name="丙项目部")
    a = [make_worker(site_a, employee_number=f"A{n}") for n in (1, 2, 3)]
    a.append(make_worker(team_a, employee_number="A4"))
    leaver = make_worker(site_a, employee_number="A9")
    leaver.left_on = date(2026, 11, 1)
    b = [make_worker(site_b, employee_number=f"B{n}", name=f"隔壁{n}") for n in (1, 2, 3)]
    session.flush()
    return {"a": site_a, "team_a": team_a, "b": site_b, "c": site_c, "workers_a": a,
            "leaver": leaver, "workers_b": b}


# --- living areas -------------------------------------------------------------------------------

def test_an_area_is_checked_whole_before_anything_is_stored(sites):
    with pytest.raises(InputInvalid) as refused:
        living_areas.save_area(None, AreaInput("  ", True, None, 0), site=sites["team_a"],
                               scope=COMPANY, actor=SYSTEM, today=TODAY)
    assert set(errors_of(refused)) == {"unit", "name", "wifi_since", "bandwidth_mbps"}
    with pytest.raises(InputInvalid) as refused:
        area(sites["a"], since=TODAY + timedelta(days=1))
    assert errors_of(refused) == {"wifi_since": ["WiFi开通日期不能晚于今天"]}
    # A site outside the actor's scope is as good as none.
    with pytest.raises(InputInvalid) as refused:
        living_areas.save_area(None, AreaInput("宿舍", False), site=sites["b"],
                               scope=Scope.of_unit(sites["a"]), actor=SYSTEM, today=TODAY)
    assert set(errors_of(refused)) == {"unit"}
    assert session.scalars(select(LivingArea)).all() == []


def test_names_are_unique_per_site_and_an_area_without_wifi_keeps_no_date(sites):
    first = area(sites["a"], since=TODAY)
    assert (first.wifi, first.wifi_since, first.bandwidth_mbps) == (True, TODAY, 100)
    area(sites["b"])  # the same name at another site
    with pytest.raises(InputInvalid) as refused:
        area(sites["a"], wifi=False)
    assert errors_of(refused) == {"name": ["甲项目部已有名为“一号宿舍楼”的居住区"]}
    second = area(sites["a"], "二号宿舍楼", wifi=False, since=date(2026, 1, 1), mbps=50)
    assert (second.wifi, second.wifi_since, second.bandwidth_mbps) == (False, None, None)
    with pytest.raises(InputInvalid):  # renaming onto another area's name
        living_areas.save_area(second, AreaInput("一号宿舍楼"), site=None, scope=COMPANY,
                               actor=SYSTEM, today=TODAY)
    living_areas.save_area(second, AreaInput("二号宿舍楼", True, date(2026, 11, 1), 300),
                           site=sites["b"], scope=COMPANY, actor=SYSTEM, today=TODAY)
    assert (second.org_unit_id, second.wifi, second.bandwidth_mbps) == (sites["a"].id, True, 300)
    details = session.scalars(select(AuditEvent.details).where(
        AuditEvent.action == "family_contact.area_saved",
        AuditEvent.target_id == str(second.id)).order_by(AuditEvent.id)).all()
    assert details[-1] == {"contact_area": "二号宿舍楼", "contact_created": False,
                           "contact_wifi": True, "contact_wifi_since": "2026-11-01",
                           "contact_bandwidth_mbps": 300}


# --- residents ----------------------------------------------------------------------------------

def test_a_wrong_number_is_named_and_nobody_is_housed(sites):
    dorm = area(sites["a"])
    with pytest.raises(InputInvalid) as refused:
        house(dorm, "A1，A2\nB1  Z404\nA9")
    assert refused.value.errors.localized() == [
        "找不到工号为 B1 的职工，或该职工不在甲项目部",
        "找不到工号为 Z404 的职工，或该职工不在甲项目部",
        "工号为 A9 的职工已离职，不能登记入住"]
    assert session.scalars(select(Residence)).all() == []
    with pytest.raises(ValidationError):
        house(dorm, " \n ,")
    # An actor who reaches only the team does not find the site's other workers.
    with pytest.raises(InputInvalid) as refused:
        house(dorm, "A1 A4", scope=Scope.of_unit(sites["team_a"]))
    assert [error.params["number"] for error in refused.value.errors] == ["A1"]


def test_housing_moves_workers_between_areas_one_home_each(sites):
    one, two = area(sites["a"]), area(sites["a"], "二号宿舍楼", wifi=False)
    a1, a2, a3, a4 = sites["workers_a"]
    first = house(one, "Ａ１\nA2, A2；A4")  # full-width, repeated, mixed separators
    assert (first.housed, first.moved, first.already) == (["A1", "A2", "A4"], [], [])
    second = house(two, "A2 A3")
    assert (second.housed, second.moved) == (["A3"], ["A2"])
    assert [home_of(worker).living_area_id for worker in (a1, a2, a3, a4)] == [
        one.id, two.id, two.id, one.id]
    again = house(two, "A3")
    assert again.already == ["A3"]
    events = session.scalars(select(AuditEvent).where(
        AuditEvent.action == "family_contact.residents_assigned").order_by(AuditEvent.id)).all()
    assert len(events) == 2  # nothing changed the third time
    assert events[1].details == {"contact_area": "二号宿舍楼", "contact_housed": ["A3"],
                                 "contact_moved": ["A2"], "contact_already": 0}
    assert events[1].target_type == "contact_living_area" and events[1].org_unit_id == sites["a"].id


# --- coverage -----------------------------------------------------------------------------------

def test_coverage_per_site_by_hand_in_one_query(sites):
    a1, a2, a3, a4 = sites["workers_a"]
    wifi_a, plain_a = area(sites["a"]), area(sites["a"], "二号宿舍楼", wifi=False)
    house(wifi_a, "A1 A4")      # the team's worker counts for site 甲
    house(plain_a, "A2")        # A3 lives nowhere recorded
    session.add(Residence(worker_id=sites["leaver"].id, living_area_id=wifi_a.id,
                          since=date(2026, 1, 1)))  # housed before leaving: not counted
    house(area(sites["b"]), "B3")
    session.flush()
    with recorded_statements() as statements:
        rows = living_areas.coverage_by_site(COMPANY, TODAY)
    assert len([s for s in statements if "cb_worker" in s]) == 1
    assert [(row.site.name, row.employed, row.covered, row.percent) for row in rows] == [
        ("甲项目部", 4, 2, 50), ("乙项目部", 3, 1, 33), ("丙项目部", 0, 0, None)]
    only_a = living_areas.coverage_by_site(Scope.of_unit(sites["a"]), TODAY)
    assert [(row.site.name, row.employed, row.covered) for row in only_a] == [("甲项目部", 4, 2)]
    # WiFi switched off: nobody is covered there any more.
    living_areas.save_area(wifi_a, AreaInput(wifi_a.name, False), site=None, scope=COMPANY,
                           actor=SYSTEM, today=TODAY)
    assert living_areas.coverage_by_site(Scope.of_unit(sites["a"]), TODAY)[0].covered == 0


# --- pages --------------------------------------------------------------------------------------

@pytest.fixture
def users(sites, make_user):
    return {"union_a": make_user(Role.UNION_OFFICER, sites["a"]),
            "hr_a": make_user(Role.HR_OFFICER, sites["a"]),
            "auditor": make_user(Role.AUDITOR)}


def test_setting_up_an_area_and_housing_workers_through_the_pages(sites, users, login):
    client = login(users["union_a"])
    page = client.get("/contact/wifi/areas/new")
    assert page.status_code == 200 and "甲项目部" in page.text and "乙项目部" not in page.text
    data = {"unit": str(sites["a"].id), "name": "一号宿舍楼", "wifi": "y",
            "wifi_since": "2026-12-01", "bandwidth_mbps": "200"}
    refused = submit(client, "/contact/wifi/areas/new", data)
    assert refused.status_code == 422 and "WiFi开通日期不能晚于今天" in refused.text
    assert submit(client, "/contact/wifi/areas/new", {**data, "unit": str(sites["b"].id),
                                                       "wifi_since": "2026-10-01"}
                  ).status_code == 422
    done = submit(client, "/contact/wifi/areas/new", {**data, "wifi_since": "2026-10-01"})
    assert done.status_code == 302, done.text
    dorm = session.scalars(select(LivingArea)).one()
    url = f"/contact/wifi/areas/{dorm.id}/residents"
    wrong = submit(client, url, {"numbers": "A1\nB1"})
    assert wrong.status_code == 422 and "找不到工号为 B1 的职工" in wrong.text
    assert "隔壁1" not in wrong.text and session.scalars(select(Residence)).all() == []
    assert submit(client, url, {"numbers": "A1\nA2"}).status_code == 302
    shown = client.get(f"/contact/wifi/areas/{dorm.id}")
    assert shown.text.count("data-worker=") == 2
    listed = client.get("/contact/wifi/")
    assert f'data-area="{dorm.id}"' in listed.text and "有免费WiFi" in listed.text
    edited = submit(client, f"/contact/wifi/areas/{dorm.id}/edit",
                    {"name": "一号楼", "bandwidth_mbps": "300"})
    assert edited.status_code == 302 and (dorm.name, dorm.wifi, dorm.wifi_since) == (
        "一号楼", False, None)
    coverage = client.get("/contact/wifi/coverage")
    assert coverage.status_code == 200 and 'data-unit="%s"' % sites["a"].id in coverage.text
    assert "乙项目部" not in coverage.text and 'data-count="employed">4<' in coverage.text


def test_other_sites_areas_are_not_found_and_viewers_may_not_change(sites, users, login):
    theirs = area(sites["b"], "隔壁宿舍")
    mine = area(sites["a"])
    session.commit()  # into the test's savepoint: a refused request rolls back its own work
    union = login(users["union_a"])
    assert "隔壁宿舍" not in union.get("/contact/wifi/").text
    for url in (f"/contact/wifi/areas/{theirs.id}", f"/contact/wifi/areas/{theirs.id}/edit",
                f"/contact/wifi/areas/{theirs.id}/residents", "/contact/wifi/areas/2000000000",
                "/contact/wifi/areas/99999999999"):
        response = union.get(url)
        assert response.status_code == 404 and "隔壁宿舍" not in response.text, url
    hr = login(users["hr_a"])
    assert hr.get(f"/contact/wifi/areas/{mine.id}").status_code == 200
    assert 'id="edit-area"' not in hr.get(f"/contact/wifi/areas/{mine.id}").text
    for url in ("/contact/wifi/areas/new", f"/contact/wifi/areas/{mine.id}/edit",
                f"/contact/wifi/areas/{mine.id}/residents"):
        assert hr.get(url).status_code == 403, url
    # Without the right anywhere, every area answers alike (the record is not looked at).
    assert hr.get(f"/contact/wifi/areas/{theirs.id}/edit").status_code == 403
    auditor = login(users["auditor"])
    for url in ("/contact/wifi/", "/contact/wifi/coverage", f"/contact/wifi/areas/{mine.id}"):
        assert auditor.get(url).status_code == 403, url
