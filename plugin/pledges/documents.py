"""The pledge PDF (reportlab): what the worker and the company keep.

Page one carries the signed Chinese text of the exact template version, the worker and the
children covered (ID numbers masked), the drawn signature or the witness of the paper original,
the dates and a QR code to the public verification page; the English translation follows.
Every string is drawn in the embedded Chinese TrueType font (:func:`plugin.core.pdf.chinese_font`),
so the document looks the same in every reader. Wrapped template paragraphs are cached per
version: a batch of a thousand PDFs wraps the text once.
"""
from __future__ import annotations

import io
import unicodedata
from datetime import date
from functools import lru_cache

from reportlab.lib.colors import Color, black
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from ..core.dates import format_date
from ..core.pdf import chinese_font, draw_qr
from ..privacy.masking import mask_id_number
from .models import Pledge, SigningMethod
from .rules import display_code

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 54
TEXT_WIDTH = PAGE_WIDTH - 2 * MARGIN
GREY = Color(0.35, 0.35, 0.35)
RED = Color(0.75, 0.1, 0.1)
QR_SIZE = 84
SIGNATURE_BOX = (170, 64)
#: Characters that must not start a line (they hang at the end of the previous one instead).
NO_LINE_START = set("，。、；：！？）》」』】,.;:!?)%")


def _tokens(paragraph: str) -> list[str]:
    """Break opportunities: every CJK character stands alone; Latin words keep together."""
    tokens: list[str] = []
    word = ""
    for char in paragraph:
        wide = unicodedata.east_asian_width(char) in ("W", "F")
        if char == " " or wide:
            if word:
                tokens.append(word)
                word = ""
            tokens.append(char)
        else:
            word += char
    if word:
        tokens.append(word)
    return tokens


def wrap(paragraph: str, size: float, width: float) -> list[str]:
    """Greedy line breaking of mixed Chinese and Latin text in the document font."""
    font = chinese_font()
    lines: list[str] = []
    line, line_width = "", 0.0
    for token in _tokens(paragraph):
        token_width = stringWidth(token, font, size)
        fits = line_width + token_width <= width
        if fits or not line or token in NO_LINE_START:
            if token == " " and not line:
                continue
            line += token
            line_width += token_width
            continue
        lines.append(line.rstrip())
        if token == " ":
            line, line_width = "", 0.0
        else:
            line, line_width = token, token_width
    if line.strip():
        lines.append(line.rstrip())
    return lines or [""]


@lru_cache(maxsize=64)
def wrapped_text(text: str, size: float, width: float) -> tuple[tuple[str, ...], ...]:
    """Each line-paragraph of ``text`` wrapped (cached: template texts repeat across a batch)."""
    return tuple(tuple(wrap(paragraph.strip(), size, width)) for paragraph in text.split("\n")
                 if paragraph.strip())


class _Writer:
    """A cursor down the page that starts a new page when the next block does not fit."""

    def __init__(self, canvas: Canvas, footer: str):
        self.canvas = canvas
        self.font = chinese_font()
        self.footer = footer
        self.y = PAGE_HEIGHT - MARGIN

    def need(self, height: float) -> None:
        if self.y - height < MARGIN + 24:
            self.new_page()

    def new_page(self) -> None:
        self._draw_footer()
        self.canvas.showPage()
        self.y = PAGE_HEIGHT - MARGIN

    def finish(self) -> None:
        self._draw_footer()
        self.canvas.showPage()

    def _draw_footer(self) -> None:
        self.canvas.setFillColor(GREY)
        self.canvas.setFont(self.font, 7.5)
        self.canvas.drawString(MARGIN, MARGIN - 18, self.footer)
        self.canvas.setFillColor(black)

    def centred(self, text: str, size: float, *, colour=black, after: float = 6) -> None:
        self.need(size * 1.4)
        self.canvas.setFillColor(colour)
        self.canvas.setFont(self.font, size)
        self.canvas.drawCentredString(PAGE_WIDTH / 2, self.y - size, text)
        self.canvas.setFillColor(black)
        self.y -= size * 1.4 + after

    def paragraphs(self, text: str, size: float, leading: float, *, colour=black,
                   indent: float = 0, gap: float = 4) -> None:
        self.canvas.setFillColor(colour)
        for lines in wrapped_text(text, size, TEXT_WIDTH - indent):
            for line in lines:
                self.need(leading)
                self.canvas.setFont(self.font, size)
                self.canvas.drawString(MARGIN + indent, self.y - size, line)
                self.y -= leading
            self.y -= gap
        self.canvas.setFillColor(black)

    def row(self, label: str, value: str, size: float = 10.5, label_width: float = 150) -> None:
        lines = wrap(value, size, TEXT_WIDTH - label_width) if value else [""]
        for index, line in enumerate(lines):
            self.need(size * 1.6)
            self.canvas.setFont(self.font, size)
            if index == 0:
                self.canvas.setFillColor(GREY)
                self.canvas.drawString(MARGIN, self.y - size, label)
                self.canvas.setFillColor(black)
            self.canvas.drawString(MARGIN + label_width, self.y - size, line)
            self.y -= size * 1.6

    def rule(self, gap: float = 8) -> None:
        self.need(gap * 2)
        self.y -= gap
        self.canvas.setStrokeColor(GREY)
        self.canvas.setLineWidth(0.5)
        self.canvas.line(MARGIN, self.y, PAGE_WIDTH - MARGIN, self.y)
        self.y -= gap


def _child_line(child) -> str:
    if child.id_number:
        return f"{child.name}　身份证号 ID no. {mask_id_number(child.id_number)}"
    if child.birth_date:
        return f"{child.name}　出生日期 Born {format_date(child.birth_date)}"
    return child.name


def _signature_block(writer: _Writer, pledge: Pledge) -> None:
    if pledge.method == SigningMethod.PHONE and pledge.signature_png:
        box_width, box_height = SIGNATURE_BOX
        writer.need(box_height + 16)
        image = ImageReader(io.BytesIO(pledge.signature_png))
        width, height = image.getSize()
        scale = min(box_width / width, box_height / height)
        writer.canvas.setFont(writer.font, 10.5)
        writer.canvas.setFillColor(GREY)
        writer.canvas.drawString(MARGIN, writer.y - 10.5, "承诺人签名 Signature")
        writer.canvas.setFillColor(black)
        writer.canvas.drawImage(image, MARGIN + 150, writer.y - height * scale, width * scale,
                                height * scale)
        writer.y -= box_height + 6
        writer.row("签署方式 Signed",
                   "职工本人在手机上手写签名 Handwritten by the worker on a phone")
    else:
        writer.row("签署方式 Signed", "纸质签字，原件存档 Signed on paper, original on file")
        writer.row("见证人 Witness", pledge.witness or "")


def render_pledge_pdf(pledge: Pledge, verify_url: str, *, status_note: str | None = None) -> bytes:
    """The pledge as a PDF. ``verify_url`` is the absolute URL the QR code opens;
    ``status_note`` (e.g. "已撤销 Revoked") is stamped in red when the pledge is no longer valid."""
    font = chinese_font()
    out = io.BytesIO()
    template = pledge.template
    code = display_code(pledge.verification_code)
    canvas = Canvas(out, pagesize=A4, pageCompression=1, initialFontName=font, initialFontSize=10,
                    invariant=1)
    canvas.setTitle(f"{template.title_zh} {code}")
    canvas.setAuthor("CareBridge")
    writer = _Writer(canvas, f"{template.title_zh} · 文本版本 v{template.version} · "
                             f"SHA-256 {pledge.text_sha256[:16]} · 验证码 {code}")
    writer.centred(template.title_zh, 20, after=2)
    writer.centred(template.title_en, 11, colour=GREY, after=14)
    if status_note:
        writer.centred(status_note, 14, colour=RED, after=8)
    writer.paragraphs(template.body_zh, 11.5, 18.5, gap=3)
    writer.rule()
    worker = pledge.worker
    writer.row("承诺人 Pledger", worker.name)
    writer.row("工号 Employee no.", worker.employee_number)
    if worker.id_number:
        writer.row("身份证号 ID no.", mask_id_number(worker.id_number))
    writer.row("单位 Unit", worker.org_unit.name)
    for index, child in enumerate(pledge.children):
        writer.row("涵盖子女 Children" if index == 0 else "", f"{index + 1}. {_child_line(child)}")
    writer.rule()
    _signature_block(writer, pledge)
    writer.row("签署日期 Signed on", format_date(pledge.signed_on))
    writer.row("有效期至 Valid until", format_date(pledge.valid_until))
    _verification_block(writer, verify_url, code)
    writer.new_page()
    writer.centred(template.title_en, 16, after=2)
    writer.centred("英文译文，仅供参考；以中文文本为准 "
                   "English translation for reference; the Chinese text prevails",
                   8.5, colour=GREY, after=12)
    writer.paragraphs(template.body_en, 10.5, 15, gap=4)
    writer.finish()
    canvas.save()
    return out.getvalue()


def _verification_block(writer: _Writer, verify_url: str, code: str) -> None:
    writer.need(QR_SIZE + 12)
    writer.y -= 6
    bottom = writer.y - QR_SIZE
    draw_qr(writer.canvas, verify_url, PAGE_WIDTH - MARGIN - QR_SIZE, bottom, QR_SIZE)
    canvas = writer.canvas
    canvas.setFont(writer.font, 10)
    canvas.drawString(MARGIN, bottom + QR_SIZE - 14, "扫码或访问下面的网址验证本文件的真伪和有效期")
    canvas.setFillColor(GREY)
    canvas.setFont(writer.font, 8.5)
    canvas.drawString(MARGIN, bottom + QR_SIZE - 28,
                      "Scan the code or open the address below to "
                      "check that this document is genuine and valid")
    canvas.setFillColor(black)
    canvas.setFont(writer.font, 10)
    canvas.drawString(MARGIN, bottom + QR_SIZE - 46, f"验证码 Code: {code}")
    canvas.setFont(writer.font, 8)
    for index, line in enumerate(wrap(verify_url, 8, TEXT_WIDTH - QR_SIZE - 12)[:3]):
        canvas.drawString(MARGIN, bottom + QR_SIZE - 60 - index * 10, line)
    writer.y = bottom - 6


def status_note_for(pledge: Pledge, today: date) -> str | None:
    """The red stamp for a document downloaded after it stopped being valid."""
    if pledge.revoked_at is not None:
        return "已撤销 Revoked"
    if pledge.valid_until < today:
        return "已过期 Expired"
    return None
