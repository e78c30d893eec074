"""Bulk reminders on workers' phones (issue #16): the next lecture for the never-attended, a
pledge to sign, a guardian's consent; once per worker and day, even when sent at the same moment;
only to workers in the sender's scope; seen by the worker alone, read when opened. And the blank
paper pledge and consent forms of a site's uncovered workers."""
from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from plugin.access.roles import Role
from plugin.audit.models import AuditEvent
from plugin.core.db import session
from plugin.org.models import OrgKind
from plugin.org.queries import get_root_unit
from plugin.org.services import create_company, create_unit
from plugin.worker_notices.messages import GUARDIAN_CONSENT, SIGN_PLEDGE
from plugin.worker_notices.models import WorkerNotice
from plugin.worker_notices.services import send_notices

from . import factories
from .attendance_support import remember_phone
from .concurrency_support import app_on_own_database
from .conftest import SYSTEM, csrf_token
from .lectures_support import make_lecture
from .pledges_support import pdf_text


@dataclass
class Sites:
    site_a: object
    site_b: object
    worker_a: object
    worker_b: object
    child_a: object


@pytest.fixture
def sites(make_unit, make_worker, make_child, clock) -> Sites:
    site_a = make_unit(OrgKind.SITE, name="前海项目部")
    site_b = make_unit(OrgKind.SITE, name="天府构件厂")
    worker_a = make_worker(site_a, employee_number="A1001", name="张三丰", phone="13600001001")
    child_a = make_child(worker_a, left_behind=True, name="张小花")
    worker_b = make_worker(site_b, employee_number="B2001", name="李四海", phone="13600002001")
    make_child(worker_b, left_behind=True, name="李小宝")
    session.flush()
    return Sites(site_a, site_b, worker_a, worker_b, child_a)


def notices(worker=None) -> list[WorkerNotice]:
    statement = select(WorkerNotice).order_by(WorkerNotice.id)
    if worker is not None:
        statement = statement.where(WorkerNotice.worker_id == worker.id)
    return list(session.execute(statement).scalars())


def sent_events() -> list[AuditEvent]:
    return list(session.execute(select(AuditEvent).where(
        AuditEvent.action == "worker_notice.sent").order_by(AuditEvent.id)).scalars())


def post_button(client, page_url: str, action_url: str, data=None):
    page = client.get(page_url)
    assert page.status_code == 200, page.text
    return client.post(action_url, data={"csrf_token": csrf_token(page.text), **(data or {})})


def flashed(client, response) -> str:
    assert response.status_code == 302, response.text
    return client.get(response.location).text


class FakeTexts:
    name = "fake-sms"

    def __init__(self):
        self.sent: list[tuple[str, str]] = []

    def deliver(self, notification):
        pass

    def send_text(self, phone, text):
        self.sent.append((phone, text))


# -- the service ----------------------------------------------------------------------------------

def test_the_same_reminder_reaches_a_worker_once_a_day(sites, clock):
    ids = [sites.worker_a.id, sites.worker_b.id]
    link = ("carebridge.pledges_worker.sign", {})
    first = send_notices(ids, SIGN_PLEDGE, None, link, SYSTEM)
    again = send_notices(ids, SIGN_PLEDGE, None, link, SYSTEM)
    other_kind = send_notices(ids, GUARDIAN_CONSENT, None, link, SYSTEM)
    assert (first.sent, first.already_sent) == (2, 0)
    assert (again.sent, again.already_sent) == (0, 2)
    assert other_kind.sent == 2
    clock.advance(days=1)
    assert send_notices(ids, SIGN_PLEDGE, None, link, SYSTEM).sent == 2
    assert len(notices(sites.worker_a)) == 3
    assert [(event.details["sent"], event.details["already_sent"]) for event in sent_events()] \
        == [(2, 0), (0, 2), (2, 0), (2, 0)]


def test_newly_notified_workers_get_a_text_where_a_channel_sends_texts(app, sites):
    texts = FakeTexts()
    app.extensions["carebridge"].channels.append(texts)
    try:
        send_notices([sites.worker_a.id], SIGN_PLEDGE, None,
                     ("carebridge.pledges_worker.sign", {}), SYSTEM)
        session.commit()
        send_notices([sites.worker_a.id], SIGN_PLEDGE, None,
                     ("carebridge.pledges_worker.sign", {}), SYSTEM)
        session.commit()
    finally:
        app.extensions["carebridge"].channels.remove(texts)
    assert len(texts.sent) == 1
    phone, text = texts.sent[0]
    assert phone == "13600001001"
    assert "承诺书" in text and "/w/pledges/sign" in text


@pytest.mark.committing
def test_two_officers_pressing_at_once_send_each_reminder_once(database_url, tmp_path):
    with app_on_own_database(database_url, "worker_notices_concurrency", tmp_path) as app:
        with app.app_context():
            create_company("测试建工集团", actor=SYSTEM)
            session.flush()
            site = create_unit(get_root_unit(), OrgKind.SITE, "前海项目部", actor=SYSTEM)
            ids = [factories.make_worker(site).id for _ in range(30)]
            session.commit()
            session.remove()
        senders = 8
        barrier = threading.Barrier(senders, timeout=60)

        def press(_number):
            with app.app_context():
                barrier.wait()
                outcome = send_notices(ids, SIGN_PLEDGE, None,
                                       ("carebridge.pledges_worker.sign", {}), SYSTEM)
                session.commit()
                session.remove()
                return outcome

        with ThreadPoolExecutor(senders) as pool:
            outcomes = list(pool.map(press, range(senders)))
        assert sum(outcome.sent for outcome in outcomes) == len(ids)
        assert all(outcome.sent + outcome.already_sent == len(ids) for outcome in outcomes)
        with app.app_context():
            assert session.execute(
                select(func.count()).select_from(WorkerNotice)).scalar_one() == len(ids)
            session.remove()


# -- the never-attended list ----------------------------------------------------------------------

def test_never_attended_are_reminded_of_their_sites_next_lecture(app, sites, clock, make_user,
                                                                 login):
    lecture = make_lecture(sites.site_a, title="防溺水安全宣讲", starts_at=clock.now + timedelta(days=3))
    make_lecture(sites.site_b, title="已取消的宣讲", starts_at=clock.now + timedelta(days=2),
                 cancelled=True)
    officer = login(make_user(Role.ADMIN))
    response = post_button(officer, "/lectures/statistics", "/lectures/statistics/remind")
    page = flashed(officer, response)
    assert "已提醒 1 人" in page and "1 人所在单位暂无即将举行的宣讲" in page
    (notice,) = notices()
    assert notice.worker_id == sites.worker_a.id and notice.params["title"] == lecture.title
    again = flashed(officer, post_button(officer, "/lectures/statistics",
                                         "/lectures/statistics/remind"))
    assert "已提醒 0 人；1 人今天已提醒过" in again
    audit = officer.get("/audit/?action=worker_notice.sent").text
    assert "提醒参加下一次宣讲" in audit and "没有待举办宣讲的人数" in audit
    assert "already_sent" not in audit and "lectures.next" not in audit

    phone = app.test_client()
    remember_phone(phone, sites.worker_a)
    home = phone.get("/w/").text
    assert "防溺水安全宣讲" in home and 'id="worker-notices"' in home
    opened = phone.get(f"/w/notices/{notice.id}")
    assert opened.status_code == 302 and opened.location.endswith("/w/lectures")
    session.refresh(notice)
    assert notice.read_at is not None
    assert 'id="worker-notices"' not in phone.get("/w/").text


def test_the_never_attended_button_ignores_workers_outside_the_senders_scope(sites, clock,
                                                                            make_user, login):
    make_lecture(sites.site_a, starts_at=clock.now + timedelta(days=3))
    make_lecture(sites.site_b, starts_at=clock.now + timedelta(days=3))
    manager = login(make_user(Role.SITE_MANAGER, sites.site_a))
    response = post_button(manager, "/lectures/statistics", "/lectures/statistics/remind",
                           {"worker_id": [str(sites.worker_b.id)]})
    assert "已提醒 0 人" in flashed(manager, response)
    assert notices() == []
    refused = post_button(manager, "/lectures/statistics",
                          f"/lectures/statistics/remind?unit={sites.site_b.id}")
    assert refused.status_code in (403, 404)
    assert notices() == []


# -- pledge coverage ------------------------------------------------------------------------------

def test_uncovered_workers_are_reminded_to_sign_within_scope(app, sites, make_user, login):
    manager = login(make_user(Role.SITE_MANAGER, sites.site_a))
    page = f"/pledges/coverage?unit={sites.site_a.id}"
    assert 'id="remind-uncovered"' in manager.get(page).text
    out_of_scope = post_button(manager, page, f"/pledges/coverage/remind?unit={sites.site_b.id}")
    assert out_of_scope.status_code in (403, 404)
    only_b = post_button(manager, page, f"/pledges/coverage/remind?unit={sites.site_a.id}",
                         {"worker_id": [str(sites.worker_b.id)]})
    assert "已提醒 0 人" in flashed(manager, only_b)
    assert notices() == []
    response = post_button(manager, page, f"/pledges/coverage/remind?unit={sites.site_a.id}")
    assert "已提醒 1 人" in flashed(manager, response)
    (notice,) = notices()
    assert notice.worker_id == sites.worker_a.id

    other = app.test_client()
    remember_phone(other, sites.worker_b)
    assert other.get(f"/w/notices/{notice.id}").status_code == 404
    assert 'id="worker-notices"' not in other.get("/w/").text
    session.refresh(notice)
    assert notice.read_at is None
    own = app.test_client()
    remember_phone(own, sites.worker_a)
    assert own.get(f"/w/notices/{notice.id}").location.endswith("/w/pledges/sign")


def test_blank_paper_forms_print_each_uncovered_worker_with_children(sites, make_user, login,
                                                                    tmp_path):
    hr = login(make_user(Role.HR_OFFICER, sites.site_a))
    page = hr.get(f"/pledges/coverage?unit={sites.site_a.id}").text
    assert 'id="print-paper-forms"' in page
    response = hr.get(f"/pledges/coverage/paper-forms.pdf?unit={sites.site_a.id}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data, tmp_path)
    assert "张三丰" in text and "A1001" in text and "张小花" in text
    assert "监护人同意书" in text and "李四海" not in text
    views = session.execute(select(AuditEvent).where(
        AuditEvent.action == "child.viewed")).scalars().all()
    assert [(event.target_id, event.details) for event in views] == [
        (str(sites.child_a.id), {"page": "pledges.paper_forms"})]
    assert hr.get(f"/pledges/coverage/paper-forms.pdf?unit={sites.site_b.id}").status_code \
        in (403, 404)
    manager = login(make_user(Role.SITE_MANAGER, sites.site_a))
    assert manager.get(f"/pledges/coverage/paper-forms.pdf?unit={sites.site_a.id}").status_code \
        == 403


# -- guardians' consent after an import -------------------------------------------------------------

def test_an_import_asks_the_parents_of_children_under_14_without_consent(app, sites, make_user,
                                                                        login, tmp_path):
    from plugin.imports.consent_requests import parents_awaiting_consent
    from plugin.imports.models import ImportKind
    from plugin.imports.services import create_job

    from .imports_support import IMPORTER, csv_roster

    roster = csv_roster(tmp_path / "roster.csv", ["工号", "姓名"], [["A1009", "新职工"]])
    job = create_job(roster, roster.name, kind=ImportKind.WORKERS, base_unit=sites.site_a,
                     actor=IMPORTER)
    session.flush()
    assert parents_awaiting_consent(sites.site_a, scope_paths=[get_root_unit().path],
                                    today=sites.child_a.birth_date.replace(year=2026)) \
        == [sites.worker_a.id]
    hr = login(make_user(Role.HR_OFFICER, sites.site_a))
    response = hr.post(f"/imports/{job.id}/ask-consent", data={
        "csrf_token": csrf_token(hr.get("/imports/").text),
        "worker_id": [str(sites.worker_b.id)]})
    assert "已提醒 0 名家长" in flashed(hr, response)
    response = hr.post(f"/imports/{job.id}/ask-consent",
                       data={"csrf_token": csrf_token(hr.get("/imports/").text)})
    assert "已提醒 1 名家长" in flashed(hr, response)
    (notice,) = notices()
    assert notice.worker_id == sites.worker_a.id
    phone = app.test_client()
    remember_phone(phone, sites.worker_a)
    assert re.search("告知书", phone.get("/w/").text)
    assert phone.get(f"/w/notices/{notice.id}").location.endswith("/w/children/")
