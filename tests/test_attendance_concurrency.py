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
from flask_migrate import upgrade
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from employer_portal import create_app
from plugin.attendance.codes import venue_code
from plugin.attendance.models import Attendance, AttemptOutcome, CheckInAttempt
from plugin.core.clock import utcnow
from plugin.core.db import session
from plugin.org.models import OrgKind
from plugin.org.queries import get_root_unit
from plugin.org.services import create_company, create_unit
from plugin.worker_access.cookies import COOKIE_NAME, _serializer
from plugin.worker_access.services import identify

from . import factories
from .attendance_support import make_lecture
from .conftest import SYSTEM, portal_test_config
from .support import sibling_database_url

pytestmark = pytest.mark.committing

CLIENTS = 200


@pytest.fixture
def own_database(database_url, tmp_path):
    url = sibling_database_url(database_url, "attendance_concurrency", tmp_path)
    app = create_app(portal_test_config(url, SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 20, "max_overflow": 60,
                                                                       "pool_timeout": 60}))
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        app.extensions["sqlalchemy"].engine.dispose()
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        from sqlalchemy import create_engine

        admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
        admin.dispose()


def test_two_hundred_simultaneous_scans_of_one_worker_make_one_row(own_database):
    app = own_database
    with app.app_context():
        create_company("测试建工集团", actor=SYSTEM)
        session.flush()
        site = create_unit(get_root_unit(), OrgKind.SITE, "前海项目部", actor=SYSTEM)
        worker = factories.make_worker(site, phone="13800135678")
        lecture = make_lecture(site, starts_at=utcnow() + timedelta(minutes=5))
        _worker, token = identify(worker.employee_number, "5678", ip=None, user_agent="tests")
        cookie = _serializer().dumps(token)
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
