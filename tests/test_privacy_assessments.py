"""Impact assessments (PIPL Art. 55–56): recorded per recipient and purpose with every element the
law names, valid for a period, changed only until an export relies on one, ended early but never
deleted (kept three years after the last use); what an export may rely on: a current assessment
of the right kind of recipient covering the exporting unit, and a purpose."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from plugin.audit.models import AuditEvent
from plugin.core.db import session
from plugin.core.errors import InputInvalid, ValidationError
from plugin.org.models import OrgKind
from plugin.privacy import assessments
from plugin.privacy.assessments_models import ExportRecord, ImpactAssessment, RecipientKind

from .conftest import SYSTEM
from .privacy_subject_support import assessment_input, make_assessment

TODAY = date(2026, 11, 22)
CARRIER_EXPORT = assessments.ExportKind("tests.carrier_file", "运营商文件",
                                        (RecipientKind.CARRIER,))


@pytest.fixture
def units(company, make_unit, clock):
    subsidiary = make_unit(OrgKind.SUBSIDIARY, name="第一工程局")
    return {"company": company, "subsidiary": subsidiary,
            "site": make_unit(OrgKind.SITE, parent=subsidiary, name="前海项目部"),
            "other": make_unit(OrgKind.SITE, name="乙项目部")}


def fields_of(error: InputInvalid) -> dict:
    return error.errors.by_field()


def test_an_assessment_records_every_element_and_is_audited(units):
    made = make_assessment(units["company"])
    assert made.recipient_kind == RecipientKind.CARRIER and made.last_used_on is None
    assert made.risks_and_measures.startswith("合同约定")
    [event] = session.execute(select(AuditEvent).where(
        AuditEvent.action == "privacy.assessment_created")).scalars()
    assert event.target_id == str(made.id)
    assert event.details == {"recipient_kind": "carrier", "valid_until": "2027-10-31"}


def test_every_missing_element_is_named_and_nothing_is_stored(units):
    with pytest.raises(InputInvalid) as refused:
        assessments.create_assessment(assessments.AssessmentInput(), actor=SYSTEM, today=TODAY)
    named = fields_of(refused.value)
    assert set(named) == {"unit", "recipient_kind", "recipient_name", "purpose",
                          "data_categories", "legal_basis", "necessity", "risks_and_measures",
                          "assessed_by", "assessed_on", "valid_until"}
    assert named["recipient_kind"] == ["请选择接收方类型"]
    with pytest.raises(InputInvalid) as dates:
        assessments.create_assessment(assessment_input(
            units["company"], assessed_on=date(2026, 12, 1), valid_until=date(2026, 11, 30)),
            actor=SYSTEM, today=TODAY)
    assert fields_of(dates.value) == {"assessed_on": ["评估日期不能晚于今天"],
                                      "valid_until": ["有效期不能早于评估日期"]}
    with pytest.raises(InputInvalid) as long:
        assessments.create_assessment(assessment_input(units["company"], purpose="长" * 1001),
                                      actor=SYSTEM, today=TODAY)
    assert list(fields_of(long.value)) == ["purpose"]
    assert session.scalar(select(func.count()).select_from(ImpactAssessment)) == 0


def test_validity_and_what_an_export_may_rely_on(units):
    carrier = make_assessment(units["subsidiary"])
    agent = make_assessment(units["company"], "ticket_agent", recipient_name="铁路票务代理")
    later = make_assessment(units["company"], valid_until=date(2026, 12, 31))
    site_paths = [units["site"].path]
    assert assessments.usable_assessments(CARRIER_EXPORT, site_paths, TODAY) == [carrier, later]
    # The other site is not in the subsidiary's subtree.
    assert assessments.usable_assessments(CARRIER_EXPORT, [units["other"].path], TODAY) == [later]
    assert assessments.is_usable_on(later, date(2026, 12, 31))
    assert not assessments.is_usable_on(later, date(2027, 1, 1))
    assert not assessments.is_usable_on(carrier, date(2026, 10, 31))
    ok = assessments.check_export(CARRIER_EXPORT, carrier.id, "十一月赠送", unit=units["site"],
                                  today=TODAY)
    assert ok.ok and ok.assessment is carrier and ok.purpose == "十一月赠送"

    def refusal(assessment_id, purpose="十一月赠送", unit=units["site"], today=TODAY):
        check = assessments.check_export(CARRIER_EXPORT, assessment_id, purpose, unit=unit,
                                         today=today)
        return {error.field: error.localized() for error in check.errors}

    assert refusal(None, purpose="") == {
        "assessment": "请选择这次对外提供所依据的个人信息保护影响评估",
        "purpose": "请填写这次对外提供的目的"}
    assert refusal(2_000_000) == {"assessment": "所选的影响评估不存在，请重新选择"}
    assert refusal(agent.id) == {
        "assessment": "所选的影响评估是针对“票务代理”的，不适用于向电信运营商提供"}
    assert refusal(carrier.id, unit=units["other"]) == {
        "assessment": "所选的影响评估适用于第一工程局，不包括这次导出的单位"}
    assert "不在有效期内" in refusal(later.id, today=date(2027, 1, 1))["assessment"]


def test_an_export_record_ties_the_export_to_its_assessment(units):
    carrier = make_assessment(units["company"])
    check = assessments.require_export(CARRIER_EXPORT, carrier.id, "十一月赠送",
                                       unit=units["site"], today=TODAY)
    record = assessments.record_export(check, CARRIER_EXPORT, unit=units["site"], people=12,
                                       actor=SYSTEM, today=TODAY, reference="batch:1",
                                       file_format="csv")
    assert (record.assessment_id, record.kind, record.people, record.purpose) == (
        carrier.id, "tests.carrier_file", 12, "十一月赠送")
    assert carrier.last_used_on == TODAY
    assert assessments.earliest_purge_on(carrier) == date(2030, 11, 1)
    assert assessments.export_kind_label("tests.carrier_file") == "运营商文件"
    with pytest.raises(InputInvalid):
        assessments.require_export(CARRIER_EXPORT, None, "x", unit=units["site"], today=TODAY)


def test_kept_three_years_after_the_later_of_last_use_and_validity(units):
    carrier = make_assessment(units["company"], valid_until=date(2026, 12, 31))
    assert assessments.earliest_purge_on(carrier) == date(2030, 1, 1)
    carrier.last_used_on = date(2028, 2, 29)  # a leap day three years before a common year
    assert assessments.earliest_purge_on(carrier) == date(2031, 3, 2)


def test_changed_until_used_then_only_ended_early_and_never_deleted(units):
    carrier = make_assessment(units["company"])
    assessments.update_assessment(carrier, assessment_input(units["company"],
                                                            purpose="每月报送赠送名单和结果核对"),
                                  actor=SYSTEM, today=TODAY)
    assert carrier.purpose == "每月报送赠送名单和结果核对"
    with pytest.raises(ValidationError, match="内容没有变化"):
        assessments.update_assessment(carrier, assessment_input(
            units["company"], purpose="每月报送赠送名单和结果核对"), actor=SYSTEM, today=TODAY)
    check = assessments.require_export(CARRIER_EXPORT, carrier.id, "十一月", unit=units["site"],
                                       today=TODAY)
    assessments.record_export(check, CARRIER_EXPORT, unit=units["site"], people=3,
                              actor=SYSTEM, today=TODAY)
    with pytest.raises(InputInvalid) as used:
        assessments.update_assessment(carrier, assessment_input(units["company"], purpose="别的"),
                                      actor=SYSTEM, today=TODAY)
    assert used.value.errors[0].localized().startswith("已有导出依据这份评估，不能再修改")
    with pytest.raises(InputInvalid) as no_reason:
        assessments.withdraw_assessment(carrier, reason=" ", actor=SYSTEM, today=TODAY)
    assert fields_of(no_reason.value) == {"reason": ["请填写这一项"]}
    assessments.withdraw_assessment(carrier, reason="运营商更换", actor=SYSTEM, today=TODAY)
    assert carrier.withdrawn_on == TODAY and not assessments.is_usable_on(carrier, TODAY)
    assert assessments.check_export(CARRIER_EXPORT, carrier.id, "x", unit=units["site"],
                                    today=TODAY).errors[0].localized() == \
        "所选的影响评估已于 2026-11-22 终止，请选择有效的评估"
    with pytest.raises(InputInvalid):
        assessments.withdraw_assessment(carrier, reason="again", actor=SYSTEM, today=TODAY)
    # Nothing deletes it: no service does, and its export stays tied to it.
    assert not hasattr(assessments, "delete_assessment")
    assert session.scalar(select(func.count()).select_from(ExportRecord)) == 1
    assert [event.action for event in session.execute(select(AuditEvent).where(
        AuditEvent.target_type == "privacy_assessment").order_by(AuditEvent.id)).scalars()] == [
        "privacy.assessment_created", "privacy.assessment_updated", "privacy.export_recorded",
        "privacy.assessment_withdrawn"]
