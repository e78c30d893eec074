"""The phone sign-in's limits under real concurrency (issue #13, finding 5): guesses released
together by a barrier are counted before they are checked, so no more than the limit are ever
checked, nobody gets a 500 (not even the concurrent first attempts that create the counter), and
a one-time code signs in exactly once.

Runs on a database of its own with real commits, on SQLite and on PostgreSQL: each request is a
thread with its own session and connection (pattern of ``test_attendance_concurrency``).
"""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from plugin.audit.models import AuditEvent
from plugin.core.db import session
from plugin.core.host import Actor
from plugin.org.models import OrgKind
from plugin.org.queries import get_root_unit
from plugin.org.services import create_company, create_unit
from plugin.worker_access import services
from plugin.worker_access.models import WorkerActivationCode, WorkerDevice
from plugin.worker_access.phones import issue_activation_code
from plugin.worker_access.services import set_pin

from . import factories
from .concurrency_support import app_on_own_database
from .conftest import SYSTEM, csrf_token
from .worker_phone_support import PIN

pytestmark = pytest.mark.committing

CLIENTS = 40
#: The per-address limit in these tests (below CLIENTS, above the per-number limit).
ADDRESS_LIMIT = 12


@pytest.fixture
def own_database(database_url, tmp_path):
    with app_on_own_database(database_url, "worker_sign_in_concurrency", tmp_path,
                             CAREBRIDGE_WORKER_SIGN_IN_ADDRESS_MAX_FAILURES=ADDRESS_LIMIT) as app:
        yield app


def make_workers(app, count: int) -> list[str]:
    """``count`` workers of one site, each with the PIN :data:`PIN`; their employee numbers."""
    with app.app_context():
        create_company("测试建工集团", actor=SYSTEM)
        session.flush()
        site = create_unit(get_root_unit(), OrgKind.SITE, "前海项目部", actor=SYSTEM)
        workers = [factories.make_worker(site) for _ in range(count)]
        for worker in workers:
            set_pin(worker, PIN)
        numbers = [worker.employee_number for worker in workers]
        session.commit()
        session.remove()
    return numbers


def phone(app, address: str):
    """A phone at ``address`` with the sign-in form loaded (its CSRF token)."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client, csrf_token(client.get("/w/sign-in").text)


def in_parallel(work, count: int) -> list:
    barrier = threading.Barrier(count)

    def run(number):
        prepared = work(number)
        barrier.wait()
        return prepared()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


class CountedChecks:
    """Counts the PIN checks (scrypt) the sign-in makes, across threads."""

    def __init__(self, monkeypatch):
        self.count = 0
        self._lock = threading.Lock()
        real = services.check_password_hash

        def counted(stored, pin):
            with self._lock:
                self.count += 1
            return real(stored, pin)

        monkeypatch.setattr(services, "check_password_hash", counted)


def audited(app, action: str) -> int:
    with app.app_context():
        count = session.execute(select(func.count()).select_from(AuditEvent)
                                .where(AuditEvent.action == action)).scalar_one()
        session.remove()
    return count


def sign_in_answer(response) -> str:
    if response.status_code == 302:
        return "signed in"
    assert response.status_code == 422, response.status_code
    return response.text.split('id="sign-in-error">')[1].split("<")[0]


def test_forty_parallel_wrong_pins_check_at_most_the_limit_and_then_lock(own_database, monkeypatch):
    app = own_database
    (number,) = make_workers(app, 1)
    checks = CountedChecks(monkeypatch)

    def guess(index):
        # Each from its own address, so only the employee number's limit applies.
        client, token = phone(app, f"10.0.{index}.1")
        return lambda: client.post("/w/sign-in", data={"csrf_token": token, "employee_number": number,
                                                      "pin": f"{100000 + index * 7919:06d}"})

    answers = [sign_in_answer(response) for response in in_parallel(guess, CLIENTS)]
    max_failures = app.extensions["carebridge"].settings["CAREBRIDGE_WORKER_SIGN_IN_MAX_FAILURES"]
    assert checks.count == max_failures
    assert audited(app, "worker.sign_in_failed") == max_failures
    assert audited(app, "worker.sign_in_locked") == 1
    assert sum("错误次数太多" in answer for answer in answers) == CLIENTS - max_failures
    client, token = phone(app, "10.9.9.9")
    right = client.post("/w/sign-in", data={"csrf_token": token, "employee_number": number, "pin": PIN})
    assert "错误次数太多" in sign_in_answer(right)  # the right PIN is refused while locked
    assert checks.count == max_failures


def test_forty_parallel_guesses_from_one_address_over_many_workers(own_database, monkeypatch):
    app = own_database
    numbers = make_workers(app, 11)
    guessed, spare = numbers[:10], numbers[10]
    checks = CountedChecks(monkeypatch)

    def guess(index):
        # 4 guesses per worker: under the per-number limit, so only the address's limit applies.
        client, token = phone(app, "203.0.113.9")
        return lambda: client.post("/w/sign-in", data={
            "csrf_token": token, "employee_number": guessed[index % 10], "pin": f"{900000 + index:06d}"})

    answers = [sign_in_answer(response) for response in in_parallel(guess, CLIENTS)]
    assert checks.count <= ADDRESS_LIMIT
    assert audited(app, "worker.sign_in_failed") == checks.count
    assert audited(app, "worker.sign_in_address_locked") == 1
    assert "signed in" not in answers
    client, token = phone(app, "203.0.113.9")
    refused = client.post("/w/sign-in", data={"csrf_token": token, "employee_number": spare, "pin": PIN})
    assert "这个网络上输错的次数太多" in sign_in_answer(refused)
    client, token = phone(app, "198.51.100.4")
    accepted = client.post("/w/sign-in", data={"csrf_token": token, "employee_number": spare, "pin": PIN})
    assert sign_in_answer(accepted) == "signed in"


def test_one_activation_code_used_by_twenty_phones_at_once_signs_in_one(own_database):
    app = own_database
    (number,) = make_workers(app, 1)
    with app.app_context():
        from plugin.registry.models import Worker

        worker = session.execute(select(Worker).where(Worker.employee_number == number)).scalar_one()
        with app.test_request_context():
            code = issue_activation_code(worker, actor=Actor.system("tests")).code
        session.commit()
        session.remove()
    phones = 20

    def activate(index):
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"10.1.{index}.1"
        token = csrf_token(client.get("/w/activate").text)
        pin = f"{470369 + index * 1013:06d}"
        return lambda: client.post("/w/activate", data={"csrf_token": token, "employee_number": number,
                                                       "code": code, "pin": pin, "pin_again": pin})

    answers = [sign_in_answer(response) for response in in_parallel(activate, phones)]
    assert answers.count("signed in") == 1
    with app.app_context():
        assert session.execute(select(func.count()).select_from(WorkerDevice)).scalar_one() == 1
        assert session.execute(select(WorkerActivationCode.used_at)).scalar_one() is not None
        session.remove()
