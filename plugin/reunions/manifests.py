"""Manifests for the ticket agent or the charter operator: the travellers of a campaign's
approved (and booked) applications within the officer's scope, grouped by travel mode, departure
date and, once booked, train or coach number; as XLSX (the file the agent fills in and sends
back, :mod:`.bookings`) and as PDF (the passenger list, in the embedded Chinese font).

A manifest carries full ID numbers and the workers' phone numbers: the agent books with them.
So it goes out only on a current impact assessment for ticket agents covering the campaign's
unit and with a purpose (:mod:`plugin.privacy.assessments`, PIPL Art. 55): each download is
tied to them by an export record, and audited (``reunion.manifest_downloaded``, with the
counts).
"""
from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from itertools import groupby

from flask import Response
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from reportlab.lib.colors import Color, black
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfgen.canvas import Canvas
from sqlalchemy import select

from ..access.scope import Scope
from ..audit.services import record_event
from ..core.clock import local_today
from ..core.dates import format_date
from ..core.db import session
from ..core.exports import DATE, NUMBER, Column, ExportTable, build_export, send_export
from ..core.host import Actor
from ..core.http import attachment_disposition
from ..core.pdf import chinese_font, fit_text
from ..privacy import assessments
from ..privacy.assessments_models import RecipientKind
from ..registry.models import Worker
from .models import Application, ApplicationStatus, Campaign, Traveller, TravelMode

#: Applications whose travellers a manifest lists: approved (to book) and booked (the list of
#: passengers per train or coach).
MANIFEST_STATUSES = (ApplicationStatus.APPROVED, ApplicationStatus.BOOKED)
MANIFEST_DOWNLOADED = "reunion.manifest_downloaded"
#: What a manifest sends out, for its impact assessment.
MANIFEST_EXPORT = assessments.ExportKind("reunions.manifest", _l("团聚活动出票名单"),
                                         (RecipientKind.TICKET_AGENT,))
MODE_ORDER = {mode: index for index, mode in enumerate(TravelMode)}


@dataclass(frozen=True)
class ManifestRow:
    traveller: Traveller
    application: Application
    worker_phone: str | None

    @property
    def group(self) -> tuple[TravelMode, date, str]:
        return (self.application.travel_mode, self.application.depart_on,
                self.traveller.service_number or "")


def price_text(fen: int | None) -> str | None:
    return None if fen is None else f"{fen // 100}.{fen % 100:02d}"


#: The manifest's columns, by code. The booking-results file has the same columns (headers in
#: Chinese or English), the last five filled in by the agent (:mod:`.bookings`).
COLUMNS: dict[str, Column] = {
    "application": Column(_l("申请编号"), lambda row: row.application.id, NUMBER, 10),
    "traveller_id": Column(_l("出行人编号"), lambda row: row.traveller.id, NUMBER, 11),
    "name": Column(_l("姓名"), lambda row: row.traveller.name, width=12),
    "kind": Column(_l("出行人类别"), lambda row: row.traveller.kind.label, width=12),
    "id_number": Column(_l("身份证号码"), lambda row: row.traveller.id_number, width=21),
    "from_place": Column(_l("出发地"), lambda row: row.application.from_place),
    "to_place": Column(_l("目的地"), lambda row: row.application.to_place),
    "depart_on": Column(_l("出发日期"), lambda row: row.application.depart_on, DATE),
    "mode": Column(_l("出行方式"), lambda row: row.application.travel_mode.label, width=10),
    "phone": Column(_l("职工手机号"), lambda row: row.worker_phone, width=14),
    "ticket_number": Column(_l("票号"), lambda row: row.traveller.ticket_number),
    "carrier": Column(_l("承运单位"), lambda row: row.traveller.carrier, width=14),
    "service_number": Column(_l("车次/班次"), lambda row: row.traveller.service_number, width=11),
    "seat": Column(_l("座位"), lambda row: row.traveller.seat, width=10),
    "price": Column(_l("实际票价（元）"), lambda row: price_text(row.traveller.ticket_price_fen),
                    width=12),
}


def manifest_table(campaign: Campaign) -> ExportTable:
    return ExportTable(code=f"reunion-manifest-{campaign.id}",
                       title=_("%(name)s出票名单", name=campaign.name),
                       columns=tuple(COLUMNS.values()))


def manifest_rows(campaign: Campaign, scope: Scope) -> list[ManifestRow]:
    """The travellers of the campaign's approved and booked applications in ``scope``, by travel
    mode, departure date, train or coach number (travellers not yet booked first), application
    and traveller."""
    result = session.execute(
        select(Traveller, Application, Worker.phone)
        .join(Application, Application.id == Traveller.application_id)
        .join(Worker, Worker.id == Application.worker_id)
        .where(Application.campaign_id == campaign.id,
               Application.status.in_(MANIFEST_STATUSES),
               scope.contains_unit_id(Application.org_unit_id))).all()
    rows = [ManifestRow(traveller, application, phone) for traveller, application, phone in result]
    rows.sort(key=lambda row: (MODE_ORDER[row.application.travel_mode], row.application.depart_on,
                               row.traveller.service_number or "", row.application.id,
                               row.traveller.id))
    return rows


def _record_download(campaign: Campaign, rows: Sequence[ManifestRow], fmt: str,
                     actor: Actor) -> None:
    record_event(MANIFEST_DOWNLOADED, actor, target_type="reunion_campaign",
                 target_id=campaign.id, org_unit_id=campaign.org_unit_id,
                 details={"format": fmt, "travellers": len(rows),
                          "applications": len({row.application.id for row in rows}),
                          "groups": len({row.group for row in rows}),
                          "id_numbers": sum(1 for row in rows if row.traveller.id_number)})


def manifest_download(campaign: Campaign, scope: Scope, fmt: str, *, actor: Actor,
                      assessment_id: int | None, purpose: str | None) -> Response:
    """The manifest as ``xlsx`` or ``pdf``, relying on the impact assessment ``assessment_id``
    for ``purpose`` (:class:`~plugin.core.errors.InputInvalid` naming the ``assessment`` and
    ``purpose`` fields when they do not hold), tied to them and audited with its counts."""
    today = local_today()
    basis = assessments.require_export(MANIFEST_EXPORT, assessment_id, purpose,
                                       unit=campaign.org_unit, today=today)
    rows = manifest_rows(campaign, scope)
    _record_download(campaign, rows, fmt, actor)
    assessments.record_export(basis, MANIFEST_EXPORT, unit=campaign.org_unit,
                              people=len(rows), actor=actor, today=today,
                              reference=f"reunion_campaign:{campaign.id}", file_format=fmt)
    if fmt == "xlsx":
        return send_export(build_export(manifest_table(campaign), rows, "xlsx"))
    stamp = local_today().strftime("%Y%m%d")
    response = Response(render_manifest_pdf(campaign, rows), mimetype="application/pdf")
    response.headers["Content-Disposition"] = attachment_disposition(
        f"carebridge-reunion-manifest-{campaign.id}-{stamp}.pdf",
        f"{manifest_table(campaign).title}-{stamp}.pdf")
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


# -- the PDF ------------------------------------------------------------------------------------

PAGE_WIDTH, PAGE_HEIGHT = landscape(A4)
MARGIN = 32
GREY = Color(0.35, 0.35, 0.35)
LIGHT = Color(0.9, 0.9, 0.9)
SIZE = 8.5
LEADING = 13
#: (column code, width in points) of the PDF's table; the rest of a row is in the XLSX.
PDF_COLUMNS = (("application", 46), ("traveller_id", 48), ("name", 62), ("kind", 52),
               ("id_number", 112), ("from_place", 92), ("to_place", 92), ("phone", 70),
               ("ticket_number", 78), ("seat", 52), ("price", 52))


def _cell(row: ManifestRow, code: str) -> str:
    value = COLUMNS[code].value(row)
    if value is None:
        return ""
    if isinstance(value, date):
        return format_date(value)
    return str(value)


class _Pages:
    def __init__(self, canvas: Canvas, title: str, footer: str):
        self.canvas = canvas
        self.font = chinese_font()
        self.title = title
        self.footer = footer
        self.page = 0
        self.y = 0.0
        self._start()

    def _start(self) -> None:
        self.page += 1
        self.y = PAGE_HEIGHT - MARGIN
        self.canvas.setFont(self.font, 13)
        self.canvas.drawString(MARGIN, self.y - 13, self.title)
        self.y -= 24

    def _end(self) -> None:
        self.canvas.setFont(self.font, 7)
        self.canvas.setFillColor(GREY)
        self.canvas.drawString(MARGIN, MARGIN - 14, self.footer)
        self.canvas.drawRightString(PAGE_WIDTH - MARGIN, MARGIN - 14, f"{self.page}")
        self.canvas.setFillColor(black)
        self.canvas.showPage()

    def need(self, height: float) -> bool:
        """Start a new page when ``height`` does not fit; True when it did."""
        if self.y - height < MARGIN + 6:
            self._end()
            self._start()
            return True
        return False

    def text(self, text: str, size: float, *, colour=black, gap: float = 4) -> None:
        self.need(size + gap)
        self.canvas.setFillColor(colour)
        self.canvas.setFont(self.font, size)
        self.canvas.drawString(MARGIN, self.y - size, fit_text(text, self.font, size,
                                                            PAGE_WIDTH - 2 * MARGIN))
        self.canvas.setFillColor(black)
        self.y -= size + gap

    def header_row(self) -> None:
        self.need(LEADING * 2)
        self.canvas.setFillColor(LIGHT)
        self.canvas.rect(MARGIN, self.y - LEADING + 2, PAGE_WIDTH - 2 * MARGIN, LEADING, stroke=0,
                         fill=1)
        self.canvas.setFillColor(black)
        self._cells([str(COLUMNS[code].header) for code, _width in PDF_COLUMNS])

    def row(self, cells: list[str]) -> None:
        """Draw a row; on a new page, the header first."""
        if self.need(LEADING):
            self.header_row()
        self._cells(cells)

    def _cells(self, cells: list[str]) -> None:
        x = MARGIN
        self.canvas.setFont(self.font, SIZE)
        for (_code, width), text in zip(PDF_COLUMNS, cells, strict=True):
            self.canvas.drawString(x + 2, self.y - SIZE - 1, fit_text(text, self.font, SIZE,
                                                                   width - 4))
            x += width
        self.y -= LEADING

    def finish(self) -> None:
        self._end()


def render_manifest_pdf(campaign: Campaign, rows: Sequence[ManifestRow]) -> bytes:
    """The passenger lists: one section per travel mode, date and train or coach number."""
    font = chinese_font()
    out = io.BytesIO()
    title = _("%(name)s出票名单", name=campaign.name)
    canvas = Canvas(out, pagesize=landscape(A4), pageCompression=1, initialFontName=font,
                    initialFontSize=SIZE, invariant=1)
    canvas.setTitle(title)
    canvas.setAuthor("CareBridge")
    pages = _Pages(canvas, title, _("含身份证号码和手机号码，仅供订票使用，用后请妥善销毁")
                   + f" · {format_date(local_today())}")
    pages.text(_("共 %(travellers)s 人，%(applications)s 户", travellers=len(rows),
                 applications=len({row.application.id for row in rows})), 9, colour=GREY,
               gap=8)
    if not rows:
        pages.text(_("没有已批准或已出票的申请"), 10)
    for (mode, depart_on, service), members in groupby(rows, key=lambda row: row.group):
        members = list(members)
        pages.need(LEADING * 4)
        heading = f"{mode.label} · {format_date(depart_on)}"
        if service:
            heading += f" · {service}"
        pages.text(heading + " · " + _("%(count)s 人", count=len(members)), 10.5, gap=5)
        pages.header_row()
        for member in members:
            pages.row([_cell(member, code) for code, _width in PDF_COLUMNS])
        pages.y -= 8
    pages.finish()
    canvas.save()
    return out.getvalue()
