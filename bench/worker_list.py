"""Worker list at a million workers: milliseconds per list page for the searches and filters
officers use, on SQLite and on PostgreSQL, against a bare ``SELECT count(*)`` of the workers
measured in the same run (any list that shows its total pays at least that).

The registry is filled directly with set-based inserts (1 M workers across 20 sites, 0.9 children
per worker, a third of them left behind, one in seven in difficulty): this measures reading, the
import benchmark measures writing. A page is what the list view asks of the database:
``search_workers`` (count and page of 50) and ``children_counts`` for that page. Each figure is
the median of several runs after one warm-up run. Issue 3 asks for the list to be "fast at a
million workers" and names no figure; the ratio shows what a filter costs beyond counting.
"""
from __future__ import annotations

import functools
import random
import statistics
import time
from datetime import UTC, datetime

from . import is_child_run, run_on_databases

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华"
SITES = 20
CHUNK = 20_000


def add_arguments(parser) -> None:
    parser.add_argument("--workers", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5, help="timed runs per case (median)")
    parser.add_argument("--databases", default="sqlite,postgresql",
                        help="comma-separated: sqlite, postgresql")


# --- the data -----------------------------------------------------------------------------------

def _fill(workers: int, site_ids: list[int]) -> None:
    from sqlalchemy import insert

    from plugin.core.db import session
    from plugin.registry.models import Child, ChildParent, EmploymentStatus, ParentRole, Worker
    from plugin.registry.values import pinyin_initials

    initials = functools.lru_cache(maxsize=None)(pinyin_initials)
    rng = random.Random(2026)
    now = datetime.now(UTC)
    worker_rows, child_rows, link_rows = [], [], []
    child_id = 0

    def flush() -> None:
        for model, rows in ((Worker, worker_rows), (Child, child_rows), (ChildParent, link_rows)):
            if rows:
                session.execute(insert(model.__table__), rows)
                rows.clear()

    for number in range(workers):
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
        site = site_ids[number % len(site_ids)]
        worker_rows.append({
            "id": number + 1, "employee_number": f"E{number:07d}", "name": name,
            "name_initials": initials(name), "phone": f"139{number:08d}", "org_unit_id": site,
            "employment_status": EmploymentStatus.ACTIVE, "created_at": now, "updated_at": now})
        for _child in range(rng.choice((0, 0, 0, 1, 1, 1, 1, 1, 2, 2))):
            child_id += 1
            child_rows.append({
                "id": child_id, "name": f"子{child_id}", "name_initials": "z", "org_unit_id": site,
                "left_behind": child_id % 3 == 0, "in_difficulty": child_id % 7 == 0,
                "migrant": False, "wandering": False, "psychological_anomaly": False,
                "asked_for_help": False, "focus_flags": "", "categories_missing": "",
                "created_at": now, "updated_at": now})
            link_rows.append({"child_id": child_id, "worker_id": number + 1,
                              "role": ParentRole.FATHER})
        if len(worker_rows) >= CHUNK:
            flush()
    flush()
    session.commit()


# --- the measurements ---------------------------------------------------------------------------

def _timed(function, runs: int) -> float:
    from plugin.core.db import session

    function()
    session.rollback()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
        session.rollback()
    return statistics.median(times) * 1000


def _measure(name: str, arguments) -> None:
    from sqlalchemy import func, select

    from plugin.core.db import refresh_planner_statistics, session
    from plugin.core.host import Actor
    from plugin.org.models import OrgKind
    from plugin.org.queries import get_root_unit
    from plugin.org.services import create_company, create_unit
    from plugin.registry.models import Worker
    from plugin.registry.queries import WorkerFilter, children_counts, search_workers

    actor = Actor.system("bench")
    create_company("基准测试建工集团", actor=actor)
    session.flush()
    root = get_root_unit()
    sites = [create_unit(root, OrgKind.SITE, f"第{number}项目部", actor=actor)
             for number in range(1, SITES + 1)]
    session.commit()
    started = time.perf_counter()
    _fill(arguments.workers, [site.id for site in sites])
    # As a roster import leaves the database (see plugin.core.db.refresh_planner_statistics).
    refresh_planner_statistics()
    session.commit()
    print(f"{name}: {arguments.workers:,} workers filled in {time.perf_counter() - started:.0f} s",
          flush=True)
    site = sites[2]
    cases = [
        ("whole company, page 1", WorkerFilter(), [root.path], 1),
        ("whole company, page 2,000", WorkerFilter(), [root.path], 2000),
        ("name 王伟 (full name)", WorkerFilter(search="王伟"), [root.path], 1),
        ("name 伟 (part)", WorkerFilter(search="伟"), [root.path], 1),
        ("pinyin initials wl", WorkerFilter(search="wl"), [root.path], 1),
        ("employee number E00123", WorkerFilter(search="E00123"), [root.path], 1),
        ("phone 1390001", WorkerFilter(search="1390001"), [root.path], 1),
        ("one site", WorkerFilter(unit=site), [root.path], 1),
        ("left behind", WorkerFilter(category="left_behind"), [root.path], 1),
        ("in difficulty, one site", WorkerFilter(category="in_difficulty", unit=site),
         [root.path], 1),
        ("site officer, left behind", WorkerFilter(category="left_behind"), [site.path], 1),
    ]

    def bare_count():
        session.execute(select(func.count()).select_from(Worker)).scalar_one()

    baseline = _timed(bare_count, arguments.runs)
    print(f"{name:<11} {'bare count(*) of the workers':<32} {baseline:>9.1f} {'1.0':>7}",
          flush=True)
    for label, criteria, scope, page in cases:
        found = {}

        def list_page(criteria=criteria, scope=scope, page=page, found=found):
            listed = search_workers(criteria, scope_paths=scope, page=page)
            children_counts([worker.id for worker in listed.items])
            found["total"] = listed.total

        milliseconds = _timed(list_page, arguments.runs)
        print(f"{name:<11} {label:<32} {milliseconds:>9.1f} {milliseconds / baseline:>7.1f}  "
              f"({found['total']:,} workers)", flush=True)


def run_database(name: str, url: str, arguments) -> None:
    from flask_migrate import upgrade

    from employer_portal import create_app
    from plugin.privacy.crypto import KeyRing

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                      "CAREBRIDGE_DATA_KEY": KeyRing.generate().serialize()})
    with app.app_context():
        upgrade()
        _measure(name, arguments)


def run(arguments) -> None:
    if not is_child_run():
        print(f"worker list page: median of {arguments.runs} runs")
        print(f"{'database':<11} {'search or filter':<32} {'ms':>9} {'× count':>7}")
    run_on_databases(arguments.databases, lambda name, url: run_database(name, url, arguments),
                     ["worker-list", "--workers", str(arguments.workers),
                      "--runs", str(arguments.runs)])
