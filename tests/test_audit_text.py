"""The audit log of a typical day reads as sentences: labels, masked names, links only where the
reader may open the record, and never a raw key (issue #16)."""
import re
from datetime import date

from plugin.access.roles import Role
from plugin.access.services import grant_role
from plugin.audit.services import record_event
from plugin.core.db import session
from plugin.core.host import Actor
from plugin.registry.consent import record_consent
from plugin.registry.models import ConsentMethod
from plugin.registry.services import record_child_view, reveal_id_number

from .conftest import SYSTEM
from .test_i18n import forget_cached_locale

OFFICER = Actor(key="hr", name="王人事")
RAW = ("dry_run", "True", "False", "{", "_", "notice_version", "worker_id", "None")


def _a_day(make_unit, make_worker, make_child):
    site_a, site_b = make_unit(name="甲工地"), make_unit(name="乙工地")
    worker = make_worker(site_a, name="张三丰", id_number="110101199003071233")
    other = make_worker(site_b, name="李四光")
    child = make_child(worker, name="刘小明", birth_date="2016-05-05")
    record_event("worker.updated", OFFICER, target_type="worker", target_id=worker.id,
                 org_unit_id=site_a.id, details={"fields": ["phone", "name"], "bulk": False})
    record_child_view(child, OFFICER)
    record_child_view(child, OFFICER, page="edit")
    record_consent(child, guardian_name="张三丰", method=ConsentMethod.PAPER,
                   given_on=date(2026, 12, 1), actor=OFFICER, today=date(2026, 12, 4))
    record_event("import.finished", OFFICER, target_type="import", target_id=999,
                 org_unit_id=site_a.id,
                 details={"status": "done", "dry_run": True, "processed": 12, "created": 3,
                          "rejected": 1, "some_new_key": False})
    record_event("pledge.signed", OFFICER, target_type="pledge", target_id=998,
                 org_unit_id=site_b.id,
                 details={"worker_id": other.id, "method": "paper", "children": [child.id],
                          "template_version": 1, "signed_on": "2026-12-04",
                          "valid_until": "2027-12-03"})
    reveal_id_number(worker, reason="核对社保信息", actor=OFFICER)
    session.flush()
    return site_a, site_b, worker, other, child


def _rows(html: str) -> list[str]:
    body = html.split('<tbody>', 1)[1].split('</tbody>', 1)[0]
    return re.findall(r'<tr data-event="\d+">(.*?)</tr>', body, re.S)


def _visible(row: str) -> str:
    """The row's text without its tags and attributes (the data-action code is for tests)."""
    return re.sub(r"<[^>]+>", " ", row)


def test_a_day_reads_without_raw_keys(company, make_unit, make_worker, make_child, make_user,
                                      login):
    _a_day(make_unit, make_worker, make_child)
    page = login(make_user(Role.AUDITOR)).get("/audit/").text
    rows = [_visible(row) for row in _rows(page)]
    assert len(rows) >= 9
    for row in rows:
        for raw in RAW:
            assert raw not in row, (raw, row)
    text = " ".join(rows)
    assert "张**" in text and "张三丰" not in text.replace("王人事", "")
    assert "刘**" in text and "刘小明" not in text
    assert "修改的信息：手机号码、姓名" in text or "修改的信息：" in text
    assert "试运行，未保存任何数据" in text and "处理 12 行" in text
    assert "some new key：否" in text
    assert "理由：核对社保信息" in text
    assert "查看页面：修改表单" in text
    assert "签署方式：纸质签署" in text and "有效期至：2027-12-03" in text
    assert "职工：李**" in text and "儿童：刘**" in text
    assert "告知书版本" in text and "查看儿童档案" in text


def test_changed_fields_are_named_by_their_labels(company, make_unit, make_worker, make_user,
                                                  login):
    worker = make_worker(make_unit(), name="赵六")
    record_event("worker.updated", OFFICER, target_type="worker", target_id=worker.id,
                 org_unit_id=worker.org_unit_id, details={"fields": ["employee_number"]})
    session.flush()
    page = login(make_user(Role.AUDITOR)).get("/audit/?action=worker.updated").text
    assert "修改的信息：工号" in page and "employee_number" not in _visible(page.split("<tbody>")[1])


def test_links_only_where_the_reader_may_open_the_record(company, make_unit, make_worker,
                                                         make_child, make_user, login):
    site_a, site_b, worker, other, child = _a_day(make_unit, make_worker, make_child)
    auditor_only = login(make_user(Role.AUDITOR)).get("/audit/").text
    assert f"/workers/{worker.id}\"" not in auditor_only and f"/children/{child.id}\"" not in auditor_only
    hr_of_a = make_user(Role.AUDITOR)
    grant_role(hr_of_a.key, Role.HR_OFFICER, site_a, actor=SYSTEM, check_actor=False)
    session.flush()
    page = login(hr_of_a).get("/audit/").text
    assert f'href="/workers/{worker.id}"' in page and f'href="/children/{child.id}"' in page
    assert f'href="/workers/{other.id}"' not in page


def test_names_load_in_one_query_per_type(company, make_unit, make_worker, make_child,
                                          make_user, login, app):
    from plugin.audit.models import AuditEvent
    from plugin.audit.text import describe_events

    from .support import recorded_statements

    _a_day(make_unit, make_worker, make_child)
    for number in range(20):
        record_event("child.viewed", OFFICER, target_type="child", target_id=number + 10_000)
    events = session.query(AuditEvent).all()
    with app.test_request_context("/audit/"), recorded_statements() as statements:
        describe_events(events, SYSTEM.key)
    for table in ("cb_worker", "cb_child"):
        assert len([s for s in statements if f"FROM {table}" in s]) <= 1, statements


def test_filters_use_labels(company, make_unit, make_worker, make_child, make_user, login):
    _a_day(make_unit, make_worker, make_child)
    page = login(make_user(Role.AUDITOR)).get("/audit/").text
    select = page.split('name="target_type"', 1)[1].split("</select>", 1)[0]
    assert ">儿童<" in select and ">职工<" in select and ">花名册导入<" in select
    actions = page.split('name="action"', 1)[1].split("</select>", 1)[0]
    assert ">登记监护人同意<" in actions


def test_english_when_switched(company, make_unit, make_worker, make_child, make_user, login):
    _a_day(make_unit, make_worker, make_child)
    client = login(make_user(Role.AUDITOR))
    client.get("/lang/en?next=/audit/")
    forget_cached_locale()
    page = client.get("/audit/").text
    forget_cached_locale()
    rows = " ".join(_visible(row) for row in _rows(page))
    for raw in RAW:
        assert raw not in rows, raw
    assert '<html lang="en">' in page and "Create company" in rows
