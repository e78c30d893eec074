"""The agreements list and the follow-up list as files (XLSX/CSV): the pages' rows, filters and
scope, all of them. Phone numbers as the pages show them (:mod:`plugin.registry.phones`)."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..core.exports import DATE, NUMBER, Column, ExportTable, stream_chunks
from ..registry.exports import phone_as_shown
from ..registry.queries import children_counts
from . import queries
from .models import AgreementStatus

AGREEMENTS_TABLE = ExportTable("agreements", _l("委托照护协议"), (
    Column(_l("工号"), lambda agreement: agreement.worker.employee_number),
    Column(_l("职工"), lambda agreement: agreement.worker.name),
    Column(_l("子女"), lambda agreement: _("、").join(child.name for child in agreement.children)),
    Column(_l("受托人"), lambda agreement: agreement.carer_name),
    Column(_l("与子女关系"), lambda agreement: agreement.carer_relation),
    Column(_l("开始日期"), lambda agreement: agreement.starts_on, DATE),
    Column(_l("结束日期"), lambda agreement: agreement.ends_on, DATE),
    Column(_l("签署方式"), lambda agreement: agreement.method.label),
    Column(_l("状态"), lambda agreement: agreement.status.label),
))


def agreement_rows(*, scope_paths: list[str], status: AgreementStatus | None,
                   search: str | None) -> Iterator:
    """Every agreement the list shows, in its order, a chunk at a time (children are loaded per
    chunk, ``selectin``)."""
    statement = queries.agreements_statement(scope_paths=scope_paths, status=status,
                                             search=search)
    for chunk in stream_chunks(statement):
        yield from chunk


FOLLOW_UP_TABLE = ExportTable("follow-up", _l("联系跟进"), (
    Column(_l("工号"), lambda row: row.worker.employee_number),
    Column(_l("职工"), lambda row: row.worker.name),
    Column(_l("项目部/班组"), lambda row: row.worker.org_unit.name),
    Column(_l("手机号码"), lambda row: row.phone),
    Column(_l("留守子女"), lambda row: row.left_behind, NUMBER),
    Column(_l("最近一次联系"), lambda row: row.last_on, DATE),
    Column(_l("已过天数"), lambda row: row.days_since, NUMBER),
))


class FollowUpRow:
    __slots__ = ("worker", "last_on", "left_behind", "phone", "days_since")

    def __init__(self, worker, last_on, left_behind, phone, today: date):
        self.worker, self.last_on = worker, last_on
        self.left_behind, self.phone = left_behind, phone
        self.days_since = (today - last_on).days if last_on else None


def follow_up_rows(*, scope_paths: list[str], today: date, days: int,
                   full_phone_paths: list[str]) -> Iterator[FollowUpRow]:
    """Every worker of the follow-up list, in its order, a chunk at a time (one count query per
    chunk)."""
    statement = queries.follow_up_statement(scope_paths=scope_paths, today=today, days=days)
    for chunk in stream_chunks(statement, scalars=False):
        counts = children_counts([worker.id for worker, _last in chunk])
        for worker, last_on in chunk:
            yield FollowUpRow(worker, last_on, counts.get(worker.id, {}).get("left_behind", 0),
                              phone_as_shown(worker, full_phone_paths), today)
