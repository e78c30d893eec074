"""The directory's pages: the search by region (code or name), kind and words, visible to every
holder of referrals.view whatever unit they hold it on; the forms, whose refusals name the field
and store nothing; changes only within the subtree where the actor manages entries (404 outside);
and the audit of every change, without names or phone numbers in clear."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from plugin.access.roles import Role
from plugin.access.scope import Scope
from plugin.audit.models import AuditEvent
from plugin.core.db import session
from plugin.core.errors import InputInvalid
from plugin.org.models import OrgKind
from plugin.referrals import contacts
from plugin.referrals.models import ContactKind, ReferralContact
from plugin.referrals.queries import search

from .conftest import SYSTEM, submit
from .referrals_support import COUNTY, TODAY, form_data, make_contact


def errors_of(raised) -> dict:
    return raised.value.errors.by_field()


def events(action=None) -> list[AuditEvent]:
    statement = select(AuditEvent).where(AuditEvent.action.startswith("referrals."))
    if action:
        statement = statement.where(AuditEvent.action == action)
    return list(session.scalars(statement.order_by(AuditEvent.id)))


@pytest.fixture
def sites(company, make_unit):
    return {"a": make_unit(OrgKind.SITE, name="甲项目部"), "b": make_unit(OrgKind.SITE, name="乙项目部")}


@pytest.fixture
def users(sites, make_user):
    return {"care_a": make_user(Role.CARE_WORKER, sites["a"]),
            "site_b": make_user(Role.SITE_MANAGER, sites["b"]),
            "hr": make_user(Role.HR_OFFICER),
            "admin": make_user(Role.ADMIN),
            "auditor": make_user(Role.AUDITOR),
            "report": make_user(Role.REPORT_OFFICER)}


# --- the service ------------------------------------------------------------------------------

def test_an_entry_is_checked_whole_and_a_refusal_stores_nothing(company, sites):
    with pytest.raises(InputInvalid) as refused:
        contacts.save_contact(None, {"kind": "警察", "region_code": "999999", "phone": "12",
                                     "organisation": " ", "person_name": ""},
                              unit=None, scope=Scope.company(), actor=SYSTEM, today=TODAY)
    errors = errors_of(refused)
    assert set(errors) == {"unit", "kind", "region_code", "phone", "organisation"}
    assert errors["region_code"] == ["未知的行政区划代码：999999"]
    assert errors["phone"] == ["电话号码格式不正确：12"]
    assert errors["organisation"] == ["请填写单位名称或联系人姓名（至少一项）"]
    # A unit outside the actor's scope is as good as none; a required value missing is named.
    with pytest.raises(InputInvalid) as refused:
        contacts.save_contact(None, form_data(phone="", region_code=""), unit=sites["b"],
                              scope=Scope.of_unit(sites["a"]), actor=SYSTEM, today=TODAY)
    assert set(errors_of(refused)) == {"unit", "phone", "region_code"}
    assert session.scalars(select(ReferralContact)).all() == [] and events() == []


def test_values_are_read_as_the_import_reads_them_and_duplicates_are_refused(company):
    entry = contacts.save_contact(None, form_data(kind="派出所", region_code="南部县",
                                                  phone="＋86 138 1234 5678", township=" 大桥镇 "),
                                  unit=company, scope=Scope.company(), actor=SYSTEM, today=TODAY)
    assert (entry.kind, entry.region_code, entry.phone, entry.township, entry.village) == (
        ContactKind.POLICE_STATION, COUNTY, "13812345678", "大桥镇", None)
    with pytest.raises(InputInvalid) as refused:
        contacts.save_contact(None, form_data(phone="12355"), unit=company,
                              scope=Scope.company(), actor=SYSTEM, today=TODAY)
    assert errors_of(refused) == {"organisation": [
        "已有类别、地区、乡镇、村、单位和联系人都相同的条目"]}
    # Another village makes another entry; hotlines take their short numbers.
    other = contacts.save_contact(None, form_data(village="东村", phone="12355"), unit=company,
                                  scope=Scope.company(), actor=SYSTEM, today=TODAY)
    assert other.phone == "12355"
    with pytest.raises(InputInvalid):  # changing it into the first one
        contacts.save_contact(other, form_data(), unit=None, scope=Scope.company(),
                              actor=SYSTEM, today=TODAY)
    assert session.get(ReferralContact, other.id).village == "东村"


def test_every_change_is_audited_by_field_name_only(company):
    entry = make_contact(company, "child_director", COUNTY, village="东村", person_name="王秀英",
                         phone="13812345678")
    contacts.save_contact(entry, form_data(kind="child_director", village="东村",
                                           person_name="王秀英", organisation="",
                                           township="", phone="13900001111", address="",
                                           notes=""),
                          unit=None, scope=Scope.company(), actor=SYSTEM, today=TODAY)
    contacts.save_contact(entry, form_data(kind="child_director", village="东村",
                                           person_name="王秀英", organisation="", township="",
                                           phone="13900001111", address="", notes=""),
                          unit=None, scope=Scope.company(), actor=SYSTEM, today=TODAY)
    contacts.set_active(entry, False, actor=SYSTEM)
    with pytest.raises(Exception, match="已停用"):
        contacts.set_active(entry, False, actor=SYSTEM)
    contacts.set_active(entry, True, actor=SYSTEM)
    written = events()
    assert [event.action for event in written] == [
        "referrals.contact_created", "referrals.contact_updated",  # the second save: no change
        "referrals.contact_deactivated", "referrals.contact_updated"]
    assert written[1].details["fields"] == ["phone"]
    assert written[3].details["fields"] == ["active"]
    for event in written:
        assert event.target_type == "referral_contact" and event.target_id == str(entry.id)
        assert "王秀英" not in repr(event.details) and "139" not in repr(event.details)
        assert event.details["referrals_kind"] == "child_director"


def test_search_by_region_code_or_name_kind_and_words(company):
    police = make_contact(company, "police_station", COUNTY, organisation="南部县公安局")
    director = make_contact(company, "child_director", COUNTY, village="东村",
                            person_name="王秀英", phone="13812345678")
    prefecture = make_contact(company, "civil_affairs", "511300", organisation="南充市民政局")
    other = make_contact(company, "police_station", "511302", organisation="顺庆区公安分局")
    far = make_contact(company, "police_station", "110105", organisation="朝阳分局")
    gone = make_contact(company, "civil_affairs", COUNTY, organisation="旧民政所")
    contacts.set_active(gone, False, actor=SYSTEM)

    def ids(**criteria):
        return [entry.id for entry in search(**criteria).items]

    assert ids(region=COUNTY) == [director.id, police.id, prefecture.id]  # by kind, county first
    assert ids(region="南部县") == ids(region="四川省南充市南部县") == ids(region=COUNTY)
    # A prefecture: its own entries and every entry inside it.
    assert set(ids(region="511300")) == {police.id, director.id, prefecture.id, other.id}
    assert ids(region=COUNTY, kind=ContactKind.CHILD_DIRECTOR) == [director.id]
    assert ids(text="秀英") == ids(text="1381234") == [director.id]
    assert ids(text="100%") == []
    assert gone.id not in ids() and gone.id in ids(include_inactive=True)
    assert far.id in ids() and far.id not in ids(region=COUNTY)
    with pytest.raises(Exception, match="找不到名为“火星县”的地区"):
        search(region="火星县")


# --- the pages --------------------------------------------------------------------------------

def test_every_viewer_searches_the_whole_directory_and_opens_its_entries(company, sites, users,
                                                                        login):
    entry = make_contact(company, "child_director", COUNTY, village="东村", person_name="王秀英",
                         phone="13812345678")
    session.commit()
    for who in ("care_a", "site_b", "hr"):
        client = login(users[who])
        listed = client.get("/referrals/?region=南部县")
        assert listed.status_code == 200 and f'data-contact="{entry.id}"' in listed.text, who
        assert "13812345678" in listed.text
        shown = client.get(f"/referrals/{entry.id}")
        assert shown.status_code == 200 and "王秀英" in shown.text, who
        assert ('id="edit-contact"' in shown.text) is False  # kept by the root: nobody here
        assert client.get("/referrals/2000000000").status_code == 404
    home = login(users["site_b"]).get("/")
    assert 'href="/referrals/"' in home.text
    wrong = login(users["hr"]).get("/referrals/?region=火星县")
    assert wrong.status_code == 200 and "找不到名为“火星县”的地区" in wrong.text
    assert 'data-contact=' not in wrong.text
    for who in ("auditor", "report"):
        client = login(users[who])
        assert client.get("/referrals/").status_code == 403
        assert client.get(f"/referrals/{entry.id}").status_code == 403


def test_adding_and_changing_an_entry_through_the_forms(company, sites, users, login):
    client = login(users["care_a"])
    page = client.get("/referrals/new")
    assert page.status_code == 200 and "甲项目部" in page.text and "乙项目部" not in page.text
    before = session.scalar(select(func.count()).select_from(AuditEvent))
    refused = submit(client, "/referrals/new", {**form_data(phone="12", organisation=""),
                                                "unit": str(sites["a"].id)})
    assert refused.status_code == 422
    assert "电话号码格式不正确：12" in refused.text and "请填写单位名称或联系人姓名" in refused.text
    assert 'value="大桥镇"' in refused.text  # the form keeps what was typed
    outside = submit(client, "/referrals/new", {**form_data(), "unit": str(sites["b"].id)})
    assert outside.status_code == 422 and "请选择维护该条目的单位" in outside.text
    assert session.scalars(select(ReferralContact)).all() == []
    assert session.scalar(select(func.count()).select_from(AuditEvent)) == before
    done = submit(client, "/referrals/new", {**form_data(), "unit": str(sites["a"].id)})
    assert done.status_code == 302, done.text
    entry = session.scalars(select(ReferralContact)).one()
    assert entry.org_unit_id == sites["a"].id and entry.updated_by == users["care_a"].key
    shown = client.get(f"/referrals/{entry.id}")
    assert 'id="edit-contact"' in shown.text and "南部县公安局大桥派出所" in shown.text
    edit = client.get(f"/referrals/{entry.id}/edit")
    assert edit.status_code == 200 and 'value="0817-5512110"' in edit.text
    edited = submit(client, f"/referrals/{entry.id}/edit", form_data(phone="0817-5519999"))
    assert edited.status_code == 302 and entry.phone == "0817-5519999"
    refused = submit(client, f"/referrals/{entry.id}/edit", form_data(region_code="5113"))
    assert refused.status_code == 422 and "未知的行政区划代码：5113" in refused.text
    assert session.get(ReferralContact, entry.id).region_code == COUNTY
    off = submit(client, f"/referrals/{entry.id}/deactivate", {},
                 form_url=f"/referrals/{entry.id}")
    assert off.status_code == 302 and entry.active is False
    assert 'id="activate-contact"' in client.get(f"/referrals/{entry.id}").text
    assert submit(client, f"/referrals/{entry.id}/activate", {},
                  form_url=f"/referrals/{entry.id}").status_code == 302
    assert entry.active is True
    assert [event.action for event in events()] == [
        "referrals.contact_created", "referrals.contact_updated",
        "referrals.contact_deactivated", "referrals.contact_updated"]


def test_changes_outside_the_managers_subtree_are_not_found(company, sites, users, login):
    theirs = make_contact(sites["b"], "police_station", COUNTY, organisation="隔壁派出所")
    root = make_contact(company, "civil_affairs", COUNTY, organisation="南部县民政局")
    mine = make_contact(sites["a"], "school", COUNTY, organisation="本部学校")
    session.commit()  # into the test's savepoint: a refused request rolls back its own work
    care = login(users["care_a"])
    for entry in (theirs, root):
        for url in (f"/referrals/{entry.id}/edit",):
            assert care.get(url).status_code == 404, url
        for url in (f"/referrals/{entry.id}/edit", f"/referrals/{entry.id}/deactivate",
                    f"/referrals/{entry.id}/activate"):
            response = submit(care, url, form_data(), form_url=f"/referrals/{mine.id}")
            assert response.status_code == 404, url
        # Seen in the directory all the same, without the buttons.
        assert 'id="edit-contact"' not in care.get(f"/referrals/{entry.id}").text
    assert (theirs.active, root.active, theirs.organisation) == (True, True, "隔壁派出所")
    assert care.get(f"/referrals/{mine.id}/edit").status_code == 200
    hr = login(users["hr"])  # views everywhere, manages nowhere
    for url in ("/referrals/new", f"/referrals/{mine.id}/edit"):
        assert hr.get(url).status_code == 403, url
    admin = login(users["admin"])
    assert admin.get(f"/referrals/{theirs.id}/edit").status_code == 200
    assert 'href="/referrals/new"' in admin.get("/referrals/").text
    assert 'href="/referrals/new"' not in hr.get("/referrals/").text
