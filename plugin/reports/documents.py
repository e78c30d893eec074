"""A statistical report as the PDF filed with its recipient (SASAC, a federation…).

:func:`render_report_pdf` is a pure function of the report's content (the canonical dict the
reports feature computes and stores, ``content["format"] == 1``): no database, no request. The
document is A4: a cover page (company, title, recipient, period, reporting unit, who answers
for it, the filing number with a QR code of the public verification page, or a clear draft
mark), the confirmations of the units below, then each section in order: a table of figures
with their definitions and each figure's breakdowns (a table, and a horizontal bar chart drawn
with reportlab graphics when there are 2 to 12 rows), or a free-text section. Every page has
"第 x 页 / 共 y 页" and the title (and the filing number) in its footer: the canvas keeps each
page until the end so that the total is known (:class:`NumberedCanvas`, the classic two-pass
recipe).

Reports to recipients are written in Chinese whatever the officer's UI language: the fixed
labels here are Chinese literals, not gettext messages. Every string is drawn in the embedded
Chinese TrueType font (:func:`plugin.core.pdf.chinese_font`), the charts' labels and the page
numbers too, so no unembedded Helvetica ends up in the file. Amounts (figures with
``"money": true``) are integer fen, shown in yuan with two decimals.

The small text helpers (:func:`figure_value_text`, :func:`share_text`, :func:`cover_rows`,
:func:`filing_rows`, :func:`confirmation_sentence`, :func:`section_heading`) are shared with
the spreadsheet (:mod:`.workbook`), so both files say the same thing.
"""
from __future__ import annotations

import io
import math
import re
from decimal import Decimal
from functools import partial
from typing import Any

from reportlab.graphics.shapes import Drawing
from reportlab.lib.colors import Color, HexColor
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from ..core.money import format_yuan
from ..core.pdf import chinese_font, draw_qr, fit_text, horizontal_bars, paragraph_text

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 56
BOTTOM_MARGIN = 64
TEXT_WIDTH = PAGE_WIDTH - 2 * MARGIN
GREY = Color(0.35, 0.35, 0.35)
RED = Color(0.72, 0.1, 0.1)
BAR = HexColor("#2f6f9f")
RULE = HexColor("#c8d3dc")
QR_SIZE = 100
#: A breakdown gets a chart when it has this many rows (fewer says nothing, more is unreadable).
CHART_MIN_ROWS, CHART_MAX_ROWS = 2, 12
MONEY_UNIT = "元"
EMPTY_TEXT = "（未填写）"
NONE = "—"
DRAFT_MARK = "草稿（未报送）"
VERIFY_HINT = "扫码核验本报告的真伪和状态"
_BLANK_LINES = re.compile(r"\n[ \t\r\f\v\u3000]*\n")


# -- texts shared with the spreadsheet ------------------------------------------------------------

def text_or_dash(value: Any) -> str:
    """``value`` as text; "—" for None or blank."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return NONE
    return str(value)


def number_text(value: Any) -> str:
    """A count or measure with thousands separators ("1,234"); "—" for None."""
    if value is None:
        return NONE
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float | Decimal):
        return f"{value:,.2f}"
    return str(value)


def figure_value_text(value: Any, money: bool) -> str:
    """A figure's (or breakdown row's) value as shown: yuan with two decimals for money (the value
    is integer fen), the number with thousands separators otherwise."""
    if money and isinstance(value, int) and not isinstance(value, bool):
        return format_yuan(value, grouping=True)
    return number_text(value)


def figure_unit(figure: dict) -> str:
    return MONEY_UNIT if figure.get("money") else (figure.get("unit") or "")


def share_text(part: Any, whole: Any) -> str:
    """``part`` as a percentage of ``whole`` ("24.3%"); "—" when the whole is 0 or unknown."""
    if not whole or part is None:
        return NONE
    return f"{part * 100 / whole:.1f}%"


def share_ratio(part: Any, whole: Any) -> float | None:
    """``part / whole`` as a number (for a percentage cell); None when the whole is 0."""
    if not whole or part is None:
        return None
    return part / whole


def period_text(period: dict) -> str:
    label = period.get("label") or ""
    start, end = period.get("start"), period.get("end")
    if start and end:
        return f"{label}（{start} 至 {end}）" if label else f"{start} 至 {end}"
    return label or NONE


def cover_rows(content: dict) -> list[tuple[str, str]]:
    """The cover's facts as (label, text) pairs, in the order they are shown."""
    responsible = content.get("responsible") or {}
    unit = content.get("unit") or {}
    return [
        ("报送单位（企业）", text_or_dash(content.get("company"))),
        ("报送对象", text_or_dash((content.get("recipient") or {}).get("name"))),
        ("报告期", period_text(content.get("period") or {})),
        ("填报单位", text_or_dash(unit.get("name"))),
        ("责任部门", text_or_dash(responsible.get("department"))),
        ("责任人", text_or_dash(responsible.get("person"))),
        ("联系电话", text_or_dash(responsible.get("phone"))),
        ("报表模板", text_or_dash((content.get("template") or {}).get("name"))),
        ("生成时间", text_or_dash(content.get("generated_at"))),
    ]


def filing_number_text(filing: dict) -> str:
    return f"第 {filing['number']} 号报送"


def filing_rows(filing: dict | None) -> list[tuple[str, str]]:
    """The filing's facts as (label, text) pairs; one row "草稿（未报送）" for a draft."""
    if filing is None:
        return [("报送状态", DRAFT_MARK)]
    rows = [("报送编号", filing_number_text(filing)),
            ("报送时间", text_or_dash(filing.get("filed_at"))),
            ("报送人", text_or_dash(filing.get("filed_by")))]
    if filing.get("supersedes") is not None:
        rows.append(("更正", f"更正并取代第 {filing['supersedes']} 号"))
        if filing.get("reason"):
            rows.append(("更正原因", str(filing["reason"])))
    rows.append(("核验网址", text_or_dash(filing.get("verify_url"))))
    return rows


def confirmation_sentence(confirmations: dict | None) -> str:
    confirmations = confirmations or {}
    total = confirmations.get("total") or 0
    if not total:
        return "本报告未要求下级单位确认"
    return f"已确认 {confirmations.get('confirmed') or 0} / 共 {total} 个单位"


def confirmation_cells(row: dict) -> list[str]:
    """One unit's confirmation as texts: unit, state, by whom, when."""
    return [text_or_dash(row.get("unit")), "已确认" if row.get("confirmed") else "未确认",
            text_or_dash(row.get("by")), text_or_dash(row.get("at"))]


_DIGITS = "零一二三四五六七八九"


def chinese_ordinal(number: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 35 → 三十五 (Arabic digits from 100 on)."""
    if number < 1 or number > 99:
        return str(number)
    tens, ones = divmod(number, 10)
    if not tens:
        return _DIGITS[ones]
    return (_DIGITS[tens] if tens > 1 else "") + "十" + (_DIGITS[ones] if ones else "")


def section_heading(index: int, section: dict) -> str:
    """"一、职工与儿童" for the first section."""
    return f"{chinese_ordinal(index)}、{section.get('title') or ''}"


def breakdown_heading(figure: dict, breakdown: dict) -> str:
    return f"{figure.get('name') or figure.get('code')} · 按{breakdown.get('title') or ''}"


def paragraphs_of(text: str | None) -> list[str]:
    """A free text's paragraphs (split on blank lines, each stripped); [] when empty."""
    if not text or not text.strip():
        return []
    return [part.strip() for part in _BLANK_LINES.split(text.replace("\r\n", "\n"))
            if part.strip()]


# -- the PDF --------------------------------------------------------------------------------------


class NumberedCanvas(Canvas):
    """A canvas that holds every page back until :meth:`save`, then draws each page's footer:
    the title (with the filing number, or the draft mark) and "第 x 页 / 共 y 页"."""

    def __init__(self, *args, footer: str = "", font: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self._footer = footer
        self._footer_font = font or chinese_font()
        self._saved_page_states: list[dict] = []

    def showPage(self):
        self._saved_page_states.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._saved_page_states)
        for state in self._saved_page_states:
            self.__dict__.update(state)
            self._draw_footer(total)
            super().showPage()
        super().save()

    def _draw_footer(self, total: int) -> None:
        number = f"第 {self._pageNumber} 页 / 共 {total} 页"
        size = 7.5
        y = BOTTOM_MARGIN - 30
        self.saveState()
        self.setFont(self._footer_font, size)
        self.setFillColor(GREY)
        self.setStrokeColor(RULE)
        self.setLineWidth(0.5)
        self.line(MARGIN, y + 11, PAGE_WIDTH - MARGIN, y + 11)
        number_width = stringWidth(number, self._footer_font, size)
        self.drawRightString(PAGE_WIDTH - MARGIN, y, number)
        self.drawString(MARGIN, y, fit_text(self._footer, self._footer_font, size,
                                        TEXT_WIDTH - number_width - 16))
        self.restoreState()


class QRCodeFlowable(Flowable):
    """A QR code of ``value`` as a platypus flowable (drawn with :func:`draw_qr`)."""

    def __init__(self, value: str, size: float = QR_SIZE):
        super().__init__()
        self.value = value
        self.size = size
        self.hAlign = "CENTER"

    def wrap(self, available_width, available_height):
        return self.size, self.size

    def draw(self):
        draw_qr(self.canv, self.value, 0, 0, self.size)


def _styles(font: str) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=font, fontSize=10, leading=15, wordWrap="CJK")
    return {
        "body": ParagraphStyle("body", parent=base, firstLineIndent=20, spaceAfter=6),
        "plain": base,
        "cell": ParagraphStyle("cell", parent=base, fontSize=8.5, leading=11),
        "cell-note": ParagraphStyle("cell-note", parent=base, fontSize=8, leading=10.5,
                                    textColor=GREY),
        "header": ParagraphStyle("header", parent=base, fontSize=8.5, leading=11,
                                 textColor=GREY),
        "heading": ParagraphStyle("heading", parent=base, fontSize=13, leading=18,
                                  spaceBefore=12, spaceAfter=6, keepWithNext=1),
        "subheading": ParagraphStyle("subheading", parent=base, fontSize=10, leading=14,
                                     spaceBefore=8, spaceAfter=3, keepWithNext=1),
        "note": ParagraphStyle("note", parent=base, fontSize=8.5, leading=12, textColor=GREY),
        "company": ParagraphStyle("company", parent=base, fontSize=14, leading=20,
                                  alignment=TA_CENTER, spaceAfter=14),
        "title": ParagraphStyle("title", parent=base, fontSize=20, leading=30,
                                alignment=TA_CENTER, spaceAfter=24),
        "filing": ParagraphStyle("filing", parent=base, fontSize=15, leading=22,
                                 alignment=TA_CENTER, spaceAfter=6),
        "draft": ParagraphStyle("draft", parent=base, fontSize=22, leading=32,
                                alignment=TA_CENTER, textColor=RED, borderColor=RED,
                                borderWidth=1.5, borderPadding=8, spaceBefore=10,
                                spaceAfter=10),
        "centre": ParagraphStyle("centre", parent=base, fontSize=9, leading=13,
                                 alignment=TA_CENTER),
        "url": ParagraphStyle("url", parent=base, fontSize=8, leading=11, alignment=TA_CENTER,
                              textColor=GREY),
    }


def _grid(rows: list[list[Any]], widths: list[float], font: str, *,
          numeric_columns: tuple[int, ...] = ()) -> Table:
    """A table with a header row repeated on every page it spans; every cell in ``font``."""
    table = Table(rows, colWidths=widths, repeatRows=1, hAlign="LEFT")
    commands = [
        ("FONTNAME", (0, 0), (-1, -1), font),
        ("FONTSIZE", (0, 0), (-1, -1), 8.5),
        ("LEADING", (0, 0), (-1, -1), 11),
        ("TEXTCOLOR", (0, 0), (-1, 0), GREY),
        ("LINEABOVE", (0, 0), (-1, 0), 0.6, GREY),
        ("LINEBELOW", (0, 0), (-1, 0), 0.6, GREY),
        ("LINEBELOW", (0, 1), (-1, -1), 0.3, RULE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    commands += [("ALIGN", (column, 0), (column, -1), "RIGHT") for column in numeric_columns]
    table.setStyle(TableStyle(commands))
    return table


def nice_step(span: float, *, integer: bool = True, ticks: int = 5) -> float:
    """A round tick step (1, 2, 2.5 or 5 times a power of ten) so that about ``ticks`` steps
    cover ``span``; a whole number, at least 1, for counts."""
    if span <= 0:
        return 1
    rough = span / ticks
    power = 10 ** math.floor(math.log10(rough))
    factors = (1, 2, 5, 10) if integer and power < 10 else (1, 2, 2.5, 5, 10)
    step = next(factor * power for factor in factors if factor * power >= rough)
    return max(1, math.ceil(step)) if integer else step


def breakdown_chart(rows: list[dict], font: str, *, money: bool = False,
                    width: float = TEXT_WIDTH) -> Drawing:
    """A horizontal bar chart of a breakdown's rows, first row on top (reportlab graphics, every
    label in ``font``). Money rows are fen, drawn in yuan."""
    names = [fit_text(str(row.get("label") or row.get("key") or ""), font, 8, 130)
             for row in rows]
    values = [(row.get("value") or 0) / 100 if money else (row.get("value") or 0)
              for row in rows]
    bar_height = 16
    height = len(values) * bar_height + 30
    drawing = Drawing(width, height, initialFontName=font)
    label_width = 140
    chart = horizontal_bars(names, values, font, x=label_width, y=20,
                            width=width - label_width - 60, bar_height=bar_height, colour=BAR)
    low, top = min(min(values), 0), max(max(values), 0)
    step = nice_step(top - low, integer=not money)
    chart.valueAxis.valueMin = low
    chart.valueAxis.valueMax = low + step * max(1, math.ceil((top - low) / step))
    chart.valueAxis.valueStep = step
    chart.valueAxis.labelTextFormat = lambda value: f"{value:,.0f}"
    chart.barLabelFormat = (lambda value: f"{value:,.2f}") if money else (
        lambda value: f"{value:,}")
    drawing.add(chart)
    return drawing


def _cover(content: dict, font: str, styles: dict[str, ParagraphStyle]) -> list:
    story: list = [Spacer(1, 40),
                   Paragraph(paragraph_text(text_or_dash(content.get("company"))),
                             styles["company"]),
                   Paragraph(paragraph_text(text_or_dash(content.get("title"))), styles["title"])]
    facts = [[Paragraph(paragraph_text(label), styles["header"]),
              Paragraph(paragraph_text(value), styles["plain"])]
             for label, value in cover_rows(content)]
    table = Table(facts, colWidths=[110, 270], hAlign="CENTER")
    table.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), font),
                               ("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("LINEBELOW", (0, 0), (-1, -1), 0.3, RULE),
                               ("TOPPADDING", (0, 0), (-1, -1), 4),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 4)]))
    story += [table, Spacer(1, 24)]
    filing = content.get("filing")
    if filing is None:
        story += [Paragraph(DRAFT_MARK, styles["draft"]),
                  Paragraph("本稿尚未报送，仅供内部核对，不作为正式报告使用。", styles["centre"])]
    else:
        story.append(Paragraph(paragraph_text(filing_number_text(filing)), styles["filing"]))
        lines = [f"报送时间：{text_or_dash(filing.get('filed_at'))}",
                 f"报送人：{text_or_dash(filing.get('filed_by'))}"]
        if filing.get("supersedes") is not None:
            lines.append(f"更正并取代第 {filing['supersedes']} 号")
            if filing.get("reason"):
                lines.append(f"更正原因：{filing['reason']}")
        story += [Paragraph(paragraph_text(line), styles["centre"]) for line in lines]
        url = filing.get("verify_url")
        if url:
            story += [Spacer(1, 14),
                      KeepTogether([QRCodeFlowable(url), Spacer(1, 4),
                                    Paragraph(paragraph_text(url), styles["url"]),
                                    Paragraph(VERIFY_HINT, styles["centre"])])]
    story.append(PageBreak())
    return story


def _confirmations(content: dict, font: str, styles: dict[str, ParagraphStyle]) -> list:
    confirmations = content.get("confirmations") or {}
    story: list = [Paragraph("下级单位确认情况", styles["heading"]),
                   Paragraph(paragraph_text(confirmation_sentence(confirmations)), styles["plain"])]
    rows = confirmations.get("rows") or []
    if rows:
        table_rows: list[list[Any]] = [["单位", "确认情况", "确认人", "确认时间"]]
        for row in rows:
            unit, state, by, at = confirmation_cells(row)
            table_rows.append([Paragraph(paragraph_text(unit), styles["cell"]), state,
                               Paragraph(paragraph_text(by), styles["cell"]), at])
        story += [Spacer(1, 6), _grid(table_rows, [TEXT_WIDTH - 290, 70, 110, 110], font)]
    return story


def _figures_section(section: dict, font: str, styles: dict[str, ParagraphStyle]) -> list:
    figures = section.get("figures") or []
    if not figures:
        return [Paragraph("（本部分没有指标）", styles["note"])]
    rows: list[list[Any]] = [["指标", "数值", "单位", "说明"]]
    for figure in figures:
        rows.append([Paragraph(paragraph_text(text_or_dash(figure.get("name"))), styles["cell"]),
                     figure_value_text(figure.get("value"), bool(figure.get("money"))),
                     Paragraph(paragraph_text(figure_unit(figure)), styles["cell"]),
                     Paragraph(paragraph_text(figure.get("definition") or ""),
                               styles["cell-note"])])
    story: list = [_grid(rows, [120, 86, 44, TEXT_WIDTH - 250], font, numeric_columns=(1,))]
    for figure in figures:
        for breakdown in figure.get("breakdowns") or []:
            story += _breakdown(figure, breakdown, font, styles)
    return story


def _breakdown(figure: dict, breakdown: dict, font: str,
               styles: dict[str, ParagraphStyle]) -> list:
    money = bool(figure.get("money"))
    whole = figure.get("value")
    breakdown_rows = breakdown.get("rows") or []
    heading = paragraph_text(breakdown_heading(figure, breakdown))
    story: list = [Paragraph(heading, styles["subheading"])]
    if not breakdown_rows:
        return [*story, Paragraph("（无分组数据）", styles["note"])]
    unit = figure_unit(figure)
    rows: list[list[Any]] = [[breakdown.get("title") or "分组",
                              f"数值（{unit}）" if unit else "数值", "占比"]]
    for row in breakdown_rows:
        rows.append([Paragraph(paragraph_text(text_or_dash(row.get("label"))), styles["cell"]),
                     figure_value_text(row.get("value"), money),
                     share_text(row.get("value"), whole)])
    story.append(_grid(rows, [230, 110, 70], font, numeric_columns=(1, 2)))
    if CHART_MIN_ROWS <= len(breakdown_rows) <= CHART_MAX_ROWS:
        story += [Spacer(1, 6), breakdown_chart(breakdown_rows, font, money=money)]
    return story


def _text_section(section: dict, styles: dict[str, ParagraphStyle]) -> list:
    paragraphs = paragraphs_of(section.get("text"))
    if not paragraphs:
        return [Paragraph(EMPTY_TEXT, styles["note"])]
    return [Paragraph(paragraph_text(paragraph).replace("\n", "<br/>"), styles["body"])
            for paragraph in paragraphs]


def footer_text(content: dict) -> str:
    title = text_or_dash(content.get("title"))
    filing = content.get("filing")
    if filing is None:
        return f"{title} · {DRAFT_MARK}"
    return f"{title} · 报送编号 {filing['number']}"


def render_report_pdf(content: dict) -> bytes:
    """The report as an A4 PDF (see the module's docstring); ``content`` is not changed."""
    font = chinese_font()
    styles = _styles(font)
    out = io.BytesIO()
    document = SimpleDocTemplate(
        out, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
        bottomMargin=BOTTOM_MARGIN, title=text_or_dash(content.get("title")),
        author=content.get("company") or "CareBridge", creator="CareBridge",
        initialFontName=font, initialFontSize=10, invariant=1, pageCompression=1)
    story = _cover(content, font, styles)
    story += _confirmations(content, font, styles)
    for index, section in enumerate(content.get("sections") or [], start=1):
        story.append(Paragraph(paragraph_text(section_heading(index, section)), styles["heading"]))
        kind = section.get("type")
        if kind == "figures":
            story += _figures_section(section, font, styles)
        elif kind == "text":
            story += _text_section(section, styles)
        else:
            raise ValueError(f"unknown report section type {kind!r}")
    document.build(story, canvasmaker=partial(NumberedCanvas, footer=footer_text(content),
                                              font=font))
    return out.getvalue()
