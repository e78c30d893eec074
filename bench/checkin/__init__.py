"""Lecture check-in: 2,000 distinct workers scan the venue code as fast as the server allows.

The portal runs under gunicorn on 127.0.0.1, on SQLite and on PostgreSQL (a throwaway server
started by scripts/with-postgres.sh). Every worker's phone is remembered beforehand (its cookie
made by the real sign-in service), so each check-in is one GET of the code's URL. A small asyncio
HTTP/1.1 client keeps N connections busy (200 by default) until every worker has checked in once,
then the same number of requests goes to a bare single-INSERT endpoint of the same server
(bench/checkin/app.py). Each round uses a new lecture; the figures are the median round.

Targets (issue 5): check-ins/s >= 80 % of the bare endpoint; p99 < 100 ms at 200 clients;
exactly 2,000 attendance rows per lecture at the end. Loopback only, bounded run.
"""
from __future__ import annotations

import asyncio
import os
import secrets
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from .. import ROOT, is_child_run, run_on_databases, start_server, stop_server

SECRET = secrets.token_urlsafe(32)


def add_arguments(parser) -> None:
    parser.add_argument("--workers", type=int, default=2000, help="distinct workers per lecture")
    parser.add_argument("--clients", type=int, default=200, help="concurrent connections")
    parser.add_argument("--rounds", type=int, default=3, help="lectures (rounds) per database")
    parser.add_argument("--databases", default="sqlite,postgresql",
                        help="comma-separated: sqlite, postgresql")
    parser.add_argument("--gunicorn-workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=0,
                        help="gthread threads per gunicorn worker (0, the default: sync workers, "
                             "which did better than gthread on 2 cores)")
    parser.add_argument("--timeout", type=float, default=120,
                        help="seconds a phase may take at most")


@dataclass
class Phase:
    requests: int
    seconds: float
    latencies: list[float]
    failures: int

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000


# --- the database and the server ------------------------------------------------------------

def _environment(url: str) -> dict:
    from plugin.privacy.crypto import KeyRing

    return {**os.environ, "CAREBRIDGE_DATABASE_URL": url, "CAREBRIDGE_SECRET_KEY": SECRET,
            "CAREBRIDGE_DATA_KEY": KeyRing.generate().serialize(), "PYTHONPATH": str(ROOT)}


def _seed_tool(environment: dict, *arguments) -> dict:
    """Run bench/checkin/seed.py against the benchmark's database (its own process)."""
    import json

    done = subprocess.run([sys.executable, "-m", "bench.checkin.seed", *map(str, arguments)],
                          env=environment, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"bench helper failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start_gunicorn(environment: dict, arguments) -> tuple[subprocess.Popen, int]:
    port = _free_port()
    worker_class = (["-k", "gthread", "--threads", str(arguments.threads)] if arguments.threads
                    else ["-k", "sync"])
    server = start_server(
        [str(Path(sys.executable).parent / "gunicorn"), "-w", str(arguments.gunicorn_workers),
         *worker_class, "-b", f"127.0.0.1:{port}", "--backlog", "2048", "--log-level", "warning",
         "bench.checkin.app:create_bench_app()"], env=environment, cwd=ROOT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return server, port
        except OSError:
            time.sleep(0.2)
    stop_server(server)
    raise SystemExit("gunicorn did not start")


# --- the load -----------------------------------------------------------------------------

async def _request(port: int, connection, request: bytes):
    """Send one request on a kept-alive connection (reopened when the server closed it)."""
    if connection is None:
        connection = await asyncio.open_connection("127.0.0.1", port)
    reader, writer = connection
    writer.write(request)
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length, close = 0, False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
        elif name.strip().lower() == b"connection" and value.strip().lower() == b"close":
            close = True
    body = await reader.readexactly(length)
    if close:
        writer.close()
        connection = None
    return connection, status, body


async def _load(port: int, make_request, count: int, clients: int, expect: bytes,
                timeout: float) -> Phase:
    latencies: list[float] = []
    failures = 0
    next_index = iter(range(count))

    async def client():
        nonlocal failures
        connection = None
        for index in next_index:
            started = time.perf_counter()
            try:
                connection, status, body = await _request(port, connection, make_request(index))
            except (OSError, asyncio.IncompleteReadError):
                connection, status, body = None, 0, b""
            latencies.append(time.perf_counter() - started)
            if status != 200 or expect not in body:
                failures += 1
        if connection is not None:
            connection[1].close()

    started = time.perf_counter()
    await asyncio.wait_for(asyncio.gather(*(client() for _ in range(clients))), timeout)
    return Phase(count, time.perf_counter() - started, latencies, failures)


def _get(path: str, cookie: str | None = None) -> bytes:
    cookie_line = f"Cookie: cb_worker_device={cookie}\r\n" if cookie else ""
    return (f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: bench-checkin\r\n{cookie_line}"
            "Connection: keep-alive\r\n\r\n").encode("ascii")


def _check_ins(port, lecture, cookies, clients, timeout) -> Phase:
    from plugin.attendance.codes import venue_code

    lecture_id, code_key = lecture

    def make(index):
        code = venue_code(lecture_id, code_key, datetime.now(UTC))
        return _get(f"/c/{code}", cookies[index])

    return asyncio.run(_load(port, make, len(cookies), clients, b'data-outcome="accepted"',
                             timeout))


def _bare(port, count, clients, timeout) -> Phase:
    from .app import BARE_PATH

    request = _get(BARE_PATH)
    return asyncio.run(_load(port, lambda _index: request, count, clients, b"ok", timeout))


# --- one database -------------------------------------------------------------------------

def run_database(name: str, url: str, arguments) -> None:
    environment = _environment(url)
    seeded = _seed_tool(environment, "seed", arguments.workers, arguments.rounds + 1)
    cookies, lectures = seeded["cookies"], seeded["lectures"]
    server, port = _start_gunicorn(environment, arguments)
    try:
        # Warm-up: every gunicorn worker connects, compiles its templates, fills its caches
        # (first one at a time: a worker's first request reads before it writes).
        _bare(port, 20, 1, arguments.timeout)
        _bare(port, 400, 50, arguments.timeout)
        _check_ins(port, lectures[0], cookies[: min(400, len(cookies))], 50, arguments.timeout)
        rounds = []
        for lecture in lectures[1:]:
            bare = _bare(port, arguments.workers, arguments.clients, arguments.timeout)
            checked = _check_ins(port, lecture, cookies, arguments.clients, arguments.timeout)
            rounds.append((checked.rate / bare.rate, bare, checked))
    finally:
        stop_server(server)
    counts = _seed_tool(environment, "count")
    ratio, bare, checked = sorted(rounds, key=lambda item: item[0])[len(rounds) // 2]
    rows_ok = all(counts.get(str(lecture[0])) == arguments.workers for lecture in lectures[1:])
    failures = sum(phase.failures for _ratio, first, second in rounds for phase in (first, second))
    print(f"{name:<11} {'bare INSERT':<12} {bare.rate:>9,.0f} {bare.percentile(0.5):>8.1f} "
          f"{bare.percentile(0.99):>8.1f}", flush=True)
    print(f"{name:<11} {'check-in':<12} {checked.rate:>9,.0f} {checked.percentile(0.5):>8.1f} "
          f"{checked.percentile(0.99):>8.1f}  ratio {ratio:.0%} "
          f"[{'ok' if ratio >= 0.8 else 'BELOW TARGET'}]  p99 "
          f"[{'ok' if checked.percentile(0.99) < 100 else 'ABOVE TARGET'}]  rows per lecture "
          f"{sorted({counts.get(str(lecture[0])) for lecture in lectures[1:]}, key=str)} "
          f"[{'ok' if rows_ok else 'WRONG'}]  failed requests {failures}", flush=True)
    print(f"{'':<11} (all rounds, check-ins/s: "
          f"{', '.join(f'{second.rate:,.0f}' for _r, _f, second in rounds)}; "
          f"at {arguments.clients} clients a closed loop cannot beat "
          f"{arguments.clients / checked.rate * 1000:.0f} ms mean latency)", flush=True)


def run(arguments) -> None:
    if not is_child_run():
        print(f"{arguments.workers} workers per lecture, {arguments.clients} clients, "
              f"{arguments.rounds} rounds, gunicorn -w {arguments.gunicorn_workers} "
              f"{'gthread --threads %d' % arguments.threads if arguments.threads else 'sync'}; "
              "median round")
        print(f"{'database':<11} {'endpoint':<12} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8}")
    run_on_databases(arguments.databases, lambda name, url: run_database(name, url, arguments), [
        "checkin", "--workers", str(arguments.workers), "--clients", str(arguments.clients),
        "--rounds", str(arguments.rounds), "--gunicorn-workers", str(arguments.gunicorn_workers),
        "--threads", str(arguments.threads), "--timeout", str(arguments.timeout)])
