"""Issue #13, finding 4: attendance never names a worker outside the officer's scope.

Badges, employee numbers and worker ids are sequential or guessable, so an officer of site A who
names a worker of site C (by badge, number, id or paper sheet) gets the answer given for a worker
who does not exist, word for word; lists show such workers without name, number or unit; and a
session, check-in or unit of site C answers 404 like an id nobody has.
"""
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from plugin.access.roles import Role
from plugin.attendance.codes import badge_code, derive_key
from plugin.attendance.models import CheckInAttempt
from plugin.core.db import session
from plugin.lectures.models import Attendance
from plugin.org.models import OrgKind

from .attendance_support import NOW, code_url, make_lecture, remember_phone
from .conftest import csrf_token, submit

MISSING_ID = 2_000_000_000
#: What site C's worker is called: none of it may reach site A's officer.
THEIRS = ("隔壁王五", "C9001", "隔壁班组", "13700009001")


@pytest.fixture
def site(make_unit):
    return make_unit(OrgKind.SITE, name="前海项目部")


@pytest.fixture
def lecture(site):
    return make_lecture(site)


@pytest.fixture
def worker(site, make_worker):
    return make_worker(site, employee_number="A1001", name="本部张三", phone="13600001001")


@pytest.fixture
def site_c(make_unit):
    return make_unit(OrgKind.SITE, name="隔壁项目部")


@pytest.fixture
def stranger(site_c, make_unit, make_worker):
    team = make_unit(OrgKind.TEAM, parent=site_c, name="隔壁班组")
    return make_worker(team, employee_number="C9001", name="隔壁王五", phone="13700009001")


@pytest.fixture
def officer(site, make_user, login):
    return login(make_user(Role.SITE_MANAGER, site))


@pytest.fixture
def admin(make_user, login):
    return login(make_user(Role.ADMIN))


def leaks(text: str) -> list[str]:
    return [marker for marker in THEIRS if marker in text]


def badge(app, worker_id: int) -> str:
    return badge_code(worker_id, derive_key(app.secret_key, "badge"))


def upload(client, lecture, scans):
    token = client.get(f"/attendance/sessions/{lecture.id}/scanner").text.split('data-csrf="')[1].split('"')[0]
    return client.post(f"/attendance/sessions/{lecture.id}/scans", json={"scans": scans},
                       headers={"X-CSRFToken": token})


def scan(nonce, *, code=None, number=None):
    item = {"nonce": nonce, "scanned_at": int(NOW.timestamp() * 1000)}
    return item | ({"code": code} if code is not None else {"employee_number": number})


def without_nonce(result: dict) -> dict:
    return {key: value for key, value in result.items() if key != "nonce"}


# --- naming a worker -------------------------------------------------------------------------------

def test_another_sites_badge_is_answered_like_a_badge_of_nobody(app, lecture, stranger, officer, clock):
    response = upload(officer, lecture, [scan("n-theirs01", code=badge(app, stranger.id)),
                                         scan("n-nobody01", code=badge(app, MISSING_ID)),
                                         scan("n-toobig01", code=badge(app, 99_999_999_999))])
    assert response.status_code == 200 and not leaks(response.text)
    theirs, nobodys, too_big = response.get_json()["results"]
    assert without_nonce(too_big) == without_nonce(nobodys)
    assert without_nonce(theirs) == without_nonce(nobodys)
    assert (theirs["reason"], theirs["worker"], theirs["employee_number"]) == ("unknown_worker", None, None)
    # A queue sent again gets the same answer, still naming nobody.
    again = upload(officer, lecture, [scan("n-theirs01", code=badge(app, stranger.id))])
    assert not leaks(again.text) and without_nonce(again.get_json()["results"][0]) == without_nonce(nobodys)
    assert session.execute(select(Attendance)).first() is None


def test_another_sites_employee_number_typed_on_the_scanner_is_unknown(lecture, stranger, officer, clock):
    response = upload(officer, lecture, [scan("n-typed-c1", number="c9001"),
                                         scan("n-typed-z1", number="Z99999")])
    assert not leaks(response.text)
    theirs, nobodys = response.get_json()["results"]
    assert without_nonce(theirs) == without_nonce(nobodys)
    assert theirs["reason"] == "unknown_worker"


def test_manual_entry_of_another_sites_worker_id_reads_like_an_id_nobody_has(lecture, stranger, officer, clock):
    def flash_after(worker_id):
        response = submit(officer, f"/attendance/sessions/{lecture.id}/manual", {"worker_id": str(worker_id)},
                          form_url=f"/attendance/sessions/{lecture.id}", follow_redirects=True)
        assert response.status_code == 200
        return response.text.split('role="alert">')[1].split("</div>")[0]

    theirs, nobodys = flash_after(stranger.id), flash_after(MISSING_ID)
    assert theirs == nobodys and "查无此职工" in theirs
    assert flash_after(99_999_999_999) == nobodys  # past 32 bits: nobody, not a database error
    assert not leaks(theirs)
    assert session.execute(select(Attendance)).first() is None


def test_a_paper_sheet_line_of_another_sites_number_reads_like_a_number_nobody_has(lecture, worker, stranger,
                                                                                 officer, clock):
    clock.advance(hours=2)
    response = submit(officer, f"/attendance/sessions/{lecture.id}/paper-sheet",
                      {"lines": "A1001 10:05\nC9001 10:05\nZ99999 10:05"},
                      form_url=f"/attendance/sessions/{lecture.id}")
    assert response.status_code == 422
    assert "第 2 行：C9001 不能签到（查无此人）" in response.text
    assert "第 3 行：Z99999 不能签到（查无此人）" in response.text
    assert "隔壁王五" not in response.text and "非本项目职工" not in response.text
    assert session.execute(select(Attendance)).first() is None


def test_workers_of_other_units_within_the_officers_scope_are_still_named(app, site, make_unit, make_worker,
                                                                        make_user, login, clock):
    """The scope rule hides only what the officer may not see; attending is still the session's rule."""
    team_lecture = make_lecture(make_unit(OrgKind.TEAM, parent=site, name="钢筋班组"))
    neighbour = make_worker(make_unit(OrgKind.TEAM, parent=site, name="木工班组"), name="木工老周",
                            employee_number="A2002")
    client = login(make_user(Role.SITE_MANAGER, site))
    answer = upload(client, team_lecture, [scan("n-neigh001", code=badge(app, neighbour.id))])
    result = answer.get_json()["results"][0]
    assert (result["reason"], result["worker"], result["employee_number"]) == (
        "not_this_site", "木工老周", "A2002")


# --- lists -----------------------------------------------------------------------------------------

def test_the_attempts_log_names_only_workers_in_the_viewers_scope(app, lecture, stranger, officer, admin,
                                                                  clock):
    phone = app.test_client()
    remember_phone(phone, stranger)
    assert 'data-reason="not_this_site"' in phone.get(code_url(lecture, NOW)).text  # his own phone
    upload(officer, lecture, [scan("n-probe001", number="C9001"), scan("n-probe002", number="Z99999")])

    mine = officer.get(f"/attendance/sessions/{lecture.id}/attempts")
    assert mine.status_code == 200 and not leaks(mine.text)
    assert mine.text.count("范围外职工") == 1  # his own scan: there, but not named
    assert 'data-reason="not_this_site"' in mine.text
    # The officer's lookup of his number reads exactly as the lookup of a number nobody has.
    assert mine.text.count('data-reason="unknown_worker"') == 2 and "登记人权限范围外" not in mine.text

    company = admin.get(f"/attendance/sessions/{lecture.id}/attempts")
    assert company.text.count("隔壁王五") == 2 and "范围外职工" not in company.text
    assert 'data-reason="out_of_scope"' in company.text and "登记人权限范围外的职工" in company.text
    logged = session.execute(select(CheckInAttempt.reason, CheckInAttempt.worker_id)
                             .order_by(CheckInAttempt.id)).all()
    assert [tuple(row) for row in logged] == [("not_this_site", stranger.id), ("out_of_scope", stranger.id),
                                              ("unknown_worker", None)]


def test_a_worker_who_moved_to_another_site_is_no_longer_named_to_the_old_sites_officer(
        app, lecture, worker, stranger, site_c, officer, admin, clock):
    phone = app.test_client()
    remember_phone(phone, worker)
    phone.get(code_url(lecture, NOW))
    worker.org_unit = site_c  # transferred after the lecture
    session.flush()
    page = officer.get(f"/attendance/sessions/{lecture.id}")
    assert "本部张三" not in page.text and "A1001" not in page.text and "隔壁项目部" not in page.text
    assert "范围外职工" in page.text and 'id="present-count">1<' in page.text
    assert "本部张三" in admin.get(f"/attendance/sessions/{lecture.id}").text

    row = session.execute(select(Attendance)).scalar_one()
    annulled = submit(officer, f"/attendance/check-ins/{row.id}/annul", {"reason": "登记错了"},
                      form_url=f"/attendance/sessions/{lecture.id}", follow_redirects=True)
    assert "已作废这条签到" in annulled.text and "本部张三" not in annulled.text

    row.annulled_at = None
    session.flush()
    sheet = officer.get(f"/lectures/{lecture.id}/sign-in-sheet.xlsx")
    cells = [cell.value for line in load_workbook(BytesIO(sheet.data)).active.iter_rows() for cell in line]
    assert "范围外职工" in cells and "本部张三" not in cells and "A1001" not in cells
    assert "隔壁项目部" not in cells


# --- records by id ---------------------------------------------------------------------------------

def test_another_sites_sessions_check_ins_and_units_answer_like_missing_ones(app, site_c, stranger, officer,
                                                                            clock):
    theirs = make_lecture(site_c, title="隔壁宣讲会")
    phone = app.test_client()
    remember_phone(phone, stranger)
    phone.get(code_url(theirs, NOW))
    attendance = session.execute(select(Attendance)).scalar_one()
    token = csrf_token(officer.get("/").text)
    pages = ["/attendance/sessions/{}", "/attendance/sessions/{}/attempts", "/attendance/sessions/{}/projector",
             "/attendance/sessions/{}/projector.json", "/attendance/sessions/{}/scanner"]
    posts = ["/attendance/sessions/{}/manual", "/attendance/sessions/{}/paper-sheet"]
    for url, record in ([(url, theirs.id) for url in pages + posts]
                        + [("/attendance/check-ins/{}/annul", attendance.id),
                           ("/attendance/units/{}/badges.pdf", site_c.id)]):
        data = {"csrf_token": token, "worker_id": str(stranger.id), "lines": "C9001", "reason": "x"}
        if url in posts or "annul" in url:
            answers = [officer.post(url.format(number), data=data) for number in (record, MISSING_ID)]
        else:
            answers = [officer.get(url.format(number)) for number in (record, MISSING_ID)]
        assert [answer.status_code for answer in answers] == [404, 404], url
        assert not leaks(answers[0].text) and "隔壁宣讲会" not in answers[0].text, url
    upload_answer = officer.post(f"/attendance/sessions/{theirs.id}/scans",
                                 json={"scans": [scan("n-c0000001", number="C9001")]},
                                 headers={"X-CSRFToken": token})
    missing_answer = officer.post(f"/attendance/sessions/{MISSING_ID}/scans", json={"scans": []},
                                  headers={"X-CSRFToken": token})
    assert (upload_answer.status_code, upload_answer.get_json()) == (404, missing_answer.get_json())
    session.refresh(attendance)
    assert attendance.annulled_at is None
    assert session.execute(select(CheckInAttempt).where(CheckInAttempt.officer.is_not(None))).first() is None


def test_anonymous_visitors_are_sent_to_sign_in_whether_or_not_the_session_exists(app, lecture, clock):
    client = app.test_client()
    answers = [client.get(f"/attendance/sessions/{number}") for number in (lecture.id, MISSING_ID)]
    assert [answer.status_code for answer in answers] == [302, 302]
    assert all(answer.location.startswith("/login") for answer in answers)
