"""A roster import of the demo company (``carebridge seed-demo``): the HR officer imported the
new arrivals of one site from a CSV; most rows went in, three were rejected with their reasons
(the job's page and its error file show them).

The import runs exactly as ``carebridge import-workers`` runs one, and like it commits after
every batch: the demo's earlier records are committed with it.
"""
from __future__ import annotations

import csv
import random
import tempfile
from datetime import timedelta
from pathlib import Path

from ..core.features import DemoContext
from ..org.models import OrgKind
from ..registry.idnumber import check_character
from .models import ImportKind
from .processing import run_import
from .services import create_job

SEED = 20261121
HEADER = ["工号", "姓名", "性别", "身份证号码", "手机号码", "项目部", "班组", "劳务分包单位",
          "入职日期", "户籍地区代码"]
NAMES = ("向德军", "龙金花", "石永平", "麻国华", "滕建业", "杨秀珍", "吴光荣", "田小军", "彭玉兰",
         "欧阳建平")
#: Hunan's Xiangxi prefecture: a team recruited there together.
REGION = "433101"


def load(context: DemoContext) -> None:
    rng = random.Random(SEED)
    today = context.today
    sites = sorted((unit for unit in context.units.values() if unit.kind == OrgKind.SITE),
                   key=lambda unit: unit.path)
    site = sites[1 % len(sites)]
    teams = sorted((unit for unit in context.units.values()
                    if unit.kind == OrgKind.TEAM and unit.parent_id == site.id),
                   key=lambda unit: unit.path)
    team = teams[0].name if teams else ""
    rows = []
    for number, name in enumerate(NAMES):
        man = name not in ("龙金花", "杨秀珍", "彭玉兰")
        birth = today - timedelta(days=rng.randint(25 * 365, 50 * 365))
        first17 = f"{REGION}{birth:%Y%m%d}{number * 2 + (1 if man else 0):03d}"
        rows.append([f"HX26{9001 + number}", name, "男" if man else "女",
                     first17 + check_character(first17), f"1367431{rng.randrange(10 ** 4):04d}",
                     site.name, team, "湖南湘楚劳务分包有限公司",
                     (today - timedelta(days=rng.randint(3, 20))).isoformat(), REGION])
    # What an HR spreadsheet gets wrong: a mistyped ID number, a missing name, a date in the
    # future (the planned entry typed in the wrong column).
    rows[3][3] = rows[3][3][:17] + ("0" if rows[3][3][17] != "0" else "1")
    rows[6][1] = ""
    rows[8][8] = (today + timedelta(days=40)).isoformat()
    actor = context.accounts.get("hrofficer", context.actor)
    with tempfile.TemporaryDirectory(prefix="carebridge-demo-") as work:
        path = Path(work) / f"{site.name}新进场人员花名册.csv"
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(HEADER)
            writer.writerows(rows)
        job = create_job(path, path.name, kind=ImportKind.WORKERS, base_unit=site, actor=actor,
                         store_upload=False)
        run_import(job.id, path=path)
