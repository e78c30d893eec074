from datetime import date

import pytest
from sqlalchemy import event, insert, select

from plugin.access.roles import Role
from plugin.audit.models import AuditEvent
from plugin.core.db import session
from plugin.org.models import OrgKind
from plugin.registry.consent import record_consent
from plugin.registry.models import Child, ConsentMethod, Worker
from plugin.registry.schema import CHILD_FIELDS, WORKER_FIELDS, parse_record
from plugin.registry.services import upsert_child, upsert_worker

from .conftest import SYSTEM, database_dialect, submit
from .support import recorded_statements

TODAY = date(2026, 11, 22)
CHILD_ID = "110105201505050016"


@pytest.fixture
def sites(make_unit):
    return make_unit(OrgKind.SITE, name="甲项目部"), make_unit(OrgKind.SITE, name="乙项目部")


def add_worker(unit, number="E001", name="张大山", **extra):
    values = parse_record({"employee_number": number, "name": name, "entry_date": "2024-01-01",
                           "other_parent_status": "在家", "other_parent_capable": "否", **extra},
                          WORKER_FIELDS, today=TODAY)
    return upsert_worker(values, unit=unit, actor=SYSTEM).record


def add_child(number="E001", **extra):
    values = parse_record({"parent_employee_number": number, "parent_role": "父亲", "name": "张小明",
                           "birth_date": "2015-05-05", "lives_in_home_area": "是", **extra},
                          CHILD_FIELDS, today=TODAY)
    return upsert_child(values, actor=SYSTEM, today=TODAY).record


def audit_actions(target_type):
    return list(session.execute(select(AuditEvent.action).where(
        AuditEvent.target_type == target_type).order_by(AuditEvent.id)).scalars())


def test_hr_officer_registers_a_worker_and_a_child_through_forms(sites, make_user, login, clock):
    site_a, _ = sites
    client = login(make_user(Role.HR_OFFICER, site_a))
    response = submit(client, "/workers/new", {
        "placement-unit": str(site_a.id), "employee_number": "E100", "name": "王 五",
        "phone": "13800138000", "entry_date": "2025-01-10", "other_parent_status": "at_home",
        "other_parent_capable": "false"})
    assert response.status_code == 302, response.text
    worker = session.execute(select(Worker).where(Worker.employee_number == "E100")).scalar_one()
    # the stray space in the name is gone (plugin.core.text.clean_person_name)
    assert worker.name == "王五" and worker.org_unit_id == site_a.id
    child_page = submit(client, f"/workers/{worker.id}/children/new", {
        "parent_role": "father", "name": "王小五", "birth_date": "2016-03-01", "lives_in_home_area": "true"})
    assert child_page.status_code == 302
    child = session.execute(select(Child)).scalar_one()
    assert child_page.location == f"/children/{child.id}" and child.name == "王小五"
    page = client.get(child_page.location)
    assert 'data-category="left_behind"' in page.text


def test_hr_records_that_a_worker_died_and_the_children_are_de_facto_unsupported(
        sites, make_user, login, clock):
    site_a, _ = sites
    worker = add_worker(site_a, other_parent_status="失联", other_parent_since="2024-06-01")
    child = add_child()
    client = login(make_user(Role.HR_OFFICER, site_a))
    response = submit(client, f"/workers/{worker.id}/edit", {
        "name": "张大山", "entry_date": "2024-01-01", "employment_status": "left",
        "left_on": "2026-05-10", "other_parent_status": "out_of_contact",
        "other_parent_since": "2024-06-01", "own_parent_status": "deceased"})
    assert response.status_code == 302, response.text
    page = client.get(f"/workers/{worker.id}").text
    own = page.split('id="worker-own-situation">')[1].split("</dd>")[0]
    assert "去世" in own and "自" not in own, own  # no start recorded: none shown
    assert "失联" in page.split('id="worker-other-parent">')[1].split("</dd>")[0]
    assert 'data-category="de_facto_unsupported"' in client.get(f"/children/{child.id}").text


def test_form_errors_name_the_field(sites, make_user, login):
    site_a, _ = sites
    client = login(make_user(Role.HR_OFFICER, site_a))
    response = submit(client, "/workers/new", {
        "placement-unit": str(site_a.id), "employee_number": "E1", "name": "李四",
        "id_number": "11010519491231002", "entry_date": "2030-01-01"})
    assert response.status_code == 422
    assert "18 位" in response.text and "日期不能晚于今天" in response.text
    assert session.execute(select(Worker)).first() is None


def test_worker_list_searches_and_filters_within_scope(sites, make_user, login):
    site_a, site_b = sites
    add_worker(site_a, "E001", "张大山", phone="13800138001")
    add_worker(site_a, "E002", "李小红")
    add_worker(site_b, "E003", "张三")
    add_child("E001")
    client = login(make_user(Role.SITE_MANAGER, site_a))
    everyone = client.get("/workers/").text
    assert "张大山" in everyone and "李小红" in everyone and "张三" not in everyone
    assert "张大山" in client.get("/workers/?q=zds").text
    assert "李小红" not in client.get("/workers/?q=E001").text
    # A site manager sees phones masked: the whole number finds the worker, a prefix does not.
    assert "张大山" in client.get("/workers/?q=13800138001").text
    assert "张大山" not in client.get("/workers/?q=1380013").text
    assert "张大山" in client.get("/workers/?q=e00").text and "李小红" in client.get("/workers/?q=e00").text
    by_name = client.get("/workers/?q=大山").text
    assert "张大山" in by_name and "李小红" not in by_name
    left_behind = client.get("/workers/?category=left_behind").text
    assert "张大山" in left_behind and "李小红" not in left_behind
    # Another site's worker is "not found" (issue #13): the answer reveals nothing.
    assert client.get(f"/workers/{session.execute(select(Worker.id).where(Worker.employee_number == 'E003')).scalar()}").status_code == 404


def test_worker_list_runs_a_fixed_number_of_queries(app, sites, make_user, login):
    site_a, _ = sites
    for number in range(30):
        add_worker(site_a, f"E{number:03d}", f"职工{number}")
        add_child(f"E{number:03d}")
    client = login(make_user(Role.HR_OFFICER, site_a))
    with recorded_statements() as statements:
        assert client.get("/workers/").status_code == 200
    assert len(statements) < 15, statements


def test_worker_searches_by_prefix_are_index_ranges_on_postgresql(app, company, sites, make_user,
                                                                    login):
    """Under the database's linguistic collation a plain index cannot serve ``LIKE 'term%'``, and
    every search read the whole table. Among a few thousand workers (planner statistics fresh),
    each searched column must be read as a range of its index (pattern operators ``~>=~``)."""
    if database_dialect(app) != "postgresql":
        pytest.skip("SQLite searches prefixes as ranges of plain indexes")
    site_a, _ = sites
    add_worker(site_a, "E001", "张大山", phone="13800138001")
    session.execute(insert(Worker.__table__), [
        {"employee_number": f"X{number:05d}", "name": "职工", "name_initials": "zg",
         "phone": f"150{number:08d}", "org_unit_id": site_a.id} for number in range(3000)])
    connection = session.connection()
    connection.exec_driver_sql("ANALYZE cb_worker")
    client = login(make_user(Role.HR_OFFICER, company))
    sent = []

    def record(_connection, _cursor, statement, parameters, *_args):
        if "count(" in statement and "FROM cb_worker" in statement:
            sent.append((statement, parameters))

    event.listen(connection.engine, "before_cursor_execute", record)
    try:
        for term, indexes in (("1380013", ("ix_cb_worker_phone", "ix_cb_worker_employee_number_prefix")),
                              ("zds", ("ix_cb_worker_name_initials", "ix_cb_worker_employee_number_prefix"))):
            sent.clear()
            assert "张大山" in client.get(f"/workers/?q={term}").text
            statement, parameters = sent[-1]
            plan = "\n".join(connection.exec_driver_sql("EXPLAIN " + statement, parameters).scalars())
            for index in indexes:
                assert index in plan, plan
            assert "~>=~" in plan and "Seq Scan on cb_worker" not in plan, plan
    finally:
        event.remove(connection.engine, "before_cursor_execute", record)


def test_worker_list_filters_count_each_worker_once(company, sites, make_unit, make_user, login):
    """Unit and category filters, alone and together, for a company-wide officer; a worker with
    two matching children is one worker (the count and the page use different SQL forms)."""
    site_a, site_b = sites
    team = make_unit(OrgKind.TEAM, parent=site_a, name="钢筋班组")
    add_worker(team, "E001", "张大山")
    add_worker(site_a, "E002", "李小红")
    add_worker(site_b, "E003", "王五")
    add_child("E001")
    add_child("E001", name="张小亮", birth_date="2017-06-06")
    add_child("E002", name="李大宝", birth_date="2008-01-01")  # 18: not left behind
    add_child("E003", name="王小五")
    client = login(make_user(Role.HR_OFFICER, company))

    def listed(query: str) -> tuple[str, list[str]]:
        text = client.get(f"/workers/?{query}").text
        total = text.split("共 ")[1].split(" 人")[0]
        return total, [name for name in ("张大山", "李小红", "王五") if name in text]

    assert listed("category=left_behind") == ("2", ["张大山", "王五"])
    assert listed(f"category=left_behind&unit={site_a.id}") == ("1", ["张大山"])
    assert listed(f"unit={site_a.id}") == ("2", ["张大山", "李小红"])
    assert listed(f"unit={team.id}") == ("1", ["张大山"])
    assert listed(f"category=left_behind&unit={site_a.id}&q=李") == ("0", [])


def test_every_view_of_a_child_is_audited(sites, make_user, login):
    site_a, _ = sites
    add_worker(site_a)
    child = add_child()
    client = login(make_user(Role.UNION_OFFICER, site_a))
    assert client.get(f"/children/{child.id}").status_code == 200
    client.get(f"/children/{child.id}")
    assert audit_actions("child").count("child.viewed") == 2


def test_child_of_another_site_is_forbidden(sites, make_user, login):
    site_a, site_b = sites
    add_worker(site_b)
    child = add_child()
    client = login(make_user(Role.HR_OFFICER, site_a))
    assert client.get(f"/children/{child.id}").status_code == 404
    assert "child.viewed" not in audit_actions("child")


def consented_child_with_id(site):
    add_worker(site)
    child = add_child()
    record_consent(child, guardian_name="张大山", method=ConsentMethod.PAPER, given_on=TODAY,
                   actor=SYSTEM, today=TODAY)
    add_child(id_number=CHILD_ID)
    return child


def test_id_numbers_are_masked_and_revealed_with_a_reason(sites, make_user, login):
    site_a, _ = sites
    child = consented_child_with_id(site_a)
    client = login(make_user(Role.HR_OFFICER, site_a))
    page = client.get(f"/children/{child.id}").text
    assert "110***********0016" in page and CHILD_ID not in page
    no_reason = submit(client, f"/children/{child.id}/reveal-id", {"reveal-reason": ""},
                       form_url=f"/children/{child.id}")
    assert CHILD_ID not in no_reason.text
    revealed = submit(client, f"/children/{child.id}/reveal-id", {"reveal-reason": "核对学籍信息"},
                      form_url=f"/children/{child.id}", follow_redirects=True)
    assert CHILD_ID in revealed.text and revealed.headers["Cache-Control"] == "no-store"
    reveal = session.execute(select(AuditEvent).where(AuditEvent.action == "child.id_revealed")).scalar_one()
    assert reveal.details == {"reason": "核对学籍信息"}


def test_union_officers_never_see_id_numbers(sites, make_user, login):
    site_a, _ = sites
    child = consented_child_with_id(site_a)
    client = login(make_user(Role.UNION_OFFICER, site_a))
    page = client.get(f"/children/{child.id}").text
    assert "110***" not in page and "reveal-form" not in page
    response = submit(client, f"/children/{child.id}/reveal-id", {"reveal-reason": "想看看看"},
                      form_url=f"/children/{child.id}")
    assert response.status_code == 403


def test_consent_recorded_and_withdrawn_through_the_page(sites, make_user, login):
    site_a, _ = sites
    add_worker(site_a)
    child = add_child()
    client = login(make_user(Role.HR_OFFICER, site_a))
    page = client.get(f"/children/{child.id}").text
    assert "尚无监护人同意" in page
    response = submit(client, f"/children/{child.id}/consent", {
        "consent-guardian_name": "张大山", "consent-method": "paper", "consent-given_on": "2026-11-20"},
        form_url=f"/children/{child.id}")
    assert response.status_code == 302
    assert "张大山 于 2026-11-20 同意" in client.get(f"/children/{child.id}").text
    add_child(school="希望小学")
    assert child.school == "希望小学"
    submit(client, f"/children/{child.id}/consent/withdraw", {"withdraw-reason": "家长要求"},
           form_url=f"/children/{child.id}")
    assert child.school is None
    assert {"child.consent_recorded", "child.consent_withdrawn"} <= set(audit_actions("child"))


def test_child_history_lists_changes_not_views(sites, make_user, login):
    site_a, _ = sites
    add_worker(site_a)
    child = add_child()
    add_child(has_disability="是")
    client = login(make_user(Role.HR_OFFICER, site_a))
    client.get(f"/children/{child.id}")
    history = client.get(f"/children/{child.id}").text.split('id="history"')[1]
    assert "修改儿童档案" in history and "是否残疾" in history and "查看儿童档案" not in history


def test_dashboard_counts_workers_and_children_in_scope(sites, make_user, login):
    site_a, site_b = sites
    add_worker(site_a, "E001")
    add_child("E001")
    add_worker(site_b, "E002", "李四")
    page = login(make_user(Role.SITE_MANAGER, site_a)).get("/").text
    assert 'data-figure="registry.workers_employed">1<' in page
    assert 'data-figure="registry.children_left_behind">1<' in page
    whole = login(make_user(Role.ADMIN)).get("/").text
    assert 'data-figure="registry.workers_employed">2<' in whole
    assert 'data-figure="registry.children_registered">1<' in whole


def test_editing_a_childs_name_and_birth_date_updates_the_same_record(sites, make_user, login):
    site_a, _ = sites
    add_worker(site_a)
    child = add_child()
    client = login(make_user(Role.HR_OFFICER, site_a))
    response = submit(client, f"/children/{child.id}/edit", {
        "name": "张晓明", "birth_date": "2015-06-06", "lives_in_home_area": "true"})
    assert response.status_code == 302 and response.location == f"/children/{child.id}"
    assert session.execute(select(Child.name)).scalars().all() == ["张晓明"]
    assert child.birth_date == date(2015, 6, 6)


def test_dashboard_caps_the_recent_activity_count(sites, make_user, login, monkeypatch):
    import plugin.dashboard.queries as dashboard_queries
    import plugin.dashboard.views as dashboard_views

    monkeypatch.setattr(dashboard_queries, "AUDIT_COUNT_CAP", 2)
    monkeypatch.setattr(dashboard_views, "AUDIT_COUNT_CAP", 2)
    site_a, _ = sites
    for number in range(4):
        add_worker(site_a, f"E{number:03d}")
    page = login(make_user(Role.ADMIN)).get("/").text
    assert 'data-count="audit">2+<' in page


def test_registering_a_taken_employee_number_is_refused(sites, make_user, login):
    site_a, _ = sites
    add_worker(site_a, "E001", "张大山")
    client = login(make_user(Role.HR_OFFICER, site_a))
    response = submit(client, "/workers/new", {"placement-unit": str(site_a.id), "employee_number": "E001",
                                               "name": "冒名者"})
    assert response.status_code == 422 and "工号已存在" in response.text
    assert session.execute(select(Worker.name)).scalars().all() == ["张大山"]


def test_worker_page_links_to_the_pages_about_that_worker_the_user_may_open(sites, make_user, login):
    site_a, _ = sites
    worker = add_worker(site_a)
    hr_page = login(make_user(Role.HR_OFFICER, site_a)).get(f"/workers/{worker.id}").text
    for path in (f"/pledges/workers/{worker.id}", f"/guardianship/workers/{worker.id}/record",
                 f"/guardianship/workers/{worker.id}/contacts",
                 f"/guardianship/workers/{worker.id}/agreements/new"):
        assert f'href="{path}"' in hr_page
    union_page = login(make_user(Role.UNION_OFFICER, site_a)).get(f"/workers/{worker.id}").text
    assert f'href="/pledges/workers/{worker.id}"' in union_page
    assert "agreements/new" not in union_page
