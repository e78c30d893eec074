"""``carebridge import-workers FILE`` / ``import-children FILE``: summary, error file, exit status."""
from __future__ import annotations

from sqlalchemy import func, select

from plugin.core.db import session
from plugin.org.models import OrgKind
from plugin.registry.models import Child, Worker

from .imports_support import (
    CHILD_HEADER,
    REASON_HEADER,
    WORKER_HEADER,
    csv_roster,
    id_number,
    read_xlsx,
    worker,
    wrong_check,
    xlsx_roster,
)

ROWS = [worker("1001", "张伟"), worker("1002", "李强", id=wrong_check(id_number(sequence="321"))),
        worker("1003", "王五", team=None)]


def workers() -> int:
    return session.execute(select(func.count(Worker.id))).scalar_one()


def run(app, *args):
    """Run a ``carebridge`` command; ``output`` holds what it printed (stdout and stderr)."""
    return app.test_cli_runner().invoke(args=list(args))


def test_all_rows_imported_exits_0_with_a_summary(app, company, clock, tmp_path):
    path = xlsx_roster(tmp_path / "r.xlsx", WORKER_HEADER, [ROWS[0], ROWS[2]])
    result = run(app, "import-workers", str(path))
    assert result.exit_code == 0, result.output
    assert "新增" in result.output and ": 2" in result.output
    assert "测试建工集团 / 一号项目部" in result.output
    assert workers() == 2 and not (tmp_path / "r.errors.xlsx").exists()


def test_rejected_rows_exit_1_and_the_error_file_is_written_next_to_the_input(app, company, clock, tmp_path):
    path = xlsx_roster(tmp_path / "r.xlsx", WORKER_HEADER, ROWS)
    result = run(app, "import-workers", str(path))
    assert result.exit_code == 1, result.output
    line = next(line for line in result.output.splitlines() if line.startswith("第 5 行"))
    assert "身份证号码" in line and "校验位" in line
    error_file = tmp_path / "r.errors.xlsx"
    assert str(error_file) in result.output
    rows = read_xlsx(error_file)
    assert rows[0] == [*WORKER_HEADER, REASON_HEADER] and rows[1][:8] == ROWS[1]
    assert workers() == 2


def test_dry_run_stores_nothing(app, company, clock, tmp_path):
    path = csv_roster(tmp_path / "r.csv", WORKER_HEADER, ROWS)
    result = run(app, "import-workers", str(path), "--dry-run")
    assert result.exit_code == 1
    assert "试导入" in result.output and "dry run" in result.output and "将新增" in result.output
    assert "将新建的单位" in result.output
    assert workers() == 0
    assert (tmp_path / "r.errors.csv").exists()


def test_a_file_that_cannot_be_imported_exits_2(app, company, clock, tmp_path):
    path = xlsx_roster(tmp_path / "r.xlsx", ["姓名", "手机号码"], [["张伟", "13800138000"]])
    result = run(app, "import-workers", str(path))
    assert result.exit_code == 2 and "缺少必填的列：工号" in result.output
    bad = tmp_path / "r.pdf"
    bad.write_bytes(b"%PDF")
    result = run(app, "import-workers", str(bad))
    assert result.exit_code == 2 and "只能导入" in result.output


def test_unit_option_by_name_or_id(app, company, make_unit, clock, tmp_path):
    bureau = make_unit(OrgKind.SUBSIDIARY, name="第一工程局")
    path = xlsx_roster(tmp_path / "r.xlsx", WORKER_HEADER, [ROWS[0]])
    result = run(app, "import-workers", str(path), "--unit", "第一工程局")
    assert result.exit_code == 0, result.output
    assert "第一工程局 / 一号项目部" in result.output
    assert run(app, "import-workers", str(path), "--unit", str(bureau.id)).exit_code == 0
    result = run(app, "import-workers", str(path), "--unit", "不存在的单位")
    assert result.exit_code == 2 and "找不到单位" in result.output


def test_import_children(app, company, clock, tmp_path):
    run(app, "import-workers", str(xlsx_roster(tmp_path / "w.xlsx", WORKER_HEADER, [ROWS[0]])))
    path = xlsx_roster(tmp_path / "c.xlsx", CHILD_HEADER, [["1001", "父亲", "张小明", "2015-06-01", "祖父母", "是"],
                                                           ["4040", "母亲", "无名", "2016-01-01", "祖父母", "是"]])
    result = run(app, "import-children", str(path))
    assert result.exit_code == 1 and "找不到工号为 4040 的职工" in result.output
    assert session.execute(select(Child.name)).scalars().all() == ["张小明"]
