"""Two app servers on one PostgreSQL database, and one scheduler (deploy/RUNBOOK.md).

Real processes on loopback: two gunicorn servers started with deploy/gunicorn.conf.py and the
same ``CAREBRIDGE_*`` environment, and ``carebridge scheduler`` processes, all on a fresh
database of the test server (scripts/with-postgres.sh). A staff user signs in on server A and the
same session cookie (and its CSRF token) works on server B; a roster uploaded on A is run by the
scheduler and its result seen on B; workers check in to a lecture through A and B and each is
counted once; a report is generated on B. Two schedulers run at once: only the lease holder runs
jobs, and when it dies the other takes over within the lease time.

PostgreSQL only (SQLite is one machine's file: several app servers need a database server).
"""
from __future__ import annotations

import io
import os
import re
import signal
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from openpyxl import Workbook
from sqlalchemy import func, select

from bench import start_server, stop_server
from plugin.access.roles import Role
from plugin.access.services import grant_role
from plugin.attendance.codes import venue_code
from plugin.core.clock import local_today, utcnow
from plugin.core.db import session
from plugin.lectures.models import Attendance
from plugin.org.models import OrgKind
from plugin.org.queries import get_root_unit
from plugin.org.services import create_company, create_unit
from plugin.registry.models import Worker
from plugin.reports.periods import Period, PeriodKind
from plugin.scheduling.models import SchedulerLease

from . import factories
from .attendance_support import make_lecture
from .concurrency_support import app_on_own_database
from .conftest import PASSWORD, SYSTEM, TEST_DATA_KEY, csrf_token
from .imports_support import WORKER_HEADER, worker
from .worker_phone_support import remembered_cookie

needs_postgresql = pytest.mark.skipif(
    not (os.environ.get("CAREBRIDGE_TEST_DATABASE_URL") or "").startswith("postgresql"),
    reason="several app servers need PostgreSQL: "
           "scripts/with-postgres.sh .venv/bin/python -m pytest tests/test_multi_server.py")

ROOT = Path(__file__).resolve().parents[1]
#: The portal's test configuration signs with this key (conftest.portal_test_config): the
#: servers get it too, as every server of a deployment gets the same key.
SECRET_KEY = "test-secret-key"
LEASE_SECONDS = 4
WORKERS = 12


# -- processes ----------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_environment(database_url: str) -> dict:
    return {**os.environ, "CAREBRIDGE_DATABASE_URL": database_url,
            "CAREBRIDGE_SECRET_KEY": SECRET_KEY, "CAREBRIDGE_DATA_KEY": TEST_DATA_KEY,
            "CAREBRIDGE_WEB_WORKERS": "2", "CAREBRIDGE_WEB_THREADS": "4",
            "CAREBRIDGE_ACCESS_LOG": "/dev/null", "PYTHONPATH": str(ROOT)}


class Server:
    """One gunicorn app server on a loopback port, as deploy/gunicorn.conf.py runs it."""

    def __init__(self, environment: dict, log: Path):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log
        self.process = start_server(
            [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "deploy" / "gunicorn.conf.py"),
             "--chdir", str(ROOT)],
            env={**environment, "CAREBRIDGE_BIND": f"127.0.0.1:{self.port}"}, cwd=ROOT,
            stdout=subprocess.DEVNULL, stderr=log.open("wb"))

    def wait_until_up(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()[-3000:]
            try:
                if requests.get(f"{self.base}/login", timeout=10).status_code == 200:
                    return
            except requests.RequestException:  # not listening yet, or its workers still booting
                pass
            time.sleep(0.3)
        pytest.fail(f"server on {self.port} did not start:\n{self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        stop_server(self.process)


class Scheduler:
    """``carebridge scheduler --lease-seconds 4``: its log, and its lease holder name."""

    def __init__(self, environment: dict, log: Path):
        self.log = log
        self.process = subprocess.Popen(
            [sys.executable, "-c", "from employer_portal.cli import main; main()", "scheduler",
             "--lease-seconds", str(LEASE_SECONDS)],
            env=environment, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log.open("wb"))
        self.holder = f"{socket.gethostname()}:{self.process.pid}"

    def jobs_run(self) -> int:
        return len(re.findall(r"job \S+ done", self.log.read_text(errors="replace")))

    def stop(self, how: int = signal.SIGTERM) -> None:
        if self.process.poll() is None:
            self.process.send_signal(how)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def lease_holder(app) -> str | None:
    with app.app_context():
        lease = session.get(SchedulerLease, "scheduler")
        holder = lease.holder if lease is not None and lease.expires_at > utcnow() else None
        session.remove()
        return holder


def wait_for(condition, timeout: float, message: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    pytest.fail(message)


# -- the deployment ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def database(database_url, tmp_path_factory):
    """A database of its own, migrated once for the module: a company, a site, an administrator,
    workers with remembered phones and a lecture open for check-in."""
    with app_on_own_database(database_url, "multi_server",
                             tmp_path_factory.mktemp("multi_server")) as app:
        with app.app_context():
            create_company("测试建工集团", actor=SYSTEM)
            session.flush()
            root = get_root_unit()
            site = create_unit(root, OrgKind.SITE, "前海项目部", actor=SYSTEM)
            from employer_portal.accounts.services import create_user

            admin = create_user("admin", "管理员", PASSWORD, actor=SYSTEM)
            grant_role(admin.key, Role.ADMIN, root, actor=SYSTEM, check_actor=False)
            workers = [factories.make_worker(site) for _ in range(WORKERS)]
            lecture = make_lecture(site, starts_at=utcnow() + timedelta(minutes=5))
            world = {"root_id": root.id, "site_id": site.id,
                     "cookies": [remembered_cookie(worker) for worker in workers],
                     "lecture": (lecture.id, lecture.code_key)}
            session.commit()
            session.remove()
            url = app.extensions["sqlalchemy"].engine.url.render_as_string(hide_password=False)
        yield app, server_environment(url), world


@pytest.fixture
def deployment(database, tmp_path):
    """Two app servers on the database."""
    app, environment, world = database
    servers = [Server(environment, tmp_path / f"server-{name}.log") for name in "ab"]
    try:
        for server in servers:
            server.wait_until_up()
        yield app, environment, servers, world
    finally:
        for server in servers:
            server.stop()


def sign_in(base: str) -> requests.Session:
    browser = requests.Session()
    page = browser.get(f"{base}/login")
    answer = browser.post(f"{base}/login", data={"csrf_token": csrf_token(page.text),
                                                 "username": "admin", "password": PASSWORD},
                          allow_redirects=False)
    assert answer.status_code == 302, answer.text
    return browser


def roster(rows: list[list]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(WORKER_HEADER)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def check_in(base: str, world: dict, number: int) -> str:
    lecture_id, code_key = world["lecture"]
    answer = requests.get(f"{base}/c/{venue_code(lecture_id, code_key, utcnow())}",
                          cookies={"cb_worker_device": world["cookies"][number]}, timeout=30)
    assert answer.status_code == 200, answer.text
    return answer.text.split('data-outcome="')[1].split('"')[0]


# -- the tests ---------------------------------------------------------------------------------

@needs_postgresql
@pytest.mark.committing
def test_two_app_servers_share_sessions_imports_check_ins_and_reports(deployment, tmp_path):
    app, environment, (server_a, server_b), world = deployment

    # Signed in on A, the same session cookie works on B (same secret key, session in the cookie,
    # the user and its session version in the database).
    browser = sign_in(server_a.base)
    home_b = browser.get(f"{server_b.base}/", allow_redirects=False)
    assert home_b.status_code == 200, home_b.headers.get("Location")
    assert "管理员" in home_b.text

    # An import uploaded on A (its file kept in the database), run by the scheduler, seen on B.
    scheduler = Scheduler(environment, tmp_path / "scheduler.log")
    try:
        upload_page = browser.get(f"{server_a.base}/imports/")
        answer = browser.post(
            f"{server_a.base}/imports/",
            data={"csrf_token": csrf_token(upload_page.text), "kind": "workers",
                  "unit": str(world["root_id"]), "source": ""},
            files={"file": ("花名册.xlsx", roster([worker("M1001", "张伟", site="一号项目部"),
                                                     worker("M1002", "李强", site="一号项目部")]))},
            allow_redirects=False)
        assert answer.status_code == 302, answer.text
        job_path = answer.headers["Location"].split("127.0.0.1", 1)[-1].split(":", 1)[-1]
        job_path = job_path[job_path.index("/"):]
        progress = wait_for(
            lambda: (lambda data: data if data["finished"] else None)(
                browser.get(f"{server_b.base}{job_path}/progress").json()),
            60, "the scheduler did not run the import")
        assert (progress["status"], progress["created"], progress["rejected"]) == ("done", 2, 0)
        job_page = browser.get(f"{server_b.base}{job_path}")
        assert job_page.status_code == 200 and "花名册.xlsx" in job_page.text
    finally:
        scheduler.stop()
    with app.app_context():
        assert session.execute(select(func.count()).select_from(Worker).where(
            Worker.employee_number.in_(["M1001", "M1002"]))).scalar_one() == 2
        session.remove()

    # Check-ins through A and B: each worker counted once, whichever server answered.
    outcomes = []
    for number in range(WORKERS):
        first, second = (server_a, server_b) if number % 2 else (server_b, server_a)
        outcomes.append((check_in(first.base, world, number),
                         check_in(second.base, world, number),
                         check_in(first.base, world, number)))
    assert set(outcomes) == {("accepted", "already", "already")}
    with app.app_context():
        per_worker = session.execute(select(Attendance.worker_id, func.count())
                                     .group_by(Attendance.worker_id)).all()
        assert len(per_worker) == WORKERS and {count for _worker, count in per_worker} == {1}
        session.remove()

    # A report generated on B, with the CSRF token of a page served by A (the same session).
    quarter = Period.containing(PeriodKind.QUARTER, local_today())
    form_page = browser.get(f"{server_a.base}/reports/new")
    template_id = re.search(r'<option[^>]*value="(\d+)"', form_page.text.split(
        'name="template"', 1)[1]).group(1)
    answer = browser.post(f"{server_b.base}/reports/new", data={
        "csrf_token": csrf_token(form_page.text), "template": template_id,
        "unit": str(world["root_id"]), "period_kind": "quarter", "year": str(quarter.start.year),
        "number": str(quarter.number)}, allow_redirects=False)
    assert answer.status_code == 302, answer.text
    draft_path = answer.headers["Location"]
    draft_path = draft_path[draft_path.index("/reports/"):]
    draft_page = browser.get(f"{server_b.base}{draft_path}")
    assert draft_page.status_code == 200 and "关爱农村留守儿童" in draft_page.text
    pdf = browser.get(f"{server_a.base}{draft_path}/report.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")

    # Signing out on B ends the session on A too (the session version is in the database).
    sign_out_page = browser.get(f"{server_b.base}/")
    browser.post(f"{server_b.base}/logout", data={"csrf_token": csrf_token(sign_out_page.text)},
                 allow_redirects=False)
    stale = requests.get(f"{server_a.base}/", cookies=browser.cookies, allow_redirects=False)
    assert stale.status_code == 302 and "/login" in stale.headers["Location"]


@needs_postgresql
@pytest.mark.committing
def test_two_schedulers_one_runs_jobs_and_the_other_takes_over(database, tmp_path):
    app, environment, _world = database
    first = Scheduler(environment, tmp_path / "scheduler-1.log")
    second = None
    try:
        wait_for(lambda: lease_holder(app) == first.holder, 60,
                 "the first scheduler did not take the lease")
        second = Scheduler(environment, tmp_path / "scheduler-2.log")
        wait_for(lambda: "standing by" in second.log.read_text(errors="replace"), 60,
                 "the second scheduler did not stand by")
        # Both run for a while: the holder runs the 3-second jobs, the other runs nothing.
        ran_before = first.jobs_run()
        time.sleep(3 * LEASE_SECONDS)
        assert first.jobs_run() > ran_before
        assert second.jobs_run() == 0
        assert lease_holder(app) == first.holder

        # The holder dies without a word (no release): the other takes over once the lease
        # expires, at its next look (every half lease): within a lease and a half.
        first.stop(signal.SIGKILL)
        died = time.monotonic()
        wait_for(lambda: lease_holder(app) == second.holder, 3 * LEASE_SECONDS,
                 "the standing-by scheduler did not take over")
        took_over = time.monotonic() - died
        assert took_over <= 1.5 * LEASE_SECONDS + 1, took_over
        wait_for(lambda: second.jobs_run() > 0, 20, "the new holder runs no jobs")

        # Stopped cleanly, it gives the lease back at once.
        second.stop()
        assert lease_holder(app) is None
    finally:
        first.stop(signal.SIGKILL)
        if second is not None:
            second.stop()


# -- on any database: what would differ between servers is named at start ------------------------

def test_keys_generated_into_one_servers_instance_folder_are_warned_about_on_postgresql():
    from employer_portal.config import per_server_key_warnings

    generated = {"SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://db/carebridge",
                 "_CAREBRIDGE_SECRET_KEY_FILE": True}
    warnings = per_server_key_warnings(generated, environ={})
    assert [warning.split(" ", 1)[0] for warning in warnings] == [
        "CAREBRIDGE_SECRET_KEY", "CAREBRIDGE_DATA_KEY"]
    configured = {"CAREBRIDGE_SECRET_KEY": "k", "CAREBRIDGE_DATA_KEY": TEST_DATA_KEY}
    assert per_server_key_warnings(generated, environ=configured) == []
    # SQLite is one machine's file: one server, nothing to warn about.
    assert per_server_key_warnings({**generated, "SQLALCHEMY_DATABASE_URI": "sqlite:///x.db"},
                                   environ={}) == []


def test_a_reports_database_url_that_is_no_url_stops_the_start(tmp_path, monkeypatch):
    from employer_portal.config import load_config

    monkeypatch.setenv("CAREBRIDGE_REPORTS_DATABASE_URL", "replica.internal:5432")
    with pytest.raises(ValueError, match="CAREBRIDGE_REPORTS_DATABASE_URL"):
        load_config(tmp_path, {"SECRET_KEY": "x"})
    monkeypatch.setenv("CAREBRIDGE_REPORTS_DATABASE_URL",
                       "postgresql+psycopg://reader@replica.internal/carebridge")
    assert load_config(tmp_path, {"SECRET_KEY": "x"})["CAREBRIDGE_REPORTS_DATABASE_URL"] == (
        "postgresql+psycopg://reader@replica.internal/carebridge")
