"""Printable badge sheets: 18 badges per A4 page (3 × 6, dashed cutting lines), each with the
worker's name, employee number, unit and the QR of their signed badge code. For workers without a
smartphone: the officer scans the badge at the lecture. The Chinese font is embedded."""
from __future__ import annotations

from collections.abc import Sequence
from io import BytesIO

from flask_babel import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from ..core.pdf import chinese_font, draw_qr, fit_text
from ..org.models import OrgUnit
from ..registry.models import Worker

COLUMNS, ROWS = 3, 6
MARGIN = 10 * mm
QR_SIZE = 30 * mm
PADDING = 3 * mm


def badge_sheets_pdf(unit: OrgUnit, workers: Sequence[Worker], codes: Sequence[str]) -> bytes:
    """The PDF for ``workers`` (``codes[i]`` is the badge code of ``workers[i]``)."""
    font = chinese_font()
    buffer = BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1, initialFontName=font)
    canvas.setTitle(_("签到胸卡 · %(unit)s", unit=unit.name))
    width, height = A4
    badge_width = (width - 2 * MARGIN) / COLUMNS
    badge_height = (height - 2 * MARGIN) / ROWS
    per_page = COLUMNS * ROWS
    if not workers:
        canvas.setFont(font, 12)
        canvas.drawString(MARGIN, height - MARGIN - 12, _("%(unit)s 没有在职职工", unit=unit.name))
    for index, (worker, code) in enumerate(zip(workers, codes, strict=True)):
        if index and index % per_page == 0:
            canvas.showPage()
        position = index % per_page
        x = MARGIN + (position % COLUMNS) * badge_width
        y = height - MARGIN - (position // COLUMNS + 1) * badge_height
        _draw_badge(canvas, font, worker, code, x, y, badge_width, badge_height)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _draw_badge(canvas, font, worker: Worker, code: str, x, y, width, height) -> None:
    canvas.saveState()
    canvas.setDash(2, 2)
    canvas.setStrokeGray(0.6)
    canvas.rect(x, y, width, height)
    canvas.restoreState()
    draw_qr(canvas, code, x + PADDING, y + (height - QR_SIZE) / 2, QR_SIZE)
    text_x = x + PADDING * 2 + QR_SIZE
    text_width = width - QR_SIZE - PADDING * 3
    top = y + height - PADDING
    canvas.setFont(font, 7)
    canvas.setFillGray(0.4)
    canvas.drawString(text_x, top - 7, _("关爱桥 · 宣讲签到"))
    canvas.setFillGray(0)
    canvas.setFont(font, 14)
    canvas.drawString(text_x, top - 26, fit_text(worker.name, font, 14, text_width))
    canvas.setFont(font, 10)
    canvas.drawString(text_x, top - 42, fit_text(worker.employee_number, font, 10, text_width))
    canvas.setFont(font, 8)
    for line_number, line in enumerate(_wrap(worker.org_unit.name, font, 8, text_width, lines=3)):
        canvas.drawString(text_x, top - 58 - line_number * 10, line)


def _wrap(text: str, font: str, size: float, width: float, *, lines: int) -> list[str]:
    """Break ``text`` (Chinese has no spaces) into at most ``lines`` lines, the last one
    shortened."""
    result, current = [], ""
    for character in text:
        if stringWidth(current + character, font, size) > width:
            result.append(current)
            current = ""
        current += character
    result.append(current)
    if len(result) > lines:
        result = result[:lines - 1] + [fit_text("".join(result[lines - 1:]), font, size, width)]
    return result
