"""What every CareBridge PDF shares: an embedded Chinese TrueType font and QR codes.

reportlab's built-in CID font STSong-Light is not embedded and renders blank on readers without
Adobe-GB1 data, so documents embed WenQuanYi Zen Hei (Debian's ``fonts-wqy-zenhei``), subsetted by
reportlab to the glyphs used. Set ``CAREBRIDGE_PDF_FONT`` to another TrueType file to change it.
"""
from __future__ import annotations

import os
from functools import lru_cache

import qrcode
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_NAME = "CareBridgeCJK"
DEFAULT_FONT_PATH = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"


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


def draw_qr(canvas, value: str, x: float, y: float, size: float) -> None:
    """Draw a QR code for ``value`` as vector shapes with its lower-left corner at (x, y)."""
    widget = QrCodeWidget(value, barLevel="M")
    left, bottom, right, top = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (right - left), 0, 0, size / (top - bottom),
                                             0, 0])
    drawing.add(widget)
    renderPDF.draw(drawing, canvas, x, y)


def qr_svg(value: str, *, box_size: int = 10) -> str:
    """A QR code as an inline SVG string (for pages: crisp on a projector, no image request)."""
    from qrcode.image.svg import SvgPathImage

    image = qrcode.make(value, image_factory=SvgPathImage, box_size=box_size, border=2)
    return image.to_string(encoding="unicode")
