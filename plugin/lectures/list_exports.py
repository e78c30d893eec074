"""The statistics page's lists as files (XLSX/CSV): the lecture figures per site, and the
never-attended list. Same filters and scope as the page (:func:`.views._statistics_filters`)."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..core.exports import DATE, NUMBER, Column, ExportTable, stream_chunks
from ..org.models import OrgKind, OrgUnit
from ..org.queries import sorted_tree, units_in_subtrees
from ..registry.queries import children_counts
from .statistics import LectureFigures, lecture_figures, never_attended_statement


@dataclass(frozen=True)
class SiteFigures:
    name: str
    start: date
    end: date
    figures: LectureFigures

    @property
    def share_percent(self) -> float | None:
        share = self.figures.share_reached
        return None if share is None else round(share * 100, 1)


def _figure(code: str):
    return lambda row: getattr(row.figures, code)


STATISTICS_TABLE = ExportTable("lecture-statistics", _l("宣讲统计"), (
    Column(_l("单位"), lambda row: row.name, width=24),
    Column(_l("起始日期"), lambda row: row.start, DATE),
    Column(_l("截止日期"), lambda row: row.end, DATE),
    Column(_l("举办宣讲（场）"), _figure("sessions_held"), NUMBER),
    Column(_l("签到人次"), _figure("attendances"), NUMBER),
    Column(_l("参加人数"), _figure("unique_attendees"), NUMBER),
    Column(_l("本单位职工参加人数"), _figure("workers_reached"), NUMBER),
    Column(_l("覆盖家庭"), _figure("families_reached"), NUMBER),
    Column(_l("覆盖儿童"), _figure("children_reached"), NUMBER),
    Column(_l("其中留守儿童"), _figure("left_behind_children_reached"), NUMBER),
    Column(_l("发放宣传册（份）"), _figure("brochures_handed_out"), NUMBER),
    Column(_l("有留守子女的在职职工"), _figure("workers_with_left_behind_children"), NUMBER),
    Column(_l("其中参加过宣讲"), _figure("workers_with_left_behind_children_reached"), NUMBER),
    Column(_l("留守儿童家长参加宣讲的比例（%）"), lambda row: row.share_percent, NUMBER),
))


def statistics_rows(paths: list[str], unit: OrgUnit | None, start: date,
                    end: date) -> Iterator[SiteFigures]:
    """First the figures of the whole selection (the page's figures), then one row per site in
    it, in tree order. :func:`.statistics.lecture_figures` per site: a handful of aggregate
    queries per site, whatever the number of attendances."""
    yield SiteFigures(unit.name if unit is not None else _("我负责的全部单位"), start, end,
                      lecture_figures(paths, start, end))
    for site in sorted_tree(units_in_subtrees(paths)):
        if site.kind == OrgKind.SITE:
            yield SiteFigures(site.name, start, end, lecture_figures([site.path], start, end))


NEVER_ATTENDED_TABLE = ExportTable("never-attended", _l("从未参加宣讲的留守儿童家长"), (
    Column(_l("姓名"), lambda row: row[0].name),
    Column(_l("工号"), lambda row: row[0].employee_number),
    Column(_l("项目部/班组"), lambda row: row[0].org_unit.name),
    Column(_l("留守子女"), lambda row: row[1], NUMBER),
))


def never_attended_rows(people_paths: list[str]) -> Iterator[tuple]:
    """(worker, number of left-behind children) of the whole never-attended list, in its order,
    a chunk at a time (one count query per chunk)."""
    if not people_paths:
        return
    for chunk in stream_chunks(never_attended_statement(people_paths)):
        counts = children_counts([worker.id for worker in chunk])
        for worker in chunk:
            yield worker, counts.get(worker.id, {}).get("left_behind", 0)
