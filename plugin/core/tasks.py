"""Background tasks: one queue for every feature's long work (roster imports, site zips…).

A feature's row (an import job, a pledge batch) owns one :class:`Task`, which holds what every
background task has: its state, its progress, the heartbeat of the process running it, and its
files (:mod:`plugin.core.task_files`). The feature's row keeps what is its own, and with it the
unit that decides who may see the task. A feature declares a :class:`TaskKind` naming the code
that does the work and the code that reacts when a task ends.

Life of a task::

    HELD ──release()──▶ QUEUED ──claim()──▶ RUNNING ──execute()──▶ DONE
      │                   │                    │    ╲────────────▶ FAILED
      └────abandon()──────┴──────────▶ FAILED   └─ stale: QUEUED again, or FAILED

* **Claim.** :func:`claim` takes the oldest queued task of a kind and marks it running in one
  short transaction. PostgreSQL: the row is locked ``FOR UPDATE SKIP LOCKED``, so runners
  claiming at the same moment each take a different task and none waits for another. SQLite:
  the statement takes the database's write lock (:func:`plugin.core.db.configure_sqlite`), so
  claimers take turns. Each claim counts an attempt; the attempt number fences the run
  (:class:`TaskRun`): every later write of the run checks it, so a run whose task was taken over
  stops (:class:`TaskLost`) instead of writing over its successor.
* **Heartbeat and progress.** A running task reports progress through :meth:`TaskRun.beat` /
  :meth:`TaskRun.checkpoint`, which also renew its heartbeat; pages read ``total`` and
  ``processed``. Work must beat at least every :attr:`TaskKind.stale_after`.
* **Stale tasks.** A running task whose heartbeat is older than ``stale_after`` lost its process
  (killed, machine restarted). :func:`recover_stale` queues it again, from the start, while it
  has had fewer than :attr:`TaskKind.max_attempts` attempts, so a kind's work must be idempotent
  (an import upserts what its lost run committed again, a zip is made afresh). After the last
  attempt it is failed with a message saying so, rather than retried for ever: a task that
  kills its process every time (a file that exhausts memory) must not take the queue down with
  it. A foreground task (run by the command line, from a file only that process has) is failed
  at once.
* **Transactions.** Functions marked "commits" run outside requests (the scheduler, the command
  line) and commit on purpose, so progress shows while a task runs and a task never holds a lock
  or a transaction between its steps. The others only flush, for use inside a request.
"""
from __future__ import annotations

import enum
import importlib
import logging
import os
import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    JSON,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    UniqueConstraint,
    and_,
    delete,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Mapped, mapped_column

from .clock import utcnow
from .db import Base, enum_column, session
from .errors import CareBridgeError
from .i18n import N_

log = logging.getLogger(__name__)

#: Reason kept on a background task whose process stopped on each of its attempts.
STOPPED_EVERY_TIME = N_("处理任务的进程中途停止，已尝试 %(attempts)s 次，任务已终止，请重新提交")
#: Reason kept on a foreground task (the command line) whose process went away.
STOPPED_IN_FOREGROUND = N_("运行任务的进程中途停止，任务已终止，请重新运行")


class TaskStatus(str, enum.Enum):
    #: Waiting for something outside the queue (a person's answer): never claimed.
    HELD = "held"
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Task(Base):
    """One piece of background work, owned by a feature's row (``task_id`` on that row)."""

    __tablename__ = "cb_task"
    __table_args__ = (Index("ix_cb_task_kind_status", "kind", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The :attr:`TaskKind.name` that says what runs it (``imports.roster``).
    kind: Mapped[str] = mapped_column(String(64))
    status: Mapped[TaskStatus] = mapped_column(enum_column(TaskStatus, 16))
    #: Run by the process that asked for it (the command line), never by the queue; not taken
    #: over when that process stops, and nobody is notified (the asker is watching).
    is_foreground: Mapped[bool] = mapped_column(default=False)
    #: Units of work in all (rows, documents), once known; an estimate until the task is done.
    total: Mapped[int | None]
    processed: Mapped[int] = mapped_column(default=0)
    #: Why it failed: ``{"message": msgid, "params": {...}}``, translated when shown.
    failure: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    #: Times a runner claimed it; the number of the current attempt fences its run.
    attempts: Mapped[int] = mapped_column(default=0)
    #: ``host:pid`` of the process that claimed it last.
    runner: Mapped[str | None] = mapped_column(String(200))
    #: When it entered the queue (last); None while held.
    queued_at: Mapped[datetime | None]
    started_at: Mapped[datetime | None]
    #: Last sign of life of the process running it.
    heartbeat_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]

    @property
    def is_finished(self) -> bool:
        return self.status in (TaskStatus.DONE, TaskStatus.FAILED)

    def __repr__(self) -> str:
        return f"<Task {self.id} {self.kind} {self.status.value if self.status else None}>"


class TaskChunk(Base):
    """One chunk of a task's file (an upload, an error file, a zip), encrypted on its own."""

    __tablename__ = "cb_task_chunk"
    __table_args__ = (UniqueConstraint("task_id", "name", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("cb_task.id", ondelete="CASCADE"))
    #: Which of the task's files (``upload``, ``errors``, ``zip``), declared by its kind.
    name: Mapped[str] = mapped_column(String(32))
    #: Position of the chunk in the file, from 0.
    seq: Mapped[int]
    #: AES-GCM ciphertext (:meth:`plugin.privacy.crypto.FieldCipher.encrypt_bytes`) under the
    #: context the kind gives the file: files hold ID numbers and children's data.
    data: Mapped[bytes] = mapped_column(LargeBinary)

    def __repr__(self) -> str:
        return f"<TaskChunk {self.task_id}/{self.name}#{self.seq}>"


@dataclass(frozen=True)
class TaskKind:
    """A kind of background task, declared by the feature whose rows own such tasks.

    ``work`` and ``ended`` name functions as ``"package.module:function"``, imported when a task
    runs, so the feature's models can declare the kind without importing the code that runs it.
    """

    name: str
    #: ``work(run: TaskRun)``: does a claimed task's work; see :func:`execute`.
    work: str
    #: Msgid of the reason kept when the work fails unexpectedly (a bug, the database).
    internal_error: str
    #: ``ended(task: Task)``: the feature's reaction to a task that ended, done or failed, by its
    #: runner or by recovery (audit, notices, its own clean-up); runs in the transaction that
    #: ends the task and only flushes.
    ended: str | None = None
    #: The kind's files: name → encryption context of their chunks.
    files: Mapping[str, str] = field(default_factory=dict)
    #: Claims a background task gets before a stopped process fails it for good.
    max_attempts: int = 3
    #: A running task without a heartbeat for this long has lost its process.
    stale_after: timedelta = timedelta(minutes=10)

    def file_context(self, name: str) -> str:
        try:
            return self.files[name]
        except KeyError:
            raise ValueError(f"task kind {self.name} declares no file {name!r}") from None


class TaskLost(Exception):
    """The task is no longer this run's: recovered as stale and claimed again, or ended."""

    def __init__(self, task_id: int):
        super().__init__(f"task {task_id} is no longer held by this run")
        self.task_id = task_id


_UNCHANGED: Any = object()


@dataclass(frozen=True)
class TaskRun:
    """A task this process claimed, as attempt ``attempt``. Every write through it checks that
    the task is still running under that attempt, and raises :class:`TaskLost` otherwise."""

    task_id: int
    attempt: int

    def beat(self, processed: int | None = None, *, total: int | None = _UNCHANGED) -> None:
        """Renew the heartbeat and report progress (``processed``, and ``total`` when given);
        flushes."""
        values: dict[str, Any] = {"heartbeat_at": utcnow()}
        if processed is not None:
            values["processed"] = processed
        if total is not _UNCHANGED:
            values["total"] = total
        self._guarded_update(values)

    def checkpoint(self, processed: int | None = None, *, total: int | None = _UNCHANGED) -> None:
        """:meth:`beat`, then commit the work so far: the pages see the progress, and a process
        that stops loses only what came after. Commits."""
        self.beat(processed, total=total)
        session.commit()

    def _guarded_update(self, values: dict[str, Any]) -> None:
        result = session.execute(
            update(Task).where(Task.id == self.task_id, Task.status == TaskStatus.RUNNING,
                               Task.attempts == self.attempt).values(**values))
        if result.rowcount != 1:
            raise TaskLost(self.task_id)


def runner_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:200]


def _load(path: str) -> Callable[..., Any]:
    module_name, _, attribute = path.partition(":")
    return getattr(importlib.import_module(module_name), attribute)


# -- asking for work (inside requests: these flush) ---------------------------------------------

def new_task(kind: TaskKind, *, held: bool = False, foreground: bool = False) -> Task:
    """A task of ``kind`` for the caller's new row to own: queued, or ``held`` until
    :func:`release`; a ``foreground`` one is run by the caller itself (:func:`claim_task`)."""
    if held and foreground:
        raise ValueError("a foreground task is run at once; it cannot be held")
    task = Task(kind=kind.name, status=TaskStatus.HELD if held else TaskStatus.QUEUED,
                is_foreground=foreground, processed=0, attempts=0,
                queued_at=None if held else utcnow())
    session.add(task)
    return task


def release(task: Task) -> None:
    """Queue a held task; flushes."""
    if task.status != TaskStatus.HELD:
        raise ValueError(f"{task!r} is not held")
    task.status = TaskStatus.QUEUED
    task.queued_at = utcnow()
    session.flush()


def abandon(task: Task, message: str, params: Mapping[str, Any] | None = None) -> None:
    """Fail a task no runner has taken yet (a user gave it up); its files are deleted; flushes."""
    if task.status not in (TaskStatus.HELD, TaskStatus.QUEUED):
        raise ValueError(f"{task!r} has started")
    task.status = TaskStatus.FAILED
    task.failure = {"message": message, "params": json_params(params)}
    task.finished_at = utcnow()
    delete_files(task.id)
    session.flush()


def delete_files(task_id: int, name: str | None = None) -> None:
    """Delete the task's file ``name`` (every file without a name); flushes."""
    statement = delete(TaskChunk).where(TaskChunk.task_id == task_id)
    if name is not None:
        statement = statement.where(TaskChunk.name == name)
    session.execute(statement)


def json_params(params: Mapping[str, Any] | None) -> dict[str, Any]:
    """Message parameters as JSON can store them."""
    return {key: value if isinstance(value, (str, int, float, bool)) or value is None
            else str(value) for key, value in (params or {}).items()}


# -- running work (outside requests: these commit) ----------------------------------------------

def run_queued(kind: TaskKind, *, limit: int) -> int:
    """Recover the kind's stale tasks, then claim and run its queued tasks one after another,
    oldest first, until none is left or ``limit`` ran; returns how many ran. Commits."""
    recover_stale(kind)
    session.commit()
    count = 0
    while count < limit and (run := claim(kind)) is not None:
        execute(kind, run)
        count += 1
    return count


def _queued(kind: TaskKind):
    return select(Task.id).where(Task.kind == kind.name, Task.status == TaskStatus.QUEUED,
                                 Task.is_foreground.is_(False)).order_by(Task.id).limit(1)


def claim(kind: TaskKind) -> TaskRun | None:
    """Take the oldest queued background task of ``kind`` for this process (see the module's
    docstring); None when there is none. Commits."""
    # Looked for without a lock first: an empty queue (nearly always) costs SQLite no write lock.
    if session.execute(_queued(kind)).scalar_one_or_none() is None:
        session.commit()
        return None
    task_id = session.execute(_queued(kind).with_for_update(skip_locked=True)).scalar_one_or_none()
    run = _start(task_id) if task_id is not None else None
    session.commit()
    return run


def claim_task(task_id: int) -> TaskRun | None:
    """Claim one given queued task for this process, which runs it at once (the command line
    its foreground task, or a caller that runs a queued task itself); None when the task is not
    queued (held, running, or ended). Commits."""
    run = _start(task_id)
    session.commit()
    return run


def _start(task_id: int) -> TaskRun | None:
    now = utcnow()
    attempt = session.execute(
        update(Task).where(Task.id == task_id, Task.status == TaskStatus.QUEUED)
        .values(status=TaskStatus.RUNNING, attempts=Task.attempts + 1, runner=runner_name(),
                started_at=now, heartbeat_at=now, finished_at=None, total=None, processed=0,
                failure=None)
        .returning(Task.attempts)
        .execution_options(synchronize_session="fetch")).scalar_one_or_none()
    return TaskRun(task_id, attempt) if attempt is not None else None


def execute(kind: TaskKind, run: TaskRun, work: Callable[[TaskRun], Any] | None = None
            ) -> TaskStatus | None:
    """Run a claimed task to its end; returns how it ended (None: it was taken over). Commits.

    ``work(run)`` (by default the kind's) does the work, committing as it goes through
    :meth:`TaskRun.checkpoint`. When it returns, the task is done, in the same transaction as
    the work's last writes. When it raises, what it had not committed is rolled back and the
    task failed: a :class:`~plugin.core.errors.CareBridgeError` keeps its message as the reason
    people see; anything else is logged and keeps :attr:`TaskKind.internal_error`. A failed task
    keeps none of its files. Either way the kind's ``ended`` runs in the transaction that ends
    the task. Never raises for a failure of the task.
    """
    try:
        (work or _load(kind.work))(run)
        _end(kind, run, TaskStatus.DONE)
        session.commit()
        return TaskStatus.DONE
    except TaskLost:
        session.rollback()
        log.warning("task %s (%s) was taken over by another runner; this run stopped",
                    run.task_id, kind.name)
        return None
    except Exception as error:  # any failure of the work fails the task
        session.rollback()
        if isinstance(error, CareBridgeError):
            failure = {"message": error.message, "params": json_params(error.params)}
        else:
            log.exception("task %s (%s) failed", run.task_id, kind.name)
            failure = {"message": kind.internal_error, "params": {}}
    try:
        _end(kind, run, TaskStatus.FAILED, failure)
        session.commit()
    except TaskLost:
        session.rollback()
        return None
    except Exception:  # the feature's reaction broke: the task still fails
        log.exception("task %s (%s): ending it as failed broke; failing it plainly",
                      run.task_id, kind.name)
        session.rollback()
        try:
            _end(kind, run, TaskStatus.FAILED, failure, react=False)
            session.commit()
        except TaskLost:
            session.rollback()
            return None
    return TaskStatus.FAILED


def _end(kind: TaskKind, run: TaskRun, status: TaskStatus,
         failure: dict[str, Any] | None = None, *, react: bool = True) -> None:
    now = utcnow()
    result = session.execute(
        update(Task).where(Task.id == run.task_id, Task.status == TaskStatus.RUNNING,
                           Task.attempts == run.attempt)
        .values(status=status, failure=failure, finished_at=now, heartbeat_at=now))
    if result.rowcount != 1:
        raise TaskLost(run.task_id)
    if status == TaskStatus.FAILED:
        delete_files(run.task_id)
    if react:
        _react(kind, session.get(Task, run.task_id))
    session.flush()


def _react(kind: TaskKind, task: Task) -> None:
    if kind.ended:
        _load(kind.ended)(task)


def recover_stale(kind: TaskKind) -> int:
    """Deal with the kind's tasks whose process went away; returns how many. Flushes.

    A background task running without a heartbeat for :attr:`TaskKind.stale_after` is queued
    again while it has had fewer than :attr:`TaskKind.max_attempts` attempts, else failed
    (:data:`STOPPED_EVERY_TIME`). A foreground task running without a heartbeat, or still queued
    that long after its process asked for it, is failed (:data:`STOPPED_IN_FOREGROUND`). Failed
    ones keep no files and the kind's ``ended`` runs for them. The process of a task queued
    again, should it still be alive after all, stops at its next heartbeat (:class:`TaskLost`).
    """
    cutoff = utcnow() - kind.stale_after
    stale = or_(and_(Task.status == TaskStatus.RUNNING, Task.heartbeat_at < cutoff),
                and_(Task.status == TaskStatus.QUEUED, Task.is_foreground.is_(True),
                     Task.queued_at < cutoff))
    found = select(Task).where(Task.kind == kind.name, stale).order_by(Task.id)
    # Looked for without a lock first, as in claim().
    if session.execute(found.with_only_columns(Task.id).limit(1)).first() is None:
        return 0
    stale_tasks = list(session.execute(found.with_for_update(skip_locked=True)).scalars())
    now = utcnow()
    for task in stale_tasks:
        if not task.is_foreground and task.attempts < kind.max_attempts:
            log.warning("task %s (%s): its process stopped (last heartbeat %s); queued again",
                        task.id, kind.name, task.heartbeat_at)
            task.status = TaskStatus.QUEUED
            task.queued_at = now
            continue
        log.error("task %s (%s): its process stopped after %s attempt(s); failed",
                  task.id, kind.name, task.attempts)
        task.status = TaskStatus.FAILED
        task.finished_at = now
        task.failure = ({"message": STOPPED_IN_FOREGROUND, "params": {}} if task.is_foreground
                        else {"message": STOPPED_EVERY_TIME, "params": {"attempts": task.attempts}})
        delete_files(task.id)
        session.flush()
        _react(kind, task)
    session.flush()
    return len(stale_tasks)
