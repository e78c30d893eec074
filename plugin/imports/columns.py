"""Finding the header row of a roster and matching its columns to the fields of a record.

Headers are compared normalised (full-width folded, all spaces removed, case-folded), against
the aliases of :mod:`plugin.registry.schema` and the column mapping saved for the file's source
(which wins). The header row is the first of the first :data:`HEADER_SCAN_ROWS` rows in which
at least two cells are known headers, so merged title rows and "制表日期" rows above it are
skipped; when no row qualifies, the first row with two or more filled cells is taken, so a
roster with unfamiliar headers can still be mapped by hand.
"""
from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import chain
from typing import Any

from ..core.errors import ValidationError
from ..registry.schema import FieldSpec
from .formats import REASON_HEADER

HEADER_SCAN_ROWS = 20
MIN_KNOWN_HEADERS = 2
#: C0 control characters other than tab, line feed and carriage return, DEL, and lone
#: surrogates: never meaningful in a roster, and refused by databases and Excel alike.
_UNPRINTABLE = dict.fromkeys(chain(range(0, 9), (11, 12), range(14, 32), (127,),
                                   range(55296, 57344)))


def normalise_header(value: Any) -> str:
    """``"身份证 号码"``, ``"ＩＤ Number "`` → ``"身份证号码"``, ``"idnumber"``."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", str(value)).translate(_UNPRINTABLE)
    return "".join(text.split()).casefold()


def clean_cell(value: Any) -> Any:
    """Drop characters no roster means (control characters, broken surrogates) from text cells."""
    if isinstance(value, str):
        return value.translate(_UNPRINTABLE)
    return value


def is_empty_row(cells: Iterable[Any]) -> bool:
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells)


@dataclass
class ColumnPlan:
    """Which column of the file holds which field, for one roster."""

    #: Header row cells as text, as the file has them (the error file repeats them).
    header: list[str]
    header_row: int
    #: Field code → column index.
    columns: dict[str, int]
    #: Headers matching no field (ignored), and second columns for a field already matched.
    unknown: list[str] = field(default_factory=list)
    #: Codes of required fields no column holds.
    missing: list[str] = field(default_factory=list)
    #: Index of the reason column of an error file being re-imported, if any.
    reason_column: int | None = None

    def raw_record(self, cells: list[Any]) -> dict[str, Any]:
        """The row's values keyed by field code (a missing cell at the end counts as empty)."""
        return {code: clean_cell(cells[index]) if index < len(cells) else None
                for code, index in self.columns.items()}

    def source_cells(self, cells: list[Any]) -> list[Any]:
        """The row as the error file repeats it: one cell per header, reason column left out."""
        width = len(self.header)
        padded = list(cells[:width]) + [None] * (width - len(cells))
        if self.reason_column is not None:
            del padded[self.reason_column]
        return padded

    def output_header(self) -> list[str]:
        return [text for index, text in enumerate(self.header) if index != self.reason_column]


def alias_table(fields: tuple[FieldSpec, ...]) -> dict[str, tuple[str, int]]:
    """Normalised alias → (field code, rank of the alias in its field: 0 is the most specific)."""
    table: dict[str, tuple[str, int]] = {}
    for spec in fields:
        for rank, alias in enumerate(spec.aliases):
            table.setdefault(normalise_header(alias), (spec.code, rank))
    return table


def match_columns(header_cells: list[Any], fields: tuple[FieldSpec, ...],
                  saved: Mapping[str, str] | None = None, header_row: int = 1) -> ColumnPlan:
    """Match a header row to fields. ``saved`` maps normalised headers to field codes ("" means
    "ignore this column") and overrides the aliases."""
    saved = saved or {}
    codes = {spec.code for spec in fields}
    aliases = alias_table(fields)
    header = ["" if cell is None else str(cell).strip() for cell in header_cells]
    candidates: dict[str, list[tuple[int, int]]] = {}
    unknown: list[str] = []
    reason_column = None
    for index, text in enumerate(header):
        key = normalise_header(text)
        if not key:
            continue
        if key == normalise_header(REASON_HEADER):
            reason_column = index
            continue
        if key in saved:
            code = saved[key]
            if code in codes:
                candidates.setdefault(code, []).append((-1, index))
            continue
        if key in aliases:
            code, rank = aliases[key]
            candidates.setdefault(code, []).append((rank, index))
        else:
            unknown.append(text)
    columns: dict[str, int] = {}
    for code, found in candidates.items():
        found.sort()
        columns[code] = found[0][1]
        unknown.extend(header[index] for _, index in found[1:])
    missing = [spec.code for spec in fields if spec.required and spec.code not in columns]
    return ColumnPlan(header=header, header_row=header_row, columns=columns, unknown=unknown,
                      missing=missing, reason_column=reason_column)


def _known_count(cells: list[Any], known: set[str]) -> int:
    return sum(1 for cell in cells if isinstance(cell, str) and normalise_header(cell) in known)


def find_header(rows: Iterable[tuple[int, list[Any]]], fields: tuple[FieldSpec, ...],
                saved: Mapping[str, str] | None = None
                ) -> tuple[ColumnPlan, Iterator[tuple[int, list[Any]]]]:
    """Find the header row among the first rows; returns the plan and the data rows after it
    (empty rows skipped), still streaming."""
    known = set(alias_table(fields)) | set(saved or {})
    iterator = iter(rows)
    scanned: list[tuple[int, list[Any]]] = []
    for row_number, cells in iterator:
        if is_empty_row(cells):
            continue
        scanned.append((row_number, cells))
        if _known_count(cells, known) >= MIN_KNOWN_HEADERS:
            break
        if len(scanned) >= HEADER_SCAN_ROWS:
            break
    if not scanned:
        raise ValidationError("文件中没有任何数据", field="file")
    position = next((i for i, (_, cells) in enumerate(scanned)
                     if _known_count(cells, known) >= MIN_KNOWN_HEADERS), None)
    if position is None:
        position = next((i for i, (_, cells) in enumerate(scanned)
                         if sum(1 for cell in cells if cell not in (None, "")) >= 2), None)
    if position is None:
        raise ValidationError("在文件的前 %(rows)s 行中找不到表头（列名所在的行）", field="file",
                              rows=HEADER_SCAN_ROWS)
    header_row, header_cells = scanned[position]
    plan = match_columns(header_cells, fields, saved, header_row)
    following = ((number, cells) for number, cells in chain(scanned[position + 1:], iterator)
                 if not is_empty_row(cells))
    return plan, following
