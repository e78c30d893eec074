"""``python -m bench load``'s driver, for a few seconds on tiny numbers.

Not the benchmark (that runs two gunicorn servers on PostgreSQL): two threaded werkzeug servers
of one portal app on a database of its own, 30 check-ins in 3 seconds, 6 applicants, one
officer who also approves, one report; every request answered as expected and every invariant
held.
"""
from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from werkzeug.serving import make_server

from bench import load

from .concurrency_support import app_on_own_database

pytestmark = pytest.mark.committing


@pytest.fixture
def two_servers(database_url, tmp_path):
    with app_on_own_database(database_url, "bench_load_smoke", tmp_path) as app:
        servers = [make_server("127.0.0.1", 0, app, threaded=True) for _ in range(2)]
        threads = [threading.Thread(target=server.serve_forever, daemon=True)
                   for server in servers]
        for thread in threads:
            thread.start()
        try:
            yield app, [f"http://127.0.0.1:{server.server_port}" for server in servers]
        finally:
            for server in servers:
                server.shutdown()


def test_the_load_drivers_day_runs_and_checks_its_invariants(two_servers):
    app, bases = two_servers
    plan = load.Plan(workers=30, first_second=10, seconds=3, applicants=6, officers=1)
    world = load.seed(app, workers=plan.workers, applicants=plan.applicants,
                      officers=plan.officers)
    # In a thread of its own: a browser test earlier in the session may have left an event loop
    # running in this one (Playwright's sync API), and asyncio.run refuses to nest.
    with ThreadPoolExecutor(max_workers=1) as pool:
        measured = pool.submit(asyncio.run, load.drive(bases, world, plan)).result()

    assert dict(measured.errors) == {}, measured.error_samples
    assert len(measured.latencies["check-in"]) == 30
    assert len(measured.latencies["static (baseline)"]) == 30
    assert len(measured.latencies["apply form"]) == 6
    assert len(measured.latencies["apply"]) == 7  # the first applicant taps twice
    assert len(measured.latencies["report"]) == 3  # the new draft, its page, its PDF
    assert measured.latencies["officer list"]
    assert measured.latencies["approve"] and measured.approvals > 0  # the officer approves too
    found = load.invariants(app, world, measured, plan)
    assert [(rule, held) for rule, held, _what in found] == [
        ("one attendance per worker", True), ("one open application per worker", True),
        ("quotas not exceeded", True), ("budget not exceeded, ledger sums", True),
        ("every approval holds a place, no other", True)]
    lines = load.report_lines(measured, found)
    assert lines[-1].startswith("check-in p99 ms: ")
    assert "errors: 0 [ok]" in lines
