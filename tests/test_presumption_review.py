"""Presumptions to confirm: the list of children whose categories rest on a presumption or could
not be decided, the bulk fill of one fact for many children, and the dashboard's links to it."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from plugin.access.roles import Role
from plugin.audit.models import AuditEvent
from plugin.core.db import session
from plugin.org.models import OrgKind
from plugin.registry.categories import ParentStatus
from plugin.registry.models import Child, Worker
from plugin.registry.schema import CHILD_FIELDS, WORKER_FIELDS, parse_record
from plugin.registry.services import parse_presumed, upsert_child, upsert_worker

from .conftest import SYSTEM, csrf_token
from .support import recorded_statements

TODAY = date(2026, 11, 22)
REVIEW = "/children/review/"
FILL = "/children/review/fill"


@pytest.fixture
def sites(make_unit):
    return make_unit(OrgKind.SITE, name="甲项目部"), make_unit(OrgKind.SITE, name="乙项目部")


def add_worker(unit, number, name, **extra):
    values = parse_record({"employee_number": number, "name": name, **extra}, WORKER_FIELDS,
                          today=TODAY)
    return upsert_worker(values, unit=unit, actor=SYSTEM).record


def add_child(number, name, **extra):
    raw = {"parent_employee_number": number, "parent_role": "父亲", "name": name,
           "birth_date": "2016-05-05", "lives_in_home_area": "是", **extra}
    values = parse_record({key: value for key, value in raw.items() if value is not None},
                          CHILD_FIELDS, today=TODAY)
    return upsert_child(values, actor=SYSTEM, today=TODAY).record


def presumed_mother(unit, number, name, child_name, **child_extra):
    """A worker (father) here since 2024 whose wife works away since a date nobody recorded:
    the child is left-behind on the presumption that she has been away six months."""
    add_worker(unit, number, name, entry_date="2024-03-01", other_parent_status="外出务工")
    return add_child(number, child_name, **child_extra)


@pytest.fixture
def family(sites):
    """Site 甲: 赵一一 left-behind on a presumed ``mother.since``; 钱二二 whose residence is not
    recorded; 孙三三 fully known. Site 乙: 李四四, left-behind on a presumption too."""
    site_a, site_b = sites
    presumed = presumed_mother(site_a, "A001", "赵大山", "赵一一")
    add_worker(site_a, "A002", "钱大海", entry_date="2024-03-01", other_parent_status="在家",
               other_parent_capable="否")
    undetermined = add_child("A002", "钱二二", lives_in_home_area=None)
    add_worker(site_a, "A003", "孙大江", entry_date="2024-03-01", other_parent_status="在家",
               other_parent_capable="否")
    known = add_child("A003", "孙三三")
    theirs = presumed_mother(site_b, "B001", "李大河", "李四四")
    session.commit()  # into the test's savepoint: a refused request rolls back its own work only
    assert parse_presumed(presumed.categories_presumed) == {"left_behind": ("mother.since",)}
    assert undetermined.categories_missing.split() == ["lives_in_home_area"]
    assert not known.categories_missing and not known.categories_presumed
    return {"presumed": presumed, "undetermined": undetermined, "known": known, "theirs": theirs,
            "site_a": site_a, "site_b": site_b}


def fill(client, **data):
    token = csrf_token(client.get(REVIEW).text)
    return client.post(FILL, data={"csrf_token": token, **data})


def worker(number) -> Worker:
    return session.execute(select(Worker).where(Worker.employee_number == number)).scalar_one()


def audit_rows():
    return [(event.action, event.target_type, event.target_id, event.details)
            for event in session.execute(select(AuditEvent).where(
                AuditEvent.action.in_(("worker.updated", "child.updated")))
                .order_by(AuditEvent.id)).scalars()]


def snapshot():
    """The registry's rows as stored (the refused requests must leave them as they were)."""
    session.expire_all()
    workers = [(w.id, w.works_away_since, w.other_parent_status, w.other_parent_since,
                w.other_parent_capable) for w in session.execute(select(Worker)).scalars()]
    children = [(c.id, c.lives_in_home_area, c.left_behind, c.categories_presumed,
                 c.categories_missing) for c in session.execute(select(Child)).scalars()]
    return sorted(workers), sorted(children), audit_rows()


# -- the list ------------------------------------------------------------------------------------

def test_the_care_team_lists_presumptions_and_undetermined_children_in_scope(
        family, make_user, login):
    client = login(make_user(Role.CARE_WORKER, family["site_a"]))
    page = client.get(REVIEW)
    assert page.status_code == 200
    text = page.text
    assert "共 2 名儿童" in text
    # masked names, linked to the record; the parent named with the employee number
    assert "赵**" in text and "赵一一" not in text and "钱**" in text and "钱二二" not in text
    assert f'/children/{family["presumed"].id}"' in text
    assert "赵大山" in text and "A001" in text and "甲项目部" in text
    assert "母亲的状况未登记起始日期，推定已满六个月" in text
    assert 'data-missing="lives_in_home_area"' in text and "缺少：是否在户籍地生活" in text
    # the fully known child and the other site's are not listed
    assert "孙**" not in text and "李**" not in text and "李大河" not in text and "B001" not in text
    # counts per fact at the top, each a filter
    assert 'data-fact-count="mother.since"' in text and 'data-fact-count="lives_in_home_area"' in text
    assert "母亲状况起始日期：1 名" in text
    # the care team confirms; it does not fill
    assert 'id="bulk-fill"' not in text

    filtered = client.get(REVIEW + "?fact=lives_in_home_area").text
    assert "共 1 名儿童" in filtered and "钱**" in filtered and "赵**" not in filtered
    presumed_only = client.get(REVIEW + "?category=left_behind").text
    assert "共 1 名儿童" in presumed_only and "赵**" in presumed_only
    # a unit outside the scope is no filter at all (and names nothing)
    other_unit = client.get(REVIEW + f"?unit={family['site_b'].id}").text
    assert "共 2 名儿童" in other_unit and "乙项目部" not in other_unit


def test_users_without_children_view_are_refused(family, make_user, login):
    client = login(make_user(Role.REPORT_OFFICER, family["site_a"]))
    assert client.get(REVIEW).status_code == 403
    token = csrf_token(client.get("/").text)
    assert client.post(FILL, data={"csrf_token": token}).status_code == 403


def test_the_list_runs_a_fixed_number_of_queries(family, make_user, login):
    client = login(make_user(Role.HR_OFFICER, family["site_a"]))
    url = REVIEW + "?fact=mother.since"
    client.get(url)
    with recorded_statements() as few:
        assert "共 1 名儿童" in client.get(url).text
    for number in range(5):
        presumed_mother(family["site_a"], f"A1{number:02d}", f"周大{number}", f"周小{number}")
    session.commit()
    with recorded_statements() as many:
        assert "共 6 名儿童" in client.get(url).text
    assert len(many) == len(few), many


def test_the_officer_sees_the_bulk_form_for_a_fillable_fact_only(family, make_user, login):
    client = login(make_user(Role.HR_OFFICER, family["site_a"]))
    assert 'id="bulk-fill"' not in client.get(REVIEW).text
    page = client.get(REVIEW + "?fact=mother.since").text
    assert 'id="bulk-fill"' in page and 'type="date"' in page
    assert f'name="child" value="{family["presumed"].id}"' in page
    assert "全部 1 名符合筛选条件的儿童" in page
    assert 'id="bulk-fill"' in client.get(REVIEW + "?fact=lives_in_home_area").text


# -- the bulk fill -------------------------------------------------------------------------------

def test_filling_the_mothers_start_confirms_the_left_behind_child(family, make_user, login, clock):
    client = login(make_user(Role.HR_OFFICER, family["site_a"]))
    child = family["presumed"]
    response = fill(client, fact="mother.since", value="2025-01-10", child=str(child.id))
    assert response.status_code == 302, response.text
    assert "fact=mother.since" in response.headers["Location"]
    notice = client.get(response.headers["Location"]).text
    assert "已为 1 名儿童填写“母亲状况起始日期”" in notice and "儿童的类别没有改变" in notice

    session.expire_all()
    father = worker("A001")
    assert father.other_parent_since == date(2025, 1, 10)
    assert father.other_parent_status == ParentStatus.WORKS_AWAY
    child = session.get(Child, child.id)
    assert child.left_behind is True and child.categories_presumed == ""
    assert audit_rows() == [("worker.updated", "worker", str(father.id),
                             {"fields": ["other_parent_since"], "bulk": True})]
    # confirmed: no longer listed under the fact
    assert "共 0 名儿童" in client.get(REVIEW + "?fact=mother.since").text


def test_a_recent_start_takes_the_child_off_the_left_behind_count(family, make_user, login, clock):
    client = login(make_user(Role.HR_OFFICER, family["site_a"]))
    child = family["presumed"]
    response = fill(client, fact="mother.since", value="2026-10-01", child=str(child.id))
    assert response.status_code == 302, response.text
    notice = client.get(response.headers["Location"]).text
    assert "1 名儿童的类别随之改变" in notice and "农村留守儿童减少 1 名" in notice
    session.expire_all()
    assert session.get(Child, child.id).left_behind is False


def test_a_mother_who_works_here_gets_her_own_start_date(sites, make_user, login, clock):
    """Both parents are workers of the company: the mother's start is her own record's
    ``works_away_since``, never the father's ``other_parent_since``."""
    site_a, _ = sites
    add_worker(site_a, "M001", "吴大妈")  # no entry date: her start is presumed
    add_worker(site_a, "F001", "郑大爷", entry_date="2024-03-01", other_parent_status="在家")
    child = add_child("F001", "郑小小", other_parent_employee_number="M001")
    sibling = add_child("M001", "郑小二", parent_role="母亲", birth_date="2018-01-01")
    session.commit()
    assert "mother.since" in parse_presumed(child.categories_presumed)["left_behind"]
    client = login(make_user(Role.HR_OFFICER, site_a))
    response = fill(client, fact="mother.since", value="2025-02-02", child=str(child.id))
    assert response.status_code == 302, response.text
    session.expire_all()
    assert worker("M001").works_away_since == date(2025, 2, 2)
    assert worker("F001").other_parent_since is None
    # the mother's other child is recomputed too: no longer presumed either
    assert "mother.since" not in session.get(Child, sibling.id).categories_presumed
    assert [row[0] for row in audit_rows()] == ["worker.updated"]


def test_a_status_read_from_the_situation_is_recorded_with_its_start(sites, make_user, login,
                                                                     clock):
    site_a, _ = sites
    add_worker(site_a, "S001", "冯大哥", entry_date="2024-03-01")
    child = add_child("S001", "冯小妹", living_situation="父母均外出，由亲戚照看")
    session.commit()
    assert parse_presumed(child.categories_presumed)["left_behind"] == ("mother.since",)
    client = login(make_user(Role.HR_OFFICER, site_a))
    response = fill(client, fact="mother.since", value="2025-03-03", child=str(child.id))
    assert response.status_code == 302, response.text
    session.expire_all()
    father = worker("S001")
    assert father.other_parent_status == ParentStatus.WORKS_AWAY
    assert father.other_parent_since == date(2025, 3, 3)
    assert session.get(Child, child.id).categories_presumed == ""
    assert audit_rows()[-1][3] == {"fields": ["other_parent_since", "other_parent_status"],
                                   "bulk": True}


def test_a_capacity_recorded_decides_the_child(sites, make_user, login, clock):
    """The mother at home, her capacity not recorded: presumed capable, so not left-behind;
    recorded as not capable, the child is left-behind."""
    site_a, _ = sites
    add_worker(site_a, "C001", "陈大哥", entry_date="2024-03-01", other_parent_status="在家")
    child = add_child("C001", "陈小妹")
    session.commit()
    assert child.left_behind is False
    assert parse_presumed(child.categories_presumed)["left_behind"] == ("mother.capable",)
    client = login(make_user(Role.HR_OFFICER, site_a))
    response = fill(client, fact="mother.capable", value="否", child=str(child.id))
    assert response.status_code == 302, response.text
    assert "农村留守儿童增加 1 名" in client.get(response.headers["Location"]).text
    session.expire_all()
    assert worker("C001").other_parent_capable is False
    child = session.get(Child, child.id)
    assert child.left_behind is True and child.categories_presumed == ""


def test_a_parent_at_another_site_is_not_changed(sites, make_user, login, clock):
    site_a, site_b = sites
    add_worker(site_b, "M009", "何大妈")  # no entry date: her start is presumed
    add_worker(site_a, "F009", "何大爷", entry_date="2024-03-01")
    child = add_child("F009", "何小小", other_parent_employee_number="M009")
    session.commit()
    assert "mother.since" in child.categories_presumed
    client = login(make_user(Role.HR_OFFICER, site_a))
    before = snapshot()
    response = fill(client, fact="mother.since", value="2025-02-02", child=str(child.id))
    assert response.status_code == 422
    assert "家长不在您可以管理的范围内" in response.text and "M009" not in response.text
    assert snapshot() == before


def test_all_matching_the_filter_and_a_yes_no_fact(family, make_user, login, clock):
    site_a = family["site_a"]
    more = [add_child("A002", f"钱小{number}", lives_in_home_area=None) for number in range(2)]
    session.commit()
    client = login(make_user(Role.HR_OFFICER, site_a))
    page = client.get(REVIEW + "?fact=lives_in_home_area").text
    assert "全部 3 名符合筛选条件的儿童" in page
    response = client.post(FILL, data={"csrf_token": csrf_token(page), "fact": "lives_in_home_area",
                                       "value": "是", "all_matching": "y", "expected": "3"})
    assert response.status_code == 302, response.text
    notice = client.get(response.headers["Location"]).text
    assert "已为 3 名儿童填写“是否在户籍地生活”" in notice and "农村留守儿童增加 3 名" in notice
    session.expire_all()
    for child in (family["undetermined"], *more):
        child = session.get(Child, child.id)
        assert child.lives_in_home_area is True and child.left_behind is True
    assert sorted(row[2] for row in audit_rows()) == sorted(
        str(child.id) for child in (family["undetermined"], *more))
    assert all(row[:2] == ("child.updated", "child") and row[3] == {
        "fields": ["lives_in_home_area"], "bulk": True} for row in audit_rows())


def test_all_matching_is_refused_when_the_list_has_changed(family, make_user, login, clock):
    client = login(make_user(Role.HR_OFFICER, family["site_a"]))
    before = snapshot()
    response = fill(client, fact="lives_in_home_area", value="否", all_matching="y", expected="4")
    assert response.status_code == 422
    assert "符合条件的儿童已有变化（现有 1 名）" in response.text
    assert snapshot() == before


# -- refusals: nothing written -------------------------------------------------------------------

def test_a_child_of_another_site_is_not_found_and_nothing_is_written(family, make_user, login,
                                                                       clock):
    client = login(make_user(Role.HR_OFFICER, family["site_a"]))
    before = snapshot()
    ids = [str(family["presumed"].id), str(family["theirs"].id)]
    response = fill(client, fact="mother.since", value="2025-01-10", child=ids)
    assert response.status_code == 422
    assert "找不到所选的部分儿童" in response.text
    assert "李**" not in response.text and "李大河" not in response.text
    assert snapshot() == before
    # the same words as for a child that does not exist
    nobody = fill(client, fact="mother.since", value="2025-01-10", child="2000000000")
    assert nobody.status_code == 422 and "找不到所选的部分儿童" in nobody.text
    assert snapshot() == before


def test_the_care_team_cannot_fill(family, make_user, login):
    client = login(make_user(Role.CARE_WORKER, family["site_a"]))
    token = csrf_token(client.get(REVIEW).text)
    response = client.post(FILL, data={"csrf_token": token, "fact": "mother.since",
                                       "value": "2025-01-10", "child": str(family["presumed"].id)})
    assert response.status_code == 403


@pytest.mark.parametrize(("value", "message"), [
    ("2027-01-01", "日期不能晚于今天：2027-01-01"),
    ("不知道", "无法识别的日期"),
    ("", "请填写要登记的内容"),
])
def test_a_bad_date_is_refused_and_nothing_is_written(family, make_user, login, clock, value,
                                                       message):
    client = login(make_user(Role.HR_OFFICER, family["site_a"]))
    before = snapshot()
    response = fill(client, fact="mother.since", value=value, child=str(family["presumed"].id))
    assert response.status_code == 422
    assert message in response.text
    assert 'id="bulk-fill"' in response.text  # the form again, the input kept
    assert snapshot() == before


def test_nothing_selected_a_stale_selection_and_an_unfillable_fact_are_refused(
        family, make_user, login, clock):
    client = login(make_user(Role.HR_OFFICER, family["site_a"]))
    before = snapshot()
    nothing = fill(client, fact="mother.since", value="2025-01-10")
    assert nothing.status_code == 422 and "请选择要填写的儿童" in nothing.text
    stale = fill(client, fact="mother.since", value="2025-01-10",
                 child=str(family["undetermined"].id))
    assert stale.status_code == 422 and "已不缺少“母亲状况起始日期”" in stale.text
    birth = fill(client, fact="birth_date", value="2016-01-01", child=str(family["presumed"].id))
    assert birth.status_code == 422 and "这一项不能批量填写" in birth.text
    assert snapshot() == before


# -- the dashboard -------------------------------------------------------------------------------

def test_the_dashboard_shows_both_presumed_counts_with_links(family, make_user, login):
    # A child in difficulty on a presumption (de facto unsupported, both parents presumed
    # unable to care) is rare; the dashboard counts what is stored.
    known = session.get(Child, family["known"].id)
    known.in_difficulty = True
    known.categories_presumed = "in_difficulty=mother.since"
    session.commit()
    home = login(make_user(Role.HR_OFFICER, family["site_a"])).get("/").text
    assert 'data-presumed-count="left_behind"' in home
    assert "其中 1 名农村留守儿童的判定基于推定" in home
    assert 'data-presumed-count="in_difficulty"' in home and "其中 1 名困境儿童的判定基于推定" in home
    assert 'href="/children/review/?category=left_behind"' in home
    assert 'href="/children/review/?category=in_difficulty"' in home
    listed = login(make_user(Role.HR_OFFICER, family["site_a"])).get(
        REVIEW + "?category=in_difficulty").text
    assert "共 1 名儿童" in listed and "孙**" in listed

    # without the list's permission: the counts, no links
    report = login(make_user(Role.REPORT_OFFICER, family["site_a"])).get("/").text
    assert "其中 1 名困境儿童的判定基于推定" in report
    assert "/children/review/" not in report


def test_the_list_exports_as_on_screen(family, login, make_user):
    """The presumptions list leaves the screen like every list: same filter, names masked."""
    import io
    import re

    from openpyxl import load_workbook

    client = login(make_user(Role.CARE_WORKER, family["site_a"]))
    page = client.get("/children/review/").text
    assert 'href="/children/review/export.xlsx' in page
    response = client.get("/children/review/export.xlsx")
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.data)).active.values)
    assert rows[0][:3] == ("儿童", "项目部/班组", "家长")
    assert len(rows) - 1 == int(re.search(r"共 (\d+) 名儿童", page).group(1))
    assert all("*" in row[0] for row in rows[1:])  # masked, as on the page
    assert not any("李" in (row[0] or "") for row in rows[1:])  # site 乙's child is not there
