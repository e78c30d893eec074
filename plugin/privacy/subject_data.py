"""A worker's own data as one readable file (PIPL Art. 44–45: the right to know, access and copy).

Every mounted feature that holds something about a worker or their children answers
``Feature.subject_data`` (``(worker) -> list[DataSection]``): the data as its pages show it,
labels and values in words. :func:`collect` gathers the sections, feature by feature, in the
order the features are mounted; :func:`render_pdf` draws them on a narrow page in the embedded
Chinese font (:mod:`plugin.core.pdf`), one label above its value, so a cheap phone reads it
without zooming sideways.

ID numbers, the worker's and their children's, are masked in the file as on every page
(:func:`plugin.privacy.masking.mask_id_number`): a remembered phone downloads the file without
a PIN, the file leaves the system (a phone's downloads folder, a chat forwarded), and a child's
full ID number is the most harmful thing it could leak; the worker holds the documents the
numbers come from, and a wrong number is corrected through a correction request, checked
against the ID card by HR. Other people's phone numbers (a carer's) are masked too; the rest is
shown in full: it is the worker's and their children's own data.

A worker may download the file :data:`DOWNLOADS_PER_DAY` times a company day, counted in the
database (one ``INSERT … ON CONFLICT DO UPDATE … RETURNING``), so concurrent requests on any app
server never pass the limit; a refused download rolls the count back with the request. Each
download is audited (``privacy.subject_data_downloaded``) without any of the data.
"""
from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from flask import current_app
from flask_babel import gettext as _
from reportlab.lib.colors import Color
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A5
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer
from sqlalchemy import bindparam, select
from sqlalchemy.dialects import postgresql, sqlite

from ..audit.services import record_event
from ..core.clock import utcnow
from ..core.dates import format_date, format_datetime
from ..core.db import session
from ..core.errors import CareBridgeError
from ..core.features import DataSection, Feature
from ..core.host import Actor
from ..core.i18n import N_
from ..core.pdf import chinese_font, paragraph_text
from ..registry.models import Worker
from .subject_data_models import SubjectDataDownloads

DOWNLOADED = "privacy.subject_data_downloaded"
#: Own-data files a worker may download per company day.
DOWNLOADS_PER_DAY = 3
LIMIT_REACHED = N_("今天已经下载了 %(limit)s 次，请明天再下载")
#: Shown where a section has no rows.
NOTHING = N_("没有记录")

_TABLE = SubjectDataDownloads.__table__
#: Add one to the worker's count of the day, creating it at 1, and return the new count.
_BUMP = {
    name: (dialect.insert(_TABLE).values(worker_id=bindparam("worker"), day=bindparam("day"),
                                         downloads=1)
           .on_conflict_do_update(index_elements=["worker_id", "day"],
                                  set_={"downloads": _TABLE.c.downloads + 1})
           .returning(_TABLE.c.downloads))
    for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))}

#: A provider: the feature and its ``subject_data`` function.
Provider = tuple[Feature, Callable[[Worker], list[DataSection]]]


class DownloadLimitReached(CareBridgeError):
    """The worker downloaded their file the most times a day allows."""


@dataclass(frozen=True)
class FeatureData:
    """What one feature holds about the worker: its name for people (empty: the feature has
    none, its sections' titles say enough) and its sections."""

    label: str
    sections: tuple[DataSection, ...]


def mounted_providers() -> list[Provider]:
    """The mounted features that declare ``subject_data``, in mount order, with the function."""
    features = current_app.extensions["carebridge"].features
    return [(feature, feature.load(feature.subject_data)) for feature in features
            if feature.subject_data]


def collect(worker: Worker, providers: Iterable[Provider]) -> list[FeatureData]:
    """Each provider's sections about ``worker`` (a feature with nothing to say is left out)."""
    gathered = []
    for feature, sections_of in providers:
        sections = tuple(sections_of(worker))
        if sections:
            gathered.append(FeatureData(str(feature.label or ""), sections))
    return gathered


def downloads_today(worker: Worker, day: date) -> int:
    return session.execute(select(_TABLE.c.downloads).where(
        _TABLE.c.worker_id == worker.id, _TABLE.c.day == day)).scalar_one_or_none() or 0


def _count_download(worker: Worker, day: date) -> None:
    """Count one download; refused (nothing kept: the request rolls back) past the limit."""
    bump = _BUMP[session.get_bind().dialect.name]
    count = session.execute(bump, {"worker": worker.id, "day": day}).scalar_one()
    if count > DOWNLOADS_PER_DAY:
        raise DownloadLimitReached(LIMIT_REACHED, limit=DOWNLOADS_PER_DAY)


def download_own_data(worker: Worker, actor: Actor, *, today: date,
                      providers: Sequence[Provider] | None = None) -> bytes:
    """The worker's own-data PDF: counted against the day's limit, then gathered, drawn and
    audited (the audit row names the worker and counts sections, never the data)."""
    _count_download(worker, today)
    gathered = collect(worker, mounted_providers() if providers is None else providers)
    pdf = render_pdf(worker, gathered, today=today)
    record_event(DOWNLOADED, actor, target_type="worker", target_id=worker.id,
                 org_unit_id=worker.org_unit_id,
                 details={"sections": sum(len(part.sections) for part in gathered)})
    return pdf


# -- the file ---------------------------------------------------------------------------------

GREY = Color(0.38, 0.38, 0.38)
RULE = Color(0.8, 0.8, 0.8)
PAGE = A5  # 148 × 210 mm: a phone shows its width without zooming out


def _styles(font: str) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=font, fontSize=10.5, leading=15, alignment=TA_LEFT,
                          wordWrap="CJK")
    return {
        "title": ParagraphStyle("title", parent=base, fontSize=16, leading=22, spaceAfter=4),
        "note": ParagraphStyle("note", parent=base, fontSize=8.5, leading=12, textColor=GREY),
        "feature": ParagraphStyle("feature", parent=base, fontSize=13.5, leading=19,
                                  spaceBefore=10, spaceAfter=2),
        "section": ParagraphStyle("section", parent=base, fontSize=11.5, leading=16,
                                  spaceBefore=6, spaceAfter=2),
        "label": ParagraphStyle("label", parent=base, fontSize=8.5, leading=11,
                                textColor=GREY),
        "value": ParagraphStyle("value", parent=base, spaceAfter=4),
    }


def _text(value) -> str:
    """A value in words: dates in the reader's format, nothing as "—"."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if hasattr(value, "hour"):
        return format_datetime(value)
    if isinstance(value, date):
        return format_date(value)
    return str(value)


def _lines(text: str) -> str:
    return "<br/>".join(paragraph_text(line) for line in text.split("\n"))


def render_pdf(worker: Worker, gathered: Sequence[FeatureData], *, today: date) -> bytes:
    """The file: a title, what it is, then each feature's sections as label/value pairs."""
    font = chinese_font()
    styles = _styles(font)
    out = io.BytesIO()
    title = _("%(name)s的个人信息", name=worker.name)
    document = SimpleDocTemplate(out, pagesize=PAGE, leftMargin=12 * mm, rightMargin=12 * mm,
                                 topMargin=12 * mm, bottomMargin=14 * mm, title=title,
                                 author="CareBridge", invariant=1,
                                 # The embedded font from the first operator on: no
                                 # unembedded Helvetica anywhere in the file.
                                 initialFontName=font, initialFontSize=10.5)
    story = [Paragraph(paragraph_text(title), styles["title"]),
             Paragraph(_lines(_("本文件列出公司在关爱桥系统中保存的您和您子女的个人信息，"
                                "生成于 %(date)s。身份证号码只显示前 3 位和后 4 位。"
                                "发现信息有误，可以在手机“我的个人信息”页面申请更正。",
                                date=format_date(today))), styles["note"])]
    if not gathered:
        story.append(Paragraph(paragraph_text(_(NOTHING)), styles["value"]))
    for part in gathered:
        if part.label:
            story.append(Paragraph(paragraph_text(part.label), styles["feature"]))
        for section in part.sections:
            block = [Paragraph(paragraph_text(str(section.title)), styles["section"])]
            if not section.rows:
                block.append(Paragraph(paragraph_text(_(NOTHING)), styles["value"]))
            for label, value in section.rows:
                block.append(Paragraph(paragraph_text(str(label)), styles["label"]))
                block.append(Paragraph(_lines(_text(value)), styles["value"]))
            story.append(KeepTogether(block[:3]))
            story.extend(block[3:])
        story.append(Spacer(1, 4))

    def footer(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont(font, 7.5)
        canvas.setFillColor(GREY)
        canvas.drawString(12 * mm, 8 * mm, _("%(name)s · 工号 %(number)s · %(stamp)s",
                                             name=worker.name, number=worker.employee_number,
                                             stamp=format_datetime(utcnow())))
        canvas.drawRightString(PAGE[0] - 12 * mm, 8 * mm, str(doc.page))
        canvas.restoreState()

    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()
