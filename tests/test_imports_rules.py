"""Roster rows: real-world noise is normalised, real errors are rejected with row, field, reason."""
from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from plugin.core.db import session
from plugin.imports.models import ImportKind, ImportStatus
from plugin.registry.models import Child, Worker

from .imports_support import (
    CHILD_HEADER,
    WORKER_HEADER,
    csv_roster,
    id_number,
    import_roster,
    only_error,
    worker,
    wrong_check,
    xlsx_roster,
)


def workers_by_number() -> dict[str, Worker]:
    return {w.employee_number: w for w in session.execute(select(Worker)).scalars()}


def test_noise_is_normalised_not_rejected(company, clock, tmp_path):
    number = id_number()
    rows = [
        # full-width digits and stray spaces everywhere, an Excel date, a numeric phone cell
        ["１００１", " 张 伟 ", "男", " ".join([number[:6], number[6:14], number[14:]]).replace("1", "１", 2),
         13800138000, " 一号项目部 ", "钢筋班组 ", datetime(2020, 3, 1)],
        # an Excel date serial as a number, a phone as a float, a lower-case x check character
        [1002.0, "李娜", "女", id_number(sequence="124")[:17] + id_number(sequence="124")[17].lower(),
         13900139000.0, "一号项目部", "钢筋班组", 43891],
    ]
    job, rejected = import_roster(xlsx_roster(tmp_path / "r.xlsx", WORKER_HEADER, rows), company)
    assert rejected == {}
    assert (job.status, job.created_count, job.rejected_count) == (ImportStatus.DONE, 2, 0)
    found = workers_by_number()
    # a name loses its stray spaces (plugin.core.text.clean_person_name)
    assert found["1001"].name == "张伟" and found["1001"].phone == "13800138000"
    assert found["1001"].id_number == number and found["1001"].entry_date == date(2020, 3, 1)
    assert found["1002"].phone == "13900139000" and found["1002"].entry_date == date(2020, 3, 1)
    assert found["1002"].id_number.endswith(id_number(sequence="124")[17].upper())


def test_csv_date_serial_text_and_numeric_looking_phone(company, clock, tmp_path):
    rows = [["1001", "张伟", "男", id_number(), "138 0013 8000", "一号项目部", "钢筋班组", "43891"],
            ["1002", "王强", "男", id_number(sequence="125"), "+86 13900139000", "一号项目部", "钢筋班组", "2020年3月1日"]]
    job, rejected = import_roster(csv_roster(tmp_path / "r.csv", WORKER_HEADER, rows), company)
    assert rejected == {} and job.created_count == 2
    found = workers_by_number()
    assert found["1001"].phone == "13800138000" and found["1001"].entry_date == date(2020, 3, 1)
    assert found["1002"].phone == "13900139000" and found["1002"].entry_date == date(2020, 3, 1)


@pytest.mark.parametrize("id_cell,reason", [
    (wrong_check(id_number()), "校验位"),
    (id_number()[:17], "应为 18 位，这里是 17 位"),
    (4.40306199001011e17, "科学计数法"),
    ("4.40306E+17", "科学计数法"),
])
def test_id_number_errors_are_rejected_with_row_field_and_reason(company, clock, tmp_path, id_cell, reason):
    rows = [worker("1001", "张伟"), worker("1002", "李强", id=id_cell)]
    job, rejected = import_roster(xlsx_roster(tmp_path / "r.xlsx", WORKER_HEADER, rows), company)
    # title row 1, date row 2, header row 3: the second data row is row 5 of the sheet
    error = only_error(rejected, 5)
    assert error.field == "id_number" and reason in str(error)
    assert (job.created_count, job.rejected_count) == (1, 1)
    assert set(workers_by_number()) == {"1001"}


def test_scientific_notation_message_says_what_happened(company, clock, tmp_path):
    rows = [worker("1001", "张伟", id=4.40306199001011e17)]
    _, rejected = import_roster(xlsx_roster(tmp_path / "r.xlsx", WORKER_HEADER, rows), company)
    message = only_error(rejected, 4).bilingual()
    assert "Excel" in message and "文本格式" in message


@pytest.mark.parametrize("entry,reason", [
    ("2021-02-30", "日期不存在"),
    ("2026-12-01", "不能晚于今天"),
    (datetime(2027, 1, 5), "不能晚于今天"),
    ("下个月", "无法识别的日期"),
])
def test_impossible_and_future_dates_are_rejected(company, clock, tmp_path, entry, reason):
    rows = [worker("1001", "张伟", entry=entry)]
    job, rejected = import_roster(xlsx_roster(tmp_path / "r.xlsx", WORKER_HEADER, rows), company)
    error = only_error(rejected, 4)
    assert error.field == "entry_date" and reason in str(error)
    assert job.created_count == 0 and workers_by_number() == {}


def test_future_birth_date_inside_an_id_number_is_rejected(company, clock, tmp_path):
    rows = [worker("1001", "张伟", id=id_number(birth="20270101"))]
    _, rejected = import_roster(xlsx_roster(tmp_path / "r.xlsx", WORKER_HEADER, rows), company)
    assert "晚于今天" in str(only_error(rejected, 4))


def test_duplicate_employee_number_in_the_file_names_the_first_row(company, clock, tmp_path):
    rows = [worker("1001", "张伟"), worker("1002", "李强"), worker("１００１", "王五", sequence=7)]
    job, rejected = import_roster(xlsx_roster(tmp_path / "r.xlsx", WORKER_HEADER, rows), company)
    error = only_error(rejected, 6)
    assert error.field == "employee_number"
    assert error.params == {"number": "1001", "first_row": 4}
    assert workers_by_number()["1001"].name == "张伟"
    assert (job.created_count, job.rejected_count) == (2, 1)


def test_duplicate_is_detected_across_batches(company, clock, tmp_path):
    rows = [worker(str(1000 + i), f"职工{i}") for i in range(7)] + [worker("1002", "重复", sequence=99)]
    job, rejected = import_roster(csv_roster(tmp_path / "r.csv", WORKER_HEADER, rows), company, batch_size=3)
    assert list(rejected) == [9] and only_error(rejected, 9).params["first_row"] == 4
    assert job.created_count == 7


def test_a_row_with_several_errors_lists_them_all(company, clock, tmp_path):
    rows = [worker("1001", "", id=id_number()[:17], phone="12345", entry="2021-13-01")]
    _, rejected = import_roster(xlsx_roster(tmp_path / "r.xlsx", WORKER_HEADER, rows), company)
    assert {error.field for error in rejected[4]} == {"name", "id_number", "phone", "entry_date"}


def test_child_whose_parent_is_not_found_is_rejected(company, clock, tmp_path):
    import_roster(xlsx_roster(tmp_path / "w.xlsx", WORKER_HEADER, [worker("1001", "张伟")]), company)
    children = [["1001", "父亲", "张小明", "2015-06-01", "祖父母", "是"],
                ["9999", "母亲", "无名", "2016-01-01", "祖父母", "是"]]
    job, rejected = import_roster(xlsx_roster(tmp_path / "c.xlsx", CHILD_HEADER, children), company,
                                  kind=ImportKind.CHILDREN)
    error = only_error(rejected, 5)
    assert error.field == "parent_employee_number" and "9999" in str(error)
    assert (job.created_count, job.rejected_count) == (1, 1)
    assert session.execute(select(Child.name)).scalars().all() == ["张小明"]


def test_a_row_failing_half_way_leaves_nothing(company, clock, tmp_path):
    """Row 5 creates a new site, then fails (its ID number belongs to another worker): neither
    the site nor the worker nor any audit event of that row remains; row 6 reuses the name."""
    from plugin.audit.models import AuditEvent
    from plugin.org.models import OrgUnit

    taken = id_number(sequence="555")
    rows = [worker("1001", "张伟", id=taken),
            worker("1002", "李强", id=taken, site="新项目部", team="新班组"),
            worker("1003", "王五", site="新项目部", team=None)]
    events_before = session.execute(select(func.count(AuditEvent.id))).scalar_one()
    job, rejected = import_roster(xlsx_roster(tmp_path / "r.xlsx", WORKER_HEADER, rows), company)
    assert only_error(rejected, 5).field == "id_number"
    assert set(workers_by_number()) == {"1001", "1003"}
    names = set(session.execute(select(OrgUnit.name)).scalars())
    assert "新项目部" in names and "新班组" not in names
    assert job.created_units == ["测试建工集团 / 一号项目部", "一号项目部 / 钢筋班组", "测试建工集团 / 新项目部"]
    audited = session.execute(select(AuditEvent.action, AuditEvent.target_id)
                              .where(AuditEvent.action == "worker.created")).all()
    assert len(audited) == 2
    assert session.execute(select(func.count(AuditEvent.id))).scalar_one() > events_before
