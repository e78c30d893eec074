"""The mapping step of an upload: every column with its guessed field, how sure the guess is and
sample values; the user confirms or changes them; the choice is saved for the source and used by
its next upload."""
from __future__ import annotations

import io

from sqlalchemy import select

from plugin.access.roles import Role
from plugin.core.db import session
from plugin.imports.jobs import run_queued_imports
from plugin.imports.models import ColumnMapping, ImportJob, ImportStatus
from plugin.registry.models import Worker

from .conftest import submit
from .imports_support import WORKER_HEADER, id_number, worker, xlsx_roster

HEADER = ["工人编号", "工人姓名", "性别", "证件号码", "本人电话", "工程项目", "所在班组", "进场时间", "工资卡号"]
ROWS = [worker("1001", "张伟"), worker("1002", "李强", sequence=2, phone="139-0013-9000"),
        worker("1003", "王五", sequence=3)]


def upload(client, content: bytes, filename: str, unit_id: int, **fields):
    data = {"file": (io.BytesIO(content), filename), "kind": "workers", "unit": str(unit_id),
            "source": "", **fields}
    return submit(client, "/imports/", data, content_type="multipart/form-data")


def latest_job() -> ImportJob:
    return session.execute(select(ImportJob).order_by(ImportJob.id.desc()).limit(1)).scalar_one()


def test_an_upload_with_unfamiliar_headers_shows_the_guesses_first(app, company, make_user, login,
                                                                    clock, tmp_path):
    client = login(make_user(Role.HR_OFFICER))
    content = xlsx_roster(tmp_path / "r.xlsx", HEADER, [[*row, "6222"] for row in ROWS]).read_bytes()
    response = upload(client, content, "进场登记表.xlsx", company.id, source="城南劳务")
    job = latest_job()
    assert job.status == ImportStatus.MAPPING
    assert response.headers["Location"].endswith(f"/imports/{job.id}/columns")
    assert run_queued_imports() == 0 and session.execute(select(Worker)).first() is None
    page = client.get(f"/imports/{job.id}/columns").text
    for header in HEADER:
        assert f'data-column="{header}"' in page
    assert '<option selected value="site">' in page  # 工程项目 → 项目部/厂区
    assert "张伟、李强、王五" in page  # sample values
    assert id_number(sequence="003") not in page and "110" in page  # ID numbers masked
    assert "100%" in page

    # the user says the team column is not to be imported, and keeps the other guesses
    choices = {"column_0": "employee_number", "column_1": "name", "column_2": "sex",
               "column_3": "id_number", "column_4": "phone", "column_5": "site", "column_6": "",
               "column_7": "entry_date", "column_8": "", "source": "城南劳务"}
    assert submit(client, f"/imports/{job.id}/columns", choices).status_code == 302
    assert run_queued_imports() == 1
    session.expire_all()
    job = session.get(ImportJob, job.id)
    assert (job.status, job.created_count, job.rejected_count) == (ImportStatus.DONE, 3, 0), job.sample_errors
    units = {w.org_unit.name for w in session.execute(select(Worker)).scalars()}
    assert units == {"一号项目部"}  # no team: the column was ignored
    mapping = session.execute(select(ColumnMapping)).scalar_one()
    assert mapping.columns["所在班组"] == "" and mapping.columns["工程项目"] == "site"

    # the next upload from the same source is understood at once
    upload(client, content, "进场登记表.xlsx", company.id, source="城南劳务")
    second = latest_job()
    assert second.status == ImportStatus.QUEUED


def test_a_roster_with_familiar_headers_skips_the_step(app, company, make_user, login, clock, tmp_path):
    client = login(make_user(Role.HR_OFFICER))
    content = xlsx_roster(tmp_path / "r.xlsx", WORKER_HEADER, ROWS).read_bytes()
    response = upload(client, content, "r.xlsx", company.id)
    assert latest_job().status == ImportStatus.QUEUED
    assert response.headers["Location"].endswith(f"/imports/{latest_job().id}")


def test_an_ambiguous_column_is_left_for_the_user(app, company, make_user, login, clock, tmp_path):
    client = login(make_user(Role.HR_OFFICER))
    content = xlsx_roster(tmp_path / "c.xlsx", ["家长工号", "儿童姓名", "关系"], [["1001", "张小明", ""]]).read_bytes()
    data = {"file": (io.BytesIO(content), "c.xlsx"), "kind": "children", "unit": str(company.id)}
    submit(client, "/imports/", data, content_type="multipart/form-data")
    job = latest_job()
    assert job.status == ImportStatus.MAPPING
    page = client.get(f"/imports/{job.id}/columns").text
    assert 'data-how="ambiguous"' in page and "可能是“职工与儿童关系”" in page
