"""The "exactly one" rules hold when requests race; losing a race is a form error, never a 500.

The HTTP tests send 40 identical posts at the same moment through the real routes, each from its
own test client, thread, session and connection, against a database of their own with real
commits (SQLite and PostgreSQL). On PostgreSQL they used to make 8 children and up to 5 open
agreements for one child and period.

The other tests run in the usual rolled-back transaction and check the database's side of the
rules directly: the rows a race would write are refused by the database itself.
"""
from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from employer_portal.accounts.services import create_user
from plugin.access.roles import Role
from plugin.access.services import grant_role
from plugin.core.clock import local_today
from plugin.core.db import session, violated_constraint
from plugin.core.errors import ValidationError
from plugin.guardianship import services as guardianship
from plugin.guardianship.models import (
    ONE_OPEN_PER_PERIOD,
    AgreementStatus,
    EntrustmentAgreement,
    EntrustmentChild,
)
from plugin.guardianship.services import AgreementInvalid, create_agreement, end_agreement
from plugin.org.models import OrgKind
from plugin.org.queries import get_root_unit
from plugin.org.services import create_company, create_unit
from plugin.registry.models import Child, ChildParent, Worker

from . import factories
from .concurrency_support import all_at_once, app_on_own_database, cloned_client, sign_in, statuses
from .conftest import PASSWORD, SYSTEM, csrf_token, submit
from .guardianship_support import JPEG_SCAN, PDF_SCAN, PNG_SCAN, TODAY, id_number, paper_draft

POSTS = 40


# -- 40 identical posts through the real routes -----------------------------------------------

@pytest.fixture
def racing_site(database_url, tmp_path):
    """A site with a father and a mother (workers), and an HR officer of the site signed in."""
    with app_on_own_database(database_url, "rules", tmp_path) as app:
        with app.app_context():
            create_company("测试建工集团", actor=SYSTEM)
            session.flush()
            site = create_unit(get_root_unit(), OrgKind.SITE, "前海项目部", actor=SYSTEM)
            father = factories.make_worker(site, name="王大山")
            mother = factories.make_worker(site, name="李秀英")
            user = create_user("hr.officer", "王专员", PASSWORD, actor=SYSTEM)
            grant_role(user.key, Role.HR_OFFICER, site, actor=SYSTEM, check_actor=False)
            session.commit()
            facts = {"father": father.id, "mother": mother.id, "today": local_today()}
            session.remove()
        yield app, facts, sign_in(app, "hr.officer", PASSWORD)


def post_together(app, signed_in, url: str, data) -> list:
    """``POSTS`` clients of the signed-in user post ``data()`` to ``url`` at the same moment."""
    token = csrf_token(signed_in.get(url).text)

    def post(_number, barrier):
        client = cloned_client(app, signed_in)
        body = {"csrf_token": token, **data()}
        barrier.wait()
        response = client.post(url, data=body, content_type="multipart/form-data")
        return response.status_code, response.location, response.text

    return all_at_once(POSTS, post)


def count(app, statement) -> int:
    with app.app_context():
        value = session.scalar(statement)
        session.remove()
    return value


@pytest.mark.committing
@pytest.mark.parametrize("with_id_number", [False, True], ids=["by-name-and-birth", "by-id-number"])
def test_forty_identical_child_posts_make_one_child(racing_site, with_id_number):
    app, facts, hr = racing_site
    birth = date(facts["today"].year - (15 if with_id_number else 8), 1, 1)
    fields = {"parent_role": "father", "name": "王小五", "birth_date": birth.isoformat(),
              "lives_in_home_area": "true"}
    if with_id_number:  # 15 years old: stored without a guardian's consent (PIPL Art. 31)
        fields["id_number"] = id_number(birth, sequence="215")
    answers = post_together(app, hr, f"/workers/{facts['father']}/children/new", lambda: fields)
    assert statuses(status for status, _location, _text in answers) == {302: POSTS}
    assert count(app, select(func.count()).select_from(Child)) == 1
    assert count(app, select(func.count()).select_from(Child).where(
        Child.id_number_index.is_not(None))) == int(with_id_number)
    assert len({location for _status, location, _text in answers}) == 1  # all to that child


@pytest.mark.committing
def test_both_parents_registering_the_same_child_at_once_make_one_child(racing_site):
    """Father's and mother's forms name the same ID number: different parents' rows are locked,
    so the ID number itself is locked too (the unique index used to answer 500)."""
    app, facts, hr = racing_site
    birth = date(facts["today"].year - 15, 1, 1)  # 14 or older: the ID number is stored
    number = id_number(birth, sequence="226")
    token = csrf_token(hr.get(f"/workers/{facts['father']}/children/new").text)

    def post(index, barrier):
        parent, role = (("father", "father") if index % 2 else ("mother", "mother"))
        client = cloned_client(app, hr)
        body = {"csrf_token": token, "parent_role": role, "name": "王小六",
                "birth_date": birth.isoformat(), "id_number": number, "lives_in_home_area": "true"}
        barrier.wait()
        return client.post(f"/workers/{facts[parent]}/children/new", data=body).status_code

    answers = all_at_once(POSTS, post)
    assert not [status for status in answers if status >= 500], statuses(answers)
    assert count(app, select(func.count()).select_from(Child)) == 1
    assert count(app, select(func.count()).select_from(ChildParent)) == 2


@pytest.mark.committing
def test_forty_identical_agreement_posts_make_one_open_agreement(racing_site):
    app, facts, hr = racing_site
    today = facts["today"]
    with app.app_context():
        child = factories.make_child(session.get(Worker, facts["father"]), name="王小明",
                                     birth_date=(today - timedelta(days=9 * 365)).isoformat())
        child_id = child.id
        session.commit()
        session.remove()

    def form():
        return {"children": [str(child_id)], "other_parent": "", "carer_name": "李桂英",
                "carer_relation": "外祖母", "carer_phone": "139 1234 5678",
                "carer_address": "大坪村 3 组", "carer_capable_adult": "y", "no_bars_declared": "y",
                "duties": "接送上学\n照料生活", "child_contacts_per_week": "2",
                "carer_contacts_per_week": "1", "starts_on": today.isoformat(),
                "ends_on": (today + timedelta(days=365)).isoformat(), "method": "paper",
                "witness": "王专员", "signed_on": today.isoformat(),
                "scan": (io.BytesIO(PNG_SCAN), "scan.png")}

    answers = post_together(app, hr, f"/guardianship/workers/{facts['father']}/agreements/new", form)
    assert statuses(status for status, _location, _text in answers) == {302: 1, 422: POSTS - 1}
    refused = [text for status, _location, text in answers if status == 422]
    assert all("已有委托照护协议" in text for text in refused)
    assert count(app, select(func.count()).select_from(EntrustmentAgreement).where(
        EntrustmentAgreement.status.in_(guardianship.OPEN_STATUSES))) == 1


# -- the database's side of the agreement rule -------------------------------------------------

@pytest.fixture
def family(make_unit, make_worker, make_child):
    father = make_worker(make_unit(OrgKind.SITE), name="张大山")
    return father, make_child(father, name="张小明"), make_child(father, name="张小红")


def entrust(agreement, child, **overrides) -> None:
    """Write a child's row of ``agreement`` directly, as a racing request would."""
    values = {"agreement_id": agreement.id, "child_id": child.id, "status": agreement.status,
              "starts_on": agreement.starts_on, "ends_on": agreement.ends_on, **overrides}
    with session.begin_nested():
        session.execute(insert(EntrustmentChild), [values])


def second_agreement(father, child, starts_on: date, ends_on: date) -> EntrustmentAgreement:
    """An open agreement of ``child`` for another period."""
    return create_agreement(father, paper_draft([child], starts_on=starts_on, ends_on=ends_on),
                            actor=SYSTEM, today=TODAY)


def test_the_database_refuses_a_second_open_agreement_for_an_overlapping_period(family, clock):
    father, child, sibling = family
    first = create_agreement(father, paper_draft([child]), actor=SYSTEM, today=TODAY)
    other = second_agreement(father, sibling, TODAY + timedelta(days=100), TODAY + timedelta(days=200))
    with pytest.raises(IntegrityError) as refused:
        entrust(other, child)  # what a request that checked before `first` committed would write
    assert violated_constraint(refused.value) == ONE_OPEN_PER_PERIOD
    # Periods include both ends: the day after the first one's last day is free.
    later = second_agreement(father, sibling, first.ends_on + timedelta(days=1),
                             first.ends_on + timedelta(days=30))
    entrust(later, child)


def test_the_copies_follow_the_agreement_so_an_ended_one_frees_the_period(family, clock):
    father, child, _sibling = family
    first = create_agreement(father, paper_draft([child]), actor=SYSTEM, today=TODAY)
    end_agreement(first, reason="家长返乡", actor=SYSTEM, today=TODAY)
    session.flush()
    copied = session.execute(select(EntrustmentChild.status).where(
        EntrustmentChild.agreement_id == first.id)).scalar_one()
    assert copied == AgreementStatus.ENDED
    again = create_agreement(father, paper_draft([child]), actor=SYSTEM, today=TODAY)
    assert again.status == AgreementStatus.ACTIVE and [c.id for c in again.children] == [child.id]


def test_copies_that_disagree_with_their_agreement_are_refused(family, clock):
    father, child, sibling = family
    first = create_agreement(father, paper_draft([child]), actor=SYSTEM, today=TODAY)
    with pytest.raises(IntegrityError):  # a "closed" copy of an open agreement would dodge the rule
        entrust(first, sibling, status=AgreementStatus.REVOKED)
    with pytest.raises(IntegrityError):
        entrust(first, sibling, ends_on=first.ends_on - timedelta(days=1))


def test_a_race_lost_at_the_database_is_the_forms_error(family, clock, monkeypatch):
    """The clash check passed (the other agreement was not committed yet when it looked), then
    the insert met the other agreement: the officer sees the usual error naming its period."""
    father, child, _sibling = family
    first = create_agreement(father, paper_draft([child]), actor=SYSTEM, today=TODAY)
    real_check = guardianship._no_overlap
    calls = []

    def looked_too_early(*args):
        calls.append(args)
        if len(calls) > 1:
            real_check(*args)

    monkeypatch.setattr(guardianship, "_no_overlap", looked_too_early)
    with pytest.raises(AgreementInvalid) as refused:
        create_agreement(father, paper_draft([child], starts_on=TODAY + timedelta(days=10)),
                         actor=SYSTEM, today=TODAY)
    assert len(calls) == 2 and refused.value.field == "children"
    assert refused.value.params == {"start": first.starts_on.isoformat(),
                                    "end": first.ends_on.isoformat()}
    # The transaction goes on (the refused insert was rolled back to its savepoint).
    assert session.scalar(select(func.count()).select_from(EntrustmentAgreement)) == 1


# -- agreement scans: the pledges' check ------------------------------------------------------

@pytest.mark.parametrize("data, declared, message", [
    (PDF_SCAN, "image/png", "文件内容与文件类型不符，请上传真正的 PDF、JPG 或 PNG 文件"),
    (JPEG_SCAN, "application/pdf", "文件内容与文件类型不符，请上传真正的 PDF、JPG 或 PNG 文件"),
    (PNG_SCAN[:60], "image/png", "图片已损坏，无法打开"),
    (b"\xff\xd8\xff<script>alert(1)</script>", None, "图片已损坏，无法打开"),
])
def test_agreement_scans_get_the_same_check_as_pledge_scans(data, declared, message):
    with pytest.raises(ValidationError) as refused:
        guardianship.check_scan(data, declared)
    assert refused.value.field == "scan" and message in str(refused.value)


def test_the_agreement_form_refuses_a_scan_that_is_not_what_it_says(make_unit, make_worker,
                                                                    make_child, make_user, login,
                                                                    clock):
    site = make_unit(OrgKind.SITE)
    father = make_worker(site, name="张大山")
    child = make_child(father, name="张小明")
    hr = login(make_user(Role.HR_OFFICER, site))
    response = submit(hr, f"/guardianship/workers/{father.id}/agreements/new", {
        "children": [str(child.id)], "other_parent": "", "carer_name": "李桂英",
        "carer_relation": "外祖母", "carer_phone": "13912345678", "carer_capable_adult": "y",
        "no_bars_declared": "y", "duties": "接送上学", "child_contacts_per_week": "1",
        "carer_contacts_per_week": "1", "starts_on": TODAY.isoformat(),
        "ends_on": (TODAY + timedelta(days=365)).isoformat(), "method": "paper",
        "witness": "王专员", "signed_on": TODAY.isoformat(),
        "scan": (io.BytesIO(b"\x89PNG\r\n\x1a\n<html><script>alert(1)</script>"), "scan.png")},
        content_type="multipart/form-data")
    assert response.status_code == 422 and "图片已损坏，无法打开" in response.text
    assert session.scalar(select(func.count()).select_from(EntrustmentAgreement)) == 0

