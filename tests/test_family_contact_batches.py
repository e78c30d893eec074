"""Carrier batches: the export takes only the month's granted lines of that carrier in the
subtree, each grant once, leaving out (and reporting) those without a phone; the file is the
carrier's and made again on each download; a result file is checked row by row before anything
changes (each refusal naming row, column and reason), importing it twice changes nothing, and a
later file turns a failure into a credit."""
from __future__ import annotations

import codecs
import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from integrations.carriers import ChinaMobileFormat, ChinaUnicomFormat
from plugin.audit.models import AuditEvent
from plugin.core.db import session
from plugin.core.errors import ValidationError
from plugin.family_contact import batches
from plugin.family_contact.carriers import BatchLine
from plugin.family_contact.models import AllowanceGrant, CarrierBatch, GrantStatus
from plugin.org.models import OrgKind

from .conftest import SYSTEM
from .contact_allowances_support import (
    DEC,
    NOV,
    add_policy,
    grant,
    mobile_results,
    unicom_results,
)
from .privacy_subject_support import make_assessment


@pytest.fixture
def world(company, make_unit, make_worker, make_child, clock):
    """The company's policy goes through China Mobile, the subsidiary's through China Unicom.
    Site 甲: a, b and c (whose phone is unknown); site 乙: e; the subsidiary's factory: d."""
    site_a = make_unit(OrgKind.SITE, name="甲项目部")
    site_b = make_unit(OrgKind.SITE, name="乙项目部")
    subsidiary = make_unit(OrgKind.SUBSIDIARY, name="二公司")
    factory = make_unit(OrgKind.SITE, parent=subsidiary, name="二公司工厂")
    workers = {"a": make_worker(site_a), "b": make_worker(site_a), "c": make_worker(site_a),
               "e": make_worker(site_b), "d": make_worker(factory)}
    for worker in workers.values():
        make_child(worker, left_behind=True)
    add_policy(company)
    add_policy(subsidiary, carrier="china_unicom", minutes_per_month=100)
    granted = grant()
    workers["c"].phone = None
    granted[workers["c"].id].phone = None
    session.flush()
    # Every batch relies on the carriers' impact assessment (PIPL Art. 55).
    basis = {"assessment_id": make_assessment(company).id, "purpose": "每月报送亲情通话赠送"}
    return {"company": company, "site_a": site_a, "site_b": site_b, "subsidiary": subsidiary,
            "workers": workers, "basis": basis, "grants": {key: granted[worker.id]
                                                           for key, worker in workers.items()}}


def line(world, key: str) -> str:
    return world["grants"][key].line_id


def state(world) -> dict[str, tuple]:
    session.expire_all()
    return {key: (each.status, each.batch_id, each.failure_reason, each.result_at)
            for key, each in world["grants"].items()}


def csv_rows(content: bytes) -> list[list[str]]:
    assert content.startswith(codecs.BOM_UTF8)
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


# -- export --------------------------------------------------------------------------------------

def test_the_export_takes_the_months_granted_lines_of_the_carrier_once(world):
    outcome = batches.export_batch(NOV, "china_mobile", world["company"], SYSTEM, **world["basis"])
    batch = outcome.batch
    assert (batch.lines, outcome.needing_phone) == (3, 1)  # a, b, e; c has no phone
    now = state(world)
    assert {key for key, (status, batch_id, *_rest) in now.items()
            if status == GrantStatus.EXPORTED and batch_id == batch.id} == {"a", "b", "e"}
    assert now["c"][0] == GrantStatus.GRANTED and now["d"][0] == GrantStatus.GRANTED
    rows = csv_rows(batches.batch_file(batch, SYSTEM).content)
    assert rows[0] == ["手机号码", "通话分钟", "流量MB", "业务流水号", "赠送月份"]
    assert sorted(row[3] for row in rows[1:]) == sorted(line(world, key) for key in "abe")
    assert rows[1][1:3] == ["300", "1024"] and rows[1][4] == "202611"
    # Nothing is left for China Mobile but c, who has no phone: a grant is in one batch only.
    with pytest.raises(ValidationError) as refused:
        batches.export_batch(NOV, "china_mobile", world["company"], SYSTEM, **world["basis"])
    assert refused.value.message == batches.ALL_NEED_PHONE and refused.value.params["count"] == 1
    assert session.scalar(select(func.count(CarrierBatch.id))) == 1  # no empty batch is left
    # Once the roster has c's phone, the next export takes c, with that phone.
    world["workers"]["c"].phone = "13912345678"
    session.flush()
    later = batches.export_batch(NOV, "china_mobile", world["company"], SYSTEM, **world["basis"])
    assert later.batch.lines == 1 and later.needing_phone == 0
    session.expire_all()
    assert world["grants"]["c"].phone == "13912345678"
    assert world["grants"]["c"].batch_id == later.batch.id
    events = session.scalar(select(func.count(AuditEvent.id)).where(
        AuditEvent.action == "family_contact.batch_exported"))
    assert events == 2


def test_the_export_stays_in_the_subtree_and_the_carrier(world):
    site = batches.export_batch(NOV, "china_mobile", world["site_b"], SYSTEM, **world["basis"])
    assert site.batch.lines == 1 and state(world)["e"][1] == site.batch.id
    assert batches.batch_unit(site.batch) == world["site_b"]
    unicom = batches.export_batch(NOV, "china_unicom", world["company"], SYSTEM, **world["basis"])
    assert unicom.batch.lines == 1 and state(world)["d"][1] == unicom.batch.id
    assert batches.batch_unit(unicom.batch) == world["company"]  # the unit it was exported for
    made = batches.batch_file(unicom.batch, SYSTEM)
    assert made.filename.endswith(".xlsx") and made.content_type.endswith("sheet")
    sheet = load_workbook(io.BytesIO(made.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][0] == world["workers"]["d"].phone and rows[1][1:4] == (100, 1024,
                                                                          line(world, "d"))
    assert sheet["A2"].data_type == "s" and sheet["D2"].data_type == "s"
    # The same file again: made from the batch's grants.
    assert load_workbook(io.BytesIO(batches.batch_file(unicom.batch, SYSTEM).content)).active[
        "D2"].value == line(world, "d")


@pytest.mark.parametrize(("month", "carrier", "field"), [
    (DEC, "china_mobile", "month"), (None, "china_mobile", "month"),
    (NOV, "china_telecom", "carrier"), (NOV, None, "carrier")])
def test_nothing_to_export_or_a_bad_choice_is_refused(world, month, carrier, field):
    with pytest.raises(ValidationError) as refused:
        batches.export_batch(month, carrier, world["company"], SYSTEM, **world["basis"])
    errors = getattr(refused.value, "errors", None) or [refused.value]
    assert field in {error.field for error in errors}


def test_files_never_carry_formulas():
    lines = [BatchLine("=HYPERLINK(\"http://x\")", "+8613900000000", 1, 2, NOV)]
    rows = csv_rows(ChinaMobileFormat().write_batch(lines))
    assert rows[1][0] == "'+8613900000000" and rows[1][3].startswith("'=")
    sheet = load_workbook(io.BytesIO(ChinaUnicomFormat().write_batch(lines))).active
    assert sheet["D2"].data_type == "s" and sheet["D2"].value.startswith("=HYPERLINK")


# -- results -------------------------------------------------------------------------------------

@pytest.fixture
def exported(world):
    return batches.export_batch(NOV, "china_mobile", world["company"], SYSTEM, **world["basis"]).batch


def test_a_result_file_credits_and_fails_lines(world, exported):
    data = mobile_results([(line(world, "a"), "成功", None), (line(world, "b"), "失败", "空号"),
                           (line(world, "e"), "成功", "")])
    outcome = batches.import_results(exported, data, SYSTEM, filename="结果.csv")
    assert (outcome.rows, outcome.credited, outcome.failed, outcome.unchanged) == (3, 2, 1, 0)
    now = state(world)
    assert now["a"][0] == GrantStatus.CREDITED and now["a"][3] is not None
    assert now["b"][:3] == (GrantStatus.FAILED, exported.id, "空号")
    assert exported.results_imported_at is not None
    event = session.scalars(select(AuditEvent).where(
        AuditEvent.action == "family_contact.results_imported")).one()
    assert event.details["contact_credited"] == 2 and event.target_id == str(exported.id)


def test_importing_the_same_file_twice_changes_nothing_the_second_time(world, exported):
    data = mobile_results([(line(world, "a"), "成功", None), (line(world, "b"), "失败", "空号")])
    batches.import_results(exported, data, SYSTEM)
    before = state(world)
    again = batches.import_results(exported, data, SYSTEM)
    assert (again.credited, again.failed, again.unchanged) == (0, 0, 2)
    assert state(world) == before


def test_a_later_file_turns_a_failure_into_a_credit_but_never_the_reverse(world, exported):
    batches.import_results(exported, mobile_results(
        [(line(world, "a"), "成功", None), (line(world, "b"), "失败", "空号")]), SYSTEM)
    retry = batches.import_results(exported, mobile_results([(line(world, "b"), "成功", None)]),
                                   SYSTEM)
    assert (retry.credited, retry.retried) == (1, 1)
    assert state(world)["b"][:3] == (GrantStatus.CREDITED, exported.id, None)
    before = state(world)
    with pytest.raises(batches.ResultsRefused) as refused:
        batches.import_results(exported, mobile_results([(line(world, "a"), "失败", "停机")]),
                               SYSTEM)
    assert [(error.row, error.field, error.message) for error in refused.value.errors] == [
        (2, "status", batches.ALREADY_CREDITED)]
    assert state(world) == before


def test_a_file_with_bad_rows_is_refused_whole_naming_row_column_and_reason(world, exported):
    other = batches.export_batch(NOV, "china_unicom", world["company"], SYSTEM, **world["basis"]).batch
    assert other.lines == 1
    before = state(world)
    data = mobile_results([
        (line(world, "a"), "成功", None),          # row 2: good, yet not recorded
        ("209901-1", "成功", None),                # row 3: unknown line id
        (line(world, "d"), "成功", None),          # row 4: a line of another batch
        (line(world, "b"), "处理中", None),        # row 5: a status the carrier never gives
        (line(world, "e"), "失败", ""),            # row 6: a failure without its reason
        ("", "成功", None),                        # row 7: no line id
        (line(world, "a"), "成功", None),          # row 8: named twice
    ])
    with pytest.raises(batches.ResultsRefused) as refused:
        batches.import_results(exported, data, SYSTEM)
    errors = refused.value.errors
    assert [(error.row, error.field, error.message) for error in errors] == [
        (3, "line_id", batches.NOT_IN_BATCH), (4, "line_id", batches.NOT_IN_BATCH),
        (5, "status", batches.STATUS_UNKNOWN), (6, "reason", batches.REASON_REQUIRED),
        (7, "line_id", batches.LINE_REQUIRED), (8, "line_id", batches.DUPLICATE)]
    described = batches.describe(errors, ChinaMobileFormat())
    assert described[0]["row"] == 3 and described[0]["column"] == "业务流水号"
    assert "209901-1" in described[0]["reason"]
    assert described[2]["column"] == "处理结果" and "处理中" in described[2]["reason"]
    assert described[3]["column"] == "失败原因"
    assert described[5]["reason"].startswith("业务流水号 " + line(world, "a"))
    assert state(world) == before
    assert exported.results_imported_at is None


@pytest.mark.parametrize(("data", "filename"), [
    (b"", "empty.csv"),
    (b"just,some,columns\n1,2,3\n", "other.csv"),
    (unicom_results([]), "results.xlsx"),
    ("业务流水号,失败原因\n202611-1,\n".encode(), "no-status.csv"),
])
def test_a_file_that_is_not_the_carriers_is_refused_as_a_whole(world, exported, data,
                                                               filename):
    before = state(world)
    with pytest.raises(batches.ResultsRefused) as refused:
        batches.import_results(exported, data, SYSTEM, filename=filename)
    assert [error.field for error in refused.value.errors] == ["file"]
    assert batches.describe(refused.value.errors, ChinaMobileFormat())[0]["column"].startswith(
        "文件")
    assert state(world) == before


def test_gbk_result_files_and_unicom_workbooks_are_read(world, exported):
    gbk = mobile_results([(line(world, "a"), "成功", None), (line(world, "b"), "失败", "欠费停机")],
                         encoding="gbk")
    assert batches.import_results(exported, gbk, SYSTEM).failed == 1
    assert state(world)["b"][2] == "欠费停机"
    unicom = batches.export_batch(NOV, "china_unicom", world["company"], SYSTEM, **world["basis"]).batch
    outcome = batches.import_results(unicom, unicom_results([(line(world, "d"), "受理失败",
                                                              "号码已销户")]), SYSTEM)
    assert outcome.failed == 1 and state(world)["d"][:3] == (GrantStatus.FAILED, unicom.id,
                                                              "号码已销户")
    assert session.scalar(select(func.count(AllowanceGrant.id)).where(
        AllowanceGrant.status == GrantStatus.FAILED)) == 2
