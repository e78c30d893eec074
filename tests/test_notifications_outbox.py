"""Channels get notifications through the outbox: after the request commits, from the job.

These tests commit to a database of their own (PostgreSQL or SQLite), as requests and the
scheduler do, so the rolled-back ``db`` fixture steps aside.
"""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import Blueprint, request
from sqlalchemy import delete, func, select

from plugin.core.boundary import commit_on_success
from plugin.core.clock import FrozenClock, system_clock
from plugin.core.db import session
from plugin.notifications.jobs import deliver_due_notifications
from plugin.notifications.models import DeliveryStatus, Notification, NotificationDelivery
from plugin.notifications.outbox import (
    CLAIM_TIMEOUT,
    MAX_ATTEMPTS,
    RETRY_DELAYS,
    claim_next_delivery,
    deliver,
)
from plugin.notifications.services import notify
from plugin.org.services import create_company
from plugin.scheduling.runner import JobDefinition, run_job, unit_of_work

from .concurrency_support import all_at_once, app_on_own_database
from .conftest import SYSTEM
from .notifications_support import FailingChannel, RecordingChannel, channels

pytestmark = pytest.mark.committing

DELIVERY_JOB = JobDefinition("notifications.deliver", deliver_due_notifications, "interval",
                             {"seconds": 5})
START = datetime(2026, 12, 4, 1, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def outbox_app(database_url, tmp_path_factory):
    with app_on_own_database(database_url, "outbox", tmp_path_factory.mktemp("outbox"),
                             WTF_CSRF_ENABLED=False) as app:
        with unit_of_work(app):
            create_company("测试建工集团", actor=SYSTEM)
            session.commit()
        add_action_route(app)
        yield app


@pytest.fixture(autouse=True)
def empty_outbox(outbox_app):
    """Each test starts with no notifications (their outbox rows go with them)."""
    with unit_of_work(outbox_app):
        session.execute(delete(Notification))
        session.commit()
    yield
    outbox_app.extensions["carebridge"].clock = system_clock


@pytest.fixture
def app(outbox_app):
    """The app of this module's database (in place of the suite's rolled-back one)."""
    return outbox_app


@pytest.fixture
def clock(outbox_app):
    """A frozen clock the outbox app reads."""
    frozen = FrozenClock(START)
    outbox_app.extensions["carebridge"].clock = frozen
    return frozen


def add_action_route(app) -> None:
    """An action that notifies, then succeeds or is refused or fails, behind the same request
    boundary as every CareBridge page (``commit_on_success``)."""
    blueprint = Blueprint("outbox_tests", __name__)

    @blueprint.route("/tests/notify-then", methods=["POST"])
    def notify_then():
        notify(["hr:1"], "首页", link=("carebridge.notifications.index", {}))
        outcome = request.args["outcome"]
        if outcome == "error":
            raise RuntimeError("the action failed after notifying")
        return ("refused", 422) if outcome == "refused" else "done"

    blueprint.after_request(commit_on_success)
    app.register_blueprint(blueprint)


def run_delivery_job(app) -> dict[str, int]:
    """One run of the job, the way ``carebridge scheduler`` runs it."""
    return run_job(app, DELIVERY_JOB)


def deliveries(app) -> list[NotificationDelivery]:
    with unit_of_work(app):
        rows = list(session.execute(select(NotificationDelivery)
                                    .order_by(NotificationDelivery.id)).scalars())
        session.expunge_all()
    return rows


def notify_and_commit(app, count: int = 1) -> list[int]:
    with unit_of_work(app):
        ids = [note.id for _ in range(count) for note in notify(["hr:1"], "首页")]
        session.commit()
    return ids


def test_a_rolled_back_request_sends_nothing(app):
    channel = RecordingChannel("sms")
    with channels(app, channel):
        client = app.test_client()
        assert client.post("/tests/notify-then?outcome=refused").status_code == 422
        assert client.post("/tests/notify-then?outcome=error").status_code == 500
        assert deliveries(app) == []
        assert run_delivery_job(app) == {"sent": 0, "failed": 0}
    assert channel.delivered == []
    with unit_of_work(app):
        assert session.scalar(select(func.count()).select_from(Notification)) == 0


def test_channels_get_the_notification_from_the_job_after_the_commit(app):
    channel = RecordingChannel("sms")
    with channels(app, channel):
        assert app.test_client().post("/tests/notify-then?outcome=done").status_code == 200
        assert channel.delivered == []  # the request only wrote the outbox row
        row, = deliveries(app)
        assert (row.status, row.attempts, row.sent_at) == (DeliveryStatus.PENDING, 0, None)
        assert run_delivery_job(app) == {"sent": 1, "failed": 0}
        assert channel.delivered == [("hr:1", "首页")]
        row, = deliveries(app)
        assert row.status == DeliveryStatus.SENT and row.attempts == 1 and row.sent_at
        assert row.claim_token is None and row.last_error is None
        assert run_delivery_job(app) == {"sent": 0, "failed": 0}  # sent once
    assert channel.delivered == [("hr:1", "首页")]


def test_a_failing_channel_is_retried_with_growing_waits_then_given_up(app, clock):
    channel = FailingChannel("wecom")
    with channels(app, channel):
        notify_and_commit(app)
        for attempt, wait in enumerate(RETRY_DELAYS, start=1):
            assert run_delivery_job(app) == {"sent": 0, "failed": 1}
            row, = deliveries(app)
            assert row.status == DeliveryStatus.PENDING and row.attempts == attempt
            assert row.due_at == clock.now + wait
            assert row.last_error == f"ConnectionError: gateway unreachable (attempt {attempt})"
            clock.advance(seconds=wait.total_seconds() - 1)
            assert run_delivery_job(app) == {"sent": 0, "failed": 0}  # not due yet
            clock.advance(seconds=1)
        assert run_delivery_job(app) == {"sent": 0, "failed": 1}
        row, = deliveries(app)
        assert row.status == DeliveryStatus.FAILED and row.attempts == MAX_ATTEMPTS
        assert row.last_error == f"ConnectionError: gateway unreachable (attempt {MAX_ATTEMPTS})"
        clock.advance(days=30)
        assert run_delivery_job(app) == {"sent": 0, "failed": 0}  # given up for good
    assert channel.attempts == MAX_ATTEMPTS and channel.delivered == []


def test_a_channel_that_recovers_delivers_once_and_keeps_the_last_error(app, clock):
    channel = FailingChannel("sms", failures=2)
    with channels(app, channel):
        notify_and_commit(app)
        for wait in RETRY_DELAYS[:2]:
            assert run_delivery_job(app)["failed"] == 1
            clock.advance(seconds=wait.total_seconds())
        assert run_delivery_job(app) == {"sent": 1, "failed": 0}
    row, = deliveries(app)
    assert row.status == DeliveryStatus.SENT and row.attempts == 3 and row.sent_at == clock.now
    assert row.last_error == "ConnectionError: gateway unreachable (attempt 2)"
    assert channel.delivered == [("hr:1", "首页")]


def test_one_failing_channel_does_not_hold_back_another(app, clock):
    sms, wecom = RecordingChannel("sms"), FailingChannel("wecom")
    with channels(app, sms, wecom):
        notify_and_commit(app)
        assert run_delivery_job(app) == {"sent": 1, "failed": 1}
    assert sms.delivered == [("hr:1", "首页")]
    assert {row.channel: row.status for row in deliveries(app)} == {
        "sms": DeliveryStatus.SENT, "wecom": DeliveryStatus.PENDING}


def test_a_row_whose_channel_is_gone_fails_like_a_failing_channel(app, clock):
    with channels(app, RecordingChannel("dingtalk")):
        notify_and_commit(app)
    assert run_delivery_job(app) == {"sent": 0, "failed": 1}
    row, = deliveries(app)
    assert row.status == DeliveryStatus.PENDING
    assert row.last_error == "LookupError: no notification channel named 'dingtalk' is registered"


def test_a_claim_whose_worker_died_is_delivered_after_it_lapses(app, clock):
    channel = RecordingChannel("sms")
    with channels(app, channel):
        notify_and_commit(app)
        with unit_of_work(app):
            stale = claim_next_delivery()  # … and the worker dies before delivering
        assert stale is not None and stale.attempt == 1
        assert run_delivery_job(app) == {"sent": 0, "failed": 0}  # claimed: not due
        clock.advance(seconds=CLAIM_TIMEOUT.total_seconds())
        assert run_delivery_job(app) == {"sent": 1, "failed": 0}
        with unit_of_work(app):  # the first worker comes back: its outcome is not recorded
            deliver(stale)
        row, = deliveries(app)
    assert row.status == DeliveryStatus.SENT and row.attempts == 2
    # At least once: the lapsed claim's worker sent it too, and nothing else changed.
    assert channel.delivered == [("hr:1", "首页")] * 2


def test_two_workers_at_once_never_deliver_the_same_row(app):
    """Real threads, each with its own connection, claiming from the same outbox at once."""
    channel = RecordingChannel("sms", seconds=0.005)
    with channels(app, channel):
        ids = notify_and_commit(app, count=60)

        def worker(_number, barrier):
            barrier.wait()
            results = []
            while (result := run_delivery_job(app))["sent"]:
                results.append(result)
            return sum(result["sent"] for result in results)

        sent = all_at_once(4, worker)
    assert sum(sent) == 60
    assert sorted(channel.notification_ids) == sorted(ids)  # each exactly once
    rows = deliveries(app)
    assert {(row.status, row.attempts) for row in rows} == {(DeliveryStatus.SENT, 1)}
