"""The audit log as a file (XLSX/CSV): the search page's rows and filters, all of them, newest
first, read exactly as the page reads them (:func:`plugin.audit.text.describe_events`, per chunk:
names masked as on the page). Times are the company's local time, as real date-times."""
from __future__ import annotations

from collections.abc import Iterator

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..audit.text import EventText
from ..core.exports import DATETIME, Column, ExportTable, stream_chunks
from .audit_queries import AuditFilter, events_statement
from .audit_text import read_events


def _target(text: EventText) -> str:
    if not text.event.target_type:
        return ""
    return f"{text.target_type} {text.target.name}" if text.target else text.target_type


AUDIT_TABLE = ExportTable("audit-log", _l("审计日志"), (
    Column(_l("时间"), lambda text: text.event.occurred_at, DATETIME),
    Column(_l("操作人"), lambda text: text.actor),
    Column(_l("操作"), lambda text: text.action),
    Column(_l("对象"), _target, width=30),
    Column(_l("来源地址"), lambda text: text.event.ip),
    Column(_l("详情"), lambda text: _("；").join(text.details), width=60),
    Column(_l("操作代码"), lambda text: text.event.action),
))


def event_rows(criteria: AuditFilter, *, scope_paths: list[str], whole_company: bool,
               reader_key: str) -> Iterator[EventText]:
    """Every event the search shows as the page reads it, a chunk at a time (the names of a
    chunk's records in one query per record type)."""
    statement = events_statement(criteria, scope_paths=scope_paths, whole_company=whole_company)
    for chunk in stream_chunks(statement):
        yield from read_events(chunk, reader_key)
