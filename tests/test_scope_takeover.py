"""Issue #13, findings 2, 3 and 9: no path takes over, or names, another site's records.

Roster imports (upload and command line), the child forms, the children import, the other
parent's employee number, the parent clash message and the agreement search all find workers
and children only within the actor's scope (:class:`plugin.access.scope.Scope`); a record of
another site reads as "not found" or is refused in words that name no one and no place. Pages
that name a record by id answer 404 outside the actor's subtree, and the child edit form's read
of the decrypted fields is audited.
"""
from __future__ import annotations

import io

import pytest
from sqlalchemy import delete, func, select

from plugin.access.checks import forget_cached_grants
from plugin.access.models import RoleGrant
from plugin.access.roles import Role
from plugin.access.scope import Scope
from plugin.audit.models import AuditEvent
from plugin.core.clock import local_today
from plugin.core.db import session
from plugin.core.errors import CareBridgeError
from plugin.core.host import Actor
from plugin.guardianship.services import create_agreement
from plugin.imports.jobs import run_queued_imports
from plugin.imports.models import ImportJob, ImportKind, ImportStatus
from plugin.imports.processing import run_import
from plugin.imports.services import create_job
from plugin.org.models import OrgKind
from plugin.registry.models import Child, ChildParent, Worker
from plugin.registry.permissions import CHILDREN_MANAGE
from plugin.registry.schema import CHILD_FIELDS, WORKER_FIELDS, parse_record
from plugin.registry.services import upsert_child, upsert_worker

from .conftest import SYSTEM, csrf_token, submit
from .guardianship_support import paper_draft
from .imports_support import CHILD_HEADER, WORKER_HEADER, csv_roster, id_number, worker, xlsx_roster

C_NUMBER = "C9001"
C_NAME = "丙职工甲"
C_PHONE = "13911112222"
#: A teenager's ID number (born 2010-01-01): over 14, so every field of the record is stored.
TEEN_ID = id_number(region="110105", birth="20100101", sequence="002")
OUT_OF_SCOPE = "不在您可以管理的范围内"


@pytest.fixture
def sites(make_unit):
    return make_unit(OrgKind.SITE, name="甲项目部"), make_unit(OrgKind.SITE, name="丙项目部")


@pytest.fixture
def c_worker(sites, make_worker):
    return make_worker(sites[1], employee_number=C_NUMBER, name=C_NAME, phone=C_PHONE)


@pytest.fixture
def c_child(c_worker, make_child):
    """A teenager of site C with everything sensitive filled in."""
    return make_child(c_worker, name="丙小孩", birth_date="2010-01-01", id_number=TEEN_ID,
                      address="丙县丙村 1 号", health_note="哮喘", carer_name="丙奶奶",
                      carer_phone="13722223333")


def actor_of(user) -> Actor:
    return Actor(key=user.key, name=user.display_name)


def child_values(**fields):
    raw = {"parent_role": "父亲", "name": "冒名顶替", "birth_date": "2010-01-01",
           "lives_in_home_area": "是", **fields}
    return parse_record(raw, CHILD_FIELDS, today=_today())


def _today():
    return local_today()  # the clock fixture's date


def assert_c_child_untouched(child):
    session.expire_all()
    child = session.get(Child, child.id)
    assert child.org_unit.name == "丙项目部"
    assert child.name == "丙小孩" and child.address == "丙县丙村 1 号" and child.health_note == "哮喘"
    assert child.carer_phone == "13722223333"
    assert [link.worker.employee_number for link in child.parent_links] == [C_NUMBER]


def assert_reveals_nothing_of_c(text: str):
    for secret in (C_NAME, "丙项目部", C_PHONE, "丙小孩", "丙县丙村", "哮喘", "13722223333"):
        assert secret not in text, secret


def error_text(rejected, row) -> str:
    return " ".join(str(error) for error in rejected[row])


def run_job(path, unit, actor, *, kind=ImportKind.WORKERS):
    """An upload's job run the way the scheduler runs it (its scope from its uploader)."""
    job = create_job(path, path.name, kind=kind, base_unit=unit, actor=actor, store_upload=False)
    rejected = {}
    job = run_import(job.id, path=path,
                     on_rejected=lambda row, errors: rejected.__setitem__(row, errors))
    return job, rejected


# --- finding 2: a roster import takes over another site's worker ------------------------------

def test_a_workers_import_at_site_a_cannot_take_over_site_cs_worker(sites, c_worker, make_user,
                                                                    clock, tmp_path):
    site_a, _ = sites
    officer = make_user(Role.HR_OFFICER, site_a)
    path = csv_roster(tmp_path / "r.csv", ["工号", "姓名", "手机号码"],
                      [[C_NUMBER, "冒名顶替", "13800000000"], ["A1001", "甲职工", "13800000001"]])
    job, rejected = run_job(path, site_a, actor_of(officer))
    assert (job.status, job.created_count, job.rejected_count) == (ImportStatus.DONE, 1, 1)
    message = error_text(rejected, 2)
    assert message == f"工号 {C_NUMBER} 不在您可以管理的范围内，请联系上级单位的人力资源部门核实"
    assert_reveals_nothing_of_c(message)
    session.expire_all()
    kept = session.get(Worker, c_worker.id)
    assert (kept.org_unit.name, kept.name, kept.phone) == ("丙项目部", C_NAME, C_PHONE)
    assert session.execute(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "worker.updated")).scalar_one() == 0


def test_a_dry_run_refuses_the_same_row(sites, c_worker, make_user, clock, tmp_path):
    site_a, _ = sites
    officer = make_user(Role.HR_OFFICER, site_a)
    path = csv_roster(tmp_path / "r.csv", ["工号", "姓名"], [[C_NUMBER, "冒名顶替"]])
    job = create_job(path, path.name, kind=ImportKind.WORKERS, base_unit=site_a,
                     actor=actor_of(officer), dry_run=True, store_upload=False)
    job = run_import(job.id, path=path)
    assert (job.updated_count, job.rejected_count) == (0, 1)


def test_an_upload_through_the_page_is_scoped_to_its_uploader(app, sites, c_worker, make_user,
                                                               login, clock, tmp_path):
    site_a, _ = sites
    client = login(make_user(Role.HR_OFFICER, site_a))
    content = csv_roster(tmp_path / "r.csv", ["工号", "姓名", "手机号码"],
                         [[C_NUMBER, "冒名顶替", "13800000000"]]).read_bytes()
    response = submit(client, "/imports/", {
        "file": (io.BytesIO(content), "r.csv"), "kind": "workers", "unit": str(site_a.id),
        "source": ""}, content_type="multipart/form-data")
    assert response.status_code == 302, response.text
    assert run_queued_imports() == 1
    job = session.execute(select(ImportJob)).scalar_one()
    session.expire_all()
    assert (job.updated_count, job.rejected_count) == (0, 1)
    page = client.get(f"/imports/{job.id}").text
    assert OUT_OF_SCOPE in page
    assert_reveals_nothing_of_c(page)
    assert session.get(Worker, c_worker.id).org_unit.name == "丙项目部"


def test_an_import_by_a_user_whose_grant_was_withdrawn_does_not_run(sites, c_worker, make_user,
                                                                    clock, tmp_path):
    site_a, _ = sites
    officer = make_user(Role.HR_OFFICER, site_a)
    path = csv_roster(tmp_path / "r.csv", ["工号", "姓名"], [["A1001", "甲职工"]])
    job = create_job(path, path.name, kind=ImportKind.WORKERS, base_unit=site_a,
                     actor=actor_of(officer), store_upload=False)
    session.execute(delete(RoleGrant).where(RoleGrant.user_key == officer.key))
    forget_cached_grants()
    job = run_import(job.id, path=path)
    assert job.status == ImportStatus.FAILED and job.failure["params"] == {"unit": "甲项目部"}
    assert session.execute(select(Worker).where(Worker.employee_number == "A1001")).first() is None


def test_the_command_line_is_scoped_to_its_unit(app, sites, c_worker, clock, tmp_path):
    site_a, _ = sites
    path = xlsx_roster(tmp_path / "r.xlsx", WORKER_HEADER,
                       [worker(C_NUMBER, "冒名顶替", site="甲项目部", team=None)])
    refused = app.test_cli_runner().invoke(
        args=["import-workers", str(path), "--unit", str(site_a.id)])
    assert refused.exit_code == 1, refused.output
    assert f"工号 {C_NUMBER} 不在您可以管理的范围内" in refused.output
    assert_reveals_nothing_of_c(refused.output)
    session.expire_all()
    assert session.get(Worker, c_worker.id).name == C_NAME
    # Without --unit the command acts for the whole company, as it always did.
    moved = app.test_cli_runner().invoke(args=["import-workers", str(path)])
    assert moved.exit_code == 0, moved.output
    session.expire_all()
    assert session.get(Worker, c_worker.id).org_unit.name == "甲项目部"


def test_batches_mixing_new_and_out_of_scope_workers_keep_the_new_ones(sites, c_worker, make_user,
                                                                       clock, tmp_path):
    site_a, _ = sites
    officer = make_user(Role.HR_OFFICER, site_a)
    rows = [worker(f"A{number}", f"甲{number}", site=None, team=None)
            for number in range(1001, 1006)]
    rows.insert(2, worker(C_NUMBER, "冒名顶替", site=None, team=None, sequence=500))
    job, rejected = run_job(xlsx_roster(tmp_path / "r.xlsx", WORKER_HEADER, rows), site_a,
                            actor_of(officer))
    assert (job.created_count, job.rejected_count) == (5, 1)
    assert list(rejected) == [6] and OUT_OF_SCOPE in error_text(rejected, 6)
    session.expire_all()
    assert session.get(Worker, c_worker.id).org_unit.name == "丙项目部"


def test_the_worker_form_refuses_another_sites_number_without_naming_it(sites, c_worker, make_user,
                                                                        login, clock):
    site_a, _ = sites
    client = login(make_user(Role.HR_OFFICER, site_a))
    response = submit(client, "/workers/new", {
        "placement-unit": str(site_a.id), "employee_number": C_NUMBER, "name": "冒名顶替",
        "phone": "13800000000"})
    assert response.status_code == 422 and OUT_OF_SCOPE in response.text
    assert_reveals_nothing_of_c(response.text)
    session.expire_all()
    assert session.get(Worker, c_worker.id).name == C_NAME


def test_upsert_worker_places_workers_only_within_the_scope(sites, c_worker, make_user, clock):
    site_a, site_c = sites
    officer = actor_of(make_user(Role.HR_OFFICER, site_a))
    values = parse_record({"employee_number": "A1001", "name": "甲职工"}, WORKER_FIELDS,
                          today=_today())
    with pytest.raises(CareBridgeError) as refused:
        upsert_worker(values, unit=site_c, actor=officer)
    assert refused.value.field == "site" and OUT_OF_SCOPE in refused.value.localized()
    assert session.execute(select(Worker).where(Worker.employee_number == "A1001")).first() is None
    with pytest.raises(CareBridgeError) as taken:
        upsert_worker(parse_record({"employee_number": C_NUMBER, "name": "冒名顶替"}, WORKER_FIELDS,
                                   today=_today()), unit=site_a, actor=officer)
    assert taken.value.localized() == (f"工号 {C_NUMBER} 不在您可以管理的范围内，"
                                       "请联系上级单位的人力资源部门核实")
    assert upsert_worker(values, unit=site_a, actor=officer).created


# --- finding 3: the child form and the children import ----------------------------------------

def test_the_add_child_form_cannot_take_over_a_child_by_its_id_number(sites, c_child, make_worker,
                                                                      make_user, login, clock):
    site_a, _ = sites
    a_worker = make_worker(site_a, employee_number="A1001", name="甲职工")
    client = login(make_user(Role.HR_OFFICER, site_a))
    response = submit(client, f"/workers/{a_worker.id}/children/new", {
        "parent_role": "father", "name": "冒名顶替", "birth_date": "2010-01-01",
        "id_number": TEEN_ID, "lives_in_home_area": "true", "address": "甲县甲村",
        "health_note": "健康", "carer_phone": "13600000000"})
    assert response.status_code == 422
    assert "身份证号码与已登记的另一条记录重复" in response.text
    assert_reveals_nothing_of_c(response.text)
    assert_c_child_untouched(c_child)
    assert session.execute(select(func.count()).select_from(Child)).scalar_one() == 1
    # ...so the full ID number cannot be revealed from site A either.
    assert client.get(f"/children/{c_child.id}").status_code == 404
    assert submit(client, f"/children/{c_child.id}/reveal-id", {"reveal-reason": "核对学籍信息"},
                  form_url=f"/workers/{a_worker.id}").status_code == 404


def test_upsert_child_finds_children_only_within_the_scope(sites, c_child, make_worker, make_user,
                                                           clock):
    site_a, _ = sites
    make_worker(site_a, employee_number="A1001")
    officer = actor_of(make_user(Role.HR_OFFICER, site_a))
    with pytest.raises(CareBridgeError) as refused:
        upsert_child(child_values(parent_employee_number="A1001", id_number=TEEN_ID,
                                  address="甲县甲村"), actor=officer, today=_today())
    assert (refused.value.field, str(refused.value)) == ("id_number", "身份证号码与已登记的另一条记录重复")
    assert_c_child_untouched(c_child)
    # A company-wide officer still recognises the child by its ID number.
    company_wide = actor_of(make_user(Role.HR_OFFICER))
    outcome = upsert_child(child_values(parent_employee_number=C_NUMBER, id_number=TEEN_ID,
                                        name="丙小孩", lives_in_home_area="否", school="丙县小学"),
                           actor=company_wide, today=_today())
    assert outcome.record.id == c_child.id and outcome.changed == ["school"]


def test_a_children_import_at_site_a_cannot_use_a_site_c_parent(sites, c_worker, make_user, clock,
                                                                tmp_path):
    site_a, _ = sites
    officer = make_user(Role.HR_OFFICER, site_a)
    path = xlsx_roster(tmp_path / "c.xlsx", CHILD_HEADER,
                       [[C_NUMBER, "父亲", "冒名孩子", "2016-05-05", "祖父母", "是"]])
    job, rejected = run_job(path, site_a, actor_of(officer), kind=ImportKind.CHILDREN)
    assert (job.created_count, job.rejected_count) == (0, 1)
    message = error_text(rejected, 4)
    assert message == f"找不到工号为 {C_NUMBER} 的职工（请先导入职工）"
    assert_reveals_nothing_of_c(message)
    assert session.execute(select(func.count()).select_from(Child)).scalar_one() == 0


def test_a_children_import_cannot_take_over_a_child_by_its_id_number(sites, c_child, make_worker,
                                                                     make_user, clock, tmp_path):
    site_a, _ = sites
    make_worker(site_a, employee_number="A1001")
    officer = make_user(Role.HR_OFFICER, site_a)
    path = xlsx_roster(tmp_path / "c.xlsx", [*CHILD_HEADER, "身份证号码", "现住址"],
                       [["A1001", "父亲", "冒名顶替", "2010-01-01", "祖父母", "是", TEEN_ID, "甲县"]])
    job, rejected = run_job(path, site_a, actor_of(officer), kind=ImportKind.CHILDREN)
    assert (job.created_count, job.updated_count, job.rejected_count) == (0, 0, 1)
    assert error_text(rejected, 4) == "身份证号码与已登记的另一条记录重复"
    assert_c_child_untouched(c_child)


def test_the_other_parent_must_be_in_scope_and_is_never_named(sites, c_worker, make_worker,
                                                              make_user, login, clock):
    site_a, _ = sites
    a_worker = make_worker(site_a, employee_number="A1001", name="甲职工")
    client = login(make_user(Role.HR_OFFICER, site_a))
    response = submit(client, f"/workers/{a_worker.id}/children/new", {
        "parent_role": "father", "other_parent_employee_number": C_NUMBER, "name": "甲小孩",
        "birth_date": "2016-05-05", "lives_in_home_area": "true"})
    assert response.status_code == 422
    assert f"找不到工号为 {C_NUMBER} 的职工" in response.text
    assert_reveals_nothing_of_c(response.text)
    assert session.execute(select(func.count()).select_from(ChildParent).where(
        ChildParent.worker_id == c_worker.id)).scalar_one() == 0


def test_a_parent_clash_does_not_name_another_sites_worker(sites, c_worker, make_worker, make_user,
                                                           clock):
    """A company-wide officer registered a child of a site-A mother and a site-C father; a
    site-A officer naming another father learns that there is one, not who."""
    site_a, _ = sites
    make_worker(site_a, employee_number="A1001", name="甲妈妈")
    make_worker(site_a, employee_number="A1002", name="甲爸爸")
    child = upsert_child(child_values(parent_employee_number=C_NUMBER, name="两地孩子",
                                      other_parent_employee_number="A1001"),
                         actor=SYSTEM, today=_today()).record
    upsert_child(child_values(parent_employee_number="A1001", parent_role="母亲", name="两地孩子"),
                 actor=SYSTEM, today=_today())  # the child now belongs to the mother's site
    assert child.org_unit_id == site_a.id
    officer = actor_of(make_user(Role.HR_OFFICER, site_a))
    with pytest.raises(CareBridgeError) as clash:
        upsert_child(child_values(parent_employee_number="A1001", parent_role="母亲", name="两地孩子",
                                  other_parent_employee_number="A1002"),
                     actor=officer, today=_today())
    assert clash.value.message == "该儿童已登记了另一位%(role)s"
    assert clash.value.localized() == "该儿童已登记了另一位父亲"
    # Within the scope the clash still names the worker, as before.
    with pytest.raises(CareBridgeError) as named:
        upsert_child(child_values(parent_employee_number=C_NUMBER, name="两地孩子",
                                  other_parent_employee_number="A1002", parent_role="父亲"),
                     actor=SYSTEM, today=_today())
    assert "A1001" in named.value.localized()


def test_a_child_registered_with_another_site_is_not_duplicated_or_taken(sites, c_worker, make_user,
                                                                         make_worker, clock):
    """The parent moved from site C to site A; their child's record stayed with site C."""
    site_a, site_c = sites
    child = upsert_child(child_values(parent_employee_number=C_NUMBER, name="留下的孩子",
                                      address="丙县"), actor=SYSTEM, today=_today()).record
    upsert_worker(parse_record({"employee_number": C_NUMBER, "name": C_NAME}, WORKER_FIELDS,
                               today=_today()), unit=site_a, actor=SYSTEM)
    officer = actor_of(make_user(Role.HR_OFFICER, site_a))
    with pytest.raises(CareBridgeError) as refused:
        upsert_child(child_values(parent_employee_number=C_NUMBER, name="留下的孩子", address="甲县"),
                     actor=officer, today=_today())
    assert OUT_OF_SCOPE in refused.value.localized()
    session.expire_all()
    kept = session.get(Child, child.id)
    assert (kept.org_unit_id, kept.address) == (site_c.id, "丙县")
    assert session.execute(select(func.count()).select_from(Child)).scalar_one() == 1


def test_the_child_page_does_not_name_a_parent_of_another_site(sites, c_worker, make_worker,
                                                               make_user, login, clock):
    site_a, _ = sites
    make_worker(site_a, employee_number="A1001", name="甲妈妈")
    child = upsert_child(child_values(parent_employee_number="A1001", parent_role="母亲",
                                      name="两地孩子", other_parent_employee_number=C_NUMBER),
                         actor=SYSTEM, today=_today()).record
    page = login(make_user(Role.HR_OFFICER, site_a)).get(f"/children/{child.id}").text
    assert "甲妈妈" in page and C_NAME not in page and 'data-parent="elsewhere"' in page
    assert "甲妈妈" in login(make_user(Role.HR_OFFICER)).get(f"/children/{child.id}").text


def test_the_agreement_form_names_no_parent_of_another_site_and_audits_the_carer_it_shows(
        sites, c_worker, make_worker, make_user, login, clock):
    site_a, _ = sites
    mother = make_worker(site_a, employee_number="A1001", name="甲妈妈")
    child = upsert_child(child_values(parent_employee_number="A1001", parent_role="母亲",
                                      name="两地孩子", other_parent_employee_number=C_NUMBER,
                                      birth_date="2010-01-01", carer_name="甲外婆",
                                      carer_phone="13755556666"),
                         actor=SYSTEM, today=_today()).record
    page = login(make_user(Role.HR_OFFICER, site_a)).get(
        f"/guardianship/workers/{mother.id}/agreements/new").text
    assert C_NAME not in page and C_NUMBER not in page and "其他单位的职工" in page
    assert "13755556666" in page  # the carer pre-filled from the child's record…
    viewed = session.execute(select(AuditEvent).where(
        AuditEvent.action == "child.viewed", AuditEvent.target_id == str(child.id))).scalars().all()
    assert [event.details for event in viewed] == [{"page": "agreement_form"}]  # …is an audited read
    company_wide = login(make_user(Role.HR_OFFICER)).get(
        f"/guardianship/workers/{mother.id}/agreements/new").text
    assert f"{C_NAME}（{C_NUMBER}）" in company_wide


def test_a_child_whose_parents_all_moved_away_is_not_edited_through_them(
        sites, make_worker, make_user, login, clock):
    """The child stayed with site A; its only parent now works at site C."""
    site_a, site_c = sites
    parent = make_worker(site_a, employee_number="A1001", name="调走的爸爸")
    child = upsert_child(child_values(parent_employee_number="A1001", name="甲小孩"),
                         actor=SYSTEM, today=_today()).record
    upsert_worker(parse_record({"employee_number": "A1001", "name": "调走的爸爸"}, WORKER_FIELDS,
                               today=_today()), unit=site_c, actor=SYSTEM)
    client = login(make_user(Role.HR_OFFICER, site_a))
    response = client.get(f"/children/{child.id}/edit")
    assert response.status_code == 302 and response.location == f"/children/{child.id}"
    page = client.get(response.location).text
    assert "这名儿童的家长不在您可以管理的范围内" in page
    assert "调走的爸爸" not in page and "A1001" not in page
    assert f'/workers/{parent.id}"' not in page and 'data-parent="elsewhere"' in page
    assert [event.details for event in session.execute(select(AuditEvent).where(
        AuditEvent.action == "child.viewed")).scalars()] == [None]


def test_the_agreement_search_resolves_numbers_only_within_the_scope(sites, c_worker, make_worker,
                                                                     make_user, login, clock):
    site_a, _ = sites
    a_worker = make_worker(site_a, employee_number="A1001")
    client = login(make_user(Role.HR_OFFICER, site_a))
    outside = client.get(f"/guardianship/agreements/new?employee_number={C_NUMBER}")
    assert outside.status_code == 302 and str(c_worker.id) not in outside.location
    assert outside.location.endswith("/guardianship/agreements/")
    listing = client.get(outside.location).text
    assert "找不到这个工号的职工" in listing and C_NAME not in listing
    inside = client.get("/guardianship/agreements/new?employee_number=a1001")
    assert inside.location.endswith(f"/guardianship/workers/{a_worker.id}/agreements/new")


# --- finding 9 (part): the child edit form's read is audited ----------------------------------

def test_opening_the_child_edit_form_is_audited(sites, make_worker, make_child, make_user, login,
                                                clock):
    site_a, _ = sites
    parent = make_worker(site_a)
    child = make_child(parent, birth_date="2010-01-01", address="甲县甲村", health_note="过敏",
                       carer_phone="13700001111")
    client = login(make_user(Role.HR_OFFICER, site_a))
    form = client.get(f"/children/{child.id}/edit")
    assert form.status_code == 200 and "甲县甲村" in form.text and "13700001111" in form.text
    views = session.execute(select(AuditEvent).where(
        AuditEvent.action == "child.viewed", AuditEvent.target_id == str(child.id))).scalars().all()
    assert [event.details for event in views] == [{"page": "edit"}]


def test_a_refused_reveal_shows_no_record_and_so_audits_nothing(sites, make_worker, make_child,
                                                                 make_user, login, clock):
    """A refused request stores nothing, audit rows included: the refused reveal is shown again
    with the masked number and the form only, so it reads nothing of the record to audit."""
    site_a, _ = sites
    child = make_child(make_worker(site_a), birth_date="2010-01-01", id_number=TEEN_ID)
    client = login(make_user(Role.HR_OFFICER, site_a))
    token_page = client.get(f"/children/{child.id}")
    before = views_of(child)
    refused = client.post(f"/children/{child.id}/reveal-id",
                          data={"csrf_token": csrf_token(token_page.text), "reveal-reason": ""})
    assert refused.status_code == 422 and TEEN_ID not in refused.text
    assert "reveal-form" in refused.text and "history" not in refused.text
    assert views_of(child) == before


def views_of(child) -> int:
    return session.execute(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "child.viewed", AuditEvent.target_id == str(child.id))).scalar_one()


# --- records named by id: 404 outside the actor's subtree --------------------------------------

def test_pages_naming_another_sites_record_answer_404(sites, c_child, c_worker, make_user, login,
                                                      clock, tmp_path):
    site_a, site_c = sites
    agreement = create_agreement(c_worker, paper_draft([c_child]), actor=SYSTEM, today=_today())
    job = create_job(csv_roster(tmp_path / "r.csv", ["工号", "姓名"], [["C9002", "丙二"]]),
                     "r.csv", kind=ImportKind.WORKERS, base_unit=site_c, actor=SYSTEM)
    session.flush()
    urls = [
        f"/workers/{c_worker.id}", f"/workers/{c_worker.id}/edit",
        f"/workers/{c_worker.id}/children/new", f"/children/{c_child.id}",
        f"/children/{c_child.id}/edit",
        f"/guardianship/workers/{c_worker.id}/agreements/new",
        f"/guardianship/workers/{c_worker.id}/contacts",
        f"/guardianship/workers/{c_worker.id}/record",
        f"/guardianship/agreements/{agreement.id}",
        f"/guardianship/agreements/{agreement.id}/agreement.pdf",
        f"/guardianship/agreements/{agreement.id}/scan",
        f"/guardianship/agreements/{agreement.id}/notices/school/{c_child.id}.pdf",
        f"/imports/{job.id}", f"/imports/{job.id}/progress", f"/imports/{job.id}/errors",
        f"/imports/{job.id}/columns",
    ]
    posts = [f"/children/{c_child.id}/reveal-id", f"/children/{c_child.id}/consent",
             f"/children/{c_child.id}/consent/withdraw",
             f"/guardianship/agreements/{agreement.id}/end",
             f"/guardianship/workers/{c_worker.id}/record", f"/imports/{job.id}/discard"]
    officer = login(make_user(Role.HR_OFFICER, site_a))
    token = csrf_token(officer.get("/workers/new").text)
    for url in urls:
        response = officer.get(url)
        assert response.status_code == 404, url
        assert_reveals_nothing_of_c(response.text)
    for url in posts:
        assert officer.post(url, data={"csrf_token": token}).status_code == 404, url
    # A nonexistent id reads the same, and an id too large for the database too.
    for url in ("/workers/999999", "/children/999999", "/guardianship/agreements/999999",
                "/imports/999999", f"/workers/{2**40}", f"/children/{2**63}"):
        assert officer.get(url).status_code == 404, url
    # The site's own officer still reaches them all.
    own = login(make_user(Role.HR_OFFICER, site_c))
    for url in (f"/workers/{c_worker.id}", f"/children/{c_child.id}/edit",
                f"/guardianship/agreements/{agreement.id}", f"/imports/{job.id}"):
        assert own.get(url).status_code == 200, url


def test_anonymous_visitors_learn_nothing_from_ids(sites, c_child, client):
    for url in (f"/children/{c_child.id}", "/children/999999"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.location, url


def test_seeing_but_not_managing_is_still_403(sites, c_child, make_user, login):
    _, site_c = sites
    manager = login(make_user(Role.SITE_MANAGER, site_c))
    assert manager.get(f"/children/{c_child.id}").status_code == 200
    assert manager.get(f"/children/{c_child.id}/edit").status_code == 403


# --- the scope itself --------------------------------------------------------------------------

def test_scopes_intersect_fold_and_cover(sites, make_unit):
    site_a, site_c = sites
    team = make_unit(OrgKind.TEAM, parent=site_a)
    a, c = Scope.of_unit(site_a), Scope.of_unit(site_c)
    assert a.covers(team) and a.covers(site_a) and not a.covers(site_c)
    assert not a.within(c) and a.within(Scope.company()) == a and Scope.company().within(a) == a
    assert Scope.of_unit(team).within(a) == Scope.of_unit(team) == a.within(Scope.of_unit(team))
    assert Scope.of_paths([site_a.path, team.path]).paths == (site_a.path,)
    assert not Scope() and not Scope().covers(site_a) and Scope.company().covers(site_c)
    assert Scope.of_actor(SYSTEM, CHILDREN_MANAGE) == Scope.company()
