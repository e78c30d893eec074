"""Lectures, attendance, guardianship, API tokens, workers' phones and the organisation tree read
as sentences on the audit page too: object types and detail keys by their labels, coded values by
theirs, people by masked names, and links only where the reader may open the record."""
import re

import pytest
from sqlalchemy import select

from plugin.access.roles import Role
from plugin.access.services import grant_role
from plugin.api_tokens.models import TokenScope
from plugin.api_tokens.services import issue_token, revoke_token
from plugin.audit.services import record_event
from plugin.core.db import session
from plugin.core.host import Actor
from plugin.guardianship.contacts import log_contact
from plugin.guardianship.integrity import commend
from plugin.guardianship.models import ContactKind, ContactParty
from plugin.guardianship.services import create_agreement, record_download
from plugin.lectures.models import CheckInMethod
from plugin.org.services import update_unit
from plugin.worker_access.models import WorkerDevice
from plugin.worker_access.services import remember_device

from .conftest import SYSTEM
from .guardianship_support import TODAY, paper_draft
from .lectures_support import AFTERNOON, attend, make_lecture, make_lecturer

OFFICER = Actor(key="hr", name="王人事")
#: What a row must never show: codes, Python values, English object types and unlabelled keys.
RAW = ("_", "True", "False", "None", "{", "lecture", "agreement", "api token", "lecturer",
       "worker device", "check in", "integrity", "contact", "device", "entry", "recipient",
       "party", "scope", "address", "responsible", "#")


@pytest.fixture
def day(make_unit, make_worker, make_child):
    """One event of each kind these features write: site A's records and site B's."""
    site_a, site_b = make_unit(name="甲工地"), make_unit(name="乙工地")
    father = make_worker(site_a, name="张大山")
    child = make_child(father, left_behind=True, name="张小明")
    other = make_worker(site_b, name="李四光")
    lecture = make_lecture(site_a, title="防溺水安全宣讲")
    far_lecture = make_lecture(site_b, title="家庭美德讲座")
    lecturer = make_lecturer(site_a, name="陈律师")
    check_in = attend(lecture, father, method=CheckInMethod.BADGE_SCAN)

    for action, details in (
            ("lecture.created", {"title": lecture.title, "starts_at": AFTERNOON.isoformat()}),
            ("lecture.updated", {"fields": ["title", "check_in_opens_minutes", "topics",
                                            "lecturers"]}),
            ("lecture.cancelled", {"reason": "天气原因"}),
            ("lecture.rescheduled", {"from": AFTERNOON.isoformat(),
                                     "to": AFTERNOON.replace(day=26).isoformat(),
                                     "reason": "场地冲突"}),
            ("lecture.sign_in_sheet_downloaded", {"format": "pdf", "rows": 12})):
        record_event(action, OFFICER, target_type="lecture", target_id=lecture.id,
                     org_unit_id=site_a.id, details=details)
    record_event("lecture.created", OFFICER, target_type="lecture", target_id=far_lecture.id,
                 org_unit_id=site_b.id, details={"title": far_lecture.title,
                                                  "starts_at": AFTERNOON.isoformat()})
    record_event("lecturer.created", OFFICER, target_type="lecturer", target_id=lecturer.id,
                 org_unit_id=site_a.id, details={"name": lecturer.name})
    record_event("lecturer.updated", OFFICER, target_type="lecturer", target_id=lecturer.id,
                 org_unit_id=site_a.id, details={"fields": ["phone", "affiliation", "kind"]})
    record_event("lecturer.deactivated", OFFICER, target_type="lecturer", target_id=lecturer.id,
                 org_unit_id=site_a.id, details={"fields": ["active"]})

    record_event("attendance.manual_entry", OFFICER, target_type="lecture_session",
                 target_id=lecture.id, org_unit_id=site_a.id,
                 details={"worker_id": father.id, "employee_number": father.employee_number})
    record_event("attendance.paper_sheet", OFFICER, target_type="lecture_session",
                 target_id=lecture.id, org_unit_id=site_a.id, details={"accepted": 7, "already": 2})
    record_event("attendance.annulled", OFFICER, target_type="lecture_session",
                 target_id=lecture.id, org_unit_id=site_a.id,
                 details={"attendance_id": check_in.id, "worker_id": father.id,
                          "method": check_in.method.value, "reason": "误扫了胸卡"})
    record_event("attendance.badges_downloaded", OFFICER, target_type="org_unit",
                 target_id=site_a.id, org_unit_id=site_a.id, details={"badges": 40})

    agreement = create_agreement(father, paper_draft([child]), actor=OFFICER, today=TODAY)
    record_download(agreement, OFFICER, "agreement.downloaded")
    record_download(agreement, OFFICER, "agreement.notice_downloaded", recipient="village",
                    child=child.id)
    record_download(agreement, OFFICER, "agreement.scan_viewed")
    for action in ("agreement.signed", "agreement.ended", "agreement.revoked",
                   "agreement.lapsed"):
        record_event(action, OFFICER, target_type="agreement", target_id=agreement.id,
                     org_unit_id=site_a.id)
    log_contact(father, child_id=child.id, party=ContactParty.CARER, kind=ContactKind.VIDEO,
                contact_on=TODAY, note=None, actor=OFFICER, today=TODAY)
    commend(father, reason="按时与孩子联系", occurred_on=TODAY, actor=OFFICER, today=TODAY)

    token, _secret = issue_token("甲工地考勤机", site_a, TokenScope.READ_ONLY, actor=OFFICER)
    revoke_token(token, actor=OFFICER)

    remember_device(father, ip="10.0.0.8")
    device = session.execute(select(WorkerDevice).where(WorkerDevice.worker_id == father.id)
                              ).scalar_one()
    worker = {"target_type": "worker", "target_id": father.id, "org_unit_id": site_a.id}
    record_event("worker.phone_remembered", OFFICER, **worker,
                 details={"method": "activation_code", "code_channel": "hr"})
    record_event("worker.activation_code_issued", OFFICER, **worker,
                 details={"expires_at": AFTERNOON.isoformat()})
    record_event("worker.phones_revoked", OFFICER, **worker,
                 details={"phones": 1, "device_id": device.id, "pin_cleared": True})
    record_event("worker.phones_revoked", OFFICER, **worker,
                 details={"phones": 2, "device_id": None, "pin_cleared": False})
    record_event("worker.pin_set", OFFICER, **worker, details={"code_channel": "sms"})
    record_event("worker.sign_in_failed", OFFICER, **worker, details={"failures": 3, "known": True})
    record_event("worker.sign_in_locked", OFFICER, **worker, details={"minutes": 15})
    record_event("worker.sign_in_address_locked", OFFICER, **worker,
                 details={"minutes": 15, "address": "10.0.0.8"})
    record_event("worker.sign_in_code_sent", OFFICER, **worker, details={"channel": "sms"})
    record_event("worker.phone_forgotten", OFFICER, **worker)

    update_unit(site_a, actor=SYSTEM, responsible_department="综合办公室",
                responsible_person="王经理")
    session.flush()
    return dict(site_a=site_a, site_b=site_b, father=father, child=child, other=other,
                lecture=lecture, far_lecture=far_lecture, lecturer=lecturer, agreement=agreement,
                token=token)


def _rows(html: str) -> list[str]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r'<tr data-event="\d+">(.*?)</tr>', body, re.S)


def _visible(row: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row))


def _log(client) -> tuple[str, list[str]]:
    """Every page of the log: (the pages' HTML, the visible text of each row)."""
    html, rows, page = "", [], 1
    while True:
        text = client.get(f"/audit/?page={page}").text
        found = _rows(text)
        if not found:
            return html, rows
        html += text
        rows += [_visible(row) for row in found]
        page += 1


FEATURE_ACTIONS = ("lecture.", "lecturer.", "attendance.", "agreement.", "contact.",
                   "integrity.", "api_token.", "worker.phone", "worker.pin", "worker.sign_in",
                   "worker.activation", "org.unit_updated")


def _feature_rows(html: str) -> list[str]:
    body = "".join(part.split("</tbody>", 1)[0] for part in html.split("<tbody>")[1:])
    rows = re.findall(r'<tr data-event="\d+">(.*?)</tr>', body, re.S)
    # The actor's cell is left out: it is the name the actor signed in with (a worker on their
    # own phone), not a record the event describes.
    return [_visible(re.sub(r"^(\s*<td[^>]*>.*?</td>\s*)<td[^>]*>.*?</td>", r"\1", row, flags=re.S))
            for row in rows if any(f'data-action="{prefix}' in row for prefix in FEATURE_ACTIONS)]


def test_every_event_reads_without_codes(day, make_user, login):
    html, _all = _log(login(make_user()))
    rows = _feature_rows(html)
    assert len(rows) == 37, len(rows)
    text = " ".join(rows)
    assert "令牌前缀：" in text
    for row in rows:
        # A token's prefix is random text (it may hold "_"), shown as stored.
        row = re.sub(r"令牌前缀：[^；\s]+", "令牌前缀：…", row)
        for raw in RAW:
            assert raw not in row, (raw, row)
    for phrase in (
            "宣讲活动", "防溺水安全宣讲（2026-11-25）", "修改的信息：宣讲标题、签到提前开放时间、宣讲主题、宣讲员",
            "理由：天气原因", "原定：2026-11-25 14:00", "改为：2026-11-26 14:00", "格式：PDF 文件",
            "宣讲员 陈**", "姓名：陈**", "修改的信息：联系电话、工作单位或部门、类别", "修改的信息：在宣讲团中",
            "职工：张**", "签到方式：扫胸卡签到", "签到时间：2026-11-25 13:55", "理由：误扫了胸卡",
            "委托照护协议", "WT", "签署方式：纸质签署（人力资源专员见证）", "状态：生效中", "儿童人数：1",
            "告知书送往：村（居）民委员会", "儿童：张**", "联系的孩子：张**", "联系对象：照护人",
            "联系方式：视频", "联系日期：2026-11-22", "诚信档案记录：表彰：依法履行监护职责模范（2026-11-22）",
            "API 令牌 甲工地考勤机", "权限范围：只读：读取职工和儿童",
            "登记方式：直接登记", "登记方式：使用激活码并设置个人密码", "验证码渠道：人力资源专员当面发放",
            "验证码渠道：短信", "注销的手机：", "登记的手机", "注销全部已记住的手机", "清除 PIN：是",
            "网络地址：10.0.0.8", "渠道：短信", "账号存在：是",
            "负责部门：— → 综合办公室", "负责人：— → 王经理"):
        assert phrase in text, phrase
    for name in ("张大山", "张小明", "陈律师"):
        assert name not in text, [row for row in rows if name in row]
    # A worker who acted on their own phone is named masked in the actor's cell too.
    assert "张大山" not in html.split("<tbody>", 1)[1]


def test_links_only_where_the_reader_may_open_the_record(day, make_user, login):
    lecture, far, lecturer = day["lecture"], day["far_lecture"], day["lecturer"]
    agreement = day["agreement"]
    html, _rows_ = _log(login(make_user(Role.AUDITOR)))
    for href in (f"/lectures/{lecture.id}\"", f"/agreements/{agreement.id}\"", "/api-tokens/",
                 f"/team/{lecturer.id}/edit\""):
        assert href not in html, href

    officer = make_user(Role.AUDITOR)
    grant_role(officer.key, Role.HR_OFFICER, day["site_a"], actor=SYSTEM, check_actor=False)
    session.flush()
    html, _rows_ = _log(login(officer))
    assert re.search(rf'href="[^"]*/lectures/{lecture.id}"', html)
    assert not re.search(rf'href="[^"]*/lectures/{far.id}"', html)
    assert re.search(rf'href="[^"]*/team/{lecturer.id}/edit"', html)
    assert re.search(rf'href="[^"]*/agreements/{agreement.id}"', html)
    assert 'href="/api-tokens/"' not in html and "/api_tokens/" not in html

    html, _rows_ = _log(login(make_user()))
    assert re.search(r'href="[^"]*/(api-tokens|api_tokens|tokens)/"', html)


def test_names_load_in_one_query_per_type(day, app):
    from plugin.audit.models import AuditEvent
    from plugin.audit.text import describe_events

    from .support import recorded_statements

    events = session.query(AuditEvent).all()
    with app.test_request_context("/audit/"), recorded_statements() as statements:
        describe_events(events, SYSTEM.key)
    # Two object types name sessions ("lecture" and attendance's "lecture_session"): one each.
    assert len([s for s in statements if "FROM cb_lecture_session " in s]) == 2, statements
    for table in ("cb_lecturer", "cb_attendance", "cb_entrustment_agreement",
                  "cb_integrity_entry", "cb_contact_log", "cb_api_token", "cb_worker_device"):
        assert len([s for s in statements if f"FROM {table} " in s]) == 1, (table, statements)
