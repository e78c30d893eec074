"""What every CareBridge PDF shares: an embedded Chinese TrueType font and QR codes.

reportlab's built-in CID font STSong-Light is not embedded and renders blank on readers without
Adobe-GB1 data, so documents embed WenQuanYi Zen Hei (Debian's ``fonts-wqy-zenhei``), subsetted by
reportlab to the glyphs used. Set ``CAREBRIDGE_PDF_FONT`` to another TrueType file to change it.
"""
from __future__ import annotations

import os
from functools import lru_cache

import qrcode
from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.lib.colors import white
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfbase.ttfonts import TTFont

FONT_NAME = "CareBridgeCJK"
DEFAULT_FONT_PATH = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
#: Light modules around a QR code, in modules (the standard's minimum).
QR_QUIET_ZONE = 4


class FontMissing(RuntimeError):
    """The Chinese font is not installed; documents would render without their text."""


@lru_cache(maxsize=1)
def chinese_font() -> str:
    """Register the embedded Chinese font once per process and return its reportlab name."""
    path = os.environ.get("CAREBRIDGE_PDF_FONT", DEFAULT_FONT_PATH)
    if not os.path.exists(path):
        raise FontMissing(f"Chinese font not found at {path}; install fonts-wqy-zenhei "
                          "or set CAREBRIDGE_PDF_FONT")
    subfont = {"subfontIndex": 0} if path.endswith(".ttc") else {}
    pdfmetrics.registerFont(TTFont(FONT_NAME, path, **subfont))
    return FONT_NAME


def fit_text(text: str, font: str, size: float, width: float) -> str:
    """``text`` cut with "…" so that it fits ``width`` points in ``font`` at ``size``."""
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


def paragraph_text(text: str) -> str:
    """Plain text for a reportlab ``Paragraph`` (a little XML): ``& < >`` escaped, so names and
    titles read as typed."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def horizontal_bars(names: list[str], values: list, font: str, *, x: float, y: float,
                    width: float, bar_height: float, colour) -> HorizontalBarChart:
    """A horizontal bar chart with the first name on top, every label in ``font`` (no
    unembedded Helvetica) and each value written after its bar; the caller sets the value
    axis's range and the label formats."""
    chart = HorizontalBarChart()
    chart.x, chart.y = x, y
    chart.width, chart.height = width, len(values) * bar_height
    # The chart draws categories bottom up: reversed, the first row is on top.
    chart.data = [list(reversed(values))]
    chart.categoryAxis.categoryNames = list(reversed(names))
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 8
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.categoryAxis.labels.dx = -4
    chart.valueAxis.labels.fontName = font
    chart.valueAxis.labels.fontSize = 7.5
    chart.bars[0].fillColor = colour
    chart.bars[0].strokeColor = white
    chart.barLabels.fontName = font
    chart.barLabels.fontSize = 7.5
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    return chart


def draw_qr(canvas, value: str, x: float, y: float, size: float) -> None:
    """Draw a QR code for ``value`` as vector shapes with its lower-left corner at (x, y).

    The dark modules are filled as one path of horizontal runs straight on the canvas (with the
    standard 4-module quiet zone inside ``size``): no graphics renderer, which would also put
    an unembedded Helvetica into the document, and a fraction of the drawing operations.
    """
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=QR_QUIET_ZONE)
    code.add_data(value)
    code.make(fit=True)
    matrix = code.get_matrix()
    count = len(matrix)
    module = size / count
    path = canvas.beginPath()
    for row_index, row in enumerate(matrix):
        bottom = y + size - (row_index + 1) * module
        column = 0
        while column < count:
            if not row[column]:
                column += 1
                continue
            start = column
            while column < count and row[column]:
                column += 1
            path.rect(x + start * module, bottom, (column - start) * module, module)
    canvas.saveState()
    canvas.setFillColorRGB(0, 0, 0)
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.restoreState()


def qr_svg(value: str, *, box_size: int = 10) -> str:
    """A QR code as an inline SVG string (for pages: crisp on a projector, no image request)."""
    from qrcode.image.svg import SvgPathImage

    image = qrcode.make(value, image_factory=SvgPathImage, box_size=box_size, border=2)
    return image.to_string(encoding="unicode")
