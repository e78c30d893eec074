"""Streams of malformed rows never crash the importer and never leave a partial row.

Hypothesis feeds rows of random text, numbers, dates, booleans and None (mixed with plausible
values, so some rows pass) through the whole importer. After each run: the job is done, every
row is counted once, every worker in the database either existed before untouched or comes
from a row counted valid (with that row's values), and units were created only for valid rows.
"""
from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from plugin.core.db import session
from plugin.imports.columns import is_empty_row, match_columns
from plugin.imports.formats import EXTENSION_KEY, REASON_HEADER
from plugin.imports.models import ImportStatus
from plugin.org.models import OrgUnit
from plugin.registry.models import Worker
from plugin.registry.schema import WORKER_FIELDS, RecordInvalid, parse_record

from .imports_support import WORKER_HEADER, id_number, import_roster

TODAY = date(2026, 11, 22)
SETTINGS = settings(max_examples=60, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


class MemoryRoster:
    def __init__(self, rows):
        self.rows = rows
        self.size_hint = len(rows)

    def __iter__(self):
        return iter(enumerate(self.rows, start=1))

    def close(self):
        pass


class MemoryFormat:
    """A roster format whose files are Python lists: any cell value a reader could produce."""

    name = "memory"
    suffixes = (".mem",)

    def __init__(self):
        self.files: dict[str, list[list[Any]]] = {}
        self.error_rows: list[tuple[list[Any], str]] = []

    def open(self, path: Path) -> MemoryRoster:
        return MemoryRoster(self.files[Path(path).name])

    def write_errors(self, path, header, rows):
        assert list(header) == WORKER_HEADER
        self.error_rows = list(rows)
        Path(path).write_bytes(repr(self.error_rows).encode("utf-8", "backslashreplace"))


@pytest.fixture
def memory_format(app):
    registry = app.extensions[EXTENSION_KEY]
    fmt = MemoryFormat()
    registry[fmt.name] = fmt
    yield fmt
    del registry[fmt.name]


junk = st.one_of(
    st.none(), st.text(max_size=25), st.integers(min_value=-10**20, max_value=10**20),
    st.floats(), st.booleans(), st.dates(), st.datetimes(),
    st.sampled_from(["", " ", "　", "#N/A", "4.40306E+17", "1.3800138E+10", "２０２０-０１-０１", "x", "\x00", "\ud800"]),
)
plausible = [
    st.integers(1, 40).map(lambda n: f"E{n:03d}") | st.integers(1, 40).map(float),
    st.sampled_from(["张伟", "李娜", " 王 强 ", "Ｌｉ Ｍｉｎｇ", "欧阳䶮"]),
    st.sampled_from(["男", "女", "M", "f", None, None, None]),
    st.builds(lambda seq, birth: id_number(birth=birth, sequence=f"{seq:03d}"),
              st.integers(0, 999), st.sampled_from(["19900307", "19851231", "20000229", "20270101"])),
    st.sampled_from(["13800138000", 13900139000, 13700137000.0, "010-12345678", "+86 13600136000"]),
    st.sampled_from(["一号项目部", "二号项目部", None]),
    st.sampled_from(["钢筋班组", "木工班组", None]),
    st.dates(min_value=date(1990, 1, 1), max_value=date(2027, 1, 1))
    | st.integers(30000, 47000) | st.sampled_from(["2020-01-05", "2021年2月3日", "2021-02-30"]),
]
plausible_row = st.tuples(*plausible).map(list)
noisy_row = st.tuples(*[value | junk for value in plausible]).map(list).flatmap(
    lambda cells: st.integers(0, len(cells) + 2).map(lambda width: (cells + [None, "多余"])[:width]))
#: Plausible rows (valid or nearly) and noisy ones, so that every run mixes stored and rejected rows.
row = st.one_of(plausible_row, noisy_row)
rows = st.lists(row, max_size=14)


def snapshot() -> dict[str, tuple]:
    return {w.employee_number: (w.name, w.phone, w.id_number, w.entry_date, w.org_unit_id)
            for w in session.execute(select(Worker)).scalars()}


def expected_values(cells: list[Any]) -> dict[str, Any] | None:
    plan = match_columns(WORKER_HEADER, WORKER_FIELDS)
    try:
        return parse_record(plan.raw_record(cells), WORKER_FIELDS, today=TODAY)
    except RecordInvalid:
        return None


@SETTINGS
@given(data_rows=rows, batch_size=st.integers(1, 6), dry_run=st.booleans())
def test_malformed_rows_never_crash_and_never_leave_a_partial_row(company, clock, memory_format, tmp_path,
                                                                  data_rows, batch_size, dry_run):
    memory_format.files["r.mem"] = [WORKER_HEADER, *data_rows]
    memory_format.error_rows = []
    before = snapshot()
    units_before = set(session.execute(select(OrgUnit.id)).scalars())

    job, rejected = import_roster(tmp_path / "r.mem", company, batch_size=batch_size, dry_run=dry_run)

    assert job.status == ImportStatus.DONE, job.failure
    numbered = [(number, cells) for number, cells in enumerate(data_rows, start=2) if not is_empty_row(cells)]
    assert job.processed_rows == len(numbered)
    assert job.created_count + job.updated_count + job.unchanged_count + job.rejected_count == len(numbered)
    assert job.rejected_count == len(rejected) == len(memory_format.error_rows)
    assert all(reason for _, reason in memory_format.error_rows)
    after = snapshot()
    new_units = set(session.execute(select(OrgUnit.id)).scalars()) - units_before
    if dry_run:
        assert after == before and not new_units
        return
    accepted = {}
    for number, cells in numbered:
        if number not in rejected:
            values = expected_values(cells)
            assert values is not None, (number, cells)
            accepted[values["employee_number"]] = values
    assert len(accepted) == len(numbered) - len(rejected)  # duplicates are never both accepted
    event(f"rows accepted: {'some' if accepted else 'none'}; rejected: {'some' if rejected else 'none'}")
    for employee_number, stored in after.items():
        if employee_number in accepted:
            values = accepted[employee_number]
            assert stored[0] == values["name"] and stored[1] == values.get("phone")
            assert stored[3] == values.get("entry_date")
        else:
            assert before.get(employee_number) == stored, employee_number
    assert set(accepted) <= set(after)
    allowed_names = {values.get(key) for values in accepted.values() for key in ("site", "team")}
    for unit in session.execute(select(OrgUnit).where(OrgUnit.id.in_(new_units))).scalars():
        assert unit.name in allowed_names


csv_cell = st.one_of(st.text(st.characters(exclude_categories=["Cs"]), max_size=20),
                     st.sampled_from(["1001", "张伟", "13800138000", id_number(), "2020-01-05", "一号项目部"]))


@SETTINGS
@given(header=st.lists(st.sampled_from(WORKER_HEADER + ["备注", REASON_HEADER, ""]) | st.text(max_size=8),
                       min_size=0, max_size=10),
       body=st.lists(st.lists(csv_cell, max_size=10), max_size=10),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]),
       delimiter=st.sampled_from([",", "\t", ";"]))
def test_any_csv_file_ends_done_or_failed_with_a_reason(company, clock, tmp_path, header, body, encoding, delimiter):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow([cell.replace("\x00", "") for cell in header])
    writer.writerows([[cell.replace("\x00", "") for cell in line] for line in body])
    path = tmp_path / "r.csv"
    path.write_bytes(buffer.getvalue().encode(encoding))
    workers_before = len(snapshot())

    job, rejected = import_roster(path, company)

    assert job.status in (ImportStatus.DONE, ImportStatus.FAILED)
    if job.status == ImportStatus.FAILED:
        assert job.failure["message"] and len(snapshot()) == workers_before
    else:
        assert job.processed_rows == job.created_count + job.updated_count + job.unchanged_count + len(rejected)
        assert len(snapshot()) == workers_before + job.created_count


def test_binary_garbage_fails_the_job_cleanly(company, clock, tmp_path):
    path = tmp_path / "r.xlsx"
    path.write_bytes(bytes(range(256)) * 10)
    job, _ = import_roster(path, company)
    assert job.status == ImportStatus.FAILED and job.failure["message"]
    path = tmp_path / "r.csv"
    path.write_bytes(b"\x81\x30\xff" * 50)
    job, _ = import_roster(path, company)
    assert job.status == ImportStatus.FAILED



def test_a_too_long_value_is_rejected_with_its_reason(company, clock, tmp_path):
    from .imports_support import worker, xlsx_roster

    path = xlsx_roster(tmp_path / "r.xlsx", WORKER_HEADER, [worker("1001", "张" * 101)])
    job, rejected = import_roster(path, company)
    assert job.rejected_count == 1
    assert rejected[4][0].field == "name" and "100" in rejected[4][0].bilingual()
