"""The scheduler process behind ``carebridge scheduler``.

APScheduler 3 cannot share a job store between processes, so exactly one process runs jobs: it
holds the database lease, renews it on a short interval, and stops if it ever loses it. A second
process started by mistake stands by and takes over when the first one stops renewing.

Between jobs the process holds no transaction: every unit of work (a job, acquiring or renewing
the lease, reading the time zone) runs in an app context of its own and ends its transaction
when done. A transaction left open, even one that only read, would keep SQLite from ever
checkpointing its write-ahead log (which then grows without bound) and would show on PostgreSQL
as a connection "idle in transaction".

Who commits: jobs run outside any request, so nothing commits for them but themselves and this
runner. A short job only flushes, and :func:`run_job` commits its work when it returns (and
rolls it back if it raises). Some jobs commit as they go, on purpose, and say so in their
docstrings: the background task queue (:func:`plugin.core.tasks.run_queued`, behind the roster
imports and the site zips) commits each claim, each step's progress and each task's end, so
progress shows while a task runs and no lock is held between steps; the notification delivery
job commits each claim and each outcome around a channel's slow call. For them
:func:`run_job`'s commit finds little or nothing left, and its rollback undoes only the
unfinished step.
"""
from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from flask import Flask

from ..core.db import session
from ..signals import scheduled_job_ran
from . import lease

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobDefinition:
    """One scheduled job. ``func`` takes no arguments (or ids) and is idempotent. What it
    leaves uncommitted the runner commits when it returns, and rolls back if it raises; a job
    may also commit as it goes (a long one does, see the module docstring), and then says so."""

    id: str
    func: Callable[[], Any]
    trigger: str
    trigger_args: dict[str, Any] = field(default_factory=dict)


@contextmanager
def unit_of_work(app: Flask) -> Iterator[None]:
    """An app context of its own whose session is closed at the end, whatever happened: the
    transaction is rolled back unless committed, and the connection goes back to the pool."""
    with app.app_context():
        try:
            yield
        finally:
            session.remove()


def run_job(app: Flask, job: JobDefinition) -> Any:
    """Run one job in its own app context: commit what it left uncommitted when it returns,
    roll that back if it raises (what the job committed itself stays). Either way
    :data:`plugin.signals.scheduled_job_ran` tells how it went, after the transaction ended."""
    started = time.monotonic()
    outcome = "failed"
    try:
        with unit_of_work(app):
            try:
                result = job.func()
                session.commit()
                log.info("job %s done: %s", job.id, result)
                outcome = "ok"
                return result
            except Exception:
                session.rollback()
                log.exception("job %s failed", job.id)
                raise
    finally:
        _announce(app, job.id, outcome, time.monotonic() - started)


def _announce(app: Flask, job_id: str, outcome: str, seconds: float) -> None:
    """Send :data:`~plugin.signals.scheduled_job_ran`; a receiver's error never changes the
    job's outcome."""
    try:
        scheduled_job_ran.send(app, job_id=job_id, outcome=outcome, seconds=seconds)
    except Exception:
        log.exception("a receiver of scheduled_job_ran failed for job %s", job_id)


class SchedulerProcess:
    def __init__(self, app: Flask, jobs: list[JobDefinition], *,
                 ttl: timedelta = timedelta(seconds=60)):
        self.app = app
        self.jobs = jobs
        self.ttl = ttl
        self.holder = f"{socket.gethostname()}:{os.getpid()}"
        self.stopped = threading.Event()

    def acquire(self) -> bool:
        with unit_of_work(self.app):
            return lease.try_acquire(self.holder, ttl=self.ttl)

    def build_scheduler(self) -> BackgroundScheduler:
        with unit_of_work(self.app):
            timezone = self.app.extensions["carebridge"].company_timezone_name()
        scheduler = BackgroundScheduler(timezone=timezone, job_defaults={
            "coalesce": True, "max_instances": 1, "misfire_grace_time": 3600})
        for job in self.jobs:
            scheduler.add_job(run_job, job.trigger, args=[self.app, job], id=job.id,
                              name=job.id, replace_existing=True, **job.trigger_args)
        return scheduler

    def run(self, *, standby_poll: float | None = None) -> None:
        """Block: wait for the lease, run the jobs while holding it, exit when stopped."""
        poll = standby_poll if standby_poll is not None else self.ttl.total_seconds() / 2
        announced = False
        while not self.stopped.is_set():
            if self.acquire():
                self._run_while_holding()
                return
            if not announced:
                log.warning("another scheduler holds the lease; standing by")
                announced = True
            self.stopped.wait(poll)

    def _run_while_holding(self) -> None:
        scheduler = self.build_scheduler()
        scheduler.start()
        log.info("scheduler %s started with %d jobs", self.holder, len(self.jobs))
        renew_every = self.ttl.total_seconds() / 3
        try:
            while not self.stopped.wait(renew_every):
                if not self.acquire():
                    log.error("scheduler lease lost to another process; stopping")
                    break
        finally:
            scheduler.shutdown(wait=True)
            with unit_of_work(self.app):
                lease.release(self.holder)

    def stop(self) -> None:
        self.stopped.set()
