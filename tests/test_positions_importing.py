"""Openings imported through the roster importer: the upload page offers them to whoever holds
``positions.manage``, the mapping step, the background job, rows refused with their reasons
(a site outside the importer's scope is "not found"), the site's location taken from the file
when it has none, and a second import of the same file changing nothing."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from plugin.access.roles import Role
from plugin.access.scope import Scope
from plugin.core.db import session
from plugin.core.errors import InputInvalid
from plugin.imports.jobs import run_queued_imports
from plugin.imports.models import ImportStatus
from plugin.org.models import OrgKind
from plugin.positions.models import Opening, WorkLocation
from plugin.positions.workplaces import store_row

from .conftest import SYSTEM, submit
from .imports_support import csv_roster, read_csv
from .positions_support import NANBU, TODAY, locate
from .test_imports_declared import latest_job, upload

HEADER = ["项目部", "所在地区代码", "工种", "招用人数", "开始日期", "结束日期", "备注", "联系人"]


def test_hr_imports_openings_through_the_mapping_step(app, company, make_unit, make_user, login,
                                                      clock, tmp_path):
    bureau = make_unit(OrgKind.SUBSIDIARY, name="第一工程局")
    nanbu = make_unit(OrgKind.SITE, parent=bureau, name="南部项目部")
    chengdu = make_unit(OrgKind.SITE, parent=bureau, name="双流构件厂")
    make_unit(OrgKind.SITE, name="隔壁项目部")  # outside the importer's subtree
    locate(chengdu, "510116")
    rows = [
        ["南部项目部", NANBU, "钢筋工", "8", "2026-12-01", "2027-06-30", "包住宿", "张三"],
        ["双流构件厂", "", "焊工", 6, "2027-01-05", "", "", ""],
        ["双流构件厂", "510116", "焊工", 3, "2027-01-05", "", "", ""],  # repeats row 3
        ["隔壁项目部", NANBU, "电工", "2", "2026-12-01", "", "", ""],  # not in the subtree
        ["双流构件厂", "440305", "普工", "0", "2027-01-05", "2026-12-01", "", ""],
    ]
    hr = login(make_user(Role.HR_OFFICER, bureau))
    page = hr.get("/imports/?kind=positions").text
    assert '<option selected value="positions">' in page and 'id="template-positions"' in page
    content = csv_roster(tmp_path / "招用需求.csv", HEADER, rows).read_bytes()
    upload(hr, content, "招用需求.csv", bureau.id, kind="positions")
    job = latest_job()
    assert (job.kind, job.status) == ("positions", ImportStatus.MAPPING)  # 联系人 is unknown
    columns = {f"column_{index}": code for index, code in enumerate(
        ["site", "county_code", "trade", "headcount", "starts_on", "ends_on", "notes", ""])}
    assert submit(hr, f"/imports/{job.id}/columns",
                  {**columns, "source": "县民政局名录"}).status_code == 302
    assert run_queued_imports() == 1
    session.expire_all()
    job = latest_job()
    assert (job.status, job.created_count, job.rejected_count) == (ImportStatus.DONE, 2, 3)
    openings = session.scalars(select(Opening).order_by(Opening.id)).all()
    assert [(o.org_unit.name, o.trade, o.headcount, o.starts_on, o.ends_on, o.notes)
            for o in openings] == [
        ("南部项目部", "钢筋工", 8, date(2026, 12, 1), date(2027, 6, 30), "包住宿"),
        ("双流构件厂", "焊工", 6, date(2027, 1, 5), None, None)]
    # the file gave 南部项目部 its location
    assert session.scalars(select(WorkLocation.county_code).where(
        WorkLocation.org_unit_id == nanbu.id)).one() == NANBU

    errors_path = tmp_path / "errors.csv"
    errors_path.write_bytes(hr.get(f"/imports/{job.id}/errors").data)
    errors = read_csv(errors_path)
    repeat, outside, bad = (row[-1] for row in errors[1:4])
    assert "重复" in repeat
    assert "找不到名为“隔壁项目部”" in outside
    assert "招用人数" in bad

    # the same file again changes nothing; a changed headcount updates
    upload(hr, content, "招用需求.csv", bureau.id, kind="positions")
    run_queued_imports()
    session.expire_all()
    again = latest_job()
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 2)
    rows[0][3] = "10"
    changed = csv_roster(tmp_path / "招用需求2.csv", HEADER, rows[:1]).read_bytes()
    upload(hr, changed, "招用需求.csv", bureau.id, kind="positions")
    run_queued_imports()
    session.expire_all()
    assert latest_job().updated_count == 1 and openings[0].headcount == 10


def test_a_row_naming_another_county_than_the_sites_is_refused(company, make_unit, clock):
    site = make_unit(OrgKind.SITE, name="双流构件厂")
    locate(site, "510116")
    values = {"site": "双流构件厂", "county_code": NANBU, "trade": "焊工", "headcount": 2,
              "starts_on": date(2027, 1, 1)}
    with pytest.raises(InputInvalid) as refused:
        store_row(values, unit=company, actor=SYSTEM, scope=Scope.company(), today=TODAY)
    assert refused.value.errors[0].field == "county_code"
    # imported into the site itself, the row needs no site name
    assert store_row({**values, "site": None, "county_code": None}, unit=site, actor=SYSTEM,
                     scope=Scope.of_unit(site), today=TODAY) == "created"
    # a row ending before it starts
    with pytest.raises(InputInvalid) as refused:
        store_row({**values, "county_code": None, "trade": "普工",
                   "ends_on": date(2026, 12, 1)}, unit=site, actor=SYSTEM,
                  scope=Scope.of_unit(site), today=TODAY)
    assert refused.value.errors[0].field == "ends_on"
    # and a scope that does not cover the site finds nothing
    other = make_unit(OrgKind.SITE, name="别处")
    with pytest.raises(InputInvalid) as refused:
        store_row({**values, "trade": "电工"}, unit=company, actor=SYSTEM,
                  scope=Scope.of_unit(other), today=TODAY)
    assert refused.value.errors[0].field == "site"
    assert session.scalars(select(Opening.trade)).all() == ["焊工"]
