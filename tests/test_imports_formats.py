"""Roster files as HR offices produce them: encodings, delimiters, title rows, English headers,
saved column mappings, and error files in the same format that import again once corrected."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from integrations.rosters.csv_format import CsvFormat, detect_encoding
from integrations.rosters.xlsx_format import XlsxFormat
from plugin.core.db import session
from plugin.core.errors import ValidationError
from plugin.imports.columns import find_header, normalise_header
from plugin.imports.messages import job_failure
from plugin.imports.models import ColumnMapping, FileRole, ImportKind, ImportStatus
from plugin.imports.services import copy_file_to
from plugin.registry.models import Worker
from plugin.registry.schema import WORKER_FIELDS

from .imports_support import (
    REASON_HEADER,
    WORKER_HEADER,
    csv_roster,
    id_number,
    import_roster,
    read_csv,
    read_xlsx,
    worker,
    wrong_check,
    xlsx_roster,
)

ROWS = [worker("1001", "张伟"), worker("1002", "李娜", sex="女", id=id_number(sequence="124")),
        worker("1003", "欧阳䶮")]  # 䶮 is outside GBK's common range but inside GB18030


def names() -> dict[str, str]:
    return dict(session.execute(select(Worker.employee_number, Worker.name)).all())


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "utf-16"])
def test_csv_encodings_are_detected(company, clock, tmp_path, encoding):
    job, rejected = import_roster(csv_roster(tmp_path / "r.csv", WORKER_HEADER, ROWS, encoding=encoding), company)
    assert rejected == {} and job.created_count == 3
    assert names() == {"1001": "张伟", "1002": "李娜", "1003": "欧阳䶮"}


def test_gbk_file_is_read(company, clock, tmp_path):
    rows = [worker("1001", "张伟"), worker("1002", "李娜", sex="女", id=id_number(sequence="124"))]
    job, _ = import_roster(csv_roster(tmp_path / "r.csv", WORKER_HEADER, rows, encoding="gbk"), company)
    assert job.created_count == 2 and names()["1002"] == "李娜"


def test_encoding_is_decided_on_the_whole_file_not_a_sample(tmp_path):
    """English headers and ASCII rows for the first 100 KB, Chinese (GBK) further down."""
    header = ["employee number", "name", "id number"]
    rows = [[str(10_000 + i), f"Worker {i}", ""] for i in range(4000)] + [["20000", "张伟", ""]]
    path = csv_roster(tmp_path / "r.csv", header, rows, encoding="gbk")
    assert path.stat().st_size > 64 * 1024
    assert detect_encoding(path)[0] == "gb18030"
    assert detect_encoding(csv_roster(tmp_path / "u.csv", header, rows))[0] == "utf-8"


def test_a_file_in_no_known_encoding_is_refused_before_any_row(company, clock, tmp_path):
    path = tmp_path / "r.csv"
    path.write_bytes("工号,姓名\n1001,张伟\n".encode() + b"1002,\xff\xfe\xfd\n")
    job, _ = import_roster(path, company)
    assert job.status == ImportStatus.FAILED and "编码" in str(job_failure(job))
    assert names() == {}


@pytest.mark.parametrize("delimiter", ["\t", ";"])
def test_csv_delimiter_is_sniffed(company, clock, tmp_path, delimiter):
    job, _ = import_roster(csv_roster(tmp_path / "r.csv", WORKER_HEADER, ROWS[:2], delimiter=delimiter), company)
    assert job.created_count == 2


def test_csv_with_a_title_row_above_the_header(company, clock, tmp_path):
    path = csv_roster(tmp_path / "r.csv", WORKER_HEADER, ROWS[:1], title="2026年11月花名册")
    job, _ = import_roster(path, company)
    assert job.created_count == 1


def test_xlsx_header_row_is_found_below_a_merged_title_and_a_date_row(company, clock, tmp_path):
    path = xlsx_roster(tmp_path / "r.xlsx", WORKER_HEADER, ROWS)
    roster = XlsxFormat().open(path)
    try:
        plan, rows = find_header(roster, WORKER_FIELDS)
        assert plan.header_row == 3 and plan.header == WORKER_HEADER
        assert [number for number, _ in rows] == [4, 5, 6]
    finally:
        roster.close()


def test_empty_rows_are_skipped_and_row_numbers_stay_those_of_the_sheet(company, clock, tmp_path):
    rows = [worker("1001", "张伟"), [None] * 8, ["", " ", None], worker("1002", "李强", id=wrong_check(id_number()))]
    job, rejected = import_roster(xlsx_roster(tmp_path / "r.xlsx", WORKER_HEADER, rows), company)
    assert list(rejected) == [7] and job.processed_rows == 2


def test_english_headers(company, clock, tmp_path):
    header = ["Employee No", "Name", "Gender", "ID Number", "Mobile", "Site", "Team", "Entry Date"]
    job, rejected = import_roster(xlsx_roster(tmp_path / "r.xlsx", header, ROWS, title=None, date_row=None), company)
    assert rejected == {} and job.created_count == 3


def test_headers_match_ignoring_spaces_full_width_and_case(company, clock, tmp_path):
    header = ["工 号", "姓　名", "ＩＤ　Ｎｕｍｂｅｒ", "EMPLOYEE  STATUS"]
    rows = [["1001", "张伟", id_number(), "在职"]]
    job, rejected = import_roster(xlsx_roster(tmp_path / "r.xlsx", header, rows), company)
    assert rejected == {} and job.created_count == 1 and normalise_header("ＩＤ　Ｎｕｍｂｅｒ") == "idnumber"


def test_unknown_columns_are_ignored_and_listed(company, clock, tmp_path):
    header = [*WORKER_HEADER, "备注", "工资卡号"]
    rows = [[*worker("1001", "张伟"), "新员工", "6222000000000000"]]
    job, _ = import_roster(xlsx_roster(tmp_path / "r.xlsx", header, rows), company)
    assert job.created_count == 1 and job.unknown_columns == ["备注", "工资卡号"]


def test_missing_required_columns_fail_the_job_naming_them(company, clock, tmp_path):
    header = ["姓名", "身份证号码", "手机号码"]
    job, _ = import_roster(xlsx_roster(tmp_path / "r.xlsx", header, [["张伟", id_number(), "13800138000"]]), company)
    assert job.status == ImportStatus.FAILED
    failure = job_failure(job)
    assert failure.params["columns"] == "工号" and failure.params["header_row"] == 3
    assert names() == {}


def test_saved_mapping_of_a_source_is_used_on_the_next_import(company, clock, tmp_path):
    header = ["甲列", "乙列", "丙列"]
    session.add(ColumnMapping(source="劳资系统", kind=ImportKind.WORKERS, updated_by="x",
                              columns={normalise_header("甲列"): "employee_number",
                                       normalise_header("乙列"): "name",
                                       normalise_header("丙列"): "id_number"}))
    session.flush()
    path = xlsx_roster(tmp_path / "r.xlsx", header, [["1001", "张伟", id_number()]])
    job, _ = import_roster(path, company)
    assert job.status == ImportStatus.FAILED  # without the source, the columns mean nothing
    job, rejected = import_roster(path, company, source="劳资系统")
    assert rejected == {} and job.created_count == 1 and names() == {"1001": "张伟"}


def test_saved_mapping_overrides_the_aliases(company, clock, tmp_path):
    """This source's "工号" column is the badge number; its employee number is "人员编码"."""
    session.add(ColumnMapping(source="门禁系统", kind=ImportKind.WORKERS, updated_by="x",
                              columns={"工号": "", normalise_header("人员编码"): "employee_number"}))
    session.flush()
    path = xlsx_roster(tmp_path / "r.xlsx", ["工号", "人员编码", "姓名"], [["B-77", "1001", "张伟"]])
    job, _ = import_roster(path, company, source="门禁系统")
    assert names() == {"1001": "张伟"}


def test_xlsx_error_file_has_the_same_columns_plus_a_reason_and_imports_again(company, clock, tmp_path):
    bad_id = wrong_check(id_number(sequence="321"))
    rows = [worker("1001", "张伟"), worker("1002", "李强", id=bad_id), worker("1003", "王五", entry="2030-01-01")]
    job, _ = import_roster(xlsx_roster(tmp_path / "r.xlsx", WORKER_HEADER, rows), company)
    assert (job.created_count, job.rejected_count) == (1, 2)
    error_path = tmp_path / "r.errors.xlsx"
    assert copy_file_to(job.id, FileRole.ERRORS, error_path)
    content = read_xlsx(error_path)
    assert content[0] == [*WORKER_HEADER, REASON_HEADER]
    assert [row[:8] for row in content[1:]] == [rows[1], rows[2]]
    assert content[1][8].startswith("身份证号码") and "校验位" in content[1][8]
    assert content[2][8].startswith("入职日期") and "不能晚于今天" in content[2][8]

    # correct the two rows in the error file and import it again
    from openpyxl import load_workbook

    book = load_workbook(error_path)
    sheet = book.active
    sheet["D2"] = id_number(sequence="321")
    sheet["H3"] = "2021-01-01"
    book.save(error_path)
    job, rejected = import_roster(error_path, company)
    assert rejected == {} and (job.created_count, job.updated_count, job.rejected_count) == (2, 0, 0)
    assert job.unknown_columns is None  # the reason column is recognised, not "unknown"
    assert names() == {"1001": "张伟", "1002": "李强", "1003": "王五"}


def test_csv_error_file_is_utf8_with_bom_and_imports_again(company, clock, tmp_path):
    rows = [worker("1001", "张伟"), worker("1002", "李强", id=id_number()[:17])]
    job, _ = import_roster(csv_roster(tmp_path / "r.csv", WORKER_HEADER, rows, encoding="gbk"), company)
    error_path = tmp_path / "r.errors.csv"
    copy_file_to(job.id, FileRole.ERRORS, error_path)
    assert error_path.read_bytes().startswith(b"\xef\xbb\xbf")
    content = read_csv(error_path)
    assert content[0] == [*WORKER_HEADER, REASON_HEADER] and content[1][:8] == rows[1]
    assert "17 位" in content[1][8]
    content[1][3] = id_number(sequence="777")
    csv_roster(error_path, content[0], content[1:], encoding="utf-8-sig")
    job, rejected = import_roster(error_path, company)
    assert rejected == {} and job.created_count == 1 and set(names()) == {"1001", "1002"}


def test_unreadable_xlsx_is_refused(company, tmp_path):
    path = tmp_path / "r.xlsx"
    path.write_bytes(b"this is not a zip file")
    with pytest.raises(ValidationError) as refused:
        XlsxFormat().open(path)
    assert refused.value.field == "file"


def test_csv_format_streams_rows_with_their_numbers(tmp_path):
    path = csv_roster(tmp_path / "r.csv", ["a", "b"], [["1", "2"], [], ["3", "4"]])
    roster = CsvFormat().open(path)
    try:
        assert list(roster) == [(1, ["a", "b"]), (2, ["1", "2"]), (3, []), (4, ["3", "4"])]
        assert roster.size_hint == 4
    finally:
        roster.close()


def test_header_not_found_is_refused_with_a_reason(tmp_path):
    path = csv_roster(tmp_path / "r.csv", ["只有一列"], [["x"], ["y"]])
    roster = CsvFormat().open(path)
    try:
        with pytest.raises(ValidationError) as refused:
            find_header(roster, WORKER_FIELDS)
    finally:
        roster.close()
    assert "表头" in str(refused.value)



def test_error_file_keeps_cell_types_so_dates_stay_dates_and_ids_stay_text(company, clock, tmp_path):
    from datetime import datetime

    rows = [worker("1001", "张伟", entry=datetime(2030, 1, 1), phone=13800138000),
            worker("1002", "李强", id=wrong_check(id_number(sequence="321")))]
    job, _ = import_roster(xlsx_roster(tmp_path / "r.xlsx", WORKER_HEADER, rows), company)
    error_path = tmp_path / "e.xlsx"
    copy_file_to(job.id, FileRole.ERRORS, error_path)
    content = read_xlsx(error_path)
    assert content[1][7] == datetime(2030, 1, 1) and content[1][4] == 13800138000
    assert isinstance(content[2][3], str) and content[2][3] == rows[1][3]
