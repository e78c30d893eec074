"""Benchmarks. Each prints its figures as ratios to a baseline measured in the same run."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: Set in the child process that runs a benchmark against the throwaway PostgreSQL server.
CHILD_ENV = "CAREBRIDGE_BENCH_CHILD"


def is_child_run() -> bool:
    return bool(os.environ.get(CHILD_ENV))


def run_on_databases(databases: str, run_database: Callable[[str, str], None],
                     rerun: list[str]) -> None:
    """``run_database(label, url)`` for each of ``databases`` ("sqlite,postgresql"): SQLite in a
    temporary file; PostgreSQL on a throwaway server (scripts/with-postgres.sh), which runs
    ``python -m bench *rerun`` again in a child process with ``--databases postgresql``."""
    for name in (name.strip() for name in databases.split(",") if name.strip()):
        if name == "sqlite":
            with tempfile.TemporaryDirectory() as directory:
                run_database("SQLite", f"sqlite:///{Path(directory) / 'bench.db'}")
        elif name == "postgresql" and is_child_run():
            run_database("PostgreSQL", os.environ["CAREBRIDGE_TEST_DATABASE_URL"])
        elif name == "postgresql":
            subprocess.run([str(ROOT / "scripts" / "with-postgres.sh"), sys.executable, "-m",
                            "bench", *rerun, "--databases", "postgresql"],
                           env={**os.environ, CHILD_ENV: "1", "PYTHONPATH": str(ROOT)}, cwd=ROOT,
                           check=True)
        else:
            raise SystemExit(f"unknown database {name!r} (sqlite, postgresql)")


def start_server(command: list[str], **popen) -> subprocess.Popen:
    """An app server (gunicorn) in a process group of its own, so :func:`stop_server` can end
    every process it started."""
    return subprocess.Popen(command, start_new_session=True, **popen)


def stop_server(process: subprocess.Popen, timeout: float = 40) -> None:
    """Stop a server :func:`start_server` started: SIGTERM, gunicorn's graceful stop (its quick
    stop, SIGINT, can deadlock a gthread worker that the signal catches starting a thread, and
    the worker outlives its master), then whatever is left of its process group is killed."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()
