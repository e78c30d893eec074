"""The report's files: the PDF (fonts embedded, pages render, filing and page numbers shown,
long tables split) and the XLSX (sheets, number cells, formula-safe text, charts)."""
import copy
import io
import re
import shutil
import subprocess
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from PIL import Image

from plugin.reports.documents import chinese_ordinal, render_report_pdf
from plugin.reports.workbook import render_report_xlsx, sheet_names

VERIFY_URL = "https://portal.example.com/carebridge/verify/Ab3dEfGh12"
TITLE = "关于2026年第四季度关爱农村留守儿童和困境儿童工作情况的报告"


def sample_content(*, filed: bool = True) -> dict:
    return {
        "format": 1,
        "title": TITLE,
        "company": "中建示范集团",
        "recipient": {"code": "sasac", "name": "国资委"},
        "template": {"id": 3, "name": "国资委：关爱农村留守儿童和困境儿童工作情况"},
        "unit": {"id": 1, "name": "中建示范集团", "kind": "group"},
        "period": {"kind": "quarter", "start": "2026-10-01", "end": "2026-12-31",
                   "label": "2026年第四季度"},
        "responsible": {"department": "人力资源部", "person": "王芳", "phone": None},
        "generated_at": "2026-12-04 16:30",
        "sections": [
            {"type": "figures", "title": "职工与儿童", "figures": [
                {"code": "registry.workers_employed", "name": "在职职工", "unit": "人",
                 "kind": "stock", "definition": "期末当天在职的职工人数，" * 12, "value": 1234,
                 "money": False,
                 "breakdowns": [{"by": "site", "title": "项目部/厂区", "rows": [
                     {"key": "12", "label": "一号工地", "value": 300},
                     {"key": "13", "label": "二号工地 <A&B>", "value": 934},
                     {"key": "14", "label": "=1+1", "value": 0}]}]},
                {"code": "registry.children_left_behind", "name": "农村留守儿童", "unit": "人",
                 "kind": "stock", "definition": "父母一方外出务工、另一方无监护能力……",
                 "value": 0, "money": False,
                 "breakdowns": [{"by": "focus_flag", "title": "重点关注", "rows": [
                     {"key": "disabled", "label": "残疾", "value": 0}]}]},
                {"code": "reunions.subsidy_spent_fen", "name": "团聚补贴支出", "unit": "元",
                 "kind": "flow", "definition": "已出票和已出行申请的车票补贴", "value": 1234567,
                 "money": True,
                 "breakdowns": [{"by": "site", "title": "项目部/厂区", "rows": [
                     {"key": "12", "label": "一号工地", "value": 1000067},
                     {"key": "13", "label": "二号工地", "value": 234500}]}]},
            ]},
            {"type": "text", "key": "typical_cases", "title": "典型事例",
             "text": "第一段：一号工地开展了亲子视频活动。\n\n第二段 <script>&amp;\n续行\n\n=1+1"},
            {"type": "text", "key": "problems", "title": "存在的问题", "text": ""},
        ],
        "confirmations": {"total": 3, "confirmed": 2, "rows": [
            {"unit_id": 4, "unit": "一号工地", "confirmed": True, "by": "李强",
             "at": "2026-12-30 10:05"},
            {"unit_id": 5, "unit": "二号工地", "confirmed": True, "by": "赵敏",
             "at": "2026-12-30 11:00"},
            {"unit_id": 6, "unit": "三号厂区", "confirmed": False, "by": None, "at": None}]},
        "filing": {"number": 12, "filed_at": "2027-01-05 09:30", "filed_by": "王芳",
                   "supersedes": 11, "reason": "二号工地人数更正", "verify_url": VERIFY_URL}
        if filed else None,
    }


def _run(*args) -> str:
    return subprocess.run([str(arg) for arg in args], capture_output=True, text=True,
                          check=True).stdout


def _needs(tool: str) -> None:
    if shutil.which(tool) is None:
        pytest.skip(f"{tool} (poppler-utils) is not installed")


def write_pdf(tmp_path, content: dict, name: str = "report.pdf"):
    path = tmp_path / name
    path.write_bytes(render_report_pdf(content))
    return path


def assert_only_embedded_fonts(pdf) -> None:
    _needs("pdffonts")
    fonts = _run("pdffonts", pdf)
    rows = fonts.splitlines()[2:]
    assert rows, fonts
    assert all(row.split()[-5:-2] == ["yes", "yes", "yes"] for row in rows), fonts
    assert "Helvetica" not in fonts, fonts


def page_count(pdf) -> int:
    _needs("pdfinfo")
    for line in _run("pdfinfo", pdf).splitlines():
        if line.startswith("Pages:"):
            return int(line.split()[1])
    raise AssertionError("pdfinfo gave no page count")


def assert_pages_not_blank(pdf, tmp_path) -> None:
    _needs("pdftoppm")
    out = tmp_path / "pages"
    out.mkdir()
    _run("pdftoppm", "-png", "-r", "40", pdf, out / "page")
    images = sorted(out.glob("page*.png"))
    assert len(images) == page_count(pdf)
    for png in images:
        image = Image.open(png).convert("L")
        dark = sum(image.histogram()[:128])
        assert dark > 20, png.name  # a blank page has none; 40 dpi greys out small text


def pages_text(pdf) -> list[str] | None:
    """The text of each page (pdftotext separates pages with a form feed), without any white
    space (pdftotext drops or adds spaces between Chinese characters); None without pdftotext."""
    if shutil.which("pdftotext") is None:
        return None
    return [re.sub(r"\s+", "", page) for page in _run("pdftotext", pdf, "-").split("\f")]


def test_filed_report_pdf_embeds_its_font_renders_and_shows_the_filing(tmp_path):
    pdf = write_pdf(tmp_path, sample_content())
    assert pdf.read_bytes().startswith(b"%PDF")
    assert_only_embedded_fonts(pdf)
    assert_pages_not_blank(pdf, tmp_path)
    pages = pages_text(pdf)
    if pages is None:
        return
    text = "".join(pages)
    assert "第12号报送" in pages[0] and VERIFY_URL in pages[0]
    assert "扫码核验本报告的真伪和状态" in pages[0] and "更正并取代第11号" in pages[0]
    assert "草稿" not in text
    total = page_count(pdf)
    for number, page in enumerate(pages[:total], start=1):
        assert f"第{number}页/共{total}页" in page
        assert "报送编号12" in page
    assert "已确认2/共3个单位" in text
    assert "12,345.67" in text and "1,234" in text  # money in yuan, counts grouped
    assert "24.3%" in text and "75.7%" in text  # shares of the figure
    assert "一、职工与儿童" in text and "二、典型事例" in text
    assert "<script>&amp;" in text and "（未填写）" in text  # escaped, and the empty section


def test_draft_report_pdf_says_it_is_a_draft(tmp_path):
    pdf = write_pdf(tmp_path, sample_content(filed=False))
    assert_only_embedded_fonts(pdf)
    assert_pages_not_blank(pdf, tmp_path)
    pages = pages_text(pdf)
    if pages is None:
        return
    assert "草稿（未报送）" in pages[0]
    assert "报送编号" not in "".join(pages) and VERIFY_URL not in "".join(pages)
    assert "第1页/共" in pages[0]


def test_report_pdf_without_sections_or_confirmations(tmp_path):
    content = sample_content(filed=False)
    content["sections"] = []
    content["confirmations"] = {"total": 0, "confirmed": 0, "rows": []}
    content["responsible"] = {"department": None, "person": None, "phone": None}
    pdf = write_pdf(tmp_path, content)
    assert_only_embedded_fonts(pdf)
    assert page_count(pdf) == 2
    pages = pages_text(pdf)
    if pages is not None:
        assert "本报告未要求下级单位确认" in pages[1]


def test_a_long_breakdown_and_a_long_text_split_across_pages(tmp_path):
    content = sample_content()
    figure = content["sections"][0]["figures"][0]
    figure["breakdowns"] = [{"by": "site", "title": "项目部/厂区", "rows": [
        {"key": str(n), "label": f"第{n:02d}号项目部（长长的名字用来换行测试）", "value": n}
        for n in range(1, 41)]}]
    long_paragraph = "关爱留守儿童工作扎实推进，" * 600  # longer than a page on its own
    content["sections"][1]["text"] = "\n\n".join([long_paragraph] + ["又一段。" * 80] * 20)
    pdf = write_pdf(tmp_path, content)
    assert_only_embedded_fonts(pdf)
    assert page_count(pdf) >= 6
    assert_pages_not_blank(pdf, tmp_path)
    pages = pages_text(pdf)
    if pages is None:
        return
    first = next(index for index, page in enumerate(pages) if "第01号项目部" in page)
    last = next(index for index, page in enumerate(pages) if "第40号项目部" in page)
    assert last > first
    # The header row is repeated on the page the table goes on to; 40 rows get no chart.
    assert "项目部/厂区" in pages[last] and "占比" in pages[last]


def test_report_xlsx_has_number_cells_safe_text_and_charts():
    content = sample_content()
    book = load_workbook(io.BytesIO(render_report_xlsx(content)))
    assert book.sheetnames == ["封面", "确认情况", "职工与儿童", "典型事例", "存在的问题"]

    cover = {row[0]: row[1] for row in book["封面"].iter_rows(min_row=3, values_only=True)
             if row[0]}
    assert cover["报送编号"] == "第 12 号报送" and cover["核验网址"] == VERIFY_URL
    assert cover["联系电话"] == "—" and cover["下级单位确认"] == "已确认 2 / 共 3 个单位"
    assert cover["要求确认的单位数"] == 3 and cover["已确认的单位数"] == 2

    confirmations = list(book["确认情况"].iter_rows(min_row=4, values_only=True))
    assert confirmations[0] == ("一号工地", "已确认", "李强", "2026-12-30 10:05")
    assert confirmations[2] == ("三号厂区", "未确认", "—", "—")

    figures = book["职工与儿童"]
    assert [cell.value for cell in figures[3]] == ["指标代码", "指标", "数值", "单位", "说明"]
    assert figures["A3"].font.bold
    workers, children, money = figures[4], figures[5], figures[6]
    assert workers[2].value == 1234 and workers[2].data_type == "n"
    assert children[2].value == 0 and children[2].data_type == "n"
    assert money[0].value == "reunions.subsidy_spent_fen"
    assert money[2].data_type == "n" and money[2].value == pytest.approx(12345.67)
    assert money[2].number_format == "#,##0.00" and money[3].value == "元"
    labels: dict = {}
    for cell in figures["A"]:
        labels.setdefault(cell.value, cell)  # the first breakdown's rows
    injected = labels["=1+1"]
    assert injected.data_type == "s" and injected.value == "=1+1"
    assert figures.cell(row=injected.row, column=2).value == 0
    share = figures.cell(row=labels["一号工地"].row, column=3)
    assert share.value == pytest.approx(300 / 1234) and share.number_format == "0.0%"
    # Charts for the breakdowns with 2..12 rows: workers by site and the money by site.
    assert len(figures._charts) == 2

    typical = book["典型事例"]
    cells = [row[0] for row in typical.iter_rows(min_row=3, values_only=True)]
    assert cells == ["第一段：一号工地开展了亲子视频活动。", "第二段 <script>&amp;\n续行", "=1+1"]
    assert typical["A5"].data_type == "s"
    assert book["存在的问题"]["A3"].value == "（未填写）"


def test_report_xlsx_money_is_yuan_as_a_decimal_number():
    content = sample_content(filed=False)
    book = load_workbook(io.BytesIO(render_report_xlsx(content)))
    cover = {row[0]: row[1] for row in book["封面"].iter_rows(min_row=3, values_only=True)
             if row[0]}
    assert cover["报送状态"] == "草稿（未报送）"
    sheet = book["职工与儿童"]
    money_rows = [row for row in sheet.iter_rows(values_only=True) if row[0] == "一号工地"]
    assert Decimal(str(money_rows[-1][1])) == Decimal("10000.67")


def test_sheet_names_are_valid_and_unique():
    names = sheet_names(["问题/建议[一]:*?", "问题/建议[一]:*?", "", "封面",
                         "很长的标题" * 10, "很长的标题" * 10], {"封面", "确认情况"})
    assert names[0] == "问题_建议_一____"
    assert names[1] == "问题_建议_一____(2)"
    assert names[2] == "第3部分" and names[3] == "封面(2)"
    assert len(names[4]) == 31 and len(names[5]) == 31 and names[4] != names[5]
    assert len(set(names)) == len(names)


def test_report_xlsx_without_sections():
    content = copy.deepcopy(sample_content())
    content["sections"] = []
    content["confirmations"] = {"total": 0, "confirmed": 0, "rows": []}
    book = load_workbook(io.BytesIO(render_report_xlsx(content)))
    assert book.sheetnames == ["封面", "确认情况"]
    assert book["确认情况"]["A1"].value == "本报告未要求下级单位确认"


def test_chinese_ordinals():
    assert [chinese_ordinal(n) for n in (1, 9, 10, 11, 20, 35, 100)] == [
        "一", "九", "十", "十一", "二十", "三十五", "100"]
