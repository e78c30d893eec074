"""Lists as files: one helper writes any officer list to XLSX or CSV and answers the download.

A feature describes its list once as an :class:`ExportTable` (the columns: a header in the UI
language, a getter and a type) and hands over the rows as an iterable, usually
:func:`stream_chunks` of the list page's own query without its pagination, so a list of 100,000
workers is read from the database a chunk at a time, never loaded whole. :func:`build_export`
writes the file into a spooled temporary file (XLSX in openpyxl's write-only mode, CSV with a
UTF-8 byte-order mark so Excel and WPS open Chinese correctly) and counts the rows;
:func:`send_export` answers it with a filename made of the list's name and the date
(``filename*`` of RFC 5987 for the Chinese name, an ASCII one for old clients).

Cells by type:

* ``text``: text stays text. A value starting with ``= + - @``, a tab or a carriage return (or
  their full-width forms) is never a formula: written as a string cell with the quote prefix in
  XLSX, with an apostrophe in front in CSV (OWASP "CSV injection", :mod:`.spreadsheets`).
* ``number``: a number cell (CSV: the digits); ``None`` is an empty cell.
* ``date``: a real date cell (``yyyy-mm-dd``); CSV ``2026-12-04``.
* ``datetime``: a real date-time cell in the company's time zone (aware values are converted,
  the cell has no zone); CSV ``2026-12-04 09:30``.

Auditing the download is the caller's (``plugin.audit.exports.audited_export`` does both): core
imports no feature.
"""
from __future__ import annotations

import csv
import io
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any
from zoneinfo import ZoneInfo

from flask import Response, current_app, has_app_context
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlalchemy import Select

from .clock import local_today
from .db import session
from .http import attachment_disposition
from .spreadsheets import as_text, neutralise

TEXT, NUMBER, DATE, DATETIME = "text", "number", "date", "datetime"
TYPES = (TEXT, NUMBER, DATE, DATETIME)
FORMATS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
#: Rows read from the database per query round (see :func:`stream_chunks`).
CHUNK_SIZE = 500
#: Spooled file size kept in memory before it goes to a temporary file on disk.
SPOOL_BYTES = 8 * 1024 * 1024
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"


@dataclass(frozen=True)
class Column:
    """One column: its header (a lazy string or text, in the UI language when written), how to
    read the cell from a row, and the cell type (``text``, ``number``, ``date``, ``datetime``)."""

    header: Any
    value: Callable[[Any], Any]
    type: str = TEXT
    width: int | None = None

    def __post_init__(self):
        if self.type not in TYPES:
            raise ValueError(f"unknown column type {self.type!r}")


@dataclass(frozen=True)
class ExportTable:
    """A list as a file: ``code`` names the file for old clients (ASCII, e.g. ``workers``),
    ``title`` is the list's name in the UI language (the sheet and the Chinese filename)."""

    code: str
    title: Any
    columns: Sequence[Column] = field(default_factory=tuple)

    def headers(self) -> list[str]:
        return [str(column.header) for column in self.columns]


@dataclass
class Export:
    """A written file: rewind ``file`` before reading; ``rows`` counts the data rows."""

    file: IO[bytes]
    format: str
    rows: int
    filename: str
    ascii_filename: str

    @property
    def mimetype(self) -> str:
        return FORMATS[self.format]


def stream_chunks(statement: Select, size: int | None = None, *,
                  scalars: bool = True) -> Iterator[list]:
    """The rows of ``statement`` (a list page's query without ``limit``/``offset``), a chunk of
    ``size`` at a time: the database streams them (``yield_per``), so only one chunk of ORM
    objects is held; the caller may run one query per chunk (counts, labels) instead of per
    row. ``size`` defaults to :data:`CHUNK_SIZE`."""
    size = size or CHUNK_SIZE
    result = session.execute(statement.execution_options(yield_per=size))
    if scalars:
        result = result.scalars()
    for part in result.partitions(size):
        yield list(part)


def _zone() -> ZoneInfo:
    name = "Asia/Shanghai"
    if has_app_context() and "carebridge" in current_app.extensions:
        name = current_app.extensions["carebridge"].company_timezone_name()
    return ZoneInfo(name)


def _local(value: datetime, zone: ZoneInfo) -> datetime:
    if value.tzinfo is not None:
        value = value.astimezone(zone).replace(tzinfo=None)
    return value


def _clean_text(value: Any) -> str:
    return ILLEGAL_CHARACTERS_RE.sub("", str(value))


def _number(value: Any) -> Any:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, float, Decimal)):
        return value
    return float(value)


def cell_value(column: Column, raw: Any, zone: ZoneInfo) -> Any:
    """The typed value of one cell (``None`` for an empty one), before any format's escaping."""
    if raw is None:
        return None
    if column.type == NUMBER:
        return _number(raw)
    if column.type == DATETIME:
        if isinstance(raw, datetime):
            return _local(raw, zone)
        return raw
    if column.type == DATE:
        return raw.date() if isinstance(raw, datetime) else raw
    return _clean_text(raw)


def write_xlsx(table: ExportTable, rows: Iterable[Any], out: IO[bytes],
               zone: ZoneInfo | None = None) -> int:
    """Write the table to ``out`` as XLSX (write-only mode); the number of data rows."""
    zone = zone or _zone()
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_sheet_title(str(table.title)))
    for index, column in enumerate(table.columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width or (
            {DATE: 12, DATETIME: 17, NUMBER: 10}.get(column.type, 18))
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for text in table.headers():
        cell = as_text(WriteOnlyCell(sheet, value=_clean_text(text)))
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    count = 0
    for row in rows:
        cells = []
        for column in table.columns:
            value = cell_value(column, column.value(row), zone)
            cell = WriteOnlyCell(sheet, value=value)
            if column.type == DATE and value is not None:
                cell.number_format = DATE_FORMAT
            elif column.type == DATETIME and value is not None:
                cell.number_format = DATETIME_FORMAT
            elif isinstance(value, str):
                as_text(cell)
            cells.append(cell)
        sheet.append(cells)
        count += 1
    book.save(out)
    return count


def write_csv(table: ExportTable, rows: Iterable[Any], out: IO[bytes],
              zone: ZoneInfo | None = None) -> int:
    """Write the table to ``out`` as UTF-8 CSV with a byte-order mark; the number of data rows.
    Formula-like text gets an apostrophe in front (:func:`.spreadsheets.neutralise`)."""
    zone = zone or _zone()
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="", write_through=True)
    writer = csv.writer(text)
    writer.writerow([neutralise(header) for header in table.headers()])
    count = 0
    for row in rows:
        writer.writerow([_csv_cell(column, cell_value(column, column.value(row), zone))
                         for column in table.columns])
        count += 1
    text.flush()
    text.detach()
    return count


def _csv_cell(column: Column, value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return neutralise(value)


_SHEET_UNSAFE = re.compile(r"[\[\]:*?/\\]")


def _sheet_title(title: str) -> str:
    return (_SHEET_UNSAFE.sub("", title).strip("'") or "Sheet")[:31]


def build_export(table: ExportTable, rows: Iterable[Any], fmt: str, *,
                 today: date | None = None, zone: ZoneInfo | None = None) -> Export:
    """Write the rows in ``fmt`` (``xlsx`` or ``csv``) into a spooled temporary file."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (sent, then closed)
    writer = write_xlsx if fmt == "xlsx" else write_csv
    count = writer(table, rows, out, zone)
    out.seek(0)
    stamp = (today or local_today()).strftime("%Y%m%d")
    return Export(file=out, format=fmt, rows=count,
                  filename=f"{table.title}-{stamp}.{fmt}",
                  ascii_filename=f"carebridge-{table.code}-{stamp}.{fmt}")


def send_export(export: Export) -> Response:
    """The download response of a written export (never cached)."""
    def chunks():
        try:
            while block := export.file.read(64 * 1024):
                yield block
        finally:
            export.file.close()

    response = Response(chunks(), mimetype=export.mimetype, direct_passthrough=True)
    response.headers["Content-Disposition"] = attachment_disposition(export.ascii_filename,
                                                                     export.filename)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
