"""Headers as real rosters write them (花名册, 实名制登记表, 进场登记表): normalised, matched by
alias, containment or similarity with a confidence, and checked against the column's values."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from plugin.core.db import session
from plugin.imports.columns import match_columns, normalise_header, tidy_value
from plugin.imports.models import ImportKind, ImportStatus
from plugin.registry.models import Child, Worker
from plugin.registry.schema import CHILD_FIELDS, WORKER_FIELDS

from .imports_support import csv_roster, id_number, import_roster, xlsx_roster

TODAY = date(2026, 11, 20)


@pytest.mark.parametrize("header,expected", [
    ("*姓名（必填）：", "姓名"), ("身份证\n号码", "身份证号码"), ("工 号(必填)", "工号"),
    ("ＩＤ Number ", "idnumber"), ("手机号码:", "手机号码"), ("★班组", "班组"),
])
def test_headers_are_normalised(header, expected):
    assert normalise_header(header) == expected


@pytest.mark.parametrize("header,code,how", [
    ("项目名称", "site", "exact"), ("所属项目部", "site", "exact"), ("施工项目", "site", "exact"),
    ("项目部名称", "site", "exact"), ("工程项目", "site", "exact"), ("作业班组", "team", "exact"),
    ("所在班组", "team", "exact"), ("证件号码", "id_number", "exact"),
    ("公民身份号码", "id_number", "exact"), ("身份证号(18位)", "id_number", "exact"),
    ("本人电话", "phone", "exact"), ("联系电话", "phone", "exact"), ("入场时间", "entry_date", "exact"),
    ("进场日期", "entry_date", "exact"), ("所属项目部名称", "site", "contains"),
    ("班组名称（全称）", "team", "exact"), ("身份证号码码", "id_number", "contains"),
    ("入职曰期", "entry_date", "similar"),
])
def test_worker_headers_from_real_rosters(header, code, how):
    plan = match_columns(["工号", "姓名", header], WORKER_FIELDS, today=TODAY)
    guess = plan.guesses[2]
    assert (guess.code, guess.how) == (code, how)
    assert plan.columns[code] == 2
    assert 0 < guess.confidence <= 1 and (how != "exact" or guess.confidence == 1)


def test_carer_relationship_is_not_the_workers():
    plan = match_columns(["家长工号", "职工与儿童关系", "儿童姓名", "监护人与儿童关系"], CHILD_FIELDS,
                         today=TODAY)
    assert plan.columns["parent_role"] == 1 and plan.columns["carer_relation"] == 3


def test_an_ambiguous_relationship_header_is_resolved_by_its_values():
    header = ["家长工号", "儿童姓名", "与儿童关系"]
    carers = match_columns(header, CHILD_FIELDS, today=TODAY, samples=[
        ["1001", "张小明", "祖母"], ["1002", "李小红", "舅舅"], ["1003", "王小刚", "外婆"]])
    assert carers.columns.get("carer_relation") == 2 and "parent_role" not in carers.columns
    assert carers.guesses[2].how == "values"
    assert carers.missing == ["parent_role"]
    parents = match_columns(header, CHILD_FIELDS, today=TODAY, samples=[
        ["1001", "张小明", "父亲"], ["1002", "李小红", "母亲"]])
    assert parents.columns.get("parent_role") == 2 and "carer_relation" not in parents.columns
    # no values: the user chooses
    unknown = match_columns(header, CHILD_FIELDS, today=TODAY)
    guess = unknown.guesses[2]
    assert guess.code is None and guess.alternatives == ["parent_role", "carer_relation"]
    assert guess.suggestion == "parent_role"


def test_values_that_contradict_a_loose_header_move_it_and_are_only_proposed_for_an_exact_one():
    # "儿童关系" resembles both relationship fields; grandmothers are carers
    plan = match_columns(["家长工号", "职工与儿童关系", "儿童姓名", "照护关系"], CHILD_FIELDS,
                         today=TODAY, samples=[["1", "父亲", "甲", "祖母"], ["2", "父亲", "乙", "舅舅"],
                                               ["3", "母亲", "丙", "外公"]])
    assert plan.columns["carer_relation"] == 3
    exact = match_columns(["家长工号", "儿童姓名", "职工与儿童关系"], CHILD_FIELDS, today=TODAY,
                          samples=[["1", "甲", "祖母"], ["2", "乙", "舅舅"], ["3", "丙", "外公"]])
    assert exact.columns["parent_role"] == 2 and exact.guesses[2].alternatives == ["carer_relation"]


def test_two_columns_for_one_field_keep_the_surer_one():
    plan = match_columns(["工号", "姓名", "联系方式", "手机号码"], WORKER_FIELDS, today=TODAY)
    assert plan.columns["phone"] == 3 and "联系方式" in plan.unknown
    assert plan.guesses[2].how == "taken"


def test_serial_number_and_notes_columns_are_ignored():
    plan = match_columns(["序号", "工号", "姓名", "备注"], WORKER_FIELDS, today=TODAY)
    assert set(plan.columns) == {"employee_number", "name"}


@pytest.mark.parametrize("code,value,tidied", [
    ("phone", "138-0013-8000", "13800138000"), ("phone", "138 0013 8000", "13800138000"),
    ("phone", "010-12345678", "010-12345678"), ("carer_phone", "139－0013－8000", "13900138000"),
    ("id_number", "110101 19900307 1234", "110101199003071234"), ("name", "张 伟", "张 伟"),
])
def test_phone_and_id_numbers_are_tidied(code, value, tidied):
    assert tidy_value(code, value) == tidied


UNFAMILIAR = ["序号", "员工号（必填）", "*姓  名", "性别", "证件号码\n(18位)", "本人电话:", "所属项目部",
              "作业班组", "入场时间", "备注"]


def unfamiliar_rows() -> list[list]:
    ids = [id_number(sequence=f"{n:03d}") for n in (101, 103, 105)]
    return [
        [1, "1001", "张伟", "男", f"{ids[0][:6]} {ids[0][6:14]} {ids[0][14:]}", "138-0013-8000",
         "城南项目部", "钢筋班", "2024-03-01", ""],
        [2, "1002", "王强", "男", ids[1], "139 0013 8000", "城南项目部", "木工班", "2024-04-01", "新进"],
        [3, "1003", "刘洋", "男", ids[2], "13700137000", "城北项目部", "钢筋班", "2024-05-01", ""],
    ]


def stored_workers() -> dict[str, tuple]:
    return {w.employee_number: (w.name, w.phone)
            for w in session.execute(select(Worker)).scalars()}


def test_gb18030_csv_with_unfamiliar_headers_lands_every_row(company, clock, tmp_path):
    path = csv_roster(tmp_path / "实名制登记表.csv", UNFAMILIAR, unfamiliar_rows(), encoding="gb18030",
                      title="城南项目 实名制登记表")
    job, rejected = import_roster(path, company)
    assert job.status == ImportStatus.DONE, job.failure
    assert rejected == {} and job.created_count == 3
    assert stored_workers() == {"1001": ("张伟", "13800138000"), "1002": ("王强", "13900138000"),
                                "1003": ("刘洋", "13700137000")}
    assert "测试建工集团 / 城南项目部" in job.created_units


def test_xlsx_with_a_title_row_and_unfamiliar_headers_lands_every_row(company, clock, tmp_path):
    header = ["工人编号", "工人姓名", "公民身份号码", "手机号码", "工程项目", "所在班组", "进场日期"]
    rows = [[r[1], r[2], r[4], r[5], r[6], r[7], r[8]] for r in unfamiliar_rows()]
    path = xlsx_roster(tmp_path / "进场登记表.xlsx", header, rows)
    job, rejected = import_roster(path, company)
    assert job.status == ImportStatus.DONE, job.failure
    assert rejected == {} and job.created_count == 3 and job.unknown_columns is None


def test_children_with_an_ambiguous_relationship_column_land(company, clock, tmp_path):
    workers = xlsx_roster(tmp_path / "w.xlsx", UNFAMILIAR, unfamiliar_rows())
    import_roster(workers, company)
    header = ["职工工号", "职工与子女关系", "子女姓名", "出生年月", "监护人姓名", "与儿童关系"]
    rows = [["1001", "父亲", "张小明", "2015-06-01", "张奶奶", "祖母"],
            ["1002", "父亲", "王小红", "2016-02-03", "李舅", "舅舅"],
            ["1003", "父亲", "刘小刚", "2017-09-09", "陈外婆", "外婆"]]
    path = csv_roster(tmp_path / "子女.csv", header, rows, encoding="gb18030")
    job, rejected = import_roster(path, company, kind=ImportKind.CHILDREN)
    assert job.status == ImportStatus.DONE, job.failure
    assert rejected == {} and job.created_count == 3
    assert len(session.execute(select(Child)).scalars().all()) == 3
