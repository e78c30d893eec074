"""``carebridge seed-demo`` on a fresh database (issue #16): it migrates the database first, loads
a company whose every list has something in it, and refuses a second time in one line.

The database is a sibling of the test database, never migrated before the command runs; the
command is run once for the module (it commits, like the real one).
"""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, func, inspect, select, text
from sqlalchemy.engine import make_url

from employer_portal import create_app
from employer_portal.accounts.models import User
from plugin.core.clock import local_today
from plugin.core.db import session
from plugin.guardianship.models import AgreementStatus, ContactLog, EntrustmentAgreement
from plugin.imports.models import ImportJob
from plugin.lectures.models import Attendance, CheckInMethod, Lecturer, LectureSession
from plugin.notifications.models import Notification
from plugin.pledges.models import Pledge, SigningMethod
from plugin.registry.categories import FOCUS_FLAG_CODES
from plugin.registry.models import Child, ChildConsent, ChildHeldDetails, Worker

from .conftest import csrf_token, portal_test_config
from .support import sibling_database_url

pytestmark = pytest.mark.committing


@pytest.fixture(scope="module")
def demo(database_url, tmp_path_factory):
    """The portal on a fresh, unmigrated database, and the output of ``seed-demo`` run on it."""
    url = sibling_database_url(database_url, "demo", tmp_path_factory.mktemp("demo-db"))
    app = create_app(portal_test_config(url))
    with app.app_context():
        assert not inspect(session.get_bind()).get_table_names()
    result = app.test_cli_runner().invoke(args=["seed-demo", "--password", "Demo-2026x"])
    yield app, result
    with app.app_context():
        session.remove()
        app.extensions["sqlalchemy"].engine.dispose()
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def seeded(demo):
    app, result = demo
    assert result.exit_code == 0, result.output
    with app.app_context():
        yield result
        session.remove()


def count(statement) -> int:
    return session.execute(statement).scalar_one()


def test_an_unmigrated_database_is_migrated_first_and_the_accounts_are_printed(seeded):
    lines = seeded.output.splitlines()
    assert "先升级数据库结构" in lines[0]
    assert "Demo company loaded" in seeded.output
    usernames = {line.split()[0] for line in lines if line.startswith("  ")}
    assert usernames == {"admin", "hrofficer", "site", "site2", "union", "care", "report",
                         "auditor"}
    assert set(session.execute(select(User.username)).scalars()) == usernames


def test_workers_across_the_sites_with_children_in_every_category_and_flag(seeded):
    assert count(select(func.count()).select_from(Worker)) >= 250
    assert count(select(func.count(func.distinct(Worker.org_unit_id)))) >= 7
    assert count(select(func.count()).where(Worker.id_number.is_not(None))) >= 150
    assert count(select(func.count()).select_from(Child)) >= 200
    for category in ("left_behind", "migrant", "in_difficulty"):
        assert count(select(func.count()).where(getattr(Child, category).is_(True))) >= 5, category
    # A worker who died at work or is detained: children without anyone to bring them up.
    for category in ("de_facto_unsupported", "orphan"):
        assert count(select(func.count()).where(getattr(Child, category).is_(True))) >= 1, category
    assert count(select(func.count()).where(Child.in_three_areas.is_(True))) >= 5
    for flag in FOCUS_FLAG_CODES:
        assert count(select(func.count()).where(Child.focus_flags.contains(flag))) >= 1, flag
    # Some rest on presumptions (no start dates, capacity not recorded), some cannot be decided.
    assert count(select(func.count()).where(Child.categories_presumed != "")) >= 10
    assert count(select(func.count()).where(Child.categories_missing != "")) >= 3
    # Under 14: consent given (on the roster, or afterwards), or still awaited (details held).
    assert count(select(func.count()).select_from(ChildConsent)) >= 50
    assert count(select(func.count()).select_from(ChildHeldDetails)) >= 5


def test_lectures_held_with_attendance_and_lectures_coming(seeded):
    now = session.execute(select(func.max(Attendance.recorded_at))).scalar_one()
    held = count(select(func.count()).where(LectureSession.ends_at < now))
    coming = count(select(func.count()).where(LectureSession.starts_at > now))
    assert held >= 6 and coming >= 3
    assert count(select(func.count()).select_from(Lecturer)) >= 3
    assert count(select(func.count()).select_from(Attendance)) >= 300
    methods = set(session.execute(select(Attendance.method).distinct()).scalars())
    assert methods == set(CheckInMethod)
    attended = count(select(func.count(func.distinct(Attendance.session_id))))
    assert attended == count(select(func.count()).where(
        LectureSession.ends_at < now, LectureSession.cancelled_at.is_(None)))


def test_pledges_on_paper_and_phone_some_lapsing_soon(seeded):
    today = local_today()
    methods = dict(session.execute(
        select(Pledge.method, func.count()).group_by(Pledge.method)).all())
    assert methods.get(SigningMethod.PAPER, 0) >= 10 and methods.get(SigningMethod.PHONE, 0) >= 3
    lapsing = count(select(func.count()).where(
        Pledge.revoked_at.is_(None), Pledge.valid_until >= today,
        Pledge.valid_until <= today + timedelta(days=30)))
    assert lapsing >= 3


def test_agreements_contacts_import_and_notifications(seeded):
    statuses = set(session.execute(select(EntrustmentAgreement.status).distinct()).scalars())
    assert {AgreementStatus.ACTIVE, AgreementStatus.PENDING} <= statuses
    assert count(select(func.count()).select_from(ContactLog)) >= 50
    job = session.execute(select(ImportJob)).scalar_one()
    assert job.created_count >= 5 and job.rejected_count >= 1 and job.sample_errors
    recipients = set(session.execute(select(Notification.recipient_key).distinct()).scalars())
    assert recipients == {user.key for user in session.execute(select(User)).scalars()}
    categories = set(session.execute(select(Notification.category).distinct()).scalars())
    assert {"lectures.cancelled", "pledges.expiring"} <= categories


#: What a raw detail would look like on the audit page: a code_with_underscores before a colon,
#: a Python value, a dict.
RAW = re.compile(r"\b[a-z]+_[a-z_]+\s*[:：]|\b(?:True|False|None)\b|\{'")


def test_the_audit_log_of_the_demo_day_reads_without_a_raw_key(demo, seeded):
    app, _ = demo
    client = app.test_client()
    page = client.get("/login")
    client.post("/login", data={"csrf_token": csrf_token(page.text), "username": "admin",
                                "password": "Demo-2026x"})
    pages, raw = 0, []
    for number in range(1, 200):
        html = client.get(f"/audit/?page={number}").text
        main = html[html.index("<main"):] if "<main" in html else html
        body = re.sub(r"<[^>]+>", " ", main)
        raw += [match.group(0) for match in RAW.finditer(body)]
        pages += 1
        if f"page={number + 1}" not in html:
            break
    assert pages >= 5 and not raw, sorted(set(raw))[:20]


def test_a_second_run_says_so_in_one_line(demo, seeded):
    app, _ = demo
    workers = count(select(func.count()).select_from(Worker))
    again = app.test_cli_runner().invoke(args=["seed-demo"])
    assert again.exit_code == 1
    assert again.output.strip().count("\n") == 0, again.output
    assert "已有公司" in again.output and "already has a company" in again.output
    assert "Traceback" not in again.output
    assert count(select(func.count()).select_from(Worker)) == workers
