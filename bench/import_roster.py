"""Roster import: rows per second and peak memory of `carebridge import-workers`, then of
`carebridge import-children` for those workers' children, each against a raw sqlite3 executemany
of the same rows measured in the same run.

Targets (issue 3): importer >= 40 % of the raw rate; peak RSS <= 256 MB at 1 M rows (the file is
streamed, never loaded whole). Each import runs in a fresh subprocess (the children's on the
database the workers' import filled), so its peak RSS is its own.
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


def importer_run(kind: str, path: Path, directory: Path, data_key: str) -> dict:
    """One import in a fresh process, on the SQLite database in ``directory``."""
    database = f"sqlite:///{directory / 'bench.db'}"
    env = {**os.environ, "CAREBRIDGE_SECURE_COOKIES": "1", "CAREBRIDGE_DATA_KEY": data_key}
    done = subprocess.run([sys.executable, "-c", IMPORTER, database, str(path), kind], env=env,
                          cwd=directory, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"importer failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _report(label: str, count: int, raw_rate: float, result: dict) -> None:
    rate = count / result["seconds"]
    ratio = rate / raw_rate
    print(f"{label:<9} {count:>9} {rate:>16,.0f} {raw_rate:>19,.0f} {ratio:>6.1%} "
          f"{result['peak_rss_mb']:>12,.0f}  "
          f"{'ok' if ratio >= 0.4 else 'BELOW TARGET'} / "
          f"{'ok' if result['peak_rss_mb'] <= 256 else 'ABOVE TARGET'}"
          f"{'' if result['status'] == 0 else '  (importer exit status %s)' % result['status']}",
          flush=True)


def run(arguments) -> None:
    from plugin.privacy.crypto import KeyRing

    sizes = arguments.rows or [100_000, 1_000_000]
    print(f"{'roster':<9} {'rows':>9} {'importer rows/s':>16} {'raw sqlite3 rows/s':>19} "
          f"{'ratio':>7} {'peak RSS MB':>12}  targets: ratio >= 40 %, RSS <= 256 MB")
    for count in sizes:
        with tempfile.TemporaryDirectory() as directory:
            directory, data_key = Path(directory), KeyRing.generate().serialize()
            workers = directory / f"workers_{count}.csv"
            children = directory / f"children_{count}.csv"
            write_roster(workers, HEADER, roster_rows(count))
            child_count = write_roster(children, CHILD_HEADER, child_rows(count))
            _report("workers", count, raw_sqlite_rate(workers, count),
                    importer_run("workers", workers, directory, data_key))
            _report("children", child_count, raw_sqlite_rate(children, child_count),
                    importer_run("children", children, directory, data_key))
            if arguments.keep:
                for roster in (workers, children):
                    roster.replace(Path.cwd() / roster.name)
                    print(f"kept {Path.cwd() / roster.name}")
