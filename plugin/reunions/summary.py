"""A campaign's results as files: the PDF summary (one or two A4 pages: the figures, spend against
budget, a bar chart of the people reunited per site drawn with reportlab graphics, the tables per
site and per hukou province) and the XLSX detail (one row per application).

Every string of the PDF is drawn in the embedded Chinese TrueType font
(:func:`plugin.core.pdf.chinese_font`), the chart's labels too. Amounts are integer fen, shown in
yuan with two decimals; the spreadsheet's amounts are number cells in yuan.
"""
from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib.colors import Color, HexColor
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import aliased

from ..access.scope import Scope
from ..core.exports import DATE, NUMBER, Column, ExportTable, stream_chunks
from ..core.money import format_yuan
from ..core.pdf import chinese_font, horizontal_bars, paragraph_text
from ..org.models import OrgKind, OrgUnit
from ..registry.models import Worker
from .models import Application, ApplicationStatus, Campaign, Traveller, TravellerKind, TravelMode
from .statistics import CampaignResults, GroupFigures, province_name

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 42
TEXT_WIDTH = PAGE_WIDTH - 2 * MARGIN
GREY = Color(0.35, 0.35, 0.35)
BAR = HexColor("#2f6f9f")
RULE = HexColor("#c8d3dc")
#: Sites shown in the chart; more are added up as "其他".
CHART_SITES = 12


def yuan(fen: int | None) -> str:
    """Integer fen as yuan with two decimals ("1,234.50"); "—" for none."""
    return format_yuan(fen, grouping=True, empty="—")


def share(part: int, whole: int) -> str:
    return f"{part * 100 / whole:.1f}%" if whole else "—"


# -- the PDF ------------------------------------------------------------------------------------

def _styles(font: str) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=font, fontSize=9.5, leading=13, wordWrap="CJK")
    return {
        "title": ParagraphStyle("title", parent=base, fontSize=17, leading=22, spaceAfter=4),
        "subtitle": ParagraphStyle("subtitle", parent=base, textColor=GREY, fontSize=9,
                                   leading=12, spaceAfter=8),
        "heading": ParagraphStyle("heading", parent=base, fontSize=12, leading=16,
                                  spaceBefore=8, spaceAfter=4),
        "body": base,
        "note": ParagraphStyle("note", parent=base, textColor=GREY, fontSize=7.5, leading=10),
    }


def _table(rows: list[list[str]], widths: list[float], font: str, *,
           numeric_from: int = 1, wrap_header: bool = False) -> Table:
    if wrap_header:
        left = ParagraphStyle("header", fontName=font, fontSize=8, leading=10, textColor=GREY,
                              wordWrap="CJK")
        right = ParagraphStyle("header-number", parent=left, alignment=2)
        rows = [[Paragraph(paragraph_text(text), left if index < numeric_from else right)
                 for index, text in enumerate(rows[0])], *rows[1:]]
    table = Table(rows, colWidths=widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), font),
        ("FONTSIZE", (0, 0), (-1, -1), 8.5),
        ("LEADING", (0, 0), (-1, -1), 11),
        ("TEXTCOLOR", (0, 0), (-1, 0), GREY),
        ("LINEBELOW", (0, 0), (-1, 0), 0.6, GREY),
        ("LINEBELOW", (0, 1), (-1, -1), 0.3, RULE),
        ("ALIGN", (numeric_from, 0), (-1, -1), "RIGHT"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
    ]))
    return table


def _group_rows(groups: list[GroupFigures], first_header: str) -> list[list[str]]:
    rows = [[first_header, _("申请"), _("批准"), _("候补"), _("未通过"), _("已出行（户）"),
             _("团聚人数"), _("其中子女"), _("已支出（元）")]]
    for group in groups:
        figures = group.figures
        rows.append([group.name, str(figures.applications), str(figures.approved),
                     str(figures.waitlisted + figures.offered), str(figures.rejected),
                     str(figures.travelled), str(figures.people_reunited),
                     str(figures.children_reunited), yuan(figures.spent_fen)])
    return rows


def people_by_site_chart(groups: list[GroupFigures], font: str, *,
                         width: float = TEXT_WIDTH) -> Drawing:
    """A horizontal bar chart of the people reunited per site (reportlab graphics, every label
    in ``font``)."""
    shown = groups[:CHART_SITES]
    names = [group.name for group in shown]
    values = [group.figures.people_reunited for group in shown]
    rest = groups[CHART_SITES:]
    if rest:
        names.append(_("其他"))
        values.append(sum(group.figures.people_reunited for group in rest))
    bar_height = 18
    height = max(len(values), 1) * bar_height + 46
    drawing = Drawing(width, height, initialFontName=font)
    drawing.add(String(0, height - 11, _("各项目部团聚人数"), fontName=font, fontSize=9.5))
    if not values:
        drawing.add(String(0, height - 30, _("暂无数据"), fontName=font, fontSize=8.5,
                           fillColor=GREY))
        return drawing
    label_width = 150
    chart = horizontal_bars(names, values, font, x=label_width, y=18,
                            width=width - label_width - 30, bar_height=bar_height, colour=BAR)
    chart.valueAxis.valueMin = 0
    top = max(values)
    step = max(1, -(-top // 5))
    chart.valueAxis.valueMax = max(step * 5, 1)
    chart.valueAxis.valueStep = step
    chart.valueAxis.labelTextFormat = "%d"
    chart.barLabelFormat = "%d"
    drawing.add(chart)
    return drawing


def render_summary_pdf(results: CampaignResults, *, scope_label: str, today: date) -> bytes:
    """The campaign's summary as a PDF (one page, two when the tables are long)."""
    font = chinese_font()
    out = io.BytesIO()
    campaign = results.campaign
    styles = _styles(font)
    document = SimpleDocTemplate(
        out, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
        bottomMargin=MARGIN, title=f"{campaign.name} {_('活动总结')}", author="CareBridge",
        initialFontName=font, initialFontSize=9, invariant=1, pageCompression=1)
    totals = results.totals
    story: list = [
        Paragraph(_("%(name)s · 活动总结", name=paragraph_text(campaign.name)), styles["title"]),
        Paragraph(paragraph_text(_(
            "%(kind)s · 出行时间 %(start)s 至 %(end)s · 统计范围：%(scope)s · %(today)s 生成",
            kind=str(campaign.kind.label), start=campaign.travel_from.isoformat(),
            end=campaign.travel_until.isoformat(), scope=scope_label,
            today=today.isoformat())), styles["subtitle"]),
    ]
    per_person = totals.subsidy_per_person_fen
    figures = [
        [_("申请（户）"), str(totals.applications), _("批准（户）"), str(totals.approved)],
        [_("候补（户）"), str(totals.waitlisted + totals.offered), _("未通过（户）"),
         str(totals.rejected)],
        [_("出票（张）"), str(totals.tickets_booked), _("已出行（户）"), str(totals.travelled)],
        [_("团聚人数"), str(totals.people_reunited), _("其中职工 / 子女 / 其他家人"),
         f"{totals.workers_reunited} / {totals.children_reunited} / "
         f"{totals.relatives_reunited}"],
        [_("未出行（户）"), str(totals.no_show), _("取消（户）"), str(totals.cancelled)],
        [_("活动预算（元）"), yuan(results.budget_fen), _("已占用预算（元，全活动）"),
         f"{yuan(results.campaign_committed_fen)}（"
         f"{share(results.campaign_committed_fen, results.budget_fen)}）"],
        [_("已支出车票补贴（元）"), yuan(totals.spent_fen), _("退票退款（元）"),
         yuan(totals.refunded_fen)],
        [_("人均补贴（元）"), yuan(per_person) if per_person is not None else "—",
         _("剩余预算（元，全活动）"), yuan(results.budget_left_fen)],
    ]
    overview = _table(figures, [120, 120, 150, TEXT_WIDTH - 390], font, numeric_from=1)
    overview.setStyle(TableStyle([("ALIGN", (2, 0), (2, -1), "LEFT"),
                                  ("TEXTCOLOR", (0, 0), (0, -1), GREY),
                                  ("TEXTCOLOR", (2, 0), (2, -1), GREY),
                                  ("TEXTCOLOR", (1, 0), (1, 0), HexColor("#000000")),
                                  ("LINEBELOW", (0, 0), (-1, 0), 0.3, RULE)]))
    story += [overview, Spacer(1, 10),
              people_by_site_chart(results.by_site, font), Spacer(1, 6),
              Paragraph(_("各项目部"), styles["heading"]),
              _table(_group_rows(results.by_site, _("项目部")),
                     [140] + [(TEXT_WIDTH - 140) / 8] * 8, font, wrap_header=True),
              Paragraph(_("按户籍省份"), styles["heading"]),
              _table(_group_rows(results.by_province, _("户籍省份")),
                     [140] + [(TEXT_WIDTH - 140) / 8] * 8, font, wrap_header=True),
              Spacer(1, 8),
              Paragraph(paragraph_text(_(
                  "口径：批准含后来出票、出行、未出行或取消的申请；团聚人数为已出行申请的职工（每户一人，"
                  "回乡的职工或子女来工地探望的职工）、出行的子女和其他家人；已支出为已出票和已出行申请的"
                  "车票补贴；人均补贴为已出行申请的补贴除以出行人数，按分向下取整；项目部按申请时职工所在"
                  "单位归到其上级项目部；预算为整个活动的预算。")), styles["note"])]
    document.build(story)
    return out.getvalue()


# -- the XLSX detail ----------------------------------------------------------------------------

@dataclass(frozen=True)
class DetailRow:
    application_id: int
    employee_number: str
    worker: str
    site: str
    province: str
    travellers: int
    children: int
    status: ApplicationStatus
    travel_mode: TravelMode
    depart_on: date
    tickets: int
    subsidy_fen: int
    refund_fen: int | None
    reject_reason: str | None


def _money(fen: int | None) -> Decimal | None:
    return None if fen is None else Decimal(fen) / 100


DETAIL_TABLE = ExportTable("reunion-applications", _l("团聚活动申请明细"), (
    Column(_l("申请编号"), lambda row: row.application_id, NUMBER),
    Column(_l("工号"), lambda row: row.employee_number),
    Column(_l("职工"), lambda row: row.worker),
    Column(_l("项目部"), lambda row: row.site, width=26),
    Column(_l("户籍省份"), lambda row: row.province),
    Column(_l("出行人数"), lambda row: row.travellers, NUMBER),
    Column(_l("其中子女"), lambda row: row.children, NUMBER),
    Column(_l("状态"), lambda row: str(row.status.label)),
    Column(_l("出行方式"), lambda row: str(row.travel_mode.label)),
    Column(_l("出发日期"), lambda row: row.depart_on, DATE),
    Column(_l("车票（张）"), lambda row: row.tickets, NUMBER),
    Column(_l("补贴（元）"), lambda row: _money(row.subsidy_fen), NUMBER),
    Column(_l("退票退款（元）"), lambda row: _money(row.refund_fen), NUMBER),
    Column(_l("未通过原因"), lambda row: row.reject_reason, width=30),
))


def detail_statement(campaign: Campaign, scope: Scope):
    """One row per application of the campaign within ``scope``, by site then worker: columns
    only (no ORM objects), the travellers counted by the database."""
    unit, site = aliased(OrgUnit), aliased(OrgUnit)
    travellers = (select(
        Traveller.application_id.label("application_id"), func.count().label("people"),
        func.sum(case((Traveller.kind == TravellerKind.CHILD, 1), else_=0)).label("children"),
        func.count(Traveller.ticket_number).label("tickets"))
        .group_by(Traveller.application_id).subquery("travellers"))
    return (select(Application.id, Worker.employee_number, Worker.name,
                   func.coalesce(site.name, unit.name), Worker.hukou_region_code,
                   func.coalesce(travellers.c.people, 0), func.coalesce(travellers.c.children, 0),
                   Application.status, Application.travel_mode, Application.depart_on,
                   func.coalesce(travellers.c.tickets, 0), Application.subsidy_fen,
                   Application.refund_fen, Application.reject_reason)
            .select_from(Application)
            .join(Worker, Worker.id == Application.worker_id)
            .join(unit, unit.id == Application.org_unit_id)
            .outerjoin(site, and_(site.kind == OrgKind.SITE, unit.path.startswith(site.path)))
            .outerjoin(travellers, travellers.c.application_id == Application.id)
            .where(Application.campaign_id == campaign.id,
                   scope.contains_unit_id(Application.org_unit_id))
            .order_by(func.coalesce(site.path, unit.path), Worker.employee_number,
                      Application.id))


def detail_rows(campaign: Campaign, scope: Scope) -> Iterator[DetailRow]:
    """The rows of :data:`DETAIL_TABLE`, streamed a chunk at a time."""
    provinces: dict[str | None, str] = {}
    for chunk in stream_chunks(detail_statement(campaign, scope), scalars=False):
        for row in chunk:
            code = row[4][:2] if row[4] else None
            if code not in provinces:
                provinces[code] = province_name(code)
            yield DetailRow(row[0], row[1], row[2], row[3], provinces[code], int(row[5]),
                            int(row[6] or 0), row[7], row[8], row[9], int(row[10]), row[11],
                            row[12], row[13])
