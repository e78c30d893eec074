"""The projector, the panel on the lecture's page and the badge sheets."""
import re
import subprocess
from datetime import timedelta

import pytest
from flask import render_template_string
from flask_login import login_user
from PIL import Image
from sqlalchemy import select

from plugin.access.roles import Role
from plugin.attendance.codes import venue_code
from plugin.audit.models import AuditEvent
from plugin.core.db import session
from plugin.org.models import OrgKind
from plugin.registry.models import EmploymentStatus

from .attendance_support import NOW, code_url, make_lecture, remember_phone


@pytest.fixture
def site(make_unit):
    return make_unit(OrgKind.SITE, name="前海项目部")


@pytest.fixture
def lecture(site):
    return make_lecture(site)


@pytest.fixture
def officer(site, make_user, login):
    return login(make_user(Role.SITE_MANAGER, site))


def test_the_projector_shows_the_current_code_as_a_link_to_the_check_in(lecture, officer, clock):
    page = officer.get(f"/attendance/sessions/{lecture.id}/projector")
    assert page.status_code == 200
    code = venue_code(lecture.id, lecture.code_key, NOW)
    assert f'data-url="http://localhost/c/{code}"' in page.text
    assert "<svg" in page.text and lecture.title in page.text
    assert '<noscript><meta http-equiv="refresh" content="31"></noscript>' in page.text
    assert "projector.js" in page.text


def test_the_projector_state_changes_code_on_the_slot_boundary_and_counts(app, lecture, officer, site,
                                                                          make_worker, clock):
    clock.now = clock.now.replace(second=20)
    url = f"/attendance/sessions/{lecture.id}/projector.json"
    first = officer.get(url).get_json()
    assert first["count"] == 0 and first["refresh_ms"] == 10_300 and first["svg"].startswith("<svg")
    assert "截止" in first["status"]
    phone = app.test_client()
    remember_phone(phone, make_worker(site))
    phone.get(first["url"].removeprefix("http://localhost"))
    clock.advance(seconds=9)
    assert officer.get(url).get_json()["code"] == first["code"]
    clock.advance(seconds=1)
    second = officer.get(url).get_json()
    assert second["code"] != first["code"] and second["count"] == 1 and second["refresh_ms"] == 30_300


def test_the_projector_says_when_check_in_opens_and_shows_no_code_when_cancelled(site, officer, clock):
    later = make_lecture(site, starts_at=NOW + timedelta(hours=2))
    assert officer.get(f"/attendance/sessions/{later.id}/projector.json").get_json()["status"] == "签到 11:30 开始"
    cancelled = make_lecture(site, cancelled=True)
    state = officer.get(f"/attendance/sessions/{cancelled.id}/projector.json").get_json()
    assert state["svg"] == "" and state["status"] == "本场宣讲已取消"


def test_only_attendance_officers_of_the_unit_open_the_projector(lecture, make_user, login, make_unit, clock):
    outsider = login(make_user(Role.HR_OFFICER, make_unit(OrgKind.SITE)))
    # Another site's session answers like one that does not exist (issue #13).
    assert outsider.get(f"/attendance/sessions/{lecture.id}/projector").status_code == 404
    assert outsider.get(f"/attendance/sessions/{lecture.id}/projector.json").status_code == 404
    assert outsider.get("/attendance/sessions/999999/projector").status_code == 404
    viewer = login(make_user(Role.REPORT_OFFICER, lecture.org_unit))
    assert viewer.get(f"/attendance/sessions/{lecture.id}/projector").status_code == 403


def test_the_panel_shows_the_count_and_the_tools_to_those_allowed(app, lecture, site, make_user, login,
                                                                  make_worker, clock):
    phone = app.test_client()
    remember_phone(phone, make_worker(site))
    phone.get(code_url(lecture, NOW))

    def panel_for(user):
        with app.test_request_context():
            login_user(user)
            return render_template_string('{% include "carebridge/attendance/_session_panel.html" %}',
                                          lecture=lecture)

    officer_panel = panel_for(make_user(Role.CARE_WORKER, site))
    assert 'id="attendance-panel-count">1<' in officer_panel
    assert f"/attendance/sessions/{lecture.id}/projector" in officer_panel
    assert f"/attendance/units/{site.id}/badges.pdf" in officer_panel
    viewer_panel = panel_for(make_user(Role.REPORT_OFFICER, site))
    assert 'id="attendance-panel-count">1<' in viewer_panel and "projector" not in viewer_panel
    assert panel_for(make_user(Role.AUDITOR, site)).strip() == ""


def test_badge_sheets_embed_the_font_render_and_are_audited(site, make_unit, make_worker, officer, tmp_path,
                                                            clock):
    team = make_unit(OrgKind.TEAM, parent=site, name="钢筋班组第一作业队混凝土浇筑组（夜班）")
    workers = [make_worker(team, name=f"职工{n}号") for n in range(20)]
    workers[0].employment_status = EmploymentStatus.LEFT
    session.flush()
    response = officer.get(f"/attendance/units/{site.id}/badges.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    pdf = tmp_path / "badges.pdf"
    pdf.write_bytes(response.data)
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    rows = fonts.splitlines()[2:]
    assert rows and all(row.split()[-5:-2] == ["yes", "yes", "yes"] for row in rows), fonts
    pages = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Pages:\s+2$", pages, re.MULTILINE)  # 19 active workers, 18 per page
    subprocess.run(["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
                   check=True)
    image = Image.open(next(tmp_path.glob("page*.png"))).convert("L")
    histogram = image.histogram()
    assert sum(histogram[:128]) > image.width * image.height * 0.05  # QR codes and text, not blank
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "职工1号" in text and "职工0号" not in text
    event = session.execute(select(AuditEvent).where(AuditEvent.action == "attendance.badges_downloaded")).scalar_one()
    assert event.details == {"badges": 19} and event.org_unit_id == site.id


def test_badges_need_the_attendance_permission_on_the_unit(site, make_user, login, make_unit, clock):
    outsider = login(make_user(Role.SITE_MANAGER, make_unit(OrgKind.SITE)))
    assert outsider.get(f"/attendance/units/{site.id}/badges.pdf").status_code == 404
    assert outsider.get("/attendance/units/999999/badges.pdf").status_code == 404
    viewer = login(make_user(Role.REPORT_OFFICER, site))
    assert viewer.get(f"/attendance/units/{site.id}/badges.pdf").status_code == 403
