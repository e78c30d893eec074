"""Risk reports as their users see them: raising from a phone (anonymously or not) and from the
staff pages, who sees a case (and who does not), the reporter's confidentiality on every page an
officer or auditor reads, the case page with its clock and referral pre-fill, and refused forms
that write nothing."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from plugin.audit.models import AuditEvent
from plugin.core.db import session
from plugin.notifications.models import Notification
from plugin.risk_reports.escalation import escalate_overdue
from plugin.risk_reports.models import RiskFollowUp, RiskNotice, RiskReport

from .conftest import csrf_token
from .referrals_support import make_contact
from .risk_reports_support import (
    FACTS,
    REPORTER_NAME,
    REPORTER_NUMBER,
    REPORTER_PHONE,
    audited,
    make_world,
    raise_for_child,
)
from .worker_phone_support import signed_in_phone

#: What identifies the reporting worker: none may appear where the reporter is anonymous.
IDENTIFYING = (REPORTER_NAME, REPORTER_NUMBER, REPORTER_PHONE)


@pytest.fixture
def world(clock, make_unit, make_worker, make_child, make_user):
    return make_world(make_unit, make_worker, make_child, make_user)


def count(model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def phone_form(**overrides) -> dict:
    data = {"situation": "abuse", "child_name": "小军", "parent": "冯长江",
            "child_location": "四川省南充市南部县大桥镇青龙村", "facts": FACTS,
            "learned_at": "2026-11-22T09:30", "learned_how": "others",
            "learned_how_text": "", "contact": ""}
    data.update(overrides)
    return data


def raise_on_phone(client, world, **overrides):
    page = client.get("/w/risk/raise")
    assert page.status_code == 200, page.text
    data = {"csrf_token": csrf_token(page.text), "site_id": str(world.site.id),
            **phone_form(**overrides)}
    return client.post("/w/risk/raise", data=data)


# -- the phone ----------------------------------------------------------------------------------

def test_the_phone_home_links_to_the_report_page(app, world):
    phone = signed_in_phone(app.test_client(), world.reporter)
    assert 'id="risk-link"' in phone.get("/w/").text
    page = phone.get("/w/risk/raise").text
    assert "110" in page
    assert f'<option selected value="{world.other_site.id}">' in page  # the worker's own


def test_an_anonymous_phone_concern_names_nobody_anywhere_an_officer_or_auditor_looks(
        app, world, clock, login):
    phone = signed_in_phone(app.test_client(), world.reporter)
    clock.advance(days=1)  # the sign-in is yesterday's news in the audit log
    response = raise_on_phone(phone, world, anonymous="y")
    assert response.status_code == 302
    assert "/w/risk/raised?anonymous=1" in response.headers["Location"]
    confirmation = phone.get(response.headers["Location"]).text
    assert "110" in confirmation and 'id="anonymous-notice"' in confirmation
    report = session.scalars(select(RiskReport)).one()
    assert report.anonymous and report.reporter_key is None
    assert "小军" not in phone.get("/w/risk/").text  # not among the worker's own reports

    officer = login(world.site_manager)
    case = officer.get(f"/risk-reports/{report.id}").text
    assert 'data-anonymous="1"' in case and FACTS in case
    clock.advance(hours=3)
    escalate_overdue()
    for user in (world.site_manager, world.care_worker, world.admin):
        client = login(user)
        for url in ("/risk-reports/", f"/risk-reports/{report.id}", "/notifications/"):
            text = client.get(url).text
            assert not [each for each in IDENTIFYING if each in text], (user, url)
    auditor = login(world.auditor)
    log = auditor.get("/audit/?since=2026-11-23").text
    assert "报告人（保密）" in log
    assert not [each for each in IDENTIFYING if each in log]
    assert f"worker:{world.reporter.id}" not in log
    raised = session.scalars(select(AuditEvent).where(AuditEvent.action == "risk.raised")).one()
    assert raised.ip is None and raised.user_agent is None
    events = session.scalars(select(AuditEvent).where(
        AuditEvent.occurred_at >= raised.occurred_at)).all()
    assert not [event for event in events if event.actor_key == f"worker:{world.reporter.id}"
                or any(each in str(event.details) for each in IDENTIFYING)]
    notes = session.scalars(select(Notification)).all()
    assert notes and not [note for note in notes
                          if any(each in str(note.params) for each in IDENTIFYING)]


def test_a_named_phone_concern_shows_its_reporter_only_to_the_cases_officers(
        app, world, login):
    phone = signed_in_phone(app.test_client(), world.reporter)
    response = raise_on_phone(phone, world, contact="13900001111")
    assert response.status_code == 302
    report = session.scalars(select(RiskReport)).one()
    mine = phone.get("/w/risk/").text
    assert f'data-report="{report.id}"' in mine and 'data-standing="received"' in mine
    assert FACTS not in mine  # the status, never the case
    case = login(world.site_manager).get(f"/risk-reports/{report.id}").text
    assert REPORTER_NAME in case and REPORTER_NUMBER in case and "13900001111" in case
    # The audit log says only that someone reported.
    log = login(world.auditor).get("/audit/").text
    assert REPORTER_NAME not in log and REPORTER_NUMBER not in log


def test_a_refused_phone_concern_writes_nothing_and_names_each_field(app, world):
    phone = signed_in_phone(app.test_client(), world.reporter)
    response = raise_on_phone(phone, world, situation="", child_name="", facts="",
                              anonymous="y", contact="13900001111")
    assert response.status_code == 422
    for field in ("situation", "child_name", "facts", "contact"):
        assert f'id="{field}-errors"' in response.text, field
    assert count(RiskReport) == 0 and audited("risk.raised") == 0
    assert count(Notification) == 0


# -- staff raising -------------------------------------------------------------------------------

def test_hr_raises_for_a_workers_child_from_the_worker_page(world, login):
    hr = login(world.hr)
    assert 'id="risk-worker-link"' in hr.get(f"/workers/{world.worker.id}").text
    url = f"/risk-reports/workers/{world.worker.id}/raise"
    page = hr.get(url)
    assert "冯小雨" in page.text
    response = hr.post(url, data={
        "csrf_token": csrf_token(page.text), "situation": "missing",
        "child_id": str(world.child.id), "facts": "孩子放学后一直没有回家。",
        "learned_at": "2026-11-22T09:50", "learned_how": "family"})
    assert response.status_code == 302, response.text
    assert response.headers["Location"].endswith("/risk-reports/mine")  # HR sees no cases
    report = session.scalars(select(RiskReport)).one()
    assert (report.child_id, report.org_unit_id) == (world.child.id, world.site.id)
    assert f'data-report="{report.id}"' in hr.get("/risk-reports/mine").text
    assert hr.get(f"/risk-reports/{report.id}").status_code == 403


def test_a_described_child_from_the_staff_form_goes_to_the_chosen_site(world, login):
    client = login(world.union_officer)
    page = client.get("/risk-reports/raise")
    response = client.post("/risk-reports/raise", data={
        "csrf_token": csrf_token(page.text), "situation": "alone", "child_name": "小花",
        "parent": "E9999", "child_location": "贵州省毕节市某村", "site_id": str(world.other_site.id),
        "facts": "老乡说孩子一个人在家。", "learned_at": "2026-11-22T09:00",
        "learned_how": "others", "anonymous": "y"})
    assert response.status_code == 302, response.text
    report = session.scalars(select(RiskReport)).one()
    assert report.org_unit_id == world.other_site.id and report.anonymous


def test_a_refused_staff_form_writes_nothing(world, login):
    client = login(world.site_manager)
    page = client.get("/risk-reports/raise")
    response = client.post("/risk-reports/raise", data={
        "csrf_token": csrf_token(page.text), "situation": "alone", "facts": "",
        "learned_at": "2026-11-22T09:00", "learned_how": "other", "site_id": ""})
    assert response.status_code == 422
    for field in ("facts", "child_name", "child_location", "site_id", "learned_how_text"):
        assert f'id="{field}-errors"' in response.text, field
    assert count(RiskReport) == 0 and count(AuditEvent.__table__) == session.scalar(
        select(func.count()).select_from(AuditEvent))


# -- who sees a case -----------------------------------------------------------------------------

@pytest.mark.parametrize("who, status", [
    ("union_officer", 403), ("auditor", 403), ("hr", 403), ("other_manager", 404)])
def test_a_case_is_not_seen_outside_the_named_roles_and_its_site(world, login, who, status):
    report = raise_for_child(world)
    client = login(getattr(world, who))
    assert client.get(f"/risk-reports/{report.id}").status_code == status
    before = audited("risk.case_viewed")
    token = csrf_token(client.get("/risk-reports/raise").text)
    assert client.post(f"/risk-reports/{report.id}/police", data={
        "csrf_token": token, "police-station": "派出所"}).status_code == status
    assert audited("risk.case_viewed") == before == 0
    if who == "other_manager":
        assert f'data-report="{report.id}"' not in client.get("/risk-reports/").text


def test_the_cases_officers_see_it_and_every_view_is_audited(world, login):
    report = raise_for_child(world)
    for user in (world.site_manager, world.care_worker, world.admin):
        client = login(user)
        assert f'data-report="{report.id}"' in client.get("/risk-reports/").text
        page = client.get(f"/risk-reports/{report.id}")
        assert page.status_code == 200 and FACTS in page.text
    assert audited("risk.case_viewed") == 3
    assert world.hr.display_name in page.text  # a named staff reporter, to the officers


# -- the case page -------------------------------------------------------------------------------

def test_the_case_page_shows_the_clock_and_the_responsible_people(world, login, clock):
    world.site.responsible_person, world.site.responsible_phone = "钱经理", "13800001234"
    world.root.responsible_person = "集团社会责任部 王部长"
    report = raise_for_child(world)
    client = login(world.site_manager)
    page = client.get(f"/risk-reports/{report.id}").text
    assert 'id="time-left"' in page and "13800001234" in page and "王部长" in page
    clock.advance(hours=3)
    escalate_overdue()
    page = client.get(f"/risk-reports/{report.id}").text
    assert 'id="overdue-by"' in page and 'data-overdue="1"' in page
    assert 'data-level="1"' in page and "第一工程局" in page
    listing = client.get("/risk-reports/").text
    assert f'data-report="{report.id}" class="table-danger" data-overdue="1"' in listing


def test_referral_contacts_prefill_the_police_and_notice_forms(world, login, company):
    make_contact(company, "police_station", "511321", organisation="南部县公安局大桥派出所",
                 phone="0817-5512110")
    make_contact(company, "civil_affairs", "511300", organisation="南充市民政局",
                 phone="0817-2222222")
    make_contact(company, "child_director", "511321", person_name="王秀英",
                 village="青龙村", phone="13812345678")
    report = raise_for_child(world)
    client = login(world.site_manager)
    page = client.get(f"/risk-reports/{report.id}").text
    assert 'value="南部县公安局大桥派出所"' in page  # the police form's station
    assert "13812345678" in page and "12355" in page  # the suggestions, hotlines last
    # The most specific of Civil Affairs, the child director, the village committee first.
    assert 'value="南充市民政局"' in page
    index = page.index('data-kind="child_director"')
    use = page[index:].split('data-use="')[1].split('"')[0]
    page = client.get(f"/risk-reports/{report.id}?use={use}").text
    assert 'value="王秀英"' in page and '<option selected value="child_director">' in page


def post_case_form(client, report, path: str, prefix: str, **fields):
    page = client.get(f"/risk-reports/{report.id}")
    return client.post(f"/risk-reports/{report.id}/{path}", data={
        "csrf_token": csrf_token(page.text),
        **{f"{prefix}-{name}": value for name, value in fields.items()}})


def test_an_officer_records_the_police_report_notices_follow_up_and_closes(world, login):
    report = raise_for_child(world)
    client = login(world.care_worker)
    response = post_case_form(client, report, "police", "police",
                              reported_at="2026-11-22T09:50", station="大桥派出所",
                              officer="李警官", receipt="JJ001")
    assert response.status_code == 302, response.text
    response = post_case_form(client, report, "notices", "notice", recipient="civil_affairs",
                              organisation="南部县民政局", notified_at="2026-11-22T09:55",
                              method="phone")
    assert response.status_code == 302, response.text
    response = post_case_form(client, report, "follow-ups", "follow_up",
                              occurred_at="2026-11-22T09:58", safety="safe", care="adequate",
                              actions=["parent_returns", "social_work"], notes="母亲已返家。",
                              aid_application="12")
    assert response.status_code == 302, response.text
    follow_up = session.scalars(select(RiskFollowUp)).one()
    assert follow_up.actions == "parent_returns,social_work"
    assert follow_up.aid_application_id == 12
    response = post_case_form(client, report, "close", "close", outcome="parent_returned",
                              summary="母亲返家照料。", guardianship_neglected="y",
                              admonition="未落实委托照护，予以批评教育。")
    assert response.status_code == 302, response.text
    page = client.get(f"/risk-reports/{report.id}").text
    assert 'data-outcome="parent_returned"' in page and 'id="admonition"' in page
    assert count(RiskNotice) == 1


def test_refused_case_forms_write_nothing_and_hide_the_details(world, login):
    report = raise_for_child(world)
    client = login(world.site_manager)
    response = post_case_form(client, report, "police", "police", reported_at="",
                              station="")
    assert response.status_code == 422
    assert 'id="police-reported_at-errors"' in response.text
    assert 'id="details-hidden"' in response.text and FACTS not in response.text
    response = post_case_form(client, report, "close", "close", outcome="parent_returned",
                              summary="")
    assert response.status_code == 422
    session.expire_all()
    assert report.reported_to_police_at is None and report.closed_at is None
    assert audited("risk.police_reported") == audited("risk.closed") == 0
    assert audited("risk.case_viewed") == 2  # the two pages the forms were loaded from
    assert session.scalar(select(RiskFollowUp.id)) is None
    assert report.police_due_at > report.raised_at + timedelta(hours=1)
