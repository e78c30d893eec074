"""Health checks, Prometheus metrics and structured logs (employer_portal.operations).

``/healthz`` answers without the database, ``/readyz`` checks it and both migration histories;
``/metrics`` answers the machine itself or a bearer token only, labels requests by endpoint
(never the path), counts the scheduler's job runs, reads the queues and the lease from the
database, and adds up several processes in multiprocess mode. JSON log lines carry the request
id and never the query string, form values, names or ID numbers a request carried.
"""
from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from employer_portal import create_app
from employer_portal.operations import logs
from plugin.core.db import session
from plugin.core.tasks import TaskKind, TaskStatus, new_task
from plugin.notifications.models import DeliveryStatus, NotificationDelivery
from plugin.notifications.services import notify
from plugin.scheduling.models import SchedulerLease
from plugin.scheduling.runner import JobDefinition, run_job

from .conftest import TEST_DATA_KEY, portal_test_config, submit
from .support import recorded_statements

ROOT = Path(__file__).resolve().parent.parent
ID_NUMBER = "110101199003077777"
NAME = "王小明"


def samples(text: str) -> dict[tuple, float]:
    """``{(name, (label, value)…): value}`` of a scrape."""
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, *sorted(sample.labels.items()))] = sample.value
    return found


def scrape(client, **kwargs) -> dict[tuple, float]:
    response = client.get("/metrics", **kwargs)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("text/plain; version=")
    return samples(response.text)


def requests_of(found: dict, endpoint: str, status_class: str) -> float:
    return found.get(("carebridge_http_requests_total", ("endpoint", endpoint),
                      ("status_class", status_class)), 0.0)


@pytest.fixture
def fresh_app(tmp_path):
    """The portal on a database file that was never migrated (nothing set up)."""
    def make(url: str | None = None, **config):
        return create_app(portal_test_config(url or f"sqlite:///{tmp_path / 'fresh.db'}",
                                             **config))
    return make


# -- health ---------------------------------------------------------------------------------------

def test_healthz_answers_without_the_database_before_set_up(app, client):
    with app.app_context(), recorded_statements() as statements:
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}
    assert statements == []
    assert response.headers["Cache-Control"].startswith("no-store")


def test_readyz_is_ready_on_a_migrated_database(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json == {"status": "ready",
                             "checks": {"database": "ok", "migrations": "ok"}}


def test_readyz_says_the_migrations_are_behind_on_a_database_never_migrated(fresh_app):
    response = fresh_app().test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json == {"status": "not ready",
                             "checks": {"database": "ok", "migrations": "behind"}}


def test_without_a_database_healthz_lives_and_readyz_is_not_ready(fresh_app, tmp_path):
    app = fresh_app(f"sqlite:///{tmp_path / 'no-such-folder' / 'x.db'}")
    client = app.test_client()
    assert client.get("/healthz").status_code == 200
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json["checks"] == {"database": "unavailable", "migrations": "unknown"}
    assert "no-such-folder" not in response.text


# -- metrics --------------------------------------------------------------------------------------

def test_metrics_answer_the_machine_itself_only_when_no_token_is_set(client):
    assert client.get("/metrics").status_code == 200
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "::1"}).status_code == 200
    assert client.get("/metrics",
                      environ_base={"REMOTE_ADDR": "203.0.113.9"}).status_code == 404
    # Relayed by a reverse proxy on the same machine: a client on the internet.
    relayed = client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
    assert relayed.status_code == 404
    assert "carebridge" not in relayed.text


def test_with_a_token_metrics_need_it_from_anywhere(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "CAREBRIDGE_METRICS_TOKEN", "s3cret-token")
    assert client.get("/metrics").status_code == 401
    wrong = client.get("/metrics", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401 and wrong.headers["WWW-Authenticate"].startswith("Bearer")
    right = client.get("/metrics", headers={"Authorization": "Bearer s3cret-token"},
                       environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert right.status_code == 200
    assert "carebridge_http_requests_total" in right.text


def test_requests_are_counted_by_endpoint_and_status_class_never_by_path(client, company):
    before = scrape(client)
    client.get("/healthz")
    client.get("/healthz")
    client.get(f"/no/such/page/{ID_NUMBER}?name={NAME}")
    text = client.get("/metrics").text
    after = samples(text)
    assert requests_of(after, "operations.healthz", "2xx") == \
        requests_of(before, "operations.healthz", "2xx") + 2
    assert requests_of(after, "unmatched", "4xx") == requests_of(before, "unmatched", "4xx") + 1
    assert ("carebridge_http_request_duration_seconds_count",
            ("endpoint", "operations.healthz")) in after
    assert ID_NUMBER not in text and "/no/such" not in text and NAME not in text


def test_scheduled_job_runs_and_failures_are_counted_by_job(app, client, company):
    def key(outcome):
        return ("carebridge_scheduled_job_runs_total", ("job_id", "ops_test_job"),
                ("outcome", outcome))

    before = scrape(client)

    def broken():
        raise RuntimeError("boom")

    assert run_job(app, JobDefinition("ops_test_job", lambda: "done", "interval")) == "done"
    assert run_job(app, JobDefinition("ops_test_job", lambda: "done", "interval")) == "done"
    with pytest.raises(RuntimeError):
        run_job(app, JobDefinition("ops_test_job", broken, "interval"))
    after = scrape(client)
    assert after[key("ok")] == before.get(key("ok"), 0) + 2
    assert after[key("failed")] == before.get(key("failed"), 0) + 1
    assert after[("carebridge_scheduled_job_duration_seconds_count",
                  ("job_id", "ops_test_job"))] >= 3
    assert after[("carebridge_scheduled_job_last_success_timestamp_seconds",
                  ("job_id", "ops_test_job"))] > 0


def test_queues_and_the_lease_are_read_from_the_database(app, client, clock, make_user):
    user = make_user()
    found = scrape(client)
    assert found[("carebridge_metrics_database_up",)] == 1
    assert found[("carebridge_scheduler_lease_held", ("holder", ""))] == 0
    assert not any(name[0] == "carebridge_task_queue" and ("kind", "ops.test") in name
                   for name in found)

    kind = TaskKind(name="ops.test", work="tests.nowhere:work", internal_error="x")
    new_task(kind)
    new_task(kind)
    running = new_task(kind)
    running.status = TaskStatus.RUNNING
    [notification] = notify([user.key], "测试通知")
    now = clock()
    session.add_all([
        NotificationDelivery(notification_id=notification.id, channel="sms",
                             status=DeliveryStatus.PENDING, attempts=0, due_at=now,
                             created_at=now),
        NotificationDelivery(notification_id=notification.id, channel="wecom",
                             status=DeliveryStatus.SENT, attempts=1, due_at=now,
                             created_at=now),
        SchedulerLease(name="scheduler", holder="app-1:4242", acquired_at=now,
                       expires_at=now + timedelta(seconds=60)),
    ])
    session.flush()
    found = scrape(client)
    assert found[("carebridge_task_queue", ("kind", "ops.test"), ("status", "queued"))] == 2
    assert found[("carebridge_task_queue", ("kind", "ops.test"), ("status", "running"))] == 1
    assert found[("carebridge_outbox_pending", ("channel", "sms"))] == 1
    assert ("carebridge_outbox_pending", ("channel", "wecom")) not in found
    assert found[("carebridge_scheduler_lease_held", ("holder", "app-1:4242"))] == 1

    clock.advance(minutes=2)  # the holder stopped renewing: nobody holds a live lease
    found = scrape(client)
    assert found[("carebridge_scheduler_lease_held", ("holder", ""))] == 0
    assert ("carebridge_scheduler_lease_held", ("holder", "app-1:4242")) not in found


MULTIPROCESS_SCRIPT = """
import os, sys
from employer_portal import create_app
from plugin.signals import scheduled_job_ran
role, url, key, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "x",
                  "CAREBRIDGE_DATA_KEY": key})
client = app.test_client()
for _ in range(count):
    assert client.get("/healthz").status_code == 200
if role == "scheduler":
    scheduled_job_ran.send(app, job_id="deliver_notifications", outcome="failed", seconds=0.5)
if role == "scrape":
    sys.stdout.write(client.get("/metrics").text)
"""


def test_in_multiprocess_mode_metrics_add_up_every_process(tmp_path):
    folder = tmp_path / "prometheus"
    folder.mkdir()
    environment = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(folder)}
    url = f"sqlite:///{tmp_path / 'empty.db'}"

    def process(role: str, count: int) -> str:
        result = subprocess.run([sys.executable, "-c", MULTIPROCESS_SCRIPT, role, url,
                                 TEST_DATA_KEY, str(count)], cwd=ROOT, env=environment,
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        return result.stdout

    process("worker", 2)
    process("scheduler", 3)
    found = samples(process("scrape", 1))
    assert requests_of(found, "operations.healthz", "2xx") == 6
    assert found[("carebridge_scheduled_job_runs_total", ("job_id", "deliver_notifications"),
                  ("outcome", "failed"))] == 1
    assert list(folder.iterdir()), "each process wrote its figures to the shared folder"


# -- logs -----------------------------------------------------------------------------------------

@pytest.fixture
def json_lines():
    """JSON logging into a buffer for the test, everything from DEBUG up; the lines written."""
    root, werkzeug = logging.getLogger(), logging.getLogger("werkzeug")
    levels = root.level, werkzeug.level
    stream = io.StringIO()
    handler = logs.configure_json_logging(stream)
    handler.setLevel(logging.DEBUG)
    root.setLevel(logging.DEBUG)

    def lines() -> list[dict]:
        return [json.loads(line) for line in stream.getvalue().splitlines()]

    yield lines
    root.removeHandler(handler)
    root.setLevel(levels[0])
    werkzeug.setLevel(levels[1])


def test_the_json_formatter_writes_every_field_and_no_exception_message():
    formatter = logs.JsonFormatter()
    record = logging.LogRecord("carebridge.test", logging.ERROR, __file__, 1, "saw %s", ("it",),
                               None)
    logs.RequestContextFilter().filter(record)
    entry = json.loads(formatter.format(record))
    assert list(entry) == list(logs.FIELDS)
    assert entry["message"] == "saw it" and entry["level"] == "ERROR"
    assert entry["request_id"] is None and entry["time"].endswith("Z")
    try:
        raise ValueError(f"duplicate key ({ID_NUMBER})")
    except ValueError:
        record.exc_info = sys.exc_info()
    text = formatter.format(record)
    entry = json.loads(text)
    assert entry["exception"]["type"] == "builtins.ValueError"
    assert entry["exception"]["frames"]
    assert ID_NUMBER not in text


def test_a_request_id_is_taken_when_safe_else_made_and_always_echoed(client):
    given = client.get("/healthz", headers={"X-Request-ID": "edge-42.a:b_c"})
    assert given.headers["X-Request-ID"] == "edge-42.a:b_c"
    for bad in ("x" * 65, "two words", "<script>", ""):
        made = client.get("/healthz", headers={"X-Request-ID": bad})
        assert made.headers["X-Request-ID"] != bad
        assert logs.REQUEST_ID.fullmatch(made.headers["X-Request-ID"])
    first, second = client.get("/healthz"), client.get("/healthz")
    assert len(first.headers["X-Request-ID"]) == 32
    assert first.headers["X-Request-ID"] != second.headers["X-Request-ID"]


def test_every_record_of_a_request_carries_its_id(fresh_app, tmp_path, json_lines):
    app = fresh_app(f"sqlite:///{tmp_path / 'missing' / 'x.db'}")
    response = app.test_client().get("/readyz", headers={"X-Request-ID": "trace-7"})
    assert response.status_code == 503
    lines = [line for line in json_lines() if line["request_id"] == "trace-7"]
    warning = [line for line in lines if line["logger"] == "employer_portal.operations.health"]
    assert warning and warning[0]["level"] == "WARNING"
    assert warning[0]["method"] == "GET" and warning[0]["endpoint"] == "operations.readyz"
    [access] = [line for line in lines if line["logger"] == "carebridge.access"]
    assert access["status"] == 503 and access["endpoint"] == "operations.readyz"
    assert isinstance(access["duration_ms"], float)
    assert all(set(logs.FIELDS) <= set(line) for line in json_lines())


def test_logs_never_carry_the_query_string_form_values_or_names(
        app, company, make_user, json_lines):
    user = make_user(username="zhangsan", name="张三丰")
    client = app.test_client()
    query = f"?id_number={ID_NUMBER}&name={NAME}"
    refused = submit(client, f"/login{query}",
                     {"username": user.username, "password": f"wrong-{ID_NUMBER}",
                      "name": NAME, "id_number": ID_NUMBER}, form_url=f"/login{query}")
    assert refused.status_code == 422  # the form again, with its error
    client.get(f"/children/{query}")
    client.post(f"/login{query}", data={"username": NAME, "id_number": ID_NUMBER})  # no CSRF
    lines = json_lines()
    text = "\n".join(json.dumps(line, ensure_ascii=False) for line in lines)
    access = [line for line in lines if line["logger"] == "carebridge.access"]
    assert len(access) >= 4
    assert {line["endpoint"] for line in access} >= {"auth.login"}
    assert {line["method"] for line in access} == {"GET", "POST"}
    for secret in (ID_NUMBER, NAME, "id_number", "zhangsan", "张三丰", "/login?"):
        assert secret not in text
