"""More "exactly one" rules under real concurrency: a pledge for children already covered, a
contact logged twice, an agreement signed twice on the phone (issue #13, finding 7).

As in ``test_concurrency_rules``: 40 requests at the same moment through the real routes, each
from its own test client, thread, session and connection, against a database of their own with
real commits (SQLite and PostgreSQL). On PostgreSQL each rule used to be broken: every request
checked before any other had committed, so several pledges for the same children, several rows
of one contact and several "agreement signed" entries in the integrity record were written.
Losing the race is the usual answer (a form error, or the row already there), never a 500.
"""
from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from employer_portal.accounts.services import create_user
from plugin.access.roles import Role
from plugin.access.services import grant_role
from plugin.audit.models import AuditEvent
from plugin.core.clock import local_today
from plugin.core.db import session
from plugin.guardianship.models import (
    AgreementStatus,
    ContactLog,
    EntrustmentAgreement,
    IntegrityEntry,
    IntegrityKind,
)
from plugin.guardianship.services import create_agreement
from plugin.org.models import OrgKind
from plugin.org.queries import get_root_unit
from plugin.org.services import create_company, create_unit
from plugin.pledges import services as pledges
from plugin.pledges.models import Pledge
from plugin.registry.models import Worker

from . import factories
from .concurrency_support import all_at_once, app_on_own_database, cloned_client, sign_in, statuses
from .conftest import PASSWORD, SYSTEM, csrf_token
from .guardianship_support import phone_draft, signature_data_url
from .pledges_support import drawn_signature_url, scan_png
from .worker_phone_support import give_pin
from .worker_phone_support import sign_in as phone_sign_in

pytestmark = pytest.mark.committing

POSTS = 40


@pytest.fixture
def racing_family(database_url, tmp_path):
    """A worker of a site with two children, the worker's phone signed in (PIN), and an HR
    officer of the site signed in."""
    with app_on_own_database(database_url, "more_rules", tmp_path) as app:
        with app.app_context():
            create_company("测试建工集团", actor=SYSTEM)
            session.flush()
            site = create_unit(get_root_unit(), OrgKind.SITE, "前海项目部", actor=SYSTEM)
            worker = factories.make_worker(site, name="赵铁柱")
            today = local_today()
            children = [factories.make_child(
                worker, name=name, birth_date=(today - timedelta(days=years * 365)).isoformat())
                for name, years in (("赵小妹", 9), ("赵小弟", 6))]
            give_pin(worker)
            pledges.current_template()  # version 1, as after the first page that shows it
            user = create_user("hr.officer", "王专员", PASSWORD, actor=SYSTEM)
            grant_role(user.key, Role.HR_OFFICER, site, actor=SYSTEM, check_actor=False)
            session.commit()
            facts = {"worker": worker.id, "employee_number": worker.employee_number,
                     "children": [child.id for child in children], "today": today,
                     "template": pledges.current_template().id}
            session.remove()
        phone = app.test_client()
        assert phone_sign_in(phone, facts["employee_number"]).status_code == 302
        yield app, facts, sign_in(app, "hr.officer", PASSWORD), phone


def count(app, statement) -> int:
    with app.app_context():
        value = session.scalar(statement)
        session.remove()
    return value


def race(app, posts) -> list:
    """Send ``posts[number % len(posts)]`` = (signed-in client, url, data()) from ``POSTS``
    clones of those clients at the same moment; returns (status, location, text) of each."""
    tokens = [csrf_token(client.get(url).text) for client, url, _data in posts]

    def post(number, barrier):
        signed_in, url, data = posts[number % len(posts)]
        client = cloned_client(app, signed_in)
        body = {"csrf_token": tokens[number % len(posts)], **data()}
        barrier.wait()
        response = client.post(url, data=body, content_type="multipart/form-data")
        return response.status_code, response.location, response.text

    return all_at_once(POSTS, post)


def test_forty_identical_pledges_on_paper_and_phone_make_one_pledge(racing_family):
    """The HR officer logs the paper pledge while the worker signs it on the phone, 20 times
    each: one pledge, and every other request is told the children already have one."""
    app, facts, hr, phone = racing_family
    children = [str(child_id) for child_id in facts["children"]]

    def paper():
        return {"children": children, "template_id": str(facts["template"]),
                "signed_on": facts["today"].isoformat(), "witness": "王专员",
                "scan": (io.BytesIO(scan_png()), "scan.png")}

    def signed():
        return {"children": children, "template_id": str(facts["template"]),
                "signature": drawn_signature_url(), "agree": "y"}

    answers = race(app, [(hr, f"/pledges/workers/{facts['worker']}/paper", paper),
                         (phone, "/w/pledges/sign", signed)])
    assert statuses(status for status, _location, _text in answers) == {302: 1, 422: POSTS - 1}
    refused = [text for status, _location, text in answers if status == 422]
    assert all("所选子女已有有效的监护承诺书" in text for text in refused)
    assert count(app, select(func.count()).select_from(Pledge)) == 1
    assert count(app, select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "pledge.signed")) == 1
    assert count(app, select(func.count()).select_from(IntegrityEntry).where(
        IntegrityEntry.kind == IntegrityKind.PLEDGE_SIGNED)) == 1


def test_forty_identical_contacts_from_phone_and_officer_keep_one_row(racing_family):
    """One contact (worker, child, party, kind, day) logged by the worker's double taps and
    the officer at once: one row, as for a double tap one after the other; every request is
    answered as saved."""
    app, facts, hr, phone = racing_family
    child = facts["children"][0]

    def contact():
        return {"who": f"child-{child}", "kind": "call", "contact_on": facts["today"].isoformat(),
                "note": "问了功课"}

    answers = race(app, [(phone, "/w/contacts", contact),
                         (hr, f"/guardianship/workers/{facts['worker']}/contacts", contact)])
    assert statuses(status for status, _location, _text in answers) == {302: POSTS}
    assert count(app, select(func.count()).select_from(ContactLog)) == 1
    # Logged on behalf of the worker only when the officer's request was the one that wrote it.
    on_behalf = count(app, select(func.count()).select_from(ContactLog).where(
        ContactLog.logged_by != f"worker:{facts['worker']}"))
    assert count(app, select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "contact.logged_on_behalf")) == on_behalf


def test_forty_taps_on_sign_sign_the_agreement_once(racing_family):
    """The worker taps "sign" on a phone agreement 40 times at once: it is signed once, with one
    audit event and one integrity entry; the other taps see it signed."""
    app, facts, _hr, phone = racing_family
    today = facts["today"]
    with app.app_context():
        worker = session.get(Worker, facts["worker"])
        agreement = create_agreement(
            worker, phone_draft([child for child in (link.child for link in worker.child_links)
                                 if child.id == facts["children"][0]],
                                starts_on=today, ends_on=today + timedelta(days=365)),
            actor=SYSTEM, today=today)
        agreement_id = agreement.id
        assert agreement.status == AgreementStatus.PENDING
        session.commit()
        session.remove()

    def tap():
        return {"signature": signature_data_url(), "confirmed": "y"}

    answers = race(app, [(phone, f"/w/agreements/{agreement_id}/sign", tap)])
    assert not [status for status, _location, _text in answers if status >= 500], statuses(
        status for status, _location, _text in answers)
    # One tap signs it. A tap whose page opened after that is sent to the record, as for any
    # signed agreement; one that got in before it committed waits, then is told it is signed.
    assert [location for _status, location, _text in answers].count("/w/record?signed=1") == 1
    others = [(status, location, text) for status, location, text in answers
              if location != "/w/record?signed=1"]
    assert all((status == 302 and location == "/w/record")
               or (status == 422 and "这份协议已经签署或已撤销，无需再签" in text)
               for status, location, text in others)
    assert count(app, select(EntrustmentAgreement.status).where(
        EntrustmentAgreement.id == agreement_id)) == AgreementStatus.ACTIVE
    assert count(app, select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "agreement.signed")) == 1
    assert count(app, select(func.count()).select_from(IntegrityEntry).where(
        IntegrityEntry.kind == IntegrityKind.AGREEMENT_SIGNED)) == 1
