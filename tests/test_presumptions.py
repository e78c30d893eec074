"""A realistic roster counted under the presumptions (DOMAIN §3, product rule turn 2).

The roster is shaped like a construction site's export: statuses in words ("配偶外出务工：是",
"在家务农"), no start dates, blanks where there is no difficulty, the child's residence in words
("与祖父母同住"). Rows go the importer's way: :func:`parse_record` on the roster's cells, then
the registry's services (row by row, and the bulk insert used for first imports). Before the
presumptions every child of such a roster was "unknown" and nothing was counted.
"""
from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from sqlalchemy import select

from plugin.core.db import session
from plugin.org.models import OrgKind
from plugin.registry.bulk import insert_new_children, storable_child_fields
from plugin.registry.categories import ParentStatus
from plugin.registry.models import Child, LivesWith
from plugin.registry.schema import CHILD_FIELDS, WORKER_FIELDS, RecordInvalid, parse_record
from plugin.registry.services import parse_presumed, upsert_child, upsert_worker
from plugin.registry.situations import read_parent_status, read_situation

from .conftest import SYSTEM

TODAY = date(2026, 11, 22)

#: (how many, the spouse's status as written, the child's 居住情况, 是否残疾, birth date, role)
GROUPS = [
    ("A", 16, "配偶外出务工：是", "与祖父母同住", "", "2016-04-01", "父亲"),
    ("B", 4, "在家务农", "在老家，与母亲生活", "", "2017-09-12", "父亲"),
    ("B?", 2, "在家务农", "与母亲同住", "", "2017-09-12", "父亲"),
    ("C", 4, "重病", "与爷爷奶奶生活", "", "2015-01-20", "父亲"),
    ("D", 5, "配偶外出务工：是", "随父母在务工地", "", "2018-06-30", "父亲"),
    ("E", 3, "", "住校", "", "2013-02-02", "母亲"),
    ("F", 2, "配偶外出务工：是", "与祖父母同住", "", "", "父亲"),
    ("G", 2, "在家务农", "在老家", "是", "2014-11-11", "父亲"),
    ("H", 2, "", "父母均外出，由亲戚照看", "", "2019-03-03", "父亲"),
]


def roster():
    """40 (worker row, child row, group) in the roster's own words; empty cells left out."""
    rows, number = [], 0
    for group, count, spouse, situation, disability, born, role in GROUPS:
        for _ in range(count):
            number += 1
            employee = f"E{number:03d}"
            worker = {"employee_number": employee, "name": f"职工{number}", "entry_date": "",
                      "other_parent_status": spouse}
            child = {"parent_employee_number": employee, "parent_role": role,
                     "name": f"儿童{number}", "birth_date": born, "living_situation": situation,
                     "has_disability": disability, "family_poverty": ""}
            rows.append(({k: v for k, v in worker.items() if v},
                         {k: v for k, v in child.items() if v}, group))
    return rows


@pytest.fixture
def site(make_unit):
    return make_unit(OrgKind.SITE, name="滨江项目部")


def import_roster(site, *, bulk: bool) -> dict[str, Child]:
    children = {}
    new = []
    for worker_raw, child_raw, group in roster():
        worker = upsert_worker(parse_record(worker_raw, WORKER_FIELDS, today=TODAY), unit=site,
                               actor=SYSTEM).record
        values = parse_record(child_raw, CHILD_FIELDS, today=TODAY)
        if bulk:
            fields, withheld = storable_child_fields(values, TODAY)
            new.append((fields, worker, values["parent_role"], withheld, group))
        else:
            child = upsert_child(values, actor=SYSTEM, today=TODAY).record
            children[child.name] = (child, group)
    if bulk:
        ids = insert_new_children([record[:4] for record in new], actor=SYSTEM, today=TODAY)
        for child_id, record in zip(ids, new, strict=True):
            child = session.get(Child, child_id)
            children[child.name] = (child, record[4])
    session.flush()
    return children


@pytest.mark.parametrize("bulk", [False, True], ids=["row_by_row", "bulk"])
def test_a_realistic_roster_is_counted_on_presumptions(site, bulk):
    children = import_roster(site, bulk=bulk)
    assert len(children) == 40
    rows = list(session.execute(select(Child)).scalars())
    assert len(rows) == 40

    left_behind = [child for child in rows if child.left_behind is True]
    assert len(left_behind) == 22                      # A 16 + C 4 + H 2
    assert Counter(group for child, group in children.values() if child.left_behind) == {
        "A": 16, "C": 4, "H": 2}
    # every one of them rests on a presumption, and says which
    assert all("left_behind" in parse_presumed(child.categories_presumed) for child in left_behind)
    by_group = {group: child for child, group in children.values()}
    assert parse_presumed(by_group["A"].categories_presumed)["left_behind"] == (
        "mother.since", "father.since")
    # the spouse recorded seriously ill: only the worker's start date is presumed
    assert parse_presumed(by_group["C"].categories_presumed)["left_behind"] == ("father.since",)
    # the mother's status read from "父母均外出，由亲戚照看"
    assert parse_presumed(by_group["H"].categories_presumed)["left_behind"] == (
        "mother.since", "father.since")

    # not left-behind, and that too rests on a presumption (the mother at home is capable)
    assert by_group["B"].left_behind is False
    assert parse_presumed(by_group["B"].categories_presumed)["left_behind"] == ("mother.capable",)
    # living with the parents where they work: not left-behind; no date, so not migrant either
    assert by_group["D"].left_behind is False and by_group["D"].migrant is False

    # blanks for "no difficulty": decided, not unknown; a recorded disability counts
    assert Counter(child.in_difficulty for child in rows) == {False: 38, True: 2}
    assert {group for child, group in children.values() if child.in_difficulty} == {"G"}
    assert not any("family_poverty" in child.categories_missing for child in rows)

    # unknown only for facts no presumption covers
    undetermined = [(group, child.categories_missing) for child, group in children.values()
                    if child.categories_missing]
    assert Counter(group for group, _ in undetermined) == {"B?": 2, "E": 3, "F": 2}
    assert Counter(code for _, missing in undetermined for code in missing.split()) == {
        "lives_in_home_area": 5, "father.status": 3, "birth_date": 2}
    assert by_group["F"].left_behind is None and by_group["F"].in_difficulty is False


def test_the_residence_in_words_is_kept_and_read(site):
    children = import_roster(site, bulk=False)
    child = next(child for child, group in children.values() if group == "A")
    assert child.living_situation == "与祖父母同住"
    assert child.lives_with == LivesWith.GRANDPARENTS
    assert child.lives_in_home_area is True
    boarder = next(child for child, group in children.values() if group == "E")
    assert boarder.lives_in_home_area is None  # "住校" says nothing of where


def test_the_spouse_in_words(site):
    values = parse_record({"employee_number": "E1", "name": "王五",
                           "other_parent_status": "配偶外出务工：是"}, WORKER_FIELDS, today=TODAY)
    assert values["other_parent_status"] == ParentStatus.WORKS_AWAY
    values = parse_record({"employee_number": "E1", "name": "王五", "other_parent_status": "重病"},
                          WORKER_FIELDS, today=TODAY)
    assert values["other_parent_status"] == ParentStatus.AT_HOME
    assert values["other_parent_capable"] is False
    with pytest.raises(RecordInvalid) as refused:
        parse_record({"employee_number": "E1", "name": "王五", "other_parent_status": "出国了吧"},
                     WORKER_FIELDS, today=TODAY)
    assert [error.field for error in refused.value.errors] == ["other_parent_status"]


def test_an_unreadable_situation_is_reported_for_the_row_never_guessed():
    with pytest.raises(RecordInvalid) as refused:
        parse_record({"parent_employee_number": "E1", "parent_role": "父亲", "name": "李四",
                      "living_situation": "情况复杂待核实"}, CHILD_FIELDS, today=TODAY)
    (error,) = refused.value.errors
    assert error.field == "living_situation"
    assert "情况复杂待核实" in str(error.localized() if hasattr(error, "localized") else error)


def test_carer_columns_have_the_roster_headers():
    aliases = {spec.code: spec.aliases for spec in CHILD_FIELDS}
    assert "监护人姓名" in aliases["carer_name"] and "委托监护人" in aliases["carer_name"]
    assert "监护人联系电话" in aliases["carer_phone"]
    assert "监护人与儿童关系" in aliases["carer_relation"]
    assert "监护人与儿童关系" not in aliases["parent_role"]
    for header in ("留守情况", "生活状况", "居住情况", "与谁共同生活", "父母外出情况"):
        assert header in aliases["living_situation"]
    every = [alias for spec in CHILD_FIELDS for alias in spec.aliases]
    assert len(every) == len(set(every))  # no header means two fields


@pytest.mark.parametrize("text, home, lives_with, mother, father", [
    ("与祖父母同住", True, LivesWith.GRANDPARENTS, None, None),
    ("与爷爷奶奶生活", True, LivesWith.GRANDPARENTS, None, None),
    ("随父母在务工地", False, LivesWith.BOTH_PARENTS, None, None),
    ("寄宿学校", None, None, None, None),
    ("住校", None, None, None, None),
    ("父母均外出", None, None, ParentStatus.WORKS_AWAY, ParentStatus.WORKS_AWAY),
    ("父亲外出务工/母亲在家", None, None, ParentStatus.AT_HOME, ParentStatus.WORKS_AWAY),
    ("单亲", None, None, None, None),
    ("由亲戚照看", True, LivesWith.OTHER_RELATIVES, None, None),
    ("独自居住", None, LivesWith.ALONE, None, None),
    ("父亲去世、母亲外出务工", None, None, ParentStatus.WORKS_AWAY, ParentStatus.DECEASED),
    ("目前父母都在外打工，跟奶奶住", True, LivesWith.GRANDPARENTS,
     ParentStatus.WORKS_AWAY, ParentStatus.WORKS_AWAY),
])
def test_situations_are_read(text, home, lives_with, mother, father):
    situation = read_situation(text)
    assert situation is not None and situation.text == text
    assert situation.lives_in_home_area is home
    assert situation.lives_with == lives_with
    assert situation.mother.status == mother and situation.father.status == father


@pytest.mark.parametrize("text", ["情况复杂", "与祖父母同住，随父母在务工地", "父亲外出务工，父亲在家",
                                  "上学"])
def test_unreadable_or_contradictory_situations_are_not_read(text):
    assert read_situation(text) is None


def test_boarding_and_illness_are_read():
    assert read_situation("住校").boarding is True
    assert read_situation("母亲重病，与祖父母同住").mother.capable is False
    assert read_parent_status("配偶外出务工：否").status == ParentStatus.AT_HOME
    assert read_parent_status("是").status == ParentStatus.WORKS_AWAY
    assert read_parent_status("不知道") is None


def test_pages_show_presumptions_and_the_undetermined(site, make_user, login):
    from plugin.access.roles import Role

    children = import_roster(site, bulk=False)
    session.commit()
    client = login(make_user(Role.HR_OFFICER, site))
    home = client.get("/").text
    assert 'data-figure="registry.children_left_behind">22<' in home
    assert 'id="presumed-counts"' in home and "22" in home
    assert 'id="undetermined"' in home
    assert 'data-missing="lives_in_home_area"' in home and 'data-missing="birth_date"' in home
    assert "category=unknown&amp;missing=father.status" in home

    left_behind = next(child for child, group in children.values() if group == "A")
    page = client.get(f"/children/{left_behind.id}").text
    assert 'data-presumed="left_behind"' in page and 'data-presumed-badge="left_behind"' in page
    assert "与祖父母同住" in page

    listed = client.get("/workers/?category=unknown").text
    assert "共 7 人" in listed
    assert "共 2 人" in client.get("/workers/?category=unknown&missing=birth_date").text
    assert "共 3 人" in client.get("/workers/?category=unknown&missing=father.status").text
    assert "共 22 人" in client.get("/workers/?category=left_behind").text
