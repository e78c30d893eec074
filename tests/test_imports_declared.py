"""Spreadsheets a feature declares (``Feature.imports``) go through the roster importer like the
rosters: the upload page offers them to whoever holds the kind's permission, the mapping step,
the background job, duplicates within the file, the error file and the blank template — here
with the referral directory's kind."""
from __future__ import annotations

import io

from openpyxl import load_workbook
from sqlalchemy import select

from plugin.access.roles import Role
from plugin.core.db import session
from plugin.imports.jobs import run_queued_imports
from plugin.imports.models import ImportJob, ImportStatus
from plugin.org.models import OrgKind
from plugin.referrals.models import ReferralContact

from .conftest import submit
from .imports_support import REASON_HEADER, csv_roster, read_csv

HEADER = ["类别", "行政区划代码", "乡镇", "村", "单位名称", "联系人", "联系电话", "值班安排"]
ROWS = [
    ["儿童主任", "511321", "大桥镇", "东村", "", "王秀英", "13812345678", "工作日"],
    ["派出所", "511321", "大桥镇", "", "大桥派出所", "", "0817-5512110", "24 小时"],
    ["儿童主任", "511321", "大桥镇", "东村", "", "王秀英", "13900000000", ""],  # row 2 again
    ["警察", "999999", "", "", "", "", "12", ""],  # three bad fields
]


def upload(client, content: bytes, filename: str, unit_id: int, kind: str = "referrals"):
    data = {"file": (io.BytesIO(content), filename), "kind": kind, "unit": str(unit_id),
            "source": "县民政局名录"}
    return submit(client, "/imports/", data, content_type="multipart/form-data")


def latest_job_count() -> int:
    return len(session.scalars(select(ImportJob.id)).all())


def latest_job() -> ImportJob:
    return session.execute(select(ImportJob).order_by(ImportJob.id.desc()).limit(1)).scalar_one()


def test_a_care_worker_imports_the_directory_through_the_mapping_step(
        app, company, make_user, login, clock, tmp_path):
    client = login(make_user(Role.CARE_WORKER, company))
    page = client.get("/imports/?kind=referrals").text
    # only what they may import is offered (no rosters), preselected, with its template
    assert '<option selected value="referrals">' in page and 'value="workers"' not in page
    assert 'id="template-referrals"' in page and 'id="template-workers"' not in page

    content = csv_roster(tmp_path / "名录.csv", HEADER, ROWS).read_bytes()
    response = upload(client, content, "名录.csv", company.id)
    job = latest_job()
    assert (job.kind, job.status) == ("referrals", ImportStatus.MAPPING)  # 值班安排 is unknown
    assert response.headers["Location"].endswith(f"/imports/{job.id}/columns")
    columns = client.get(f"/imports/{job.id}/columns").text
    assert 'data-column="值班安排"' in columns and "转介资源名录" in columns

    choices = {f"column_{index}": code for index, code in enumerate(
        ["kind", "region_code", "township", "village", "organisation", "person_name", "phone",
         "notes"])}
    assert submit(client, f"/imports/{job.id}/columns",
                  {**choices, "source": "县民政局名录"}).status_code == 302
    assert run_queued_imports() == 1
    session.expire_all()
    job = session.get(ImportJob, job.id)
    assert (job.status, job.created_count, job.rejected_count) == (ImportStatus.DONE, 2, 2)
    entries = session.scalars(select(ReferralContact).order_by(ReferralContact.id)).all()
    assert [(entry.person_name, entry.organisation, entry.notes) for entry in entries] == [
        ("王秀英", None, "工作日"), (None, "大桥派出所", "24 小时")]

    # the error file names each rejected row's reasons, the repeat naming the first row
    errors_path = tmp_path / "errors.csv"
    errors_path.write_bytes(client.get(f"/imports/{job.id}/errors").data)
    errors = read_csv(errors_path)
    assert errors[0][-1] == REASON_HEADER
    repeat, bad = errors[1][-1], errors[2][-1]
    assert "与第 2 行重复" in repeat and "（原文件第 4 行）" in repeat
    assert all(label in bad for label in ("类别", "行政区划代码", "联系电话"))

    # importing the same file again changes nothing
    upload(client, content, "名录.csv", company.id)
    assert latest_job().status == ImportStatus.QUEUED  # the mapping is saved for the source
    run_queued_imports()
    session.expire_all()
    again = latest_job()
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 2)


def test_each_kind_needs_its_own_permission(app, company, make_unit, make_user, login, clock,
                                            tmp_path):
    site = make_unit(OrgKind.SITE, name="一号项目部")
    content = csv_roster(tmp_path / "名录.csv", HEADER, ROWS[:2]).read_bytes()
    care = login(make_user(Role.CARE_WORKER, site))
    # a care worker may not upload rosters, even by posting the kind by hand
    response = upload(care, content, "名录.csv", site.id, kind="workers")
    assert response.status_code == 422 and latest_job_count() == 0
    upload(care, content, "名录.csv", site.id)
    job = latest_job()
    assert job.kind == "referrals"

    hr = login(make_user(Role.HR_OFFICER, company))
    # an HR officer imports rosters but not the directory: its jobs are not theirs to see
    assert "名录.csv" not in hr.get("/imports/").text
    assert hr.get(f"/imports/{job.id}").status_code == 404
    assert hr.get("/imports/templates/referrals.xlsx").status_code == 403
    assert care.get(f"/imports/{job.id}").status_code == 200
    assert care.get("/imports/templates/nothing.xlsx").status_code == 404

    auditor = login(make_user(Role.AUDITOR, company))
    assert auditor.get("/imports/").status_code == 403


def test_the_blank_template_comes_from_the_kind_s_fields(app, company, make_user, login,
                                                        tmp_path):
    client = login(make_user(Role.CARE_WORKER, company))
    response = client.get("/imports/templates/referrals.xlsx")
    assert response.status_code == 200
    assert "%E8%BD%AC%E4%BB%8B" in response.headers["Content-Disposition"]  # 转介…模板.xlsx
    path = tmp_path / "template.xlsx"
    path.write_bytes(response.data)
    book = load_workbook(path)
    header, example = ([cell.value for cell in row] for row in book.worksheets[0].iter_rows(
        max_row=2))
    assert header[:3] == ["类别（必填）", "行政区划代码（必填）", "乡镇（街道）"]
    assert example[:2] == ["儿童主任", "511321"]
    guide = [[cell.value for cell in row] for row in book.worksheets[1].iter_rows()]
    assert len(guide[0]) == 4  # no "decides a child's categories" column for a directory

    # and the example row imports as it is
    upload(client, path.read_bytes(), "template.xlsx", company.id)
    run_queued_imports()
    session.expire_all()
    assert (latest_job().status, latest_job().created_count) == (ImportStatus.DONE, 1)
