"""PDF documents of an entrusted-guardianship agreement: the agreement itself and the written
notices parents must give the child's school and village committee (MPL Art. 23).

Every text is set in the embedded Chinese TrueType font (:func:`plugin.core.pdf.chinese_font`);
ID numbers appear masked; a QR code links to the public verification page.
"""
from __future__ import annotations

import io
from datetime import date, datetime
from functools import wraps
from xml.sax.saxutils import escape

from flask_babel import force_locale
from flask_babel import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from ..core.dates import format_date
from ..core.pdf import chinese_font, draw_qr
from ..privacy.masking import mask_id_number
from ..registry.models import Child, Worker
from .models import AgreementSigning, AgreementStatus, EntrustmentAgreement
from .texts import contact_commitment, declaration_text

QR_SIZE = 26 * mm
MARGIN = 20 * mm
SCHOOL = "school"
VILLAGE = "village"


def _in_chinese(render):
    """Agreements and notices are Chinese documents for Chinese schools and village committees,
    whatever language the officer's screen is in."""
    @wraps(render)
    def in_chinese(*args, **kwargs):
        with force_locale("zh_CN"):
            return render(*args, **kwargs)
    return in_chinese


def agreement_number(agreement: EntrustmentAgreement) -> str:
    return f"WT{agreement.id:06d}"


class _Styles:
    def __init__(self):
        font = chinese_font()
        self.body = ParagraphStyle("body", fontName=font, fontSize=10.5, leading=17, wordWrap="CJK")
        self.small = ParagraphStyle("small", parent=self.body, fontSize=8.5, leading=12,
                                    textColor=colors.HexColor("#555555"), spaceBefore=3)
        self.title = ParagraphStyle("title", parent=self.body, fontSize=18, leading=26,
                                    alignment=TA_CENTER, spaceAfter=4)
        self.centred = ParagraphStyle("centred", parent=self.small, alignment=TA_CENTER,
                                      spaceAfter=10)
        self.heading = ParagraphStyle("heading", parent=self.body, fontSize=12, leading=20,
                                      spaceBefore=8, spaceAfter=2)
        self.cell = ParagraphStyle("cell", parent=self.body, fontSize=9.5, leading=14)

    def p(self, text: str, style=None) -> Paragraph:
        return Paragraph(escape(text).replace("\n", "<br/>"), style or self.body)

    def table(self, rows: list[list[str]], widths: list[float], *, header: bool = False) -> Table:
        table = Table([[self.p(cell or "—", self.cell) for cell in row] for row in rows],
                      colWidths=widths, hAlign="LEFT")
        style = [("FONTNAME", (0, 0), (-1, -1), self.cell.fontName),  # else cells set Helvetica
                 ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#999999")),
                 ("VALIGN", (0, 0), (-1, -1), "TOP")]
        if header:
            style.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")))
        else:
            style.append(("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f4f4f4")))
        table.setStyle(TableStyle(style))
        return table


def _day(value: date | datetime | None) -> str:
    return format_date(value) if value else "—"


def _role(worker: Worker, children: list[Child]) -> str:
    for child in children:
        for link in child.parent_links:
            if link.worker_id == worker.id:
                return str(link.role.label)
    return _("家长")


def _parents(agreement: EntrustmentAgreement) -> list[list[str]]:
    """Rows of (role, name, phone, employer) for both parents."""
    rows = [[_role(parent, agreement.children), parent.name, parent.phone or "",
             f"{parent.org_unit.name}（{_('工号')} {parent.employee_number}）"]
            for parent in agreement.parent_workers()]
    if agreement.other_parent_name:
        rows.append([_("另一方家长"), agreement.other_parent_name, "", ""])
    return rows


def _masked(number: str | None) -> str:
    return mask_id_number(number) if number else ""


def _carer_rows(agreement: EntrustmentAgreement) -> list[list[str]]:
    return [[_("受托人"), agreement.carer_name], [_("与儿童关系"), agreement.carer_relation],
            [_("联系电话"), agreement.carer_phone],
            [_("身份证号码"), _masked(agreement.carer_id_number)],
            [_("住址"), agreement.carer_address or ""]]


def _build(story: list, agreement: EntrustmentAgreement, verify_url: str, styles: _Styles) -> bytes:
    out = io.BytesIO()
    caption = _("扫码核验：%(number)s", number=agreement_number(agreement))

    def footer(canvas, document):
        canvas.saveState()
        draw_qr(canvas, verify_url, A4[0] - MARGIN - QR_SIZE, 8 * mm, QR_SIZE)
        canvas.setFont(styles.small.fontName, 8)
        canvas.drawRightString(A4[0] - MARGIN - QR_SIZE - 3 * mm, 12 * mm, caption)
        canvas.restoreState()

    document = SimpleDocTemplate(out, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN,
                                 topMargin=MARGIN, bottomMargin=MARGIN + QR_SIZE,
                                 title=agreement_number(agreement), author="CareBridge",
                                 # else every page starts in an unembedded Helvetica
                                 initialFontName=styles.body.fontName, initialFontSize=10)
    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()


@_in_chinese
def agreement_pdf(agreement: EntrustmentAgreement, *, company_name: str, verify_url: str,
                  today: date) -> bytes:
    s = _Styles()
    width = A4[0] - 2 * MARGIN
    story = [s.p(_("委托照护协议"), s.title),
             s.p(_("协议编号 %(number)s · %(company)s", number=agreement_number(agreement),
                   company=company_name), s.centred)]
    if agreement.status != AgreementStatus.ACTIVE:
        closed = f"（{_day(agreement.closed_on)}）" if agreement.closed_on else ""
        story.append(s.p(_("协议状态：%(status)s", status=agreement.status.label) + closed,
                         s.heading))
    story += [s.p(_("一、委托人（家长）"), s.heading),
              s.table([[_("身份"), _("姓名"), _("联系电话"), _("工作单位")]] + _parents(agreement),
                      [0.14 * width, 0.18 * width, 0.22 * width, 0.46 * width], header=True),
              s.p(_("二、受托人"), s.heading),
              s.table(_carer_rows(agreement), [0.22 * width, 0.78 * width]),
              s.p(_("三、被照护儿童"), s.heading),
              s.table([[_("姓名"), _("性别"), _("出生日期"), _("身份证号码"), _("学校及年级")]] + [
                  [child.name, str(child.sex.label) if child.sex else "",
                   _day(child.birth_date), _masked(child.id_number),
                   " ".join(part for part in (child.school, child.grade) if part)]
                  for child in agreement.children],
                  [share * width for share in (0.16, 0.08, 0.2, 0.26, 0.3)], header=True),
              s.p(_("四、受托人的照护职责"), s.heading), s.p(agreement.duties),
              s.p(_("五、联系承诺"), s.heading),
              s.p(contact_commitment(agreement)),
              s.p(_("委托人将本协议的委托照护情况书面告知儿童所在学校和村（居）民委员会。")),
              s.p(_("六、委托人声明"), s.heading),
              s.p(declaration_text(agreement.declaration_version)),
              s.p(_("声明文本版本 %(version)s，声明时间 %(day)s",
                    version=agreement.declaration_version, day=_day(agreement.declared_at)),
                  s.small),
              s.p(_("七、委托期限"), s.heading),
              s.p(_("自 %(start)s 起至 %(end)s 止。", start=_day(agreement.starts_on),
                    end=_day(agreement.ends_on))),
              s.p(_("八、签署"), s.heading)]
    story += _signing(agreement, s)
    story += [Spacer(1, 6 * mm), s.p(_("文件生成日期：%(day)s", day=_day(today)), s.small)]
    return _build(story, agreement, verify_url, s)


def _signing(agreement: EntrustmentAgreement, s: _Styles) -> list:
    if agreement.status == AgreementStatus.PENDING:
        return [s.p(_("本协议已发送至职工手机，尚未签署。"))]
    if agreement.method == AgreementSigning.PAPER:
        return [s.p(_("签署方式：纸质签署，人力资源专员 %(witness)s 见证，签字页扫描件存档。",
                      witness=agreement.witness or "")),
                s.p(_("签署日期：%(day)s", day=_day(agreement.signed_on))),
                Spacer(1, 4 * mm),
                s.p(_("委托人（签字）：__________　　受托人（签字）：__________"))]
    parts = [s.p(_("签署方式：委托人 %(name)s 于 %(day)s 在手机上手写签名：",
                   name=agreement.worker.name, day=_day(agreement.signed_on)))]
    if agreement.signature_png:
        image = Image(io.BytesIO(agreement.signature_png))
        scale = min(60 * mm / image.imageWidth, 24 * mm / image.imageHeight)
        image.drawWidth, image.drawHeight = image.imageWidth * scale, image.imageHeight * scale
        image.hAlign = "LEFT"
        parts.append(image)
    parts += [Spacer(1, 4 * mm), s.p(_("受托人（签字）：__________"))]
    return parts


@_in_chinese
def notice_pdf(agreement: EntrustmentAgreement, child: Child, recipient: str, *, company_name: str,
               verify_url: str, today: date) -> bytes:
    """The written notice to the child's school or village committee about the entrustment."""
    s = _Styles()
    width = A4[0] - 2 * MARGIN
    if recipient == SCHOOL:
        addressee = child.school or _("__________学校")
        about = _("贵校学生 %(child)s%(grade)s", child=child.name,
                  grade=f"（{child.grade}）" if child.grade else "")
    else:
        addressee = child.village_committee_contact or _("__________村（居）民委员会")
        about = _("贵村（居）儿童 %(child)s（%(birth)s 出生）", child=child.name,
                  birth=_day(child.birth_date))
    parents = "、".join(parent.name for parent in agreement.parent_workers())
    story = [s.p(_("委托照护情况告知书"), s.title),
             s.p(_("协议编号 %(number)s", number=agreement_number(agreement)), s.centred),
             s.p(_("%(addressee)s：", addressee=addressee)),
             s.p(_("我们是%(about)s的家长。因外出务工，依据《中华人民共和国未成年人保护法》第二十二条、"
                   "第二十三条，我们委托 %(carer)s（与孩子的关系：%(relation)s）"
                   "自 %(start)s 起至 %(end)s 止"
                   "代为照护孩子，特此书面告知。孩子在学习、生活、心理、安全等方面如有情况，请及时与受托人和我们联系。",
                   about=about, carer=agreement.carer_name, relation=agreement.carer_relation,
                   start=_day(agreement.starts_on), end=_day(agreement.ends_on))),
             s.p(_("受托人联系方式"), s.heading),
             s.table([[_("受托人"), agreement.carer_name],
                      [_("与儿童关系"), agreement.carer_relation],
                      [_("联系电话"), agreement.carer_phone],
                      [_("住址"), agreement.carer_address or ""]],
                     [0.22 * width, 0.78 * width]),
             s.p(_("家长联系方式"), s.heading),
             s.table([[_("身份"), _("姓名"), _("联系电话"), _("工作单位")]] + _parents(agreement),
                     [0.14 * width, 0.18 * width, 0.22 * width, 0.46 * width], header=True),
             s.p(_("工作单位：%(company)s", company=company_name), s.small)]
    if recipient == VILLAGE and child.village_child_director:
        story.append(s.p(_("抄送：村（居）儿童主任 %(director)s",
                           director=child.village_child_director)))
    story += [Spacer(1, 10 * mm),
              s.p(_("家长（签字）：%(parents)s　__________", parents=parents)),
              s.p(_("日期：%(day)s", day=_day(today)))]
    return _build(story, agreement, verify_url, s)
