"""XLSX rosters, read and written with openpyxl in its streaming modes.

Reading uses ``read_only=True`` (rows parsed from the sheet's XML as they are asked for) and
``data_only=True`` (formulas give their cached values). Cells keep their Python types: date
cells arrive as ``datetime``, numbers as ``int`` or ``float``, which is how the importer tells an
Excel date or a phone number stored as a number from text. Merged title rows arrive as a row
with one value; the importer skips them while looking for the header row.
"""
from __future__ import annotations

import zipfile
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils.exceptions import InvalidFileException

from plugin.core.errors import ValidationError
from plugin.imports.formats import REASON_HEADER

ERROR_SHEET_TITLE = "错误行"


class XlsxRoster:
    def __init__(self, path: Path, sheet_name: str | None = None):
        try:
            self._book = load_workbook(path, read_only=True, data_only=True)
        except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
            raise ValidationError("无法读取这个 Excel 文件（%(reason)s）：请确认是 .xlsx 格式，"
                                  "旧的 .xls 请先另存为 .xlsx", field="file",
                                  reason=type(error).__name__) from None
        try:
            self._sheet = self._choose_sheet(sheet_name)
        except ValidationError:
            self._book.close()
            raise
        #: From the sheet's <dimension> record, which Excel always writes; may be absent.
        self.size_hint = self._sheet.max_row
        # Some programs write a wrong (too small) dimension; rows are then read as they are.
        self._sheet.reset_dimensions()

    def _choose_sheet(self, sheet_name: str | None):
        if sheet_name is not None:
            if sheet_name not in self._book.sheetnames:
                raise ValidationError("文件中没有名为“%(name)s”的工作表", field="file", name=sheet_name)
            return self._book[sheet_name]
        visible = [sheet for sheet in self._book.worksheets if sheet.sheet_state == "visible"]
        if not visible:
            raise ValidationError("文件中没有工作表", field="file")
        return visible[0]

    def __iter__(self) -> Iterator[tuple[int, list[Any]]]:
        for row_number, values in enumerate(self._sheet.iter_rows(values_only=True), start=1):
            yield row_number, list(values)

    def close(self) -> None:
        self._book.close()


class XlsxFormat:
    """Excel 2007+ workbooks; the first visible sheet unless ``sheet_name`` is given."""

    name = "xlsx"
    suffixes = (".xlsx",)

    def __init__(self, sheet_name: str | None = None):
        self.sheet_name = sheet_name

    def open(self, path: Path) -> XlsxRoster:
        return XlsxRoster(Path(path), self.sheet_name)

    def write_errors(self, path: Path, header: Sequence[str],
                     rows: Iterable[tuple[Sequence[Any], str]]) -> None:
        book = Workbook(write_only=True)
        sheet = book.create_sheet(ERROR_SHEET_TITLE)
        for index in range(len(header)):
            sheet.column_dimensions[_column_letter(index)].width = 16
        sheet.column_dimensions[_column_letter(len(header))].width = 60
        sheet.freeze_panes = "A2"
        bold = Font(bold=True)
        sheet.append([_header_cell(sheet, text, bold) for text in [*header, REASON_HEADER]])
        wrap = Alignment(wrap_text=True, vertical="top")
        for cells, reason in rows:
            reason_cell = WriteOnlyCell(sheet, value=_clean(reason))
            reason_cell.alignment = wrap
            sheet.append([*(_value(cell, sheet) for cell in cells), reason_cell])
        book.save(path)


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def _header_cell(sheet, text: str, font: Font) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=_clean(text))
    cell.font = font
    return cell


def _clean(text: Any) -> Any:
    return ILLEGAL_CHARACTERS_RE.sub("", text) if isinstance(text, str) else text


def _value(cell: Any, sheet) -> Any:
    """The cell as read, so the person fixing the file sees what they sent; text stays text (an
    ID number must not become a number again), dates stay dates."""
    if isinstance(cell, str):
        return _clean(cell)
    if isinstance(cell, datetime):
        written = WriteOnlyCell(sheet, value=cell)
        written.number_format = "yyyy-mm-dd" if cell.time() == time(0) else "yyyy-mm-dd hh:mm"
        return written
    if isinstance(cell, date):
        written = WriteOnlyCell(sheet, value=cell)
        written.number_format = "yyyy-mm-dd"
        return written
    if isinstance(cell, int) and not isinstance(cell, bool) and abs(cell) >= 10 ** 15:
        return str(cell)  # Excel keeps 15 digits of a number: a long one is written as text
    if cell is None or isinstance(cell, (bool, int, float)):
        return cell
    return _clean(str(cell))
