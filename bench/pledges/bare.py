"""The pledge page drawn with bare reportlab calls: the baseline of the pledge benchmark.

Same page as :func:`plugin.pledges.documents.render_pledge_pdf` (strings, positions, embedded
font, QR code, signature image, second page with the translation), but from plain values
prepared beforehand, with the text already broken into lines and no layout logic at draw time.
"""
from __future__ import annotations

import io
from dataclasses import dataclass

import qrcode
from reportlab.lib.colors import Color, black
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from plugin.core.pdf import QR_QUIET_ZONE, chinese_font
from plugin.pledges.documents import wrap, wrapped_text
from plugin.pledges.rules import display_code
from plugin.registry.idnumber import mask_id_number

WIDTH, HEIGHT = A4
MARGIN = 54
GREY = Color(0.35, 0.35, 0.35)


@dataclass
class BarePage:
    title_zh: str
    title_en: str
    body_zh: tuple[tuple[str, ...], ...]
    body_en: tuple[tuple[str, ...], ...]
    rows_before: list[tuple[str, str]]
    signature_png: bytes
    rows_after: list[tuple[str, str]]
    url: str
    url_lines: list[str]
    code: str
    footer: str

    @classmethod
    def of(cls, pledge_id: int, verify_base: str) -> BarePage:
        """The values of one stored pledge, read and prepared outside the timing."""
        from plugin.core.db import session
        from plugin.pledges.models import Pledge

        pledge = session.get(Pledge, pledge_id)
        template, worker = pledge.template, pledge.worker
        code = display_code(pledge.verification_code)
        url = verify_base + pledge.verification_code
        children = [f"{i + 1}. {child.name}　身份证号 ID no. {mask_id_number(child.id_number)}"
                    for i, child in enumerate(pledge.children)]
        return cls(
            title_zh=template.title_zh, title_en=template.title_en,
            body_zh=wrapped_text(template.body_zh, 11.5, WIDTH - 2 * MARGIN),
            body_en=wrapped_text(template.body_en, 10.5, WIDTH - 2 * MARGIN),
            rows_before=[("承诺人 Pledger", worker.name),
                         ("工号 Employee no.", worker.employee_number),
                         ("身份证号 ID no.", mask_id_number(worker.id_number)),
                         ("单位 Unit", worker.org_unit.name)]
                        + [("涵盖子女 Children" if i == 0 else "", line)
                           for i, line in enumerate(children)],
            signature_png=pledge.signature_png,
            rows_after=[("签署方式 Signed",
                         "职工本人在手机上手写签名 Handwritten by the worker on a phone"),
                        ("签署日期 Signed on", pledge.signed_on.isoformat()),
                        ("有效期至 Valid until", pledge.valid_until.isoformat())],
            url=url, url_lines=wrap(url, 8, WIDTH - 2 * MARGIN - 96)[:3], code=code,
            footer=f"{template.title_zh} · 文本版本 v{template.version} · "
                   f"SHA-256 {pledge.text_sha256[:16]} · 验证码 {code}")


def _qr(canvas: Canvas, value: str, x: float, y: float, size: float) -> None:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=QR_QUIET_ZONE)
    code.add_data(value)
    code.make(fit=True)
    matrix = code.get_matrix()
    module = size / len(matrix)
    path = canvas.beginPath()
    for row, cells in enumerate(matrix):
        column = 0
        while column < len(cells):
            if cells[column]:
                start = column
                while column < len(cells) and cells[column]:
                    column += 1
                path.rect(x + start * module, y + size - (row + 1) * module,
                          (column - start) * module, module)
            else:
                column += 1
    canvas.setFillColorRGB(0, 0, 0)
    canvas.drawPath(path, stroke=0, fill=1)


def draw_bare_page(out: io.BytesIO, page: BarePage) -> None:
    font = chinese_font()
    c = Canvas(out, pagesize=A4, pageCompression=1, initialFontName=font, initialFontSize=10,
               invariant=1)
    c.setTitle(f"{page.title_zh} {page.code}")
    c.setAuthor("CareBridge")
    y = HEIGHT - MARGIN
    c.setFont(font, 20)
    c.drawCentredString(WIDTH / 2, y - 20, page.title_zh)
    y -= 30
    c.setFillColor(GREY)
    c.setFont(font, 11)
    c.drawCentredString(WIDTH / 2, y - 11, page.title_en)
    c.setFillColor(black)
    y -= 29.4
    c.setFont(font, 11.5)
    for lines in page.body_zh:
        for line in lines:
            c.drawString(MARGIN, y - 11.5, line)
            y -= 18.5
        y -= 3
    c.setStrokeColor(GREY)
    c.setLineWidth(0.5)
    y -= 8
    c.line(MARGIN, y, WIDTH - MARGIN, y)
    y -= 8
    c.setFont(font, 10.5)
    for label, value in page.rows_before:
        c.setFillColor(GREY)
        c.drawString(MARGIN, y - 10.5, label)
        c.setFillColor(black)
        c.drawString(MARGIN + 150, y - 10.5, value)
        y -= 16.8
    y -= 8
    c.line(MARGIN, y, WIDTH - MARGIN, y)
    y -= 8
    image = ImageReader(io.BytesIO(page.signature_png))
    width, height = image.getSize()
    scale = min(170 / width, 64 / height)
    c.setFillColor(GREY)
    c.drawString(MARGIN, y - 10.5, "承诺人签名 Signature")
    c.setFillColor(black)
    c.drawImage(image, MARGIN + 150, y - height * scale, width * scale, height * scale)
    y -= 70
    for label, value in page.rows_after:
        c.setFillColor(GREY)
        c.drawString(MARGIN, y - 10.5, label)
        c.setFillColor(black)
        c.drawString(MARGIN + 150, y - 10.5, value)
        y -= 16.8
    bottom = y - 6 - 84
    _qr(c, page.url, WIDTH - MARGIN - 84, bottom, 84)
    c.setFont(font, 10)
    c.drawString(MARGIN, bottom + 70, "扫码或访问下面的网址验证本文件的真伪和有效期")
    c.setFillColor(GREY)
    c.setFont(font, 8.5)
    c.drawString(MARGIN, bottom + 56,
                 "Scan the code or open the address below to check that this document "
                 "is genuine and valid")
    c.setFillColor(black)
    c.setFont(font, 10)
    c.drawString(MARGIN, bottom + 38, f"验证码 Code: {page.code}")
    c.setFont(font, 8)
    for index, line in enumerate(page.url_lines):
        c.drawString(MARGIN, bottom + 24 - index * 10, line)
    c.setFillColor(GREY)
    c.setFont(font, 7.5)
    c.drawString(MARGIN, MARGIN - 18, page.footer)
    c.showPage()
    y = HEIGHT - MARGIN
    c.setFillColor(black)
    c.setFont(font, 16)
    c.drawCentredString(WIDTH / 2, y - 16, page.title_en)
    y -= 24.4
    c.setFillColor(GREY)
    c.setFont(font, 8.5)
    c.drawCentredString(WIDTH / 2, y - 8.5,
                        "英文译文，仅供参考；以中文文本为准 "
                        "English translation for reference; the Chinese text prevails")
    y -= 23.9
    c.setFillColor(black)
    c.setFont(font, 10.5)
    for lines in page.body_en:
        for line in lines:
            c.drawString(MARGIN, y - 10.5, line)
            y -= 15
        y -= 4
    c.setFillColor(GREY)
    c.setFont(font, 7.5)
    c.drawString(MARGIN, MARGIN - 18, page.footer)
    c.showPage()
    c.save()
