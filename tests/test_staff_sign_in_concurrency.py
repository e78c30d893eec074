"""Issue #13, finding 5 under real concurrency: 40 wrong passwords sent at the same moment lock
the account after exactly the allowed number of checks, and the right password is then refused;
40 guesses at 40 accounts from one address at the same moment stop at the address's limit.

Runs on a database of its own with real commits, on SQLite and on PostgreSQL: each request is a
thread with its own session and connection, all released together by a barrier.
"""
from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from employer_portal.accounts.models import User
from employer_portal.accounts.services import create_user
from plugin.audit.models import AuditEvent
from plugin.core.db import session
from plugin.org.services import create_company

from .concurrency_support import app_on_own_database
from .conftest import PASSWORD, SYSTEM, csrf_token

pytestmark = pytest.mark.committing

CLIENTS = 40
MAX_FAILURES = 5
ADDRESS_LIMIT = 10


@pytest.fixture
def own_database(database_url, tmp_path):
    with app_on_own_database(database_url, "sign_in_concurrency", tmp_path,
                             CAREBRIDGE_LOGIN_MAX_FAILURES=MAX_FAILURES,
                             CAREBRIDGE_LOGIN_ADDRESS_MAX_FAILURES=1000) as app:
        with app.app_context():
            create_company("测试建工集团", actor=SYSTEM)
            session.commit()
            session.remove()
        yield app


def make_accounts(app, count: int) -> list[str]:
    with app.app_context():
        names = [create_user(f"user{number:02d}", f"用户{number}", PASSWORD, actor=SYSTEM).username
                 for number in range(count)]
        session.commit()
        session.remove()
    return names


def login_error(html: str) -> str:
    match = re.search(r'id="login-error">([^<]*)<', html)
    return match.group(1) if match else ""


def guess_together(app, usernames: list[str], password: str) -> list[tuple[int, str]]:
    """POST /login for each username, all released at once; (status, error shown) per request."""
    barrier = threading.Barrier(len(usernames))

    def guess(username):
        client = app.test_client()
        token = csrf_token(client.get("/login").text)
        barrier.wait()
        response = client.post("/login", data={"csrf_token": token, "username": username,
                                               "password": password})
        return response.status_code, login_error(response.text)

    with ThreadPoolExecutor(max_workers=len(usernames)) as pool:
        return list(pool.map(guess, usernames))


def failure_reasons(app) -> dict[str, int]:
    with app.app_context():
        rows = session.execute(select(AuditEvent.details).where(
            AuditEvent.action == "auth.login_failed")).scalars().all()
        session.remove()
    reasons: dict[str, int] = {}
    for details in rows:
        reasons[details["reason"]] = reasons.get(details["reason"], 0) + 1
    return reasons


def test_forty_parallel_wrong_passwords_lock_the_account(own_database):
    app = own_database
    (username,) = make_accounts(app, 1)
    answers = guess_together(app, [username] * CLIENTS, "Wrong-pass-1")
    assert {status for status, _ in answers} == {422}
    # Exactly the allowed number of passwords was checked; every other guess met the lock.
    assert failure_reasons(app) == {"wrong_password": MAX_FAILURES,
                                    "locked": CLIENTS - MAX_FAILURES}
    errors = [error for _, error in answers]
    assert sum("账户已被锁定" in error for error in errors) == CLIENTS - MAX_FAILURES
    assert sum(f"密码连续错误 {MAX_FAILURES} 次" in error for error in errors) == 1
    client = app.test_client()
    token = csrf_token(client.get("/login").text)
    response = client.post("/login", data={"csrf_token": token, "username": username,
                                           "password": PASSWORD})
    assert response.status_code == 422 and "账户已被锁定" in login_error(response.text)
    with app.app_context():
        user = session.execute(select(User).where(User.username == username)).scalar_one()
        assert user.locked_until is not None and user.last_login_at is None
        assert session.execute(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "auth.login")).scalar_one() == 0
        session.remove()


def test_forty_parallel_guesses_at_forty_accounts_stop_at_the_address_limit(own_database):
    app = own_database
    app.config["CAREBRIDGE_LOGIN_ADDRESS_MAX_FAILURES"] = ADDRESS_LIMIT
    usernames = make_accounts(app, CLIENTS)
    answers = guess_together(app, usernames, "Wrong-pass-1")
    assert {status for status, _ in answers} == {422}
    assert failure_reasons(app) == {"wrong_password": ADDRESS_LIMIT}
    assert sum("此网络地址" in error for _, error in answers) == CLIENTS - ADDRESS_LIMIT
    client = app.test_client()
    token = csrf_token(client.get("/login").text)
    response = client.post("/login", data={"csrf_token": token, "username": usernames[-1],
                                           "password": PASSWORD})
    assert "此网络地址" in login_error(response.text)
