"""Contact logs from the worker's phone and by officers, and the care team's follow-up list/job."""
from datetime import timedelta

import pytest
from sqlalchemy import select, text

from plugin.access.roles import Role
from plugin.access.services import grant_role
from plugin.audit.models import AuditEvent
from plugin.core.db import session
from plugin.core.errors import ValidationError
from plugin.guardianship.contacts import log_contact
from plugin.guardianship.integrity import worker_actor
from plugin.guardianship.jobs import FOLLOW_UP_CATEGORY, daily_guardianship_check
from plugin.guardianship.models import ContactLog
from plugin.guardianship.services import create_agreement
from plugin.notifications.models import Notification
from plugin.org.models import OrgKind
from plugin.registry.schema import WORKER_FIELDS, parse_record
from plugin.registry.services import upsert_worker

from .conftest import SYSTEM, csrf_token, submit
from .guardianship_support import TODAY, log, paper_draft, phone
from .support import recorded_statements


@pytest.fixture
def sites(make_unit):
    return make_unit(OrgKind.SITE, name="甲项目部"), make_unit(OrgKind.SITE, name="乙项目部")


@pytest.fixture
def worker(sites, make_worker, make_child):
    father = make_worker(sites[0], name="张大山")
    make_child(father, left_behind=True, name="张小明")
    return father


def test_a_worker_logs_a_contact_on_the_phone(app, worker, clock):
    client = phone(app, worker)
    child = worker.child_links[0].child
    page = client.get("/w/contacts")
    assert page.status_code == 200 and f'value="child-{child.id}"' in page.text
    assert 'value="2026-11-22"' in page.text  # the date defaults to today
    response = client.post("/w/contacts", data={
        "csrf_token": csrf_token(page.text), "who": f"child-{child.id}", "kind": "video",
        "contact_on": "2026-11-21", "note": "孩子说考试进步了"})
    assert response.status_code == 302 and response.location == "/w/contacts?saved=1"
    stored = session.execute(select(ContactLog)).scalar_one()
    assert (stored.party.value, stored.kind.value, stored.contact_on) == ("child", "video",
                                                                          TODAY - timedelta(days=1))
    assert stored.logged_by == f"worker:{worker.id}" and stored.note == "孩子说考试进步了"
    raw_note = session.execute(text("SELECT note FROM cb_contact_log")).scalar_one()
    assert "考试" not in raw_note
    assert session.execute(select(AuditEvent).where(
        AuditEvent.action == "contact.logged_on_behalf")).first() is None
    listing = client.get("/w/contacts?saved=1")
    assert "已记下" in listing.text and "孩子说考试进步了" in listing.text


def test_the_phone_form_shows_errors_and_offers_the_carer(app, worker, clock):
    child = worker.child_links[0].child
    create_agreement(worker, paper_draft([child]), actor=SYSTEM, today=TODAY)
    client = phone(app, worker)
    page = client.get("/w/contacts")
    assert f'value="carer-{child.id}"' in page.text and "李桂英（张小明）" in page.text
    future = client.post("/w/contacts", data={
        "csrf_token": csrf_token(page.text), "who": f"carer-{child.id}", "kind": "call",
        "contact_on": "2026-11-23"})
    assert future.status_code == 422 and "联系日期不能晚于今天" in future.text
    assert session.execute(select(ContactLog)).first() is None
    carer = client.post("/w/contacts", data={
        "csrf_token": csrf_token(page.text), "who": f"carer-{child.id}", "kind": "visit",
        "contact_on": "2026-11-22"})
    assert carer.status_code == 302
    assert session.execute(select(ContactLog.party)).scalar_one().value == "carer"


def test_contacts_must_concern_the_workers_own_child_and_a_possible_date(worker, make_worker,
                                                                        make_child):
    stranger_child = make_child(make_worker(worker.org_unit), name="别人家孩子")
    own = worker.child_links[0].child
    cases = [({"child_id": stranger_child.id}, "child"), ({"child_id": None}, "child"),
             ({"contact_on": TODAY + timedelta(days=1)}, "contact_on"),
             ({"contact_on": own.birth_date - timedelta(days=1)}, "contact_on"),
             ({"contact_on": None}, "contact_on"), ({"kind": "letter"}, "kind"),
             ({"party": "teacher"}, "party"), ({"note": "很" * 501}, "note")]
    for overrides, field in cases:
        values = {"child_id": own.id, "party": "child", "kind": "call", "contact_on": TODAY,
                  "note": None, **overrides}
        with pytest.raises(ValidationError) as caught:
            log_contact(worker, actor=worker_actor(worker), today=TODAY, **values)
        assert caught.value.field == field, overrides
    assert session.execute(select(ContactLog)).first() is None


def test_a_contact_with_several_problems_names_them_all(worker):
    from plugin.core.errors import InputInvalid

    with pytest.raises(InputInvalid) as refused:
        log_contact(worker, child_id=None, party="nobody", kind="pigeon", contact_on=None,
                    note=None, actor=SYSTEM, today=TODAY)
    assert {error.field for error in refused.value.errors} == {"child", "party", "kind",
                                                               "contact_on"}


def test_logging_the_same_contact_twice_keeps_one(worker):
    assert log(worker, 1).id == log(worker, 1).id
    assert len(session.execute(select(ContactLog)).all()) == 1


def test_an_hr_officer_logs_on_behalf_and_it_is_audited(worker, make_user, login, sites):
    child = worker.child_links[0].child
    hr = login(make_user(Role.HR_OFFICER, sites[0], name="李专员"))
    url = f"/guardianship/workers/{worker.id}/contacts"
    response = submit(hr, url, {"who": f"child-{child.id}", "kind": "call", "contact_on": "2026-11-20"})
    assert response.status_code == 302
    stored = session.execute(select(ContactLog)).scalar_one()
    assert stored.on_behalf and stored.logged_by_name == "李专员"
    event_ = session.execute(select(AuditEvent).where(
        AuditEvent.action == "contact.logged_on_behalf")).scalar_one()
    assert event_.target_id == str(worker.id) and event_.details["contact_on"] == "2026-11-20"
    assert "李专员 代登记" in hr.get(url).text


def test_care_workers_see_contacts_but_do_not_log_them_and_other_sites_see_nothing(
        worker, make_user, login, sites):
    care = login(make_user(Role.CARE_WORKER, sites[0]))
    url = f"/guardianship/workers/{worker.id}/contacts"
    assert care.get(url).status_code == 200 and 'id="contact-form"' not in care.get(url).text
    assert submit(care, url, {"who": "x"}).status_code == 403
    other = login(make_user(Role.HR_OFFICER, sites[1]))
    assert other.get(url).status_code == 404


@pytest.fixture
def population(sites, worker, make_worker, make_child):
    """Site A: contacted 13 days ago, 14 days ago, never; a worker without left-behind children;
    one who left. Site B: never contacted."""
    site_a, site_b = sites
    recent, silent, never = worker, make_worker(site_a, name="王二"), make_worker(site_a, name="赵三")
    for parent in (silent, never):
        make_child(parent, left_behind=True)
    log(recent, 13)
    log(silent, 14)
    make_child(make_worker(site_a, name="孙四"))  # lives with the parents: not left-behind
    gone = make_worker(site_a, name="钱五")
    make_child(gone, left_behind=True)
    upsert_worker(parse_record({"employee_number": gone.employee_number, "name": gone.name,
                                "employment_status": "离职"}, WORKER_FIELDS, today=TODAY),
                  unit=site_a, actor=SYSTEM)
    far = make_worker(site_b, name="周六")
    make_child(far, left_behind=True)
    return {"recent": recent, "silent": silent, "never": never, "far": far}


def follow_up_notifications():
    return session.execute(select(Notification).where(Notification.category == FOLLOW_UP_CATEGORY)
                           .order_by(Notification.recipient_key)).scalars().all()


def test_the_daily_job_sends_each_care_worker_one_summary(population, sites, make_user, clock, company):
    care_a, care_b = make_user(Role.CARE_WORKER, sites[0]), make_user(Role.CARE_WORKER, sites[1])
    care_all = make_user(Role.CARE_WORKER, company)
    both = make_user(Role.CARE_WORKER, sites[0]).key  # two grants covering site A count its workers once
    grant_role(both, Role.CARE_WORKER, company, actor=SYSTEM, check_actor=False)
    hr = make_user(Role.HR_OFFICER, sites[0])
    assert daily_guardianship_check()["notified"] == 4
    counts = {n.recipient_key: n.params["count"] for n in follow_up_notifications()}
    assert counts == {care_a.key: 2, care_b.key: 1, care_all.key: 3, both: 3}
    assert hr.key not in counts
    notice = follow_up_notifications()[0]
    assert notice.params["days"] == 14 and notice.link.endswith("/guardianship/follow-up")
    assert daily_guardianship_check()["notified"] == 0  # once a day
    clock.advance(days=1)  # the worker last contacted 13 days ago is now 14 days out of touch
    daily_guardianship_check()
    latest = {n.recipient_key: n.params["count"] for n in follow_up_notifications() if n.id > notice.id}
    assert latest[care_a.key] == 3


def test_the_follow_up_period_is_configurable(population, sites, make_user, clock, app, set_setting):
    care_a = make_user(Role.CARE_WORKER, sites[0])
    set_setting("CAREBRIDGE_CONTACT_FOLLOW_UP_DAYS", 20)
    daily_guardianship_check()
    assert follow_up_notifications()[0].params == {"count": 1, "days": 20}
    assert care_a.key == follow_up_notifications()[0].recipient_key


def test_the_follow_up_page_lists_the_same_workers_within_scope(population, sites, make_user, login,
                                                                clock):
    care_a = login(make_user(Role.CARE_WORKER, sites[0]))
    page = care_a.get("/guardianship/follow-up")
    assert page.status_code == 200
    rows = {worker.employee_number:
            page.text.split(f'data-worker="{worker.employee_number}"')[1].split("</tr>")[0]
            for worker in (population["silent"], population["never"])}
    assert "2026-11-08" in rows[population["silent"].employee_number]
    assert ">14<" in rows[population["silent"].employee_number]
    assert "从未登记" in rows[population["never"].employee_number]
    for absent in ("recent", "far"):
        assert f'data-worker="{population[absent].employee_number}"' not in page.text
    assert page.text.index(population["never"].employee_number) < page.text.index(
        population["silent"].employee_number)  # longest silence first
    assert "孙四" not in page.text and "钱五" not in page.text
    assert login(make_user(Role.AUDITOR, sites[0])).get("/guardianship/follow-up").status_code == 403


def test_the_follow_up_page_runs_a_fixed_number_of_queries(sites, make_worker, make_child, make_user,
                                                          login, clock):
    client = login(make_user(Role.CARE_WORKER, sites[0]))

    def count_queries() -> int:
        with recorded_statements() as statements:
            assert client.get("/guardianship/follow-up").status_code == 200
        return len(statements)

    make_child(make_worker(sites[0]), left_behind=True)
    count_queries()  # warm the per-process caches (the company's time zone)
    few = count_queries()
    for _ in range(6):
        make_child(make_worker(sites[0]), left_behind=True)
    assert count_queries() == few
