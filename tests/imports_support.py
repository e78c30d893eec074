"""Builders for roster import tests: rosters made in code (XLSX with a merged title row and a
date row above the header, CSV in any encoding), valid ID numbers, and a one-call import."""
from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook

from plugin.core.host import Actor
from plugin.imports.formats import REASON_HEADER  # noqa: F401 (the tests import it from here)
from plugin.imports.models import ImportJob, ImportKind
from plugin.imports.processing import run_import
from plugin.imports.services import create_job
from plugin.registry.idnumber import check_character

#: A system actor: its imports reach the whole subtree of their unit, like the command line's.
IMPORTER = Actor.system("importer-test")

WORKER_HEADER = ["工号", "姓名", "性别", "身份证号码", "手机号码", "项目部", "班组", "入职日期"]
CHILD_HEADER = ["家长工号", "职工与儿童关系", "儿童姓名", "出生日期", "共同生活人", "是否在户籍地生活"]
TITLE = "测试建工集团 2026 年 11 月职工花名册"
DATE_ROW = "制表日期：2026-11-20"


def id_number(region: str = "110101", birth: str = "19900307", sequence: str = "123") -> str:
    """A valid 18-character ID number (odd sequence: a man)."""
    first17 = region + birth + sequence
    return first17 + check_character(first17)


def wrong_check(number: str) -> str:
    """The same number with a check character that does not match."""
    return number[:17] + ("0" if number[17] != "0" else "1")


def worker(number: str, name: str, *, sex: Any = "男", id: Any = None, phone: Any = "13800138000",
           site: Any = "一号项目部", team: Any = "钢筋班组", entry: Any = "2020-03-01",
           sequence: int | None = None) -> list[Any]:
    if id is None:
        digits = sequence if sequence is not None else int("".join(c for c in number if c.isdigit()) or 0)
        id = id_number(sequence=f"{(digits * 2 + 1) % 1000:03d}")
    return [number, name, sex, id, phone, site, team, entry]


def xlsx_roster(path: Path, header: Sequence[str], rows: Sequence[Sequence[Any]], *,
                title: str | None = TITLE, date_row: str | None = DATE_ROW) -> Path:
    """An XLSX as HR offices make them: a merged title row and a date row above the header."""
    book = Workbook()
    sheet = book.active
    sheet.title = "花名册"
    if title:
        sheet.append([title])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    if date_row:
        sheet.append([date_row])
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    book.save(path)
    return path


def csv_roster(path: Path, header: Sequence[str], rows: Sequence[Sequence[Any]], *,
               encoding: str = "utf-8", delimiter: str = ",", title: str | None = None) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    if title:
        writer.writerow([title])
    writer.writerow(header)
    writer.writerows(["" if cell is None else cell for cell in row] for row in rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def read_xlsx(path: Path) -> list[list[Any]]:
    book = load_workbook(path, read_only=True)
    rows = [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]
    book.close()
    return rows


def read_csv(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))


def import_roster(path: Path, unit, *, kind: ImportKind = ImportKind.WORKERS, dry_run: bool = False,
                  source: str | None = None, batch_size: int = 500, stored: bool = False
                  ) -> tuple[ImportJob, dict[int, list]]:
    """Create and run a job for ``path``; returns it and the rejected rows' errors by row."""
    job = create_job(path, path.name, kind=kind, base_unit=unit, actor=IMPORTER, dry_run=dry_run,
                     source=source, store_upload=stored)
    rejected: dict[int, list] = {}
    job = run_import(job.id, path=None if stored else path, batch_size=batch_size,
                     on_rejected=lambda row, errors: rejected.__setitem__(row, errors))
    return job, rejected


def only_error(rejected: dict[int, list], row: int):
    errors = rejected[row]
    assert len(errors) == 1, [str(error) for error in errors]
    return errors[0]

