"""A statistical report as the XLSX workbook filed with its recipient, next to the PDF.

:func:`render_report_xlsx` is a pure function of the report's content (the same canonical dict
as :func:`.documents.render_report_pdf`): no database, no request. Sheets:

* "封面": the cover's facts, the filing (or the draft mark) and the confirmation summary, one
  label and value a row;
* "确认情况": the confirmations of the units below;
* one sheet per section, named after its title (cut to 31 characters, ``[]:*?/\\`` replaced,
  made unique): a figures section is a table (指标代码, 指标, 数值, 单位, 说明) followed by one
  block per breakdown (a title row, then label / value / share rows) with a native bar chart
  when the breakdown has 2 to 12 rows; a text section is its title and one row per paragraph.

Reports to recipients are written in Chinese whatever the officer's UI language: the fixed
labels are Chinese literals, not gettext messages. Numbers are number cells, never text; money
(integer fen in the content) is written in yuan as a ``Decimal`` with the format ``#,##0.00``.
Every text cell is made a plain string cell (:func:`plugin.core.spreadsheets.as_text`, the XLSX
side of :func:`~plugin.core.spreadsheets.neutralise`): a unit or a typed text starting with
``=`` stays text and is never run as a formula.
"""
from __future__ import annotations

import io
import math
import re
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ..core.spreadsheets import as_text
from .documents import (
    CHART_MAX_ROWS,
    CHART_MIN_ROWS,
    EMPTY_TEXT,
    breakdown_heading,
    confirmation_cells,
    confirmation_sentence,
    cover_rows,
    figure_unit,
    filing_rows,
    paragraphs_of,
    section_heading,
    share_ratio,
    text_or_dash,
)

COVER_SHEET = "封面"
CONFIRMATIONS_SHEET = "确认情况"
MONEY_FORMAT = "#,##0.00"
COUNT_FORMAT = "#,##0"
SHARE_FORMAT = "0.0%"
#: The most characters one cell holds (Excel); a longer paragraph goes on over several rows.
CELL_LIMIT = 32_767
#: Height of one row at the default row height, in centimetres (15 points).
ROW_CM = 15 / 72 * 2.54
_SHEET_UNSAFE = re.compile(r"[\[\]:*?/\\]")
_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=13)
_WRAP = Alignment(wrap_text=True, vertical="top")


def _text(sheet: Worksheet, row: int, column: int, value: Any, *, font: Font | None = None,
          wrap: bool = False):
    """Write a text cell: illegal control characters dropped, never a formula."""
    cell = sheet.cell(row=row, column=column,
                      value=None if value is None else ILLEGAL_CHARACTERS_RE.sub("", str(value)))
    as_text(cell)
    if font is not None:
        cell.font = font
    if wrap:
        cell.alignment = _WRAP
    return cell


def _number(sheet: Worksheet, row: int, column: int, value: Any, *, money: bool = False):
    """Write a number cell (money: integer fen → yuan as a Decimal); empty for None."""
    if isinstance(value, bool):
        value = int(value)
    if money and value is not None:
        fen = Decimal(value) if isinstance(value, int) else Decimal(str(value))
        cell = sheet.cell(row=row, column=column, value=fen / 100)
        cell.number_format = MONEY_FORMAT
        return cell
    cell = sheet.cell(row=row, column=column, value=value)
    if isinstance(value, int):
        cell.number_format = COUNT_FORMAT
    return cell


def _header(sheet: Worksheet, row: int, labels: list[str]) -> None:
    for column, label in enumerate(labels, start=1):
        _text(sheet, row, column, label, font=_BOLD)


def _widths(sheet: Worksheet, widths: list[float]) -> None:
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width


def sheet_names(titles: list[str], taken: set[str]) -> list[str]:
    """A valid, unique sheet name for each section title: ``[]:*?/\\`` replaced by "_", cut to
    31 characters, "(2)", "(3)"… added to repeats (compared case-blind, as Excel does)."""
    seen = {name.casefold() for name in taken}
    names = []
    for index, title in enumerate(titles, start=1):
        base = _SHEET_UNSAFE.sub("_", ILLEGAL_CHARACTERS_RE.sub("", title or "")).strip()
        base = base.strip("'") or f"第{index}部分"
        name, number = base[:31], 1
        while name.casefold() in seen:
            number += 1
            suffix = f"({number})"
            name = base[:31 - len(suffix)] + suffix
        seen.add(name.casefold())
        names.append(name)
    return names


def _cover(sheet: Worksheet, content: dict) -> None:
    _text(sheet, 1, 1, text_or_dash(content.get("title")), font=_TITLE)
    row = 3
    for label, value in cover_rows(content) + filing_rows(content.get("filing")):
        _text(sheet, row, 1, label, font=_BOLD)
        _text(sheet, row, 2, value, wrap=True)
        row += 1
    confirmations = content.get("confirmations") or {}
    row += 1
    _text(sheet, row, 1, "下级单位确认", font=_BOLD)
    _text(sheet, row, 2, confirmation_sentence(confirmations))
    _text(sheet, row + 1, 1, "要求确认的单位数", font=_BOLD)
    _number(sheet, row + 1, 2, confirmations.get("total") or 0)
    _text(sheet, row + 2, 1, "已确认的单位数", font=_BOLD)
    _number(sheet, row + 2, 2, confirmations.get("confirmed") or 0)
    _widths(sheet, [20, 70])


def _confirmations(sheet: Worksheet, content: dict) -> None:
    confirmations = content.get("confirmations") or {}
    _text(sheet, 1, 1, confirmation_sentence(confirmations), font=_BOLD)
    _header(sheet, 3, ["单位", "确认情况", "确认人", "确认时间"])
    for row, item in enumerate(confirmations.get("rows") or [], start=4):
        for column, value in enumerate(confirmation_cells(item), start=1):
            _text(sheet, row, column, value)
    sheet.freeze_panes = "A4"
    _widths(sheet, [30, 12, 16, 18])


def _figures(sheet: Worksheet, section: dict, heading: str) -> None:
    _text(sheet, 1, 1, heading, font=_TITLE)
    _header(sheet, 3, ["指标代码", "指标", "数值", "单位", "说明"])
    figures = section.get("figures") or []
    row = 4
    for figure in figures:
        money = bool(figure.get("money"))
        _text(sheet, row, 1, figure.get("code"))
        _text(sheet, row, 2, figure.get("name"), wrap=True)
        _number(sheet, row, 3, figure.get("value"), money=money)
        _text(sheet, row, 4, figure_unit(figure))
        _text(sheet, row, 5, figure.get("definition"), wrap=True)
        row += 1
    _widths(sheet, [30, 24, 16, 8, 60])
    for figure in figures:
        for breakdown in figure.get("breakdowns") or []:
            row = _breakdown(sheet, row + 1, figure, breakdown)


def _breakdown(sheet: Worksheet, top: int, figure: dict, breakdown: dict) -> int:
    """Write one breakdown block from row ``top``; the first row after it (and its chart)."""
    money = bool(figure.get("money"))
    whole = figure.get("value")
    unit = figure_unit(figure)
    rows = breakdown.get("rows") or []
    _text(sheet, top, 1, breakdown_heading(figure, breakdown), font=_BOLD)
    _header(sheet, top + 1, [breakdown.get("title") or "分组",
                             f"数值（{unit}）" if unit else "数值", "占比"])
    row = top + 2
    for item in rows:
        _text(sheet, row, 1, item.get("label"), wrap=True)
        _number(sheet, row, 2, item.get("value"), money=money)
        share = share_ratio(item.get("value"), whole)
        if share is not None:
            sheet.cell(row=row, column=3, value=share).number_format = SHARE_FORMAT
        row += 1
    if not CHART_MIN_ROWS <= len(rows) <= CHART_MAX_ROWS:
        return row
    chart = BarChart()
    chart.type = "bar"
    chart.style = 10
    chart.title = breakdown_heading(figure, breakdown)
    chart.legend = None
    chart.y_axis.title = unit or None
    chart.y_axis.numFmt = MONEY_FORMAT if money else COUNT_FORMAT
    chart.y_axis.majorGridlines = None
    # Bars read top down in the same order as the rows.
    chart.x_axis.scaling.orientation = "maxMin"
    # openpyxl 3.1 hides the axes unless told otherwise.
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    values = Reference(sheet, min_col=2, min_row=top + 2, max_row=row - 1)
    labels = Reference(sheet, min_col=1, min_row=top + 2, max_row=row - 1)
    chart.add_data(values, titles_from_data=False)
    chart.set_categories(labels)
    chart.width = 16
    chart.height = max(6.0, 0.7 * len(rows) + 3)
    sheet.add_chart(chart, f"G{top}")
    return max(row, top + math.ceil(chart.height / ROW_CM) + 1)


def _text_section(sheet: Worksheet, section: dict, heading: str) -> None:
    _text(sheet, 1, 1, heading, font=_TITLE)
    paragraphs = paragraphs_of(section.get("text")) or [EMPTY_TEXT]
    row = 3
    for paragraph in paragraphs:
        for start in range(0, len(paragraph), CELL_LIMIT):
            _text(sheet, row, 1, paragraph[start:start + CELL_LIMIT], wrap=True)
            row += 1
    _widths(sheet, [100])


def render_report_xlsx(content: dict) -> bytes:
    """The report as an XLSX workbook (see the module's docstring); ``content`` is not changed."""
    book = Workbook()
    cover = book.active
    cover.title = COVER_SHEET
    _cover(cover, content)
    _confirmations(book.create_sheet(CONFIRMATIONS_SHEET), content)
    sections = content.get("sections") or []
    names = sheet_names([section.get("title") or "" for section in sections],
                        {COVER_SHEET, CONFIRMATIONS_SHEET})
    for index, (section, name) in enumerate(zip(sections, names, strict=True), start=1):
        sheet = book.create_sheet(name)
        heading = section_heading(index, section)
        kind = section.get("type")
        if kind == "figures":
            _figures(sheet, section, heading)
        elif kind == "text":
            _text_section(sheet, section, heading)
        else:
            raise ValueError(f"unknown report section type {kind!r}")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
