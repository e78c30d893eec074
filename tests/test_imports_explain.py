"""A file that fails as a whole explains itself in one line first; the command line names the
columns it could have used, takes ``--map``, and says "dry run" wherever it reports."""
from __future__ import annotations

from sqlalchemy import func, select

from plugin.access.roles import Role
from plugin.core.db import session
from plugin.registry.models import Worker

from .imports_support import (
    REASON_HEADER,
    WORKER_HEADER,
    import_roster,
    read_csv,
    read_xlsx,
    worker,
    xlsx_roster,
)

NO_NUMBER_HEADER = ["编码", *WORKER_HEADER[1:]]
ROWS = [worker("1001", "张伟"), worker("1002", "李强", sequence=2), worker("1003", "王五", sequence=3)]


def workers() -> int:
    return session.execute(select(func.count(Worker.id))).scalar_one()


def run(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


#: "进场日子" is only like "进场日期": the importer guessed the column.
GUESSED_HEADER = [*WORKER_HEADER[:7], "进场日子"]


def bad_dates(rows):
    return [[*row[:7], "明年三月"] for row in rows]


def test_a_missing_required_column_names_the_column_that_could_hold_it(app, company, clock, tmp_path):
    path = xlsx_roster(tmp_path / "r.xlsx", NO_NUMBER_HEADER, ROWS)
    result = run(app, "import-workers", str(path))
    assert result.exit_code == 2
    lines = result.output.splitlines()
    assert "未使用的列“编码”" in lines[0] and "--map 编码=employee_number" in lines[0]
    assert "列“编码”没有被识别——要把它作为“工号”吗？" in result.output
    assert workers() == 0


def test_map_option_says_which_field_a_column_holds(app, company, clock, tmp_path):
    path = xlsx_roster(tmp_path / "r.xlsx", NO_NUMBER_HEADER, ROWS)
    result = run(app, "import-workers", str(path), "--map", "编码=employee_number")
    assert result.exit_code == 0, result.output
    assert workers() == 3
    by_label = run(app, "import-workers", str(path), "--map", "编码 = 工号", "--dry-run")
    assert by_label.exit_code == 0, by_label.output
    assert by_label.output.startswith("试导入（dry run）")
    unknown = run(app, "import-workers", str(path), "--map", "编码=badge")
    assert unknown.exit_code == 2 and "未知的字段：badge" in unknown.output


def test_map_option_wins_over_the_saved_mapping_and_can_ignore_a_column(app, company, clock, tmp_path):
    path = xlsx_roster(tmp_path / "r.xlsx", [*WORKER_HEADER, "联系方式"],
                       [[*row, "乱写"] for row in ROWS])
    result = run(app, "import-workers", str(path), "--map", "手机号码=", "--map", "联系方式=")
    assert result.exit_code == 0, result.output
    assert session.execute(select(Worker.phone)).scalars().all() == [None, None, None]


def test_a_column_matched_for_sure_gets_no_headline(app, company, clock, tmp_path):
    path = xlsx_roster(tmp_path / "r.xlsx", WORKER_HEADER, bad_dates(ROWS))
    result = run(app, "import-workers", str(path))
    assert result.exit_code == 1 and result.output.startswith("第 4 行")
    assert read_xlsx(tmp_path / "r.errors.xlsx")[0] == [*WORKER_HEADER, REASON_HEADER]


def test_a_file_failing_as_a_whole_says_so_in_one_line_before_the_rows(app, company, clock, tmp_path):
    path = xlsx_roster(tmp_path / "r.xlsx", GUESSED_HEADER, bad_dates(ROWS))
    result = run(app, "import-workers", str(path))
    assert result.exit_code == 1
    lines = result.output.splitlines()
    headline = "全部 3 行的入职日期都不正确：请检查列“进场日子”是否选对"
    assert lines[0].startswith(headline)
    assert lines[1].startswith("第 4 行") and "入职日期" in lines[1]
    rows = read_xlsx(tmp_path / "r.errors.xlsx")
    assert rows[0][0].startswith(headline)  # the line above the header, skipped on re-import
    assert rows[1] == [*GUESSED_HEADER, REASON_HEADER]
    # Each reason ends with the row's number in the uploaded file (in both languages).
    assert [row[-1].splitlines()[-1].split(" / ")[0] for row in rows[2:]] == [
        "（原文件第 4 行）", "（原文件第 5 行）", "（原文件第 6 行）"]


def test_the_error_file_comes_back_with_its_headline_skipped(app, company, clock, tmp_path):
    path = xlsx_roster(tmp_path / "r.xlsx", GUESSED_HEADER, bad_dates(ROWS))
    job, _ = import_roster(path, company)
    assert job.rejected_count == 3
    from plugin.imports.models import FileRole
    from plugin.imports.services import copy_file_to

    errors = tmp_path / "errors.xlsx"
    copy_file_to(job.id, FileRole.ERRORS, errors)
    from openpyxl import load_workbook

    book = load_workbook(errors)
    for row in range(3, 6):
        book.active.cell(row=row, column=8).value = "2024-01-01"
    book.save(errors)
    again, rejected = import_roster(errors, company)
    assert rejected == {} and again.created_count == 3


def test_the_job_page_shows_the_headline_first(app, company, clock, make_user, login, tmp_path):
    client = login(make_user(Role.HR_OFFICER))
    job, _ = import_roster(xlsx_roster(tmp_path / "r.xlsx", GUESSED_HEADER, bad_dates(ROWS)), company)
    page = client.get(f"/imports/{job.id}").text
    assert 'id="import-headline"' in page
    assert page.index("全部 3 行的入职日期都不正确") < page.index('id="rejected-rows"')


def test_dry_run_is_named_in_the_error_file(app, company, clock, tmp_path):
    path = tmp_path / "r.csv"
    from .imports_support import csv_roster

    csv_roster(path, WORKER_HEADER, [ROWS[0], bad_dates(ROWS)[1]])
    result = run(app, "import-workers", str(path), "--dry-run")
    assert result.exit_code == 1 and "试导入（dry run）" in result.output
    rows = read_csv(tmp_path / "r.errors.csv")
    assert "dry run" in rows[0][0] and rows[1][-1] == REASON_HEADER


def test_phones_with_dashes_and_ids_with_spaces_are_tidied(app, company, clock, tmp_path):
    rows = [worker("1001", "张伟", phone="138-0013-8000")]
    ident = rows[0][3]
    rows[0][3] = f"{ident[:6]} {ident[6:14]} {ident[14:]}"
    job, rejected = import_roster(xlsx_roster(tmp_path / "r.xlsx", WORKER_HEADER, rows), company)
    assert rejected == {} and job.created_count == 1
    assert session.execute(select(Worker.phone)).scalar_one() == "13800138000"


def test_the_command_line_says_when_values_chose_the_field(app, company, clock, tmp_path):
    run(app, "import-workers", str(xlsx_roster(tmp_path / "w.xlsx", WORKER_HEADER, ROWS)))
    header = ["家长工号", "职工与儿童关系", "儿童姓名", "出生日期", "照护人", "与儿童关系"]
    rows = [["1001", "父亲", "张小明", "2015-06-01", "张奶奶", "祖母"],
            ["1002", "父亲", "李小红", "2016-02-03", "李舅", "舅舅"],
            ["1003", "父亲", "王小刚", "2017-09-09", "陈外婆", "外婆"]]
    path = xlsx_roster(tmp_path / "c.xlsx", header, rows)
    result = run(app, "import-children", str(path))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0].startswith(
        "列“与儿童关系”的内容更像“照护人与儿童关系”，已按“照护人与儿童关系”导入")


def test_every_row_lacking_a_site_names_the_column_that_could_hold_it(app, company, clock, tmp_path):
    """Teams given, the site column called by a name the vocabulary does not know: every row
    lacks its site, and the one line first says which column to use as the site."""
    rows = [[f"{n:04d}", f"职工{n}", "钢筋班组", "滨江花园二期"] for n in range(1, 6)]
    path = xlsx_roster(tmp_path / "r.xlsx", ["工号", "姓名", "班组", "标段名称"], rows)
    result = run(app, "import-workers", str(path))
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].startswith("未使用的列“标段名称”：可能是“项目部/厂区”")  # named first
    assert lines[1].startswith(
        "全部 5 行缺少项目部/厂区：列“标段名称”没有被识别——要把它作为“项目部/厂区”吗？"), lines[1]
    assert lines[2].startswith("第 4 行") and "填写班组时必须同时填写项目部/厂区" in lines[2]
    assert workers() == 0
    mapped = run(app, "import-workers", str(path), "--map", "标段名称=site")
    assert mapped.exit_code == 0, mapped.output
    assert workers() == 5
