import threading
from datetime import timedelta

import pytest
from apscheduler.triggers.cron import CronTrigger

from plugin.core.db import session
from plugin.jobs import default_jobs
from plugin.notifications.models import Notification
from plugin.notifications.services import notify
from plugin.scheduling import lease
from plugin.scheduling.runner import JobDefinition, SchedulerProcess, run_job

JOBS = default_jobs()

TTL = timedelta(seconds=60)


def test_first_scheduler_takes_the_lease_and_a_second_is_refused(app_context, clock):
    assert lease.try_acquire("host-a:1", ttl=TTL)
    assert not lease.try_acquire("host-b:2", ttl=TTL)
    assert lease.current_holder().holder == "host-a:1"


def test_holder_renews_its_own_lease(app_context, clock):
    assert lease.try_acquire("host-a:1", ttl=TTL)
    clock.advance(seconds=50)
    assert lease.try_acquire("host-a:1", ttl=TTL)
    clock.advance(seconds=50)
    assert not lease.try_acquire("host-b:2", ttl=TTL)
    assert lease.current_holder().expires_at == clock.now - timedelta(seconds=50) + TTL


def test_standby_takes_over_an_expired_lease(app_context, clock):
    assert lease.try_acquire("host-a:1", ttl=TTL)
    clock.advance(seconds=61)
    assert lease.try_acquire("host-b:2", ttl=TTL)
    assert not lease.try_acquire("host-a:1", ttl=TTL)


def test_release_frees_the_lease(app_context, clock):
    assert lease.try_acquire("host-a:1", ttl=TTL)
    lease.release("host-a:1")
    assert lease.try_acquire("host-b:2", ttl=TTL)


def test_every_declared_job_is_valid():
    ids = [job.id for job in JOBS]
    assert len(ids) == len(set(ids)) and ids
    for job in JOBS:
        assert callable(job.func)
        if job.trigger == "cron":
            CronTrigger(timezone="Asia/Shanghai", **job.trigger_args)


def test_run_job_commits_on_success_and_rolls_back_on_failure(app, company):
    def ok():
        notify(["1"], "首页")
        return "done"

    def broken():
        notify(["2"], "首页")
        raise RuntimeError("boom")

    assert run_job(app, JobDefinition("ok", ok, "interval")) == "done"
    with pytest.raises(RuntimeError):
        run_job(app, JobDefinition("broken", broken, "interval"))
    keys = {n.recipient_key for n in session.query(Notification)}
    assert keys == {"1"}


def test_scheduler_process_builds_jobs_in_company_timezone(app, company):
    process = SchedulerProcess(app, JOBS)
    scheduler = process.build_scheduler()
    assert {job.id for job in scheduler.get_jobs()} == {job.id for job in JOBS}
    assert str(scheduler.timezone) == "Asia/Shanghai"


@pytest.mark.committing
def test_second_process_stands_by_while_the_first_holds_the_lease(app):
    """A real second process shape: its own thread, sessions and commits on the real database."""
    with app.app_context():
        assert lease.try_acquire("someone-else:1", ttl=TTL)
    process = SchedulerProcess(app, [], ttl=TTL)
    runner = threading.Thread(target=process.run, kwargs={"standby_poll": 0.01})
    runner.start()
    try:
        runner.join(0.3)
        assert runner.is_alive()
        with app.app_context():
            assert lease.current_holder().holder == "someone-else:1"
    finally:
        process.stop()
        runner.join(5)
        with app.app_context():
            lease.release("someone-else:1")
    assert not runner.is_alive()
