"""Claims of the background queue under real concurrency: sessions and threads of their own,
each with its own connection, against a database of their own with real commits (the pattern of
``test_concurrency_rules``). PostgreSQL: a claimer skips the task another one holds locked
(``FOR UPDATE SKIP LOCKED``) rather than wait for it or take it too; SQLite: claimers take turns
under the write lock. Either way no task is claimed twice and none is left behind."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import update

from plugin.core import tasks
from plugin.core.clock import utcnow
from plugin.core.db import session
from plugin.core.tasks import Task, TaskKind, TaskStatus

from .concurrency_support import all_at_once, app_on_own_database
from .conftest import database_dialect

pytestmark = pytest.mark.committing

KIND = TaskKind("tests.race", work="tests.test_tasks:work_in_steps", internal_error="内部错误")
TASKS = 30
CLAIMERS = 12


@pytest.fixture
def queue(database_url, tmp_path):
    """An app on its own database with :data:`TASKS` queued tasks; yields it and their ids."""
    with app_on_own_database(database_url, "tasks", tmp_path) as app:
        with app.app_context():
            created = [tasks.new_task(KIND) for _ in range(TASKS)]
            session.commit()
            ids = [task.id for task in created]
            session.remove()
        yield app, ids


def claim_in_own_session(app):
    with app.app_context():
        try:
            return tasks.claim(KIND)
        finally:
            session.remove()


def test_claimers_at_the_same_moment_each_take_a_different_task(queue):
    app, ids = queue

    def claim_all(_number, barrier):
        barrier.wait()
        mine = []
        with app.app_context():
            try:
                while (run := tasks.claim(KIND)) is not None:
                    mine.append(run.task_id)
            finally:
                session.remove()
        return mine

    claimed = all_at_once(CLAIMERS, claim_all)
    every = [task_id for mine in claimed for task_id in mine]
    assert sorted(every) == ids  # each task once, none left queued
    assert sum(1 for mine in claimed if mine) > 1  # the claimers did overlap


def test_a_task_held_by_an_open_claim_is_skipped_not_waited_for(queue):
    app, ids = queue
    postgres = database_dialect(app) == "postgresql"
    answers = {}
    with app.app_context():
        # The first claimer has locked the oldest task and not committed yet.
        first = session.execute(tasks._queued(KIND).with_for_update(skip_locked=True)).scalar_one()
        run = tasks._start(first)
        second = threading.Thread(target=lambda: answers.setdefault(
            "run", claim_in_own_session(app)))
        second.start()
        second.join(timeout=5 if postgres else 1)
        if postgres:
            assert not second.is_alive()  # it did not wait for the first claimer
            assert answers["run"].task_id == ids[1]  # nor take its task
        else:
            assert second.is_alive()  # SQLite: it waits for the write lock, its turn comes next
        session.commit()
        session.remove()
    second.join(timeout=30)
    assert run.task_id == ids[0] and answers["run"].task_id == ids[1]


def test_two_runners_recovering_a_stale_task_at_once_queue_it_once(queue):
    app, ids = queue
    with app.app_context():
        session.execute(update(Task).where(Task.id == ids[0]).values(
            status=TaskStatus.RUNNING, attempts=1, heartbeat_at=utcnow() - timedelta(hours=1)))
        session.commit()
        session.remove()

    def recover(_number, barrier):
        barrier.wait()
        with app.app_context():
            try:
                found = tasks.recover_stale(KIND)
                session.commit()
                return found
            finally:
                session.remove()

    assert sorted(all_at_once(4, recover)) == [0, 0, 0, 1]
