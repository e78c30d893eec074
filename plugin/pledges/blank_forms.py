"""Blank paper forms for the paper route: per worker, the current pledge text to sign and, for
each child under 14, the guardian's consent to the processing of the child's personal
information, with tick boxes and signature and date lines. Names are printed in full: the sheet
is handed to the worker to sign (an officer logs it afterwards with its scan)."""
from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date

from reportlab.lib.colors import black
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from ..core.dates import format_date
from ..core.pdf import chinese_font
from ..registry.consent import CURRENT_NOTICE_VERSION, needs_consent
from .documents import GREY, MARGIN, PAGE_WIDTH, _Writer
from .models import PledgeTemplate

CONSENT_TEXT = (
    "本人作为下列子女的监护人，已阅读《儿童个人信息处理告知书》（版本 {version}），了解公司为开展"
    "留守儿童关爱服务而处理子女个人信息的目的、方式、范围和保存期限，以及撤回同意的方式。"
    "请在每名子女前的方框内打勾表示同意；不打勾表示不同意，公司只保存统计所需的最少信息。")


def _box_line(writer: _Writer, text: str, size: float = 10.5) -> None:
    writer.need(size * 2)
    canvas = writer.canvas
    canvas.setStrokeColor(black)
    canvas.setLineWidth(0.8)
    canvas.rect(MARGIN, writer.y - size - 1, size, size)
    canvas.setFont(writer.font, size)
    canvas.drawString(MARGIN + size + 8, writer.y - size, text)
    writer.y -= size * 2


def _sign_line(writer: _Writer, label: str, size: float = 10.5) -> None:
    writer.need(size * 3)
    canvas = writer.canvas
    writer.y -= size
    canvas.setFont(writer.font, size)
    canvas.setFillColor(GREY)
    canvas.drawString(MARGIN, writer.y - size, label)
    canvas.setFillColor(black)
    canvas.setLineWidth(0.5)
    canvas.line(MARGIN + 130, writer.y - size - 2, MARGIN + 300, writer.y - size - 2)
    canvas.drawString(MARGIN + 320, writer.y - size, "日期 Date")
    canvas.line(MARGIN + 370, writer.y - size - 2, PAGE_WIDTH - MARGIN, writer.y - size - 2)
    writer.y -= size * 2


def render_blank_forms(template: PledgeTemplate, workers: Sequence, children: dict[int, list],
                       *, today: date, site_name: str) -> bytes:
    """One worker after another, each from a new page: ``children`` maps worker ids to their
    children (as :func:`plugin.registry.queries.children_of` gives them)."""
    font = chinese_font()
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4, pageCompression=1, initialFontName=font, initialFontSize=10,
                    invariant=1)
    canvas.setTitle(f"{template.title_zh} · {site_name}")
    canvas.setAuthor("CareBridge")
    writer = _Writer(canvas, f"{template.title_zh} · 文本版本 v{template.version} · "
                             f"{site_name} · 打印于 {format_date(today)}")
    for index, worker in enumerate(workers):
        if index:
            writer.new_page()
        writer.centred(template.title_zh, 18, after=10)
        writer.paragraphs(template.body_zh, 11, 17.5, gap=3)
        writer.rule()
        writer.row("承诺人 Pledger", worker.name)
        writer.row("工号 Employee no.", worker.employee_number)
        writer.row("单位 Unit", worker.org_unit.name)
        own = children.get(worker.id, [])
        for number, child in enumerate(own, start=1):
            born = f"　出生日期 {format_date(child.birth_date)}" if child.birth_date else ""
            writer.row("子女 Children" if number == 1 else "", f"{number}. {child.name}{born}")
        if not own:
            writer.row("子女 Children", "")
        _sign_line(writer, "承诺人签名 Signature")
        minors = [child for child in own if needs_consent(child.birth_date, today)]
        if minors:
            writer.rule()
            writer.centred("监护人同意书（14 岁以下子女）", 14, after=6)
            writer.paragraphs(CONSENT_TEXT.format(version=CURRENT_NOTICE_VERSION), 10.5, 16)
            for child in minors:
                _box_line(writer, f"同意处理 {child.name} 的个人信息")
            _sign_line(writer, "监护人签名 Guardian")
    if not workers:
        writer.centred("没有需要打印的职工", 12)
    writer.finish()
    canvas.save()
    return out.getvalue()
