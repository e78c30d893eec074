"""A fund's statement as files: the PDF (A4 landscape, the embedded Chinese font, "第 x 页 / 共 y
页" on every page) and the XLSX (one sheet: the cover, the figures, the entries). Both are made
from one :class:`~.statements.Statement` and its shared texts, so they show the same figures,
which reconcile: opening + in − out = closing. The XLSX holds numbers as number cells in yuan
(two decimals) and every text as a plain string cell, never a formula
(:func:`plugin.core.spreadsheets.as_text`, the XLSX side of ``neutralise``). Each download is
audited (``aid.statement_downloaded``).
"""
from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from functools import partial

from flask import Response
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from reportlab.lib.colors import Color, HexColor
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from ..audit.services import record_event
from ..core.host import Actor
from ..core.http import attachment_disposition
from ..core.pdf import chinese_font, fit_text, paragraph_text
from ..core.spreadsheets import as_text
from . import statements
from .models import AidFund
from .statements import Statement, yuan

FORMATS = {"pdf": "application/pdf",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


# -- the PDF --------------------------------------------------------------------------------------

PAGE_WIDTH, PAGE_HEIGHT = landscape(A4)
MARGIN = 40
TEXT_WIDTH = PAGE_WIDTH - 2 * MARGIN
GREY = Color(0.35, 0.35, 0.35)
RULE = HexColor("#c8d3dc")
#: Column widths of the entries' table; the summary takes what is left.
WIDTHS = (62, 44, 72, 64, None, 70, 70, 70, 76)


class _NumberedCanvas(Canvas):
    """Holds each page until :meth:`save` so every footer says "第 x 页 / 共 y 页"."""

    def __init__(self, *args, footer: str = "", font: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self._footer, self._font, self._pages = footer, font, []

    def showPage(self):
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            number = _("第 %(page)s 页 / 共 %(pages)s 页", page=self._pageNumber, pages=total)
            self.saveState()
            self.setFont(self._font, 7.5)
            self.setFillColor(GREY)
            self.drawRightString(PAGE_WIDTH - MARGIN, MARGIN - 20, number)
            room = TEXT_WIDTH - stringWidth(number, self._font, 7.5) - 16
            self.drawString(MARGIN, MARGIN - 20, fit_text(self._footer, self._font, 7.5, room))
            self.restoreState()
            super().showPage()
        super().save()


def _grid(rows: list[list], widths, font: str, numeric: tuple[int, ...]) -> Table:
    table = Table(rows, colWidths=list(widths), repeatRows=1, hAlign="LEFT")
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), font), ("FONTSIZE", (0, 0), (-1, -1), 8.5),
        ("LEADING", (0, 0), (-1, -1), 11), ("TEXTCOLOR", (0, 0), (-1, 0), GREY),
        ("LINEABOVE", (0, 0), (-1, 0), 0.6, GREY), ("LINEBELOW", (0, 0), (-1, 0), 0.6, GREY),
        ("LINEBELOW", (0, 1), (-1, -1), 0.3, RULE), ("VALIGN", (0, 0), (-1, -1), "TOP"),
        *[("ALIGN", (column, 0), (column, -1), "RIGHT") for column in numeric]]))
    return table


def render_pdf(statement: Statement, actor: Actor | None = None) -> bytes:
    font = chinese_font()
    base = ParagraphStyle("base", fontName=font, fontSize=9.5, leading=14, wordWrap="CJK")
    heading = ParagraphStyle("heading", parent=base, fontSize=16, leading=24, spaceAfter=8)
    cell = ParagraphStyle("cell", parent=base, fontSize=8.5, leading=11)
    out = io.BytesIO()
    document = SimpleDocTemplate(
        out, pagesize=landscape(A4), leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
        bottomMargin=MARGIN + 10, title=statements.title(statement), author="CareBridge",
        creator="CareBridge", initialFontName=font, initialFontSize=9.5, invariant=1,
        pageCompression=1)
    story: list = [Paragraph(paragraph_text(statements.title(statement)), heading)]
    lines = [f"{label}：{value}" for label, value in statements.cover_lines(statement, actor)]
    cover = Table([lines[index:index + 2] + [""] * (index + 2 - len(lines))
                   for index in range(0, len(lines), 2)],
                  colWidths=[TEXT_WIDTH / 2] * 2, hAlign="LEFT")
    cover.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), font),
                               ("FONTSIZE", (0, 0), (-1, -1), 9.5)]))
    story += [cover, Spacer(1, 10)]
    summary = [[_("项目"), _("金额（元）")]] + [
        [label if main else f"　　{label}", yuan(fen)]
        for label, fen, main in statements.summary_lines(statement)]
    reconciliation = paragraph_text(statements.reconciliation_text(statement))
    story += [_grid(summary, (300, 110), font, (1,)), Spacer(1, 6),
              Paragraph(reconciliation, base), Spacer(1, 12)]
    flexible = TEXT_WIDTH - sum(width for width in WIDTHS if width)
    widths = [width or flexible for width in WIDTHS]
    rows: list[list] = [statements.headers()]
    for row in statement.rows:
        texts = statements.row_texts(row)
        texts[4] = Paragraph(paragraph_text(texts[4]), cell)
        rows.append(texts)
    if not statement.rows:
        rows.append(["", "", _("本期没有流水"), "", "", "", "", "", ""])
    rows.append([_("本期合计"), "", "", "", "", yuan(statement.in_fen),
                 yuan(statement.out_fen),
                 yuan(statement.reserved_fen - statement.reserved_opening_fen),
                 yuan(statement.closing_fen)])
    story += [_grid(rows, widths, font, (5, 6, 7, 8)), Spacer(1, 24),
              Paragraph(paragraph_text(_("记账人：＿＿＿＿＿＿　　审核人：＿＿＿＿＿＿　　"
                                         "日期：＿＿＿＿＿＿")), base)]
    footer = f"{statements.title(statement)} · {statements.period_text(statement)}"
    document.build(story, canvasmaker=partial(_NumberedCanvas, footer=footer, font=font))
    return out.getvalue()


# -- the XLSX -------------------------------------------------------------------------------------

MONEY_FORMAT = "#,##0.00"
BOLD = Font(bold=True)


def _text(sheet, row: int, column: int, value, *, bold: bool = False):
    """A text cell: illegal control characters dropped, never a formula."""
    cell = sheet.cell(row=row, column=column,
                      value=None if value is None else ILLEGAL_CHARACTERS_RE.sub("", str(value)))
    as_text(cell)
    if bold:
        cell.font = BOLD
    return cell


def _money(sheet, row: int, column: int, fen: int | None):
    """A number cell in yuan (``Decimal``, two decimals); empty for None."""
    cell = sheet.cell(row=row, column=column, value=None if fen is None else Decimal(fen) / 100)
    cell.number_format = MONEY_FORMAT
    return cell


def render_xlsx(statement: Statement, actor: Actor | None = None) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = _("对账单")
    _text(sheet, 1, 1, statements.title(statement), bold=True).font = Font(bold=True, size=13)
    line = 2
    for label, value in statements.cover_lines(statement, actor):
        _text(sheet, line, 1, label)
        _text(sheet, line, 2, value)
        line += 1
    line += 1
    _text(sheet, line, 1, _("项目"), bold=True)
    _text(sheet, line, 2, _("金额（元）"), bold=True)
    for label, fen, main in statements.summary_lines(statement):
        line += 1
        _text(sheet, line, 1, label, bold=main).alignment = Alignment(indent=0 if main else 2)
        _money(sheet, line, 2, fen)
    line += 2
    for column, header in enumerate(statements.headers(), start=1):
        _text(sheet, line, column, header, bold=True)
    for row in statement.rows:
        line += 1
        texts = statements.row_texts(row)
        sheet.cell(row=line, column=1, value=row.entry.booked_on).number_format = "yyyy-mm-dd"
        sheet.cell(row=line, column=2, value=row.entry.id)
        for column in (3, 4, 5):
            _text(sheet, line, column, texts[column - 1])
        for column, fen in ((6, row.in_fen), (7, row.out_fen), (8, row.reserved_fen)):
            _money(sheet, line, column, fen or None)
        _money(sheet, line, 9, row.balance_fen)
    line += 1
    _text(sheet, line, 1, _("本期合计"), bold=True)
    for column, fen in ((6, statement.in_fen), (7, statement.out_fen),
                        (8, statement.reserved_fen - statement.reserved_opening_fen),
                        (9, statement.closing_fen)):
        _money(sheet, line, column, fen).font = BOLD
    for column, width in enumerate((24, 16, 16, 14, 48, 14, 14, 16, 16), start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# -- the download ---------------------------------------------------------------------------------

def download(fund: AidFund, start: date, end: date, fmt: str, actor: Actor) -> Response:
    """The statement as ``pdf`` or ``xlsx``, the download audited."""
    statement = statements.build_statement(fund, start, end)
    data = (render_pdf if fmt == "pdf" else render_xlsx)(statement, actor)
    record_event("aid.statement_downloaded", actor, target_type="aid_fund", target_id=fund.id,
                 org_unit_id=fund.org_unit_id,
                 details={"aid_fund": fund.name, "aid_format": fmt,
                          "aid_period_start": start.isoformat(),
                          "aid_period_end": end.isoformat(), "aid_entries": len(statement.rows),
                          "aid_closing_fen": statement.closing_fen})
    span = f"{start:%Y%m%d}-{end:%Y%m%d}"
    response = Response(data, mimetype=FORMATS[fmt])
    response.headers["Content-Disposition"] = attachment_disposition(
        f"carebridge-aid-fund-{fund.id}-statement-{span}.{fmt}",
        f"{statements.title(statement)}-{span}.{fmt}")
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
