"""The interface roster file formats implement, and where a host registers them.

The plugin reads no file format itself: adapters (``integrations.rosters`` in the standalone
portal) implement :class:`RosterFormat` and the host registers them with
:func:`register_roster_format`. A format streams rows exactly as the file holds them, title rows
included; the importer finds the header row and maps the columns (:mod:`.columns`), so every
format gets the same header detection and the same saved column mappings.

Files come from outside and may be hostile (zip bombs, endless lines, million-cell rows, XML
entity tricks). A format must refuse such a file with a :class:`ValidationError` on the field
``file`` *before* reading it into memory, never yield a row wider than :data:`MAX_COLUMNS` cells
or a text cell longer than :data:`MAX_CELL_CHARS` characters (:func:`too_many_columns`,
:func:`cell_too_long` say so in the same words for every format), and write error files whose
cells a spreadsheet cannot run as formulas (:mod:`plugin.core.spreadsheets`).
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol

from flask import Flask, current_app

from ..core.errors import ValidationError

#: Key of the registered formats in ``app.extensions``.
EXTENSION_KEY = "carebridge_imports"
#: Header of the extra last column of an error file. Bilingual and never translated, so a
#: corrected error file is recognised whatever the language of the person who fixed it.
REASON_HEADER = "错误原因 / Reason"
#: Most cells a roster row may have: Excel's own limit (16,384 columns, A to XFD).
MAX_COLUMNS = 16_384
#: Longest text a roster cell may hold: Excel's own limit for a cell (32,767 characters).
MAX_CELL_CHARS = 32_767


def too_many_columns(row: int) -> ValidationError:
    return ValidationError("第 %(line)s 行超过 %(max)s 列，不是正常的花名册：请删除多余的列，"
                           "或确认选对了文件", field="file", line=row, max=MAX_COLUMNS)


def cell_too_long(row: int | None) -> ValidationError:
    """``row`` is ``None`` when the cell's row is not known (an XLSX shared string)."""
    if row is None:
        return ValidationError("文件中有超过 %(max)s 个字符的单元格，不是正常的花名册内容："
                               "请检查文件", field="file", max=MAX_CELL_CHARS)
    return ValidationError("第 %(line)s 行有超过 %(max)s 个字符的单元格，不是正常的花名册内容："
                           "请检查文件", field="file", line=row, max=MAX_CELL_CHARS)


def check_row(row_number: int, cells: Sequence[Any]) -> None:
    """Refuse a row wider than :data:`MAX_COLUMNS` or with a text cell longer than
    :data:`MAX_CELL_CHARS` (for formats that can only tell once the row is read)."""
    if len(cells) > MAX_COLUMNS:
        raise too_many_columns(row_number)
    for cell in cells:
        if isinstance(cell, str) and len(cell) > MAX_CELL_CHARS:
            raise cell_too_long(row_number)


class Roster(Protocol):
    """An opened roster file: iterate for ``(row_number, cells)``, then ``close()``.

    ``row_number`` is the row as the user sees it in the file (1 for the first line or sheet
    row, empty rows counted). ``cells`` keep their Python types (a date cell is a ``datetime``,
    a number an ``int`` or ``float``) so the parsers can tell an Excel date or a numeric phone
    cell from text. Rows are read lazily: a roster never holds the whole file in memory.
    """

    #: Rows in the file, estimated cheaply when it is opened (``None`` if unknown); for progress.
    size_hint: int | None

    def __iter__(self) -> Iterator[tuple[int, list[Any]]]: ...

    def close(self) -> None: ...


class RosterFormat(Protocol):
    """A roster file format: how to read one, and how to write rejected rows back."""

    #: Short code stored with each import job (``"csv"``, ``"xlsx"``).
    name: str
    #: Lower-case file name endings this format reads (``(".csv",)``).
    suffixes: tuple[str, ...]

    def open(self, path: Path) -> Roster:
        """Open ``path`` for streaming; raise :class:`ValidationError` if it cannot be read."""

    def write_errors(self, path: Path, header: Sequence[str],
                     rows: Iterable[tuple[Sequence[Any], str]]) -> None:
        """Write ``header`` + :data:`REASON_HEADER`, then each rejected row's cells followed by
        its reason, to ``path`` in this format (streamed: ``rows`` may be long).

        A format may also take ``title=None``: one line above the header (what went wrong
        with the whole file, "dry run"), which the importer skips when the file comes back.
        Formats without it get no title (the importer checks the signature)."""


def register_roster_format(app: Flask, roster_format: RosterFormat) -> None:
    """Make ``roster_format`` available for imports in ``app`` (replaces one of the same name)."""
    app.extensions.setdefault(EXTENSION_KEY, {})[roster_format.name] = roster_format


def roster_formats() -> dict[str, RosterFormat]:
    return current_app.extensions.get(EXTENSION_KEY, {})


def accepted_suffixes() -> list[str]:
    return sorted({suffix for fmt in roster_formats().values() for suffix in fmt.suffixes})


def format_for_filename(filename: str) -> RosterFormat:
    """The registered format for a file name, by its ending; refuses any other file."""
    lowered = (filename or "").lower()
    for roster_format in roster_formats().values():
        if any(lowered.endswith(suffix) for suffix in roster_format.suffixes):
            return roster_format
    raise ValidationError("只能导入以下类型的文件：%(suffixes)s", field="file",
                          suffixes="、".join(accepted_suffixes()) or "—")


def format_named(name: str) -> RosterFormat:
    try:
        return roster_formats()[name]
    except KeyError:
        raise ValidationError("不支持的文件格式：%(name)s", name=name) from None
