"""The background task queue (:mod:`plugin.core.tasks`) and task files
(:mod:`plugin.core.task_files`), with a kind of task made for these tests: claiming, running to
done or failed, heartbeats, stale tasks recovered with the controllable clock, files stored
encrypted in chunks, and streamed downloads. Claims under real concurrency are in
``test_tasks_concurrency``; the features' own tasks in the imports and pledges tests."""
from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlalchemy import event, func, select, text, update

from plugin.core import task_files, tasks
from plugin.core.db import session
from plugin.core.errors import ValidationError
from plugin.core.tasks import (
    STOPPED_EVERY_TIME,
    STOPPED_IN_FOREGROUND,
    Task,
    TaskChunk,
    TaskKind,
    TaskLost,
    TaskStatus,
)
from plugin.privacy.crypto import DecryptionError

#: What the kind's hooks saw, in order (reset by the ``seen`` fixture).
SEEN: list = []


def work_in_steps(run: tasks.TaskRun) -> None:
    """Three steps, each committed; the last one writes the task's file."""
    run.checkpoint(0, total=3)
    for step in (1, 2, 3):
        run.checkpoint(step)
    task_files.write_file(KIND, run.task_id, "out", io.BytesIO(b"result " * 10), chunk_bytes=16)
    SEEN.append(("worked", run.attempt))


def ended(task: Task) -> None:
    SEEN.append(("ended", task.id, task.status, dict(task.failure or {})))


KIND = TaskKind("tests.steps", work="tests.test_tasks:work_in_steps",
                ended="tests.test_tasks:ended", internal_error="内部错误",
                files={"out": "tests.out", "in": "tests.in"}, max_attempts=2)
OTHER = TaskKind("tests.other", work="tests.test_tasks:work_in_steps",
                 internal_error="内部错误", files={"out": "tests.other"})


@pytest.fixture
def seen(app_context, clock):
    SEEN.clear()
    yield SEEN
    SEEN.clear()


def queued(kind: TaskKind = KIND, **options) -> Task:
    task = tasks.new_task(kind, **options)
    session.flush()
    return task


def fresh(task: Task) -> Task:
    session.expire_all()
    return session.get(Task, task.id)


def chunks_of(task: Task) -> int:
    return session.execute(select(func.count()).select_from(TaskChunk)
                           .where(TaskChunk.task_id == task.id)).scalar_one()


# -- claiming -------------------------------------------------------------------------------

def test_claim_takes_the_oldest_queued_task_of_its_kind_and_counts_an_attempt(seen, clock):
    held, first, second = queued(held=True), queued(), queued()
    queued(OTHER)
    foreground = queued(foreground=True)
    run = tasks.claim(KIND)
    assert (run.task_id, run.attempt) == (first.id, 1)
    task = fresh(first)
    assert (task.status, task.attempts, task.started_at, task.heartbeat_at) == (
        TaskStatus.RUNNING, 1, clock.now, clock.now)
    assert task.runner == tasks.runner_name()
    assert tasks.claim(KIND).task_id == second.id
    assert tasks.claim(KIND) is None  # held and foreground tasks are not the queue's
    assert fresh(held).status == TaskStatus.HELD
    assert tasks.claim_task(held.id) is None
    assert tasks.claim_task(foreground.id).task_id == foreground.id  # its own process runs it
    assert tasks.claim_task(foreground.id) is None  # once


def test_a_held_task_is_queued_when_released_and_can_be_abandoned_before_it_runs(seen, clock):
    task = queued(held=True)
    assert task.queued_at is None
    tasks.release(task)
    assert (task.status, task.queued_at) == (TaskStatus.QUEUED, clock.now)
    task_files.write_file(KIND, task.id, "in", io.BytesIO(b"upload"))
    tasks.abandon(task, "已取消 %(who)s", {"who": object()})
    task = fresh(task)
    assert task.status == TaskStatus.FAILED and task.finished_at == clock.now
    assert task.failure["message"] == "已取消 %(who)s" and isinstance(task.failure["params"]["who"], str)
    assert chunks_of(task) == 0
    with pytest.raises(ValueError):
        tasks.abandon(task, "again")


# -- running --------------------------------------------------------------------------------

def test_a_task_runs_to_done_with_its_progress_and_file(seen, clock):
    task = queued()
    assert tasks.run_queued(KIND, limit=5) == 1
    task = fresh(task)
    assert (task.status, task.total, task.processed, task.finished_at) == (
        TaskStatus.DONE, 3, 3, clock.now)
    assert seen == [("worked", 1), ("ended", task.id, TaskStatus.DONE, {})]
    assert b"".join(task_files.stored_file(KIND, task.id, "out").chunks()) == b"result " * 10
    assert tasks.run_queued(KIND, limit=5) == 0


def test_run_queued_stops_at_its_limit(seen):
    first, second = queued(), queued()
    assert tasks.run_queued(KIND, limit=1) == 1
    assert (fresh(first).status, fresh(second).status) == (TaskStatus.DONE, TaskStatus.QUEUED)


def test_progress_is_committed_at_every_checkpoint(seen):
    task = queued()
    run = tasks.claim(KIND)
    run.checkpoint(0, total=10)
    run.checkpoint(4)
    session.rollback()  # what a failure after the checkpoint would do
    assert (fresh(task).processed, fresh(task).total) == (4, 10)


def test_a_work_that_breaks_fails_the_task_with_the_kinds_message_and_keeps_no_files(seen, caplog):
    task = queued()
    task_files.write_file(KIND, task.id, "in", io.BytesIO(b"upload"))

    def broken(run):
        run.checkpoint(1, total=2)
        task_files.write_file(KIND, run.task_id, "out", io.BytesIO(b"half"))
        raise RuntimeError("bug")

    assert tasks.execute(KIND, tasks.claim(KIND), broken) == TaskStatus.FAILED
    task = fresh(task)
    assert task.status == TaskStatus.FAILED
    assert task.failure == {"message": "内部错误", "params": {}} and task.processed == 1
    assert chunks_of(task) == 0  # neither the upload nor the half-written result
    assert seen == [("ended", task.id, TaskStatus.FAILED, task.failure)]
    assert "bug" in caplog.text


def test_a_rule_broken_during_the_work_is_the_reason_people_see(seen):
    task = queued()

    def refused(run):
        raise ValidationError("缺少必填的列：%(columns)s", columns="工号")

    tasks.execute(KIND, tasks.claim(KIND), refused)
    assert fresh(task).failure == {"message": "缺少必填的列：%(columns)s", "params": {"columns": "工号"}}


# -- heartbeats and stale tasks -------------------------------------------------------------

def test_a_heartbeat_keeps_a_running_task_its_runners(seen, clock):
    task = queued()
    run = tasks.claim(KIND)
    clock.advance(minutes=6)
    run.beat(1)
    clock.advance(minutes=6)  # 12 minutes since the claim, 6 since the heartbeat
    assert tasks.recover_stale(KIND) == 0
    assert fresh(task).heartbeat_at == clock.now - timedelta(minutes=6)


def test_a_stale_task_is_queued_again_and_its_old_runner_stops(seen, clock, caplog):
    task = queued()
    stale = tasks.claim(KIND)
    stale.checkpoint(2, total=3)
    clock.advance(minutes=10, seconds=1)
    assert tasks.recover_stale(KIND) == 1
    task = fresh(task)
    assert (task.status, task.queued_at, task.attempts) == (TaskStatus.QUEUED, clock.now, 1)
    assert "queued again" in caplog.text
    assert tasks.run_queued(KIND, limit=5) == 1  # attempt 2 starts from the beginning
    task = fresh(task)
    assert (task.status, task.attempts, task.processed) == (TaskStatus.DONE, 2, 3)
    with pytest.raises(TaskLost):
        stale.beat(3)  # the first runner, alive after all, may no longer write
    assert seen[-1][:3] == ("ended", task.id, TaskStatus.DONE)


def test_run_queued_recovers_before_it_claims(seen, clock):
    task = queued()
    tasks.claim(KIND)
    assert tasks.run_queued(KIND, limit=5) == 0  # its runner is alive
    clock.advance(minutes=11)
    assert tasks.run_queued(KIND, limit=5) == 1
    assert fresh(task).status == TaskStatus.DONE


def test_a_task_whose_runner_stopped_on_every_attempt_fails_with_a_message(seen, clock):
    task = queued()
    task_files.write_file(KIND, task.id, "in", io.BytesIO(b"upload"))
    for attempt in (1, 2):  # KIND.max_attempts
        assert tasks.claim(KIND).attempt == attempt
        clock.advance(minutes=11)
        tasks.recover_stale(KIND)
    task = fresh(task)
    assert task.status == TaskStatus.FAILED and task.finished_at == clock.now
    assert task.failure == {"message": STOPPED_EVERY_TIME, "params": {"attempts": 2}}
    assert chunks_of(task) == 0
    assert seen == [("ended", task.id, TaskStatus.FAILED, task.failure)]
    assert tasks.claim(KIND) is None


def test_a_foreground_task_is_failed_when_its_process_goes_away(seen, clock):
    running, never_started = queued(foreground=True), queued(foreground=True)
    tasks.claim_task(running.id)
    clock.advance(minutes=9)
    assert tasks.recover_stale(KIND) == 0
    clock.advance(minutes=2)
    assert tasks.recover_stale(KIND) == 2  # the queue could not run them: no second attempt
    for task in (running, never_started):
        task = fresh(task)
        assert task.status == TaskStatus.FAILED
        assert task.failure == {"message": STOPPED_IN_FOREGROUND, "params": {}}


def test_a_run_taken_over_stops_without_touching_its_successor(seen, clock):
    task = queued()
    first = tasks.claim(KIND)
    clock.advance(minutes=11)
    tasks.recover_stale(KIND)
    second = tasks.claim(KIND)
    assert tasks.execute(KIND, first) is None  # its first checkpoint finds the task taken
    task = fresh(task)
    assert (task.status, task.attempts) == (TaskStatus.RUNNING, 2)
    assert chunks_of(task) == 0 and seen == []
    assert tasks.execute(KIND, second) == TaskStatus.DONE


def test_an_ended_task_cannot_be_ended_again(seen):
    queued()
    run = tasks.claim(KIND)
    tasks.execute(KIND, run)
    assert tasks.execute(KIND, run) is None
    with pytest.raises(TaskLost):
        run.beat()


# -- files ----------------------------------------------------------------------------------

CONTENT = "身份证号 110101199003071234；".encode() * 40


def test_a_file_is_stored_encrypted_in_chunks_and_read_back(seen, tmp_path):
    task = queued()
    source = tmp_path / "roster.csv"
    source.write_bytes(CONTENT)
    assert task_files.write_file(KIND, task.id, "out", source, chunk_bytes=100) == len(CONTENT)
    raw = [bytes(data) for data in session.execute(
        select(TaskChunk.data).where(TaskChunk.task_id == task.id).order_by(TaskChunk.seq)).scalars()]
    assert len(raw) == -(-len(CONTENT) // 100)
    assert not any(b"110101" in chunk or "身份证".encode() in chunk for chunk in raw)
    stored = task_files.stored_file(KIND, task.id, "out")
    assert b"".join(stored.chunks()) == CONTENT
    copy = tmp_path / "copy.csv"
    stored.copy_to(copy)
    assert copy.read_bytes() == CONTENT
    assert task_files.has_file(task.id, "out") and not task_files.has_file(task.id, "in")
    assert task_files.stored_file(KIND, task.id, "in") is None


def test_writing_a_file_again_replaces_it(seen):
    task = queued()
    task_files.write_file(KIND, task.id, "out", io.BytesIO(b"x" * 50), chunk_bytes=10)
    task_files.write_file(KIND, task.id, "out", io.BytesIO(b"short"), chunk_bytes=10)
    assert chunks_of(task) == 1
    assert b"".join(task_files.stored_file(KIND, task.id, "out").chunks()) == b"short"


def test_a_chunk_reads_only_as_the_file_of_its_kind_it_was_written_for(seen):
    task = queued()
    task_files.write_file(KIND, task.id, "out", io.BytesIO(CONTENT), chunk_bytes=100)
    with pytest.raises(ValueError):
        task_files.write_file(KIND, task.id, "undeclared", io.BytesIO(b"x"))
    assert task_files.stored_file(OTHER, task.id, "out") is None  # another kind's task
    # Moved to another file of the task (another encryption context), a chunk does not decrypt.
    session.execute(update(TaskChunk).where(TaskChunk.task_id == task.id).values(name="in"))
    with pytest.raises(DecryptionError):
        next(task_files.stored_file(KIND, task.id, "in").chunks())


def test_a_download_is_streamed_a_chunk_at_a_time(app, seen):
    task = queued()
    task_files.write_file(KIND, task.id, "out", io.BytesIO(CONTENT), chunk_bytes=300)
    session.flush()
    reads = []

    def count_chunk_reads(_conn, _cursor, statement, *_args):
        if "cb_task_chunk.data" in statement:
            reads.append(statement)

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", count_chunk_reads)
    try:
        with app.test_request_context("/download"):
            response = task_files.stored_file(KIND, task.id, "out").response(
                download_name="花名册.errors.csv", fallback_name="import-1-errors.csv",
                mimetype="text/csv", size=len(CONTENT))
            assert response.is_streamed and reads == []  # nothing read before it is sent
            body = iter(response.response)
            first = next(body)
            assert first == CONTENT[:300] and len(reads) == 1
            assert first + b"".join(body) == CONTENT and len(reads) == -(-len(CONTENT) // 300)
    finally:
        event.remove(engine, "before_cursor_execute", count_chunk_reads)
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=\"import-1-errors.csv\"; "
        "filename*=UTF-8''%E8%8A%B1%E5%90%8D%E5%86%8C.errors.csv")
    assert response.headers["Content-Length"] == str(len(CONTENT))
    assert response.headers["Cache-Control"] == "no-store" and response.mimetype == "text/csv"


def test_chunks_go_with_their_task(seen):
    task = queued()
    task_files.write_file(KIND, task.id, "out", io.BytesIO(b"abc"))
    session.execute(text("DELETE FROM cb_task WHERE id = :id"), {"id": task.id})
    assert chunks_of(task) == 0
