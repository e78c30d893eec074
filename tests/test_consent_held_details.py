"""Consent without a second trip (issue #15): the details of a child under 14 given before a
guardian consented are held, encrypted, for a stated time and applied when consent arrives, on
the worker's phone, on an officer's form or in a roster's consent columns."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from plugin.audit.models import AuditEvent
from plugin.core.db import session
from plugin.imports.models import ImportKind
from plugin.registry import held_details
from plugin.registry.jobs import discard_expired_held_details
from plugin.registry.models import Child, ChildConsent, ChildHeldDetails, ConsentMethod

from .conftest import csrf_token
from .imports_support import csv_roster, id_number, import_roster, worker, xlsx_roster
from .worker_phone_support import signed_in_phone

WORKER_HEADER = ["工号", "姓名", "性别", "身份证号码", "手机号码"]
CHILDREN_HEADER = ["家长工号", "职工与儿童关系", "儿童姓名", "出生日期", "是否在户籍地生活",
                   "就读学校", "委托监护人", "身份证号码"]
YOUNG_ID = id_number(birth="20160505", sequence="111")


@pytest.fixture
def roster_child(company, clock, tmp_path):
    """Worker 0001 and a child of 9 imported with an ID number, a school and a carer, no consent."""
    import_roster(xlsx_roster(tmp_path / "w.xlsx", WORKER_HEADER, [worker("0001", "王建国")]),
                  company)
    job, rejected = import_roster(
        xlsx_roster(tmp_path / "c.xlsx", CHILDREN_HEADER,
                    [["0001", "父亲", "王小明", "2016-05-05", "是", "希望小学", "王奶奶", YOUNG_ID]]),
        company, kind=ImportKind.CHILDREN)
    assert rejected == {} and job.withheld_count == 1
    return session.execute(select(Child)).scalar_one()


def _audit(action: str) -> list[AuditEvent]:
    return list(session.execute(select(AuditEvent).where(AuditEvent.action == action)).scalars())


def test_an_import_holds_what_it_may_not_store_encrypted(roster_child, clock):
    child = roster_child
    assert child.id_number is None and child.school is None and child.carer_name is None
    held = held_details.held_for(child)
    assert held.codes == ["carer_name", "id_number", "school"]
    assert held.expires_on == clock.now.date() + timedelta(days=30)
    stored = session.execute(text("SELECT payload FROM cb_child_held_details")).scalar_one()
    assert YOUNG_ID not in stored and "希望小学" not in stored  # encrypted at rest
    created = _audit("child.created")[0]
    assert created.details["withheld"] == ["carer_name", "id_number", "school"]


def test_the_import_page_says_how_many_await_consent_and_what_to_do(roster_child, login, make_user,
                                                                    company):
    from plugin.imports.models import ImportJob

    job = session.execute(select(ImportJob).where(ImportJob.kind == ImportKind.CHILDREN)).scalar_one()
    page = login(make_user()).get(f"/imports/{job.id}")
    assert "1 名 14 岁以下儿童尚无监护人同意" in page.text and "加密暂存 30 天" in page.text
    assert "我的子女" in page.text


def test_consent_on_the_phone_applies_the_held_details_without_a_reimport(roster_child, client,
                                                                          clock):
    child = roster_child
    phone = signed_in_phone(client, child.parent_links[0].worker)
    assert 'id="children-consent-link"' in phone.get("/w/").text
    mine = phone.get("/w/children/")
    assert 'data-consent="needed"' in mine.text and "加密暂存" in mine.text
    page = phone.get(f"/w/children/{child.id}/consent")
    assert "儿童个人信息处理告知书" in page.text and 'id="held-note"' in page.text

    refused = phone.post(f"/w/children/{child.id}/consent", data={"csrf_token": csrf_token(page.text)})
    assert refused.status_code == 422 and "请先勾选同意" in refused.text
    assert session.execute(select(func.count()).select_from(ChildConsent)).scalar_one() == 0

    response = phone.post(f"/w/children/{child.id}/consent",
                          data={"csrf_token": csrf_token(page.text), "agree": "y"})
    assert response.status_code == 302
    assert "已记录您的同意" in phone.get(response.location).text
    session.expire_all()
    child = session.get(Child, child.id)
    assert (child.id_number, child.school, child.carer_name) == (YOUNG_ID, "希望小学", "王奶奶")
    assert child.id_number_index is not None
    consent = session.execute(select(ChildConsent)).scalar_one()
    assert consent.method is ConsentMethod.PHONE and consent.guardian_name == "王建国"
    assert consent.guardian_worker_id == child.parent_links[0].worker_id
    assert held_details.held_for(child) is None
    applied = _audit("child.held_details_applied")
    assert len(applied) == 1 and applied[0].details == {"fields": ["carer_name", "school", "id_number"]}
    assert 'data-consent="given"' in phone.get("/w/children/").text


def test_withdrawing_on_the_phone_erases_what_consent_allowed(roster_child, client):
    child = roster_child
    phone = signed_in_phone(client, child.parent_links[0].worker)
    page = phone.get(f"/w/children/{child.id}/consent")
    phone.post(f"/w/children/{child.id}/consent", data={"csrf_token": csrf_token(page.text), "agree": "y"})
    page = phone.get(f"/w/children/{child.id}/consent/withdraw")
    response = phone.post(f"/w/children/{child.id}/consent/withdraw",
                          data={"csrf_token": csrf_token(page.text), "reason": "不想登记"})
    assert response.status_code == 302
    session.expire_all()
    child = session.get(Child, child.id)
    assert child.id_number is None and child.school is None
    assert _audit("child.consent_withdrawn")[0].details["erased"]


def test_a_phone_reaches_only_its_own_children(roster_child, client, company, make_worker, make_child):
    other = make_child(make_worker(company), name="别人的孩子", birth_date="2018-01-01")
    phone = signed_in_phone(client, roster_child.parent_links[0].worker)
    assert phone.get(f"/w/children/{other.id}/consent").status_code == 404
    page = phone.get(f"/w/children/{roster_child.id}/consent")
    response = phone.post(f"/w/children/{other.id}/consent",
                          data={"csrf_token": csrf_token(page.text), "agree": "y"})
    assert response.status_code == 404
    assert session.execute(select(func.count()).select_from(ChildConsent)).scalar_one() == 0


def test_held_details_expire_and_are_erased_by_the_daily_job(roster_child, clock, client):
    child = roster_child
    clock.advance(days=30)
    assert discard_expired_held_details() == 0  # the last day is still a day
    clock.advance(days=1)
    assert discard_expired_held_details() == 1
    assert discard_expired_held_details() == 0  # idempotent
    assert session.execute(select(func.count()).select_from(ChildHeldDetails)).scalar_one() == 0
    assert _audit("child.held_details_discarded")[0].target_id == str(child.id)
    # Consent after that records the consent and applies nothing.
    phone = signed_in_phone(client, child.parent_links[0].worker)
    page = phone.get(f"/w/children/{child.id}/consent")
    assert 'id="held-note"' not in page.text
    phone.post(f"/w/children/{child.id}/consent", data={"csrf_token": csrf_token(page.text), "agree": "y"})
    session.expire_all()
    assert session.get(Child, child.id).school is None
    assert _audit("child.held_details_applied") == []


def test_a_second_import_before_consent_refreshes_what_is_held(roster_child, clock, company, tmp_path):
    clock.advance(days=10)
    import_roster(xlsx_roster(tmp_path / "c2.xlsx", ["家长工号", "职工与儿童关系", "儿童姓名", "出生日期", "就读学校"],
                              [["0001", "父亲", "王小明", "2016-05-05", "实验小学"]]),
                  company, kind=ImportKind.CHILDREN)
    held = held_details.held_for(roster_child)
    assert held.fields["school"] == "实验小学" and held.fields["id_number"] == YOUNG_ID
    assert held.expires_on == clock.now.date() + timedelta(days=30)


def test_an_id_number_registered_meanwhile_is_not_applied(roster_child, login, make_user, company,
                                                          make_worker, make_child, clock):
    from plugin.registry.guardian_consent import give_consent

    from .conftest import SYSTEM

    # Another worker's child is registered with the same ID number (and consent) meanwhile.
    twin = make_child(make_worker(company), name="同号的孩子", birth_date="2016-05-05",
                      id_number=YOUNG_ID)
    give_consent(twin, guardian_name="赵六", method=ConsentMethod.PAPER,
                 given_on=clock.now.date(), actor=SYSTEM, today=clock.now.date())
    assert twin.id_number == YOUNG_ID
    client = login(make_user())
    page = client.get(f"/children/{roster_child.id}")
    assert 'id="held-details"' in page.text
    response = client.post(f"/children/{roster_child.id}/consent", data={
        "csrf_token": csrf_token(page.text), "consent-guardian_name": "王建国",
        "consent-method": "paper", "consent-given_on": "2026-11-20"}, follow_redirects=True)
    assert "暂存的身份证号码已被另一条记录登记" in response.text
    session.expire_all()
    child = session.get(Child, roster_child.id)
    assert child.school == "希望小学" and child.id_number is None
    applied = [event for event in _audit("child.held_details_applied")
               if event.target_id == str(child.id)]
    assert applied[0].details == {"fields": ["carer_name", "school"], "refused": ["id_number"]}


def test_a_roster_with_paper_consent_stores_the_child_whole(company, clock, tmp_path):
    import_roster(csv_roster(tmp_path / "w.csv", WORKER_HEADER, [worker("0001", "王建国")]), company)
    header = ["家长工号", "职工与儿童关系", "儿童姓名", "出生日期", "就读学校", "身份证号码",
              "监护人同意日期", "告知书版本"]
    job, rejected = import_roster(
        csv_roster(tmp_path / "c.csv", header,
                   [["0001", "父亲", "王小明", "2016-05-05", "希望小学", YOUNG_ID, "2026-11-01", "2026-09"]],
                   encoding="gb18030"),
        company, kind=ImportKind.CHILDREN)
    assert rejected == {} and job.withheld_count == 0
    child = session.execute(select(Child)).scalar_one()
    assert child.school == "希望小学" and child.id_number == YOUNG_ID
    consent = session.execute(select(ChildConsent)).scalar_one()
    assert (consent.method, consent.guardian_name, consent.notice_version) == (
        ConsentMethod.PAPER, "王建国", "2026-09")
    assert held_details.held_for(child) is None


def test_paper_consent_in_a_later_roster_applies_what_was_held(roster_child, company, tmp_path):
    header = ["家长工号", "职工与儿童关系", "儿童姓名", "出生日期", "监护人同意日期", "同意人"]
    job, rejected = import_roster(
        xlsx_roster(tmp_path / "c3.xlsx", header,
                    [["0001", "父亲", "王小明", "2016-05-05", "2026-11-15", "李秀英"]]),
        company, kind=ImportKind.CHILDREN)
    assert rejected == {}
    session.expire_all()
    child = session.get(Child, roster_child.id)
    assert child.school == "希望小学" and child.id_number == YOUNG_ID
    consent = session.execute(select(ChildConsent)).scalar_one()
    assert consent.guardian_name == "李秀英" and consent.guardian_worker_id is None


def test_a_future_consent_date_in_a_roster_is_refused_by_row(company, clock, tmp_path):
    import_roster(csv_roster(tmp_path / "w.csv", WORKER_HEADER, [worker("0001", "王建国")]), company)
    header = ["家长工号", "职工与儿童关系", "儿童姓名", "出生日期", "监护人同意日期"]
    job, rejected = import_roster(
        csv_roster(tmp_path / "c.csv", header, [["0001", "父亲", "王小明", "2016-05-05", "2027-01-01"]]),
        company, kind=ImportKind.CHILDREN)
    assert list(rejected) == [2]
    assert session.execute(select(func.count()).select_from(Child)).scalar_one() == 0
