"""Monthly allowance grant at a million workers: grant_month against a raw INSERT … SELECT.

Seconds to grant a month's call minutes and data to every eligible worker
(:func:`plugin.family_contact.grants.grant_month`, as the 1st-of-the-month job runs it), against
a hand-written ``INSERT … SELECT`` producing the same rows, run in the same process.

The database is filled by set-based ``INSERT … SELECT`` statements over a generated series of
numbers in the database itself (not timed; ``generate_series`` on PostgreSQL, a recursive
common table expression on SQLite): a group with 20 sites; ``--workers`` workers (default
1 M) spread over them, one in fifty of whom left before the month; nine in ten have a
left-behind child, the others a child who lives with them (not eligible); one child-parent link
per child. One company policy (parents of left-behind children, 300 minutes and 1,024 MB a
month, whole months) is in force for the month.

Timed, each the median of ``--runs`` runs (the grants are deleted, untimed, before each run;
on PostgreSQL the table is truncated and kept from autovacuum; grant and raw alternate), each
committed:

* ``grant_month``: the whole service call, its counts, its audit row and the commit;
* ``raw INSERT … SELECT``: one statement inserting the same rows (same columns and values but
  ``granted_at``), without ``ON CONFLICT``: the floor for inserting these rows.

For information, the raw statement with ``ON CONFLICT (worker_id, month) DO NOTHING`` (what makes
a second run harmless) is timed too. The rows of grant and raw are checked equal (count and sums
of worker ids, minutes, megabytes and cost) before anything is timed; a mismatch prints an
``ERROR`` line.

Target (issue 20): grant ÷ raw ≤ 2.0, the last line (``ratio: X.XX``, of the first database run).
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

from . import is_child_run, run_on_databases

SITES = 20
MONTH = date(2026, 12, 1)
#: Workers who left before the month: one in this many.
LEAVER_EVERY = 50
#: Workers with a child who lives with them rather than a left-behind one: one in this many.
NOT_LEFT_BEHIND_EVERY = 10


def add_arguments(parser) -> None:
    parser.add_argument("--workers", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3, help="timed runs of each (median)")
    parser.add_argument("--databases", default="sqlite,postgresql",
                        help="comma-separated: sqlite, postgresql")
    # Where the PostgreSQL child process leaves its ratio for the parent's last line.
    parser.add_argument("--ratio-file", default=None, help=argparse.SUPPRESS)


# --- the data -----------------------------------------------------------------------------------

def _series(dialect: str, count: int) -> tuple[str, str]:
    """(a WITH prefix, a FROM source) giving the numbers 1 … ``count`` as ``g``."""
    if dialect == "postgresql":
        return "", f"generate_series(1, {int(count)}) AS s(g)"
    return (f"WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < "
            f"{int(count)}) ", "s")


def _padded(dialect: str, width: int) -> str:
    return (f"lpad(g::text, {width}, '0')" if dialect == "postgresql"
            else f"printf('%0{width}d', g)")


def _fill(workers: int, site_ids: list[int]) -> None:
    """Workers, children and their links, in three statements."""
    from sqlalchemy import bindparam, text

    from plugin.core.db import UTCDateTime, session

    dialect = session.get_bind().dialect.name
    prefix, source = _series(dialect, workers)
    site = "CASE g % {} {} END".format(len(site_ids), " ".join(
        f"WHEN {index} THEN {site_id}" for index, site_id in enumerate(site_ids)))
    now = bindparam("now", datetime.now(UTC), type_=UTCDateTime())
    left = f"g % {LEAVER_EVERY} = 1"
    statements = (
        f"{prefix}INSERT INTO cb_worker (id, employee_number, name, name_initials, phone, "
        "org_unit_id, employment_status, entry_date, left_on, created_at, updated_at) "
        f"SELECT g, 'E' || {_padded(dialect, 7)}, '职工' || g, 'zg', '139' || "
        f"{_padded(dialect, 8)}, {site}, CASE WHEN {left} THEN 'left' ELSE 'active' END, "
        f"NULL, CASE WHEN {left} THEN :left_on ELSE NULL END, :now, :now FROM {source}",
        f"{prefix}INSERT INTO cb_child (id, name, name_initials, org_unit_id, left_behind, "
        "in_difficulty, migrant, de_facto_unsupported, wandering, psychological_anomaly, "
        "asked_for_help, focus_flags, categories_missing, categories_presumed, created_at, "
        f"updated_at) SELECT g, '子' || g, 'z', {site}, "
        f"g % {NOT_LEFT_BEHIND_EVERY} <> 0, FALSE, g % {NOT_LEFT_BEHIND_EVERY} = 0, FALSE, "
        f"FALSE, FALSE, FALSE, '', '', '', :now, :now FROM {source}",
        f"{prefix}INSERT INTO cb_child_parent (id, child_id, worker_id, role) "
        f"SELECT g, g, g, 'father' FROM {source}",
    )
    values = {"now": now, "left_on": bindparam("left_on", date(2026, 6, 30))}
    for statement in statements:
        session.execute(text(statement).bindparams(
            *(value for key, value in values.items() if f":{key}" in statement)))
        session.commit()


def _settle() -> None:
    """Planner statistics as a roster import leaves them; on PostgreSQL a VACUUM, as autovacuum
    would have run by the 1st of the month."""
    from plugin.core.db import refresh_planner_statistics, session

    refresh_planner_statistics()
    session.commit()
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        with connection.engine.connect().execution_options(
                isolation_level="AUTOCOMMIT") as raw:
            raw.exec_driver_sql("VACUUM ANALYZE")


def _clear() -> None:
    """No grants (untimed), so every run inserts into the same empty table: on PostgreSQL
    truncated (its indexes rebuilt empty, no dead rows) and never autovacuumed mid-run."""
    from plugin.core.db import session

    if session.get_bind().dialect.name == "postgresql":
        session.execute(_sql("TRUNCATE cb_contact_grant CASCADE"))
        session.execute(_sql("ALTER TABLE cb_contact_grant SET (autovacuum_enabled = false)"))
    else:
        session.execute(_sql("DELETE FROM cb_contact_grant"))
    session.commit()


def _sql(statement: str):
    from sqlalchemy import text

    return text(statement)


# --- the measurements ---------------------------------------------------------------------------

def _raw_statement(policy, conflict: bool):
    """The month's grants as one hand-written INSERT … SELECT (the policy's amounts inlined,
    as the service does)."""
    from sqlalchemy import bindparam, text

    from plugin.core.db import UTCDateTime

    cost = (policy.minutes_per_month * policy.minute_cost_fen
            + policy.data_mb_per_month * policy.mb_cost_fen)
    statement = text(
        "INSERT INTO cb_contact_grant (worker_id, org_unit_id, month, policy_id, minutes, "
        "data_mb, cost_fen, phone, line_id, status, granted_at) "
        f"SELECT w.id, w.org_unit_id, :month, {policy.id}, {policy.minutes_per_month}, "
        f"{policy.data_mb_per_month}, {cost}, w.phone, :prefix || CAST(w.id AS VARCHAR(12)), "
        "'granted', :now FROM cb_worker w "
        "WHERE (w.entry_date IS NULL OR w.entry_date <= :today) "
        "AND (w.left_on IS NULL OR w.left_on > :today) "
        "AND EXISTS (SELECT 1 FROM cb_child_parent p JOIN cb_child c ON c.id = p.child_id "
        "WHERE p.worker_id = w.id AND c.left_behind = TRUE)"
        + (" ON CONFLICT (worker_id, month) DO NOTHING" if conflict else ""))
    return statement.bindparams(bindparam("month", MONTH), bindparam("today", MONTH),
                                bindparam("prefix", f"{MONTH:%Y%m}-"),
                                bindparam("now", datetime.now(UTC), type_=UTCDateTime()))


def _fingerprint() -> tuple[int, ...]:
    from plugin.core.db import session

    row = session.execute(_sql(
        "SELECT count(*), coalesce(sum(worker_id), 0), coalesce(sum(minutes), 0), "
        "coalesce(sum(data_mb), 0), coalesce(sum(cost_fen), 0), count(DISTINCT line_id) "
        "FROM cb_contact_grant")).one()
    return tuple(int(value) for value in row)


def _timed(function) -> float:
    _clear()
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def _measure(name: str, arguments) -> float:
    from plugin.core.db import session
    from plugin.core.host import Actor
    from plugin.family_contact import grants
    from plugin.family_contact.models import AllowancePolicy, Eligibility
    from plugin.org.models import OrgKind
    from plugin.org.queries import get_root_unit
    from plugin.org.services import create_company, create_unit

    actor = Actor.system("bench")
    create_company("基准测试建工集团", actor=actor)
    session.flush()
    root = get_root_unit()
    sites = [create_unit(root, OrgKind.SITE, f"第{number}项目部", actor=actor)
             for number in range(1, SITES + 1)]
    policy = AllowancePolicy(org_unit_id=root.id, version=1,
                             eligibility=Eligibility.LEFT_BEHIND_PARENTS, minutes_per_month=300,
                             data_mb_per_month=1024, carrier="china_mobile", minute_cost_fen=8,
                             mb_cost_fen=3, starts_on=MONTH, created_by=actor.key)
    session.add(policy)
    session.commit()
    started = time.perf_counter()
    _fill(arguments.workers, [site.id for site in sites])
    _settle()
    print(f"{name:<11} seeded in {time.perf_counter() - started:.0f} s: {arguments.workers:,} "
          f"workers, as many children and links", flush=True)

    def grant() -> None:
        grants.grant_month(MONTH, actor)
        session.commit()

    def raw(conflict: bool = False) -> None:
        session.execute(_raw_statement(policy, conflict))
        session.commit()

    # The warm-up, and the check that keeps the baseline honest.
    _timed(grant)
    granted = _fingerprint()
    _timed(raw)
    inserted = _fingerprint()
    if granted != inserted:
        print(f"{name:<11} ERROR rows differ: grant_month {granted}, raw SQL {inserted}",
              flush=True)
    else:
        print(f"{name:<11} {granted[0]:,} grants: grant_month = raw SQL", flush=True)
    grant_times, raw_times, conflict_times = [], [], []
    for _run in range(arguments.runs):
        grant_times.append(_timed(grant))
        raw_times.append(_timed(raw))
        conflict_times.append(_timed(lambda: raw(conflict=True)))
    _clear()
    grant_seconds, raw_seconds = statistics.median(grant_times), statistics.median(raw_times)
    conflict_seconds = statistics.median(conflict_times)
    ratio = grant_seconds / raw_seconds
    runs = ", ".join(f"{t:.2f}" for t in grant_times)
    print(f"{name:<11} {'grant_month':<44} {grant_seconds:>7.2f} s  (runs, s: {runs})",
          flush=True)
    print(f"{name:<11} {'raw INSERT … SELECT':<44} {raw_seconds:>7.2f} s  (runs, s: "
          f"{', '.join(f'{t:.2f}' for t in raw_times)})", flush=True)
    print(f"{name:<11} {'raw INSERT … SELECT … ON CONFLICT DO NOTHING':<44} "
          f"{conflict_seconds:>7.2f} s  (for information)", flush=True)
    print(f"{name:<11} grant ÷ raw {ratio:.2f} [{'ok' if ratio <= 2.0 else 'ABOVE TARGET'} "
          f"≤ 2.0]", flush=True)
    return ratio


def run_database(name: str, url: str, arguments, ratios: list[float]) -> None:
    from employer_portal import create_app
    from employer_portal.database import upgrade_database
    from plugin.privacy.crypto import KeyRing

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                      "CAREBRIDGE_DATA_KEY": KeyRing.generate().serialize()})
    with app.app_context():
        upgrade_database()
        ratio = _measure(name, arguments)
    ratios.append(ratio)
    if is_child_run() and arguments.ratio_file:
        Path(arguments.ratio_file).write_text(f"{ratio:.6f}\n")


def run(arguments) -> None:
    ratios: list[float] = []
    with tempfile.TemporaryDirectory() as directory:
        if not is_child_run():
            print(f"monthly allowance grant for {MONTH:%Y-%m}, {arguments.workers:,} workers: "
                  f"median of {arguments.runs} runs after a warm-up", flush=True)
            arguments.ratio_file = str(Path(directory) / "ratio")
        run_on_databases(arguments.databases,
                         lambda name, url: run_database(name, url, arguments, ratios),
                         ["allowances", "--workers", str(arguments.workers),
                          "--runs", str(arguments.runs), "--ratio-file", arguments.ratio_file])
        if is_child_run():
            return
        # The first database's: run here (SQLite), or left by the PostgreSQL child process.
        if arguments.databases.split(",")[0].strip() == "sqlite" and ratios:
            ratio = ratios[0]
        elif os.path.exists(arguments.ratio_file):
            ratio = float(Path(arguments.ratio_file).read_text())
        else:
            sys.exit("no ratio: the first database did not finish")
    print(f"ratio: {ratio:.2f}", flush=True)
