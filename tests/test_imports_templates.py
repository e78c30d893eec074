"""Downloadable roster templates (issue #15): a header row and an example row made from the
registry's fields, a field guide on sheet 2, and a filled-in template that imports as it is."""
from __future__ import annotations

import io
from urllib.parse import quote

import pytest
from flask_babel import force_locale
from openpyxl import load_workbook
from sqlalchemy import select

from plugin.access.roles import Role
from plugin.core.db import session
from plugin.imports.models import ImportKind, ImportStatus
from plugin.imports.templates_xlsx import (
    DECIDES,
    EXAMPLES,
    MEANINGS,
    accepted_values,
    build_template,
)
from plugin.registry.models import Child, Worker
from plugin.registry.schema import CHILD_FIELDS, WORKER_FIELDS

from .imports_support import import_roster

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
KINDS = [(ImportKind.WORKERS, WORKER_FIELDS, "职工花名册模板.xlsx"),
         (ImportKind.CHILDREN, CHILD_FIELDS, "职工子女花名册模板.xlsx")]


def sheets(content: bytes):
    book = load_workbook(io.BytesIO(content))
    roster, guide = book.worksheets
    return ([[cell.value for cell in row] for row in roster.iter_rows()],
            [[cell.value for cell in row] for row in guide.iter_rows()], book.sheetnames)


def expected_header(fields) -> list[str]:
    return [str(spec.label) + ("（必填）" if spec.required else "") for spec in fields]


@pytest.mark.parametrize(("kind", "fields", "name"), KINDS)
def test_templates_download_from_the_import_page(company, make_user, login, kind, fields, name):
    client = login(make_user(Role.HR_OFFICER))
    page = client.get("/imports/").text
    assert f'href="/imports/templates/{kind.value}.xlsx"' in page
    response = client.get(f"/imports/templates/{kind.value}.xlsx")
    assert response.status_code == 200
    assert response.mimetype == XLSX
    assert quote(name) in response.headers["Content-Disposition"]
    rows, guide, names = sheets(response.data)
    assert names == ["花名册", "填写说明"]
    assert rows[0] == expected_header(fields)
    assert len(rows) == 2 and any(rows[1])


def test_templates_are_chinese_whatever_the_page_language(company, make_user, login):
    """The headers are what the importer recognises and what HR systems fill in."""
    client = login(make_user(Role.HR_OFFICER))
    client.get("/lang/en")
    assert '<html lang="en"' in client.get("/imports/").text
    rows, _guide, names = sheets(client.get("/imports/templates/workers.xlsx").data)
    assert names == ["花名册", "填写说明"]
    with force_locale("zh_CN"):
        assert rows[0] == expected_header(WORKER_FIELDS)


def test_template_needs_the_import_permission(client):
    assert client.get("/imports/templates/workers.xlsx").status_code in (302, 401, 403)


@pytest.mark.parametrize(("kind", "fields", "name"), KINDS)
def test_header_row_is_the_schema_labels(app_context, kind, fields, name):
    rows, _guide, _names = sheets(build_template(kind))
    assert rows[0] == expected_header(fields)
    assert [spec.code for spec in fields if spec.required] == [
        spec.code for spec, header in zip(fields, rows[0], strict=True) if "必填" in header]


def test_filled_in_templates_import_without_a_mapping_step(company, clock, tmp_path):
    workers = tmp_path / "职工花名册模板.xlsx"
    workers.write_bytes(build_template(ImportKind.WORKERS))
    job, rejected = import_roster(workers, company)
    assert rejected == {} and job.status == ImportStatus.DONE
    assert (job.created_count, job.rejected_count) == (1, 0)
    worker = session.execute(select(Worker)).scalar_one()
    assert (worker.employee_number, worker.name) == ("1001", "张三")

    children = tmp_path / "职工子女花名册模板.xlsx"
    children.write_bytes(build_template(ImportKind.CHILDREN))
    job, rejected = import_roster(children, company, kind=ImportKind.CHILDREN)
    assert rejected == {} and job.status == ImportStatus.DONE
    assert (job.created_count, job.rejected_count) == (1, 0)
    child = session.execute(select(Child)).scalar_one()
    assert child.name == "张小明" and child.living_situation == "与祖父母同住"


@pytest.mark.parametrize(("kind", "fields", "name"), KINDS)
def test_guide_lists_every_field_with_allowed_values(app_context, kind, fields, name):
    _rows, guide, _names = sheets(build_template(kind))
    assert guide[0] == ["列名", "含义", "可填写的值", "是否必填", "是否影响儿童类别（留守/流动/困境）"]
    by_header = {row[0]: row for row in guide[1:] if row[0]}
    for spec, header in zip(fields, expected_header(fields), strict=True):
        row = by_header[header]
        assert row[1] and row[2], header
        assert row[3] == ("必填" if spec.required else "选填")
        assert row[4].startswith("是") == (spec.code in DECIDES[kind]), header
        if spec.input == "choice":
            for main, others in accepted_values(spec):
                assert main in row[2]
                for word in (main, *others):  # every listed word is one the importer reads
                    spec.parse(word, clock_day(), spec.code)


def clock_day():
    from datetime import date

    return date(2026, 11, 22)


def test_choice_values_are_what_the_importer_accepts(app_context):
    by_code = {spec.code: spec for spec in CHILD_FIELDS}
    assert accepted_values(by_code["family_poverty"])[1] == ("低保", ["低保户"])
    lives_with = dict(accepted_values(by_code["lives_with"]))
    assert "祖父母" in lives_with.get("（外）祖父母", []) or "祖父母" in lives_with
    worker_status = {spec.code: spec for spec in WORKER_FIELDS}["employment_status"]
    assert accepted_values(worker_status) == [("在职", []), ("离职", ["已离职", "退场"])]


def test_tables_name_only_real_fields():
    for kind, fields, _name in KINDS:
        codes = {spec.code for spec in fields}
        assert set(MEANINGS[kind]) == codes, kind
        assert set(DECIDES[kind]) <= codes
        assert set(EXAMPLES[kind]) <= codes
