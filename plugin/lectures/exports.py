"""The sign-in sheet of a session as PDF (to print and sign, or to file) and as XLSX.

Both draw the same :class:`SignInSheet`: the session's particulars and the rows of
:func:`plugin.lectures.queries.sign_in_rows`, then ``blank_rows`` numbered empty rows for people to
write their name and sign when the sheet is printed before the lecture. Every PDF text is in the
embedded Chinese font (:func:`plugin.core.pdf.chinese_font`).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from ..core.dates import format_datetime, format_time
from ..core.pdf import chinese_font, paragraph_text
from ..core.spreadsheets import as_text
from .labels import FORMAT_LABELS, METHOD_LABELS, TOPIC_LABELS
from .models import LectureSession
from .periods import format_local, utc_to_local
from .queries import SignInRow

#: Rows of a sheet printed before the lecture (about two A4 pages).
DEFAULT_BLANK_ROWS = 40
MAX_BLANK_ROWS = 200


@dataclass
class SignInSheet:
    lecture: LectureSession
    rows: Sequence[SignInRow]
    zone: ZoneInfo
    blank_rows: int = 0

    def particulars(self) -> list[tuple[str, str]]:
        lecture = self.lecture
        lines = [
            (_("举办单位"), lecture.org_unit.name),
            (_("地点"), lecture.venue),
            (_("时间"), f"{format_local(lecture.starts_at, self.zone)} – "
                        f"{format_time(utc_to_local(lecture.ends_at, self.zone))}"),
            (_("形式"), str(FORMAT_LABELS[lecture.format])),
            (_("主题"), _("、").join(str(TOPIC_LABELS[topic]) for topic in lecture.topics)),
            (_("宣讲员"), _("、").join(lecturer.name for lecturer in lecture.lecturers) or "—"),
            (_("签到人数"), str(len(self.rows))),
        ]
        if lecture.is_cancelled:
            lines.append((_("状态"), _("已取消：%(reason)s", reason=lecture.cancel_reason or "")))
        return lines

    def header(self) -> list[str]:
        return [_("序号"), _("姓名"), _("工号"), _("班组/单位"), _("签到方式"), _("签到时间"),
                _("签名")]

    def blank_numbers(self) -> range:
        first = len(self.rows) + 1
        return range(first, first + self.blank_rows)

    def local(self, value: datetime) -> datetime:
        return utc_to_local(value, self.zone).replace(tzinfo=None)


def sign_in_pdf(sheet: SignInSheet) -> bytes:
    font = chinese_font()
    title_style = ParagraphStyle("title", fontName=font, fontSize=16, leading=22, spaceAfter=4)
    text_style = ParagraphStyle("text", fontName=font, fontSize=10, leading=14)
    cell_style = ParagraphStyle("cell", fontName=font, fontSize=9, leading=12)
    buffer = BytesIO()
    document = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm,
                                 topMargin=15 * mm, bottomMargin=15 * mm,
                                 title=sheet.lecture.title, author="CareBridge",
                                 # else every page starts in an unembedded Helvetica
                                 initialFontName=font, initialFontSize=10)
    title = _("宣讲签到表：%(title)s", title=sheet.lecture.title)
    story = [Paragraph(paragraph_text(title), title_style)]
    story += [Paragraph(paragraph_text(f"{label}：{value}"), text_style)
              for label, value in sheet.particulars()]
    story.append(Spacer(1, 4 * mm))
    data: list[list] = [sheet.header()]
    for row in sheet.rows:
        data.append([str(row.number), Paragraph(paragraph_text(_row_name(row)), cell_style),
                     row.employee_number, Paragraph(paragraph_text(row.unit_name), cell_style),
                     str(METHOD_LABELS[row.method]),
                     format_datetime(sheet.local(row.checked_in_at)), ""])
    data += [[str(number), "", "", "", "", "", ""] for number in sheet.blank_numbers()]
    widths = [w * mm for w in (12, 26, 26, 38, 24, 24, 30)]
    table = Table(data, colWidths=widths, repeatRows=1, rowHeights=[8 * mm] * len(data))
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), font),
        ("FONTSIZE", (0, 0), (-1, -1), 9),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e9ecef")),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (0, 0), (0, -1), "CENTER"),
    ]))
    story.append(table)
    document.build(story)
    return buffer.getvalue()


def _row_name(row: SignInRow) -> str:
    """The worker's name, or a plain mark for one outside the reader's scope (no name, number
    or unit: :func:`plugin.lectures.queries.sign_in_rows`)."""
    return _("范围外职工") if row.outside_scope else row.name


def sign_in_xlsx(sheet: SignInSheet) -> bytes:
    book = Workbook(write_only=True)
    ws = book.create_sheet(_("签到表"))
    for index, width in enumerate((8, 14, 14, 24, 16, 18, 16), start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    bold = Font(bold=True)
    title = _("宣讲签到表：%(title)s", title=sheet.lecture.title)
    ws.append([_cell(ws, title, font=Font(bold=True, size=14))])
    for label, value in sheet.particulars():
        ws.append([_cell(ws, label, font=bold), _cell(ws, value)])
    ws.append([])
    border = Border(*(Side(style="thin"),) * 4)
    ws.append([_cell(ws, text, font=bold, border=border) for text in sheet.header()])
    for row in sheet.rows:
        checked_in = WriteOnlyCell(ws, value=sheet.local(row.checked_in_at))
        checked_in.number_format = "yyyy-mm-dd hh:mm"
        checked_in.border = border
        texts = (row.number, _row_name(row), row.employee_number, row.unit_name,
                 str(METHOD_LABELS[row.method]))
        ws.append([*(_cell(ws, text, border=border) for text in texts), checked_in,
                   _cell(ws, "", border=border)])
    for number in sheet.blank_numbers():
        ws.append([_cell(ws, number, border=border),
                   *(_cell(ws, "", border=border) for _column in range(6))])
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _cell(ws, value, *, font: Font | None = None, border: Border | None = None) -> WriteOnlyCell:
    """A cell whose text stays text: a name or title starting with ``=``, ``+``, ``-``, ``@``…
    is never a formula (:func:`plugin.core.spreadsheets.as_text`)."""
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell = as_text(WriteOnlyCell(ws, value=value))
    if font is not None:
        cell.font = font
    if border is not None:
        cell.border = border
    cell.alignment = Alignment(vertical="center", wrap_text=isinstance(value, str))
    return cell
