"""The coverage page's lists as files (XLSX/CSV): coverage per site, and a site's workers
without a valid pledge. Same scope and day as the page."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from flask_babel import lazy_gettext as _l

from ..core.exports import NUMBER, Column, ExportTable, stream_chunks
from ..org.models import OrgUnit
from ..registry.exports import phone_as_shown
from .queries import without_pledge_statement

COVERAGE_TABLE = ExportTable("pledge-coverage", _l("承诺书覆盖情况"), (
    Column(_l("项目部/厂区"), lambda row: row.unit.name, width=24),
    Column(_l("有留守子女的职工"), lambda row: row.workers, NUMBER),
    Column(_l("有有效承诺书"), lambda row: row.covered, NUMBER),
    Column(_l("没有"), lambda row: row.uncovered, NUMBER),
    Column(_l("覆盖率（%）"), lambda row: row.percent, NUMBER),
))

UNCOVERED_TABLE = ExportTable("pledge-uncovered", _l("没有有效承诺书的职工"), (
    Column(_l("工号"), lambda row: row[0].employee_number),
    Column(_l("姓名"), lambda row: row[0].name),
    Column(_l("项目部/班组"), lambda row: row[0].org_unit.name),
    Column(_l("手机号码"), lambda row: row[1]),
))


def uncovered_rows(site: OrgUnit, *, scope_paths: list[str], today: date,
                   full_phone_paths: list[str]) -> Iterator[tuple]:
    """(worker, phone as shown) of the site's whole list, a chunk at a time."""
    statement = without_pledge_statement(site, scope_paths=scope_paths, today=today)
    for chunk in stream_chunks(statement):
        for worker in chunk:
            yield worker, phone_as_shown(worker, full_phone_paths)
