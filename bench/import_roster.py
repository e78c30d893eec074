"""Roster import: rows per second and peak memory of `carebridge import-workers`, then of
`carebridge import-children` for those workers' children, each against two baselines measured
in the same run:

* raw sqlite3: ``csv.reader`` and an ``executemany`` of the cells as text, nothing else;
* the floor (issue 15): the per-row work the importer cannot skip, and nothing else: the same
  file read with the same reader (:mod:`integrations.rosters`, header found by the same
  ``find_header``), ``parse_record`` of each row with the same FieldSpecs, the ID number
  encrypted and its blind index computed with the app's cipher, and the rows inserted with one
  ``executemany`` per batch (committed per batch, as the importer commits) into the same table
  (``cb_worker``, ``cb_child``) of a fresh, migrated database.

Targets: importer >= 40 % of the raw rate (issue 3) and >= 50 % of the floor (issue 15); peak
RSS <= 256 MB at 1 M rows (the file is streamed, never loaded whole). Each import and each floor
runs in a fresh subprocess (the children's import on the database the workers' import filled,
each floor on its own fresh database), so its peak RSS is its own. Figures are ratios against
the baselines of the same run, never timed asserts.
"""
from __future__ import annotations

import csv
import json
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

HEADER = ["工号", "姓名", "性别", "身份证号码", "手机号码", "项目部", "班组", "入职日期"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华"
REGIONS = ("510722", "511321", "430521", "412723", "342623", "522125", "360731", "450881")
SITES = [f"第{n}项目部" for n in range(1, 21)]
TEAMS = ("钢筋班组", "木工班组", "混凝土班组", "架子工班组", "机电安装班组")
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHILD_HEADER = ["家长工号", "职工与儿童关系", "儿童姓名", "性别", "身份证号码", "出生日期",
                "共同生活人", "是否在户籍地生活"]
CHILD_GIVEN = "子梓涵浩宇欣怡轩然诗琪俊杰雨萱博文佳"
LIVES_WITH = ("（外）祖父母", "（外）祖父母", "（外）祖父母", "父母", "母亲", "其他亲属")
#: Children per worker: none, one or two (three in ten workers have none; 0.9 on average).
CHILDREN_PER_WORKER = (0, 0, 0, 1, 1, 1, 1, 1, 2, 2)
#: Children are born over 16 years (2009 to 2024), so some are past 14 or 16.
BIRTH_DAYS = 16 * 365


def add_arguments(parser) -> None:
    parser.add_argument("--rows", type=int, action="append",
                        help="roster sizes to run (default: 100000 and 1000000)")
    parser.add_argument("--keep", action="store_true", help="keep the generated files")


def check_character(first17: str) -> str:
    return "10X98765432"[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def roster_rows(count: int, seed: int = 2026):
    """Synthetic, valid worker rows (the same for every run with the same seed)."""
    rng = random.Random(seed)
    start = date(1965, 1, 1)
    for number in range(count):
        # (birth date, sequence) is unique per row, so no two synthetic ID numbers collide.
        born = start + timedelta(days=number // 1000)
        sequence = f"{number % 1000:03d}"
        first17 = f"{rng.choice(REGIONS)}{born:%Y%m%d}{sequence}"
        id_number = first17 + check_character(first17)
        yield [f"W{number:08d}", rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
               "男" if int(sequence[-1]) % 2 else "女", id_number,
               f"1{rng.choice('3589')}{rng.randrange(0, 10**9):09d}",
               rng.choice(SITES), rng.choice(TEAMS),
               (date(2020, 1, 1) + timedelta(days=rng.randrange(0, 2000))).isoformat()]


def child_rows(workers: int, seed: int = 2027):
    """Synthetic, valid children of the first roster's workers (a parent's role matches the
    worker's sex; a child's ID number matches its birth date and sex)."""
    rng = random.Random(seed)
    start = date(2009, 1, 1)
    number = 0
    for employee_number, _name, sex, *_rest in roster_rows(workers):
        for _child in range(rng.choice(CHILDREN_PER_WORKER)):
            # (birth date, sequence) is unique per child, as for the workers.
            born = start + timedelta(days=number % BIRTH_DAYS)
            sequence = f"{number // BIRTH_DAYS % 1000:03d}"
            first17 = f"{rng.choice(REGIONS)}{born:%Y%m%d}{sequence}"
            number += 1
            yield [employee_number, "父亲" if sex == "男" else "母亲",
                   rng.choice(SURNAMES) + rng.choice(CHILD_GIVEN) + rng.choice(CHILD_GIVEN),
                   "男" if int(sequence[-1]) % 2 else "女", first17 + check_character(first17),
                   born.isoformat(), rng.choice(LIVES_WITH), "是"]


def write_roster(path: Path, header: list[str], rows) -> int:
    """Write a CSV roster; returns the number of data rows."""
    count = 0
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


def raw_sqlite_rate(path: Path, count: int, batch: int = 500) -> float:
    """Rows per second of plain sqlite3 executemany of the same rows (WAL, batch commits)."""
    with tempfile.TemporaryDirectory() as directory:
        connection = sqlite3.connect(Path(directory) / "raw.db")
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.execute("CREATE TABLE roster (a TEXT, b TEXT, c TEXT, d TEXT, e TEXT, f TEXT,"
                           " g TEXT, h TEXT)")
        started = time.perf_counter()
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            next(reader)
            chunk = []
            for row in reader:
                chunk.append(row)
                if len(chunk) == batch:
                    connection.executemany("INSERT INTO roster VALUES (?,?,?,?,?,?,?,?)", chunk)
                    connection.commit()
                    chunk = []
            if chunk:
                connection.executemany("INSERT INTO roster VALUES (?,?,?,?,?,?,?,?)", chunk)
                connection.commit()
        elapsed = time.perf_counter() - started
        connection.close()
    return count / elapsed


IMPORTER = r"""
import json, resource, sys, time
from pathlib import Path
from flask_migrate import upgrade
from employer_portal import create_app
from plugin.core.db import session
from plugin.core.host import Actor
from plugin.imports.cli import import_from_shell
from plugin.imports.models import ImportKind
from plugin.org.queries import get_company
from plugin.org.services import create_company

app = create_app({"SQLALCHEMY_DATABASE_URI": sys.argv[1], "SECRET_KEY": "bench"})
with app.app_context():
    upgrade()
    if get_company() is None:
        create_company("基准测试建工集团", actor=Actor.system("bench"))
        session.commit()
    started = time.perf_counter()
    status = import_from_shell(ImportKind(sys.argv[3]), Path(sys.argv[2]))
    elapsed = time.perf_counter() - started
print(json.dumps({"status": status, "seconds": elapsed,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


FLOOR = r"""
import enum, json, resource, sys, time
from datetime import date, datetime
from pathlib import Path
from flask_migrate import upgrade
from employer_portal import create_app
from plugin.core.clock import local_today, utcnow
from plugin.core.db import session
from plugin.core.host import Actor
from plugin.imports.columns import find_header
from plugin.imports.formats import format_named
from plugin.imports.models import ImportKind
from plugin.imports.services import FIELDS
from plugin.org.queries import get_root_unit
from plugin.org.services import create_company
from plugin.registry.schema import RecordInvalid, parse_record

BATCH = 500
kind = ImportKind(sys.argv[3])
table, context = {ImportKind.WORKERS: ("cb_worker", "worker.id_number"),
                  ImportKind.CHILDREN: ("cb_child", "child.id_number")}[kind]
# NOT NULL columns the parsed record does not fill (name initials stored empty: the floor
# does not transliterate names; category columns empty: the floor decides no categories).
FIXED = {"cb_worker": {"name_initials": "", "employment_status": "active"},
         "cb_child": {"name_initials": "", "wandering": 0, "psychological_anomaly": 0,
                      "asked_for_help": 0, "focus_flags": "", "categories_missing": "",
                      "categories_presumed": ""}}[table]


def stored(value):
    # What SQLAlchemy binds on SQLite: enums by value, dates as ISO text, booleans as 0/1.
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


app = create_app({"SQLALCHEMY_DATABASE_URI": sys.argv[1], "SECRET_KEY": "bench"})
with app.app_context():
    upgrade()
    create_company("基准测试建工集团", actor=Actor.system("bench"))
    session.commit()
    unit_id = get_root_unit().id
    cipher = app.extensions["carebridge"].cipher
    connection = session.get_bind().raw_connection()
    table_columns = {row[1] for row in connection.execute(f"PRAGMA table_info({table})")}
    fields, today = FIELDS[kind], local_today()
    count = 0
    started = time.perf_counter()
    roster = format_named("csv").open(Path(sys.argv[2]))
    plan, rows = find_header(roster, fields, {}, today=today)
    columns = [spec.code for spec in fields if spec.code in table_columns
               and spec.code in plan.columns and spec.code not in FIXED]
    names = [*columns, "id_number_index", "org_unit_id", "created_at", "updated_at", *FIXED]
    sql = (f"INSERT INTO {table} ({', '.join(names)}) "
           f"VALUES ({', '.join('?' * len(names))})")
    fixed = tuple(FIXED.values())
    id_position = columns.index("id_number")
    batch = []
    for _row_number, cells in rows:
        count += 1
        try:
            values = parse_record(plan.raw_record(cells), fields, today=today)
        except RecordInvalid:
            continue
        row = [stored(values.get(code)) for code in columns]
        number = values.get("id_number")
        index = None
        if number is not None:
            row[id_position] = cipher.encrypt(number.number, context=context)
            index = cipher.blind_index(number.number, purpose="id_number")
        now = stored(utcnow())
        batch.append((*row, index, unit_id, now, now, *fixed))
        if len(batch) == BATCH:
            connection.executemany(sql, batch)
            connection.commit()
            batch = []
    if batch:
        connection.executemany(sql, batch)
        connection.commit()
    roster.close()
    elapsed = time.perf_counter() - started
    stored_rows = connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    connection.close()
print(json.dumps({"rows": count, "stored": stored_rows, "seconds": elapsed,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def _subprocess(script: str, kind: str, path: Path, directory: Path, data_key: str,
                what: str) -> dict:
    database = f"sqlite:///{directory / 'bench.db'}"
    env = {**os.environ, "CAREBRIDGE_SECURE_COOKIES": "1", "CAREBRIDGE_DATA_KEY": data_key}
    done = subprocess.run([sys.executable, "-c", script, database, str(path), kind], env=env,
                          cwd=directory, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{what} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def importer_run(kind: str, path: Path, directory: Path, data_key: str) -> dict:
    """One import in a fresh process, on the SQLite database in ``directory``."""
    return _subprocess(IMPORTER, kind, path, directory, data_key, "importer")


def floor_rate(kind: str, path: Path, count: int, data_key: str) -> float:
    """Rows per second of the floor loop (see the module's docstring), in a fresh process on a
    fresh database; refuses a floor that did not store every row (it would be no floor)."""
    with tempfile.TemporaryDirectory() as directory:
        result = _subprocess(FLOOR, kind, path, Path(directory), data_key, "floor")
    if result["rows"] != count or result["stored"] != count:
        raise SystemExit(f"floor of the {kind} roster read {result['rows']} and stored "
                         f"{result['stored']} of {count} rows")
    return count / result["seconds"]


def _report(label: str, count: int, raw_rate: float, floor: float, result: dict) -> None:
    rate = count / result["seconds"]
    ratio, floor_ratio = rate / raw_rate, rate / floor
    print(f"{label:<9} {count:>9} {rate:>16,.0f} {raw_rate:>19,.0f} {ratio:>6.1%} "
          f"{floor:>13,.0f} {floor_ratio:>6.1%} {result['peak_rss_mb']:>12,.0f}  "
          f"{'ok' if ratio >= 0.4 else 'BELOW TARGET'} / "
          f"{'ok' if floor_ratio >= 0.5 else 'BELOW TARGET'} / "
          f"{'ok' if result['peak_rss_mb'] <= 256 else 'ABOVE TARGET'}"
          f"{'' if result['status'] == 0 else '  (importer exit status %s)' % result['status']}",
          flush=True)


def run(arguments) -> None:
    from plugin.privacy.crypto import KeyRing

    sizes = arguments.rows or [100_000, 1_000_000]
    print(f"{'roster':<9} {'rows':>9} {'importer rows/s':>16} {'raw sqlite3 rows/s':>19} "
          f"{'ratio':>7} {'floor rows/s':>13} {'ratio':>7} {'peak RSS MB':>12}  "
          "targets: importer >= 40 % of raw, >= 50 % of floor; RSS <= 256 MB")
    for count in sizes:
        with tempfile.TemporaryDirectory() as directory:
            directory, data_key = Path(directory), KeyRing.generate().serialize()
            workers = directory / f"workers_{count}.csv"
            children = directory / f"children_{count}.csv"
            write_roster(workers, HEADER, roster_rows(count))
            child_count = write_roster(children, CHILD_HEADER, child_rows(count))
            _report("workers", count, raw_sqlite_rate(workers, count),
                    floor_rate("workers", workers, count, data_key),
                    importer_run("workers", workers, directory, data_key))
            _report("children", child_count, raw_sqlite_rate(children, child_count),
                    floor_rate("children", children, child_count, data_key),
                    importer_run("children", children, directory, data_key))
            if arguments.keep:
                for roster in (workers, children):
                    roster.replace(Path.cwd() / roster.name)
                    print(f"kept {Path.cwd() / roster.name}")
