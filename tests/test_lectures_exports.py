from datetime import datetime
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from plugin.access.roles import Role
from plugin.audit.models import AuditEvent
from plugin.core.db import session
from plugin.lectures.models import CheckInMethod
from plugin.org.models import OrgKind

from .lectures_support import attend, inked_share, make_lecture, make_lecturer, pdf_fonts, pdf_text


@pytest.fixture
def lecture(make_unit, make_worker, company):
    site = make_unit(OrgKind.SITE, name="前海项目部")
    team = make_unit(OrgKind.TEAM, parent=site, name="木工班")
    lecture = make_lecture(site, title="=防溺水 & 防欺凌<安全课>", lecturers=[make_lecturer(company, "陈律师")])
    attend(lecture, make_worker(team, employee_number="E001", name="赵铁柱"), minutes_after_start=-10)
    attend(lecture, make_worker(site, employee_number="E002", name="钱小花"), method=CheckInMethod.BADGE_SCAN)
    attend(lecture, make_worker(site, employee_number="E003", name="孙作废"), annulled=True)
    return lecture


@pytest.fixture
def manager(lecture, make_user, login):
    return login(make_user(Role.SITE_MANAGER, lecture.org_unit))


def downloads():
    return list(session.execute(select(AuditEvent).where(
        AuditEvent.action == "lecture.sign_in_sheet_downloaded").order_by(AuditEvent.id)).scalars())


def test_the_pdf_sheet_embeds_its_font_lists_valid_check_ins_and_has_rows_to_sign(lecture, manager, clock, tmp_path):
    response = manager.get(f"/lectures/{lecture.id}/sign-in-sheet.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    path = tmp_path / "sheet.pdf"
    path.write_bytes(response.data)
    fonts = pdf_fonts(path)
    assert fonts and all(row[-5] == "yes" for row in fonts), fonts  # the "emb" column
    assert any("WenQuanYi" in row[0] for row in fonts)
    text = pdf_text(path)
    assert "=防溺水 & 防欺凌<安全课>" in text and "前海项目部" in text and "陈律师" in text
    assert "2026-11-25 14:00" in text
    assert "赵铁柱" in text and "E001" in text and "木工班" in text and "扫码签到" in text
    assert "钱小花" in text and "扫胸卡签到" in text and "孙作废" not in text
    # Printed before the lecture: 40 numbered blank rows after the two, the header on each page.
    assert "\n42\n" in text and "\n43\n" not in text and text.count("签名") == 2
    assert inked_share(path, tmp_path) > 0.01
    assert [event.details for event in downloads()] == [{"format": "pdf", "rows": 2}]


def test_the_xlsx_sheet_has_the_same_rows(lecture, manager, clock):
    clock.advance(days=4)  # after the lecture: no blank rows unless asked for
    response = manager.get(f"/lectures/{lecture.id}/sign-in-sheet.xlsx")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(BytesIO(response.data)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0][0] == "宣讲签到表：=防溺水 & 防欺凌<安全课>"
    assert sheet.cell(row=1, column=1).data_type == "s"
    header_at = next(index for index, row in enumerate(rows) if row[0] == "序号")
    assert rows[header_at] == ["序号", "姓名", "工号", "班组/单位", "签到方式", "签到时间", "签名"]
    data = rows[header_at + 1:]
    assert [row[:5] for row in data] == [[1, "赵铁柱", "E001", "木工班", "扫码签到"],
                                         [2, "钱小花", "E002", "前海项目部", "扫胸卡签到"]]
    assert data[0][5] == datetime(2026, 11, 25, 13, 50)  # local time of the check-in
    with_blanks = manager.get(f"/lectures/{lecture.id}/sign-in-sheet.xlsx?blank=3")
    rows = [[cell.value for cell in row] for row in load_workbook(BytesIO(with_blanks.data)).active.iter_rows()]
    assert [row[0] for row in rows[header_at + 1:]] == [1, 2, 3, 4, 5]
    assert [event.details["format"] for event in downloads()] == ["xlsx", "xlsx"]


def test_unknown_formats_are_not_found(lecture, manager):
    assert manager.get(f"/lectures/{lecture.id}/sign-in-sheet.docx").status_code == 404
    assert manager.get("/lectures/999999/sign-in-sheet.pdf").status_code == 404
    assert downloads() == []
