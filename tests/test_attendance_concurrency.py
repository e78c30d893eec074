"""Exactly once under load: 200 phones of the same worker scanning at the same moment (a worker
tapping again and again on a slow network, retries, a shared photo) leave one attendance row.

Runs on a database of its own with real commits, on SQLite and on PostgreSQL: each request is a
thread with its own session and connection, all released together by a barrier.
"""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from plugin.attendance.codes import venue_code
from plugin.attendance.models import AttemptOutcome, CheckInAttempt
from plugin.core.clock import utcnow
from plugin.core.db import session
from plugin.lectures.models import Attendance
from plugin.org.models import OrgKind
from plugin.org.queries import get_root_unit
from plugin.org.services import create_company, create_unit
from plugin.worker_access.cookies import COOKIE_NAME

from . import factories
from .attendance_support import make_lecture
from .concurrency_support import app_on_own_database
from .conftest import SYSTEM
from .worker_phone_support import remembered_cookie

pytestmark = pytest.mark.committing

CLIENTS = 200


@pytest.fixture
def own_database(database_url, tmp_path):
    with app_on_own_database(database_url, "attendance_concurrency", tmp_path) as app:
        yield app


def test_two_hundred_simultaneous_scans_of_one_worker_make_one_row(own_database):
    app = own_database
    with app.app_context():
        create_company("测试建工集团", actor=SYSTEM)
        session.flush()
        site = create_unit(get_root_unit(), OrgKind.SITE, "前海项目部", actor=SYSTEM)
        worker = factories.make_worker(site, phone="13800135678")
        lecture = make_lecture(site, starts_at=utcnow() + timedelta(minutes=5))
        cookie = remembered_cookie(worker)
        lecture_id, code_key = lecture.id, lecture.code_key
        session.commit()
        session.remove()
    barrier = threading.Barrier(CLIENTS)

    def scan(_number):
        client = app.test_client()
        client.set_cookie(COOKIE_NAME, cookie)
        url = f"/c/{venue_code(lecture_id, code_key, utcnow())}"
        barrier.wait()
        response = client.get(url)
        return response.status_code, response.text.split('data-outcome="')[1].split('"')[0]

    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        answers = list(pool.map(scan, range(CLIENTS)))
    assert {status for status, _ in answers} == {200}
    assert sorted(outcome for _, outcome in answers) == ["accepted"] + ["already"] * (CLIENTS - 1)
    with app.app_context():
        assert session.execute(select(func.count()).select_from(Attendance)).scalar_one() == 1
        outcomes = session.execute(select(CheckInAttempt.outcome, func.count())
                                   .group_by(CheckInAttempt.outcome)).all()
        assert dict(outcomes) == {AttemptOutcome.ACCEPTED: 1, AttemptOutcome.ALREADY: CLIENTS - 1}
        session.remove()


def test_a_parallel_flood_of_forged_codes_logs_exactly_the_allowed_number(own_database):
    """Issue #13: the throttle counts in the database, so parallel requests cannot slip past it."""
    from plugin.attendance.throttle import ALL_CLIENTS, PER_CLIENT

    app = own_database
    with app.app_context():
        create_company("测试建工集团", actor=SYSTEM)
        session.flush()
        site = create_unit(get_root_unit(), OrgKind.SITE, "前海项目部", actor=SYSTEM)
        lecture = make_lecture(site, starts_at=utcnow() + timedelta(minutes=5))
        genuine = str(venue_code(lecture.id, lecture.code_key, utcnow()))
        forged = genuine[:-1] + ("A" if genuine[-1] != "A" else "B")
        session.commit()
        session.remove()
    flood = 3 * PER_CLIENT + ALL_CLIENTS + 30
    barrier = threading.Barrier(flood)

    def scan(number):
        # A third from one address, the rest from as many addresses as the whole-site limit allows and more.
        address = "203.0.113.7" if number < 3 * PER_CLIENT else f"10.0.{number // 200}.{number % 200}"
        client = app.test_client()
        barrier.wait()
        response = client.get(f"/c/{forged}", environ_base={"REMOTE_ADDR": address})
        return response.status_code, response.text.split('data-reason="')[1].split('"')[0]

    with ThreadPoolExecutor(max_workers=flood) as pool:
        answers = list(pool.map(scan, range(flood)))
    assert set(answers) == {(200, "forged")}
    with app.app_context():
        logged = dict(session.execute(select(CheckInAttempt.ip, func.count())
                                      .group_by(CheckInAttempt.ip)).all())
        assert logged.get("203.0.113.7", 0) <= PER_CLIENT and max(logged.values()) <= PER_CLIENT
        assert sum(logged.values()) == ALL_CLIENTS
        session.remove()
