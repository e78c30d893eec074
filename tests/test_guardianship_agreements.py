"""Entrusted-guardianship agreements: the rules of MPL Art. 22–23 and the agreement's life."""
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from plugin.audit.models import AuditEvent
from plugin.core.db import session
from plugin.core.errors import ValidationError
from plugin.guardianship import services
from plugin.guardianship.jobs import daily_guardianship_check
from plugin.guardianship.models import (
    AgreementStatus,
    EntrustmentAgreement,
    IntegrityEntry,
    IntegrityKind,
)
from plugin.guardianship.services import AgreementInvalid, check_scan, create_agreement
from plugin.org.models import OrgKind

from .conftest import SYSTEM
from .guardianship_support import (
    JPEG_SCAN,
    PDF_SCAN,
    PNG_SCAN,
    TODAY,
    id_number,
    paper_draft,
    phone_draft,
    signature_data_url,
)


@pytest.fixture
def family(make_unit, make_worker, make_child):
    site = make_unit(OrgKind.SITE, name="前海项目部")
    father = make_worker(site, name="张大山")
    child = make_child(father, left_behind=True, name="张小明")
    sibling = make_child(father, left_behind=True, name="张小红", birth_date="2019-02-02")
    return father, child, sibling


def refusal(worker, draft) -> AgreementInvalid:
    with pytest.raises(AgreementInvalid) as caught:
        create_agreement(worker, draft, actor=SYSTEM, today=TODAY)
    assert session.execute(select(EntrustmentAgreement)).first() is None
    return caught.value


def fields(invalid: AgreementInvalid) -> set[str]:
    return {error.field for error in invalid.errors}


def test_a_paper_agreement_is_active_audited_and_in_the_integrity_record(family):
    father, child, sibling = family
    draft = paper_draft([child, sibling], carer_id_number=id_number(date(1960, 3, 4)))
    agreement = create_agreement(father, draft, actor=SYSTEM, today=TODAY)
    assert agreement.status == AgreementStatus.ACTIVE and agreement.signed_on == TODAY
    assert [c.name for c in agreement.children] == ["张小明", "张小红"]
    assert agreement.carer_birth_date == date(1960, 3, 4) and agreement.scan_content_type == "image/png"
    assert agreement.declaration_version and agreement.no_bars_declared and agreement.carer_capable_adult
    event = session.execute(select(AuditEvent).where(
        AuditEvent.action == "agreement.created")).scalar_one()
    assert event.target_id == str(agreement.id) and event.org_unit_id == father.org_unit_id
    entry = session.execute(select(IntegrityEntry)).scalar_one()
    assert (entry.worker_id, entry.kind, entry.reference_id) == (
        father.id, IntegrityKind.AGREEMENT_SIGNED, agreement.id)


def test_refused_without_the_article_22_declaration(family):
    father, child, _ = family
    invalid = refusal(father, paper_draft([child], no_bars_declared=False))
    assert fields(invalid) == {"no_bars_declared"}
    assert "第二十二条" in invalid.errors[0].message


def test_refused_without_the_capable_adult_confirmation(family):
    father, child, _ = family
    invalid = refusal(father, paper_draft([child], carer_capable_adult=False))
    assert fields(invalid) == {"carer_capable_adult"}


@pytest.mark.parametrize("overrides, field", [
    ({"carer_id_number": id_number(date(2009, 1, 1))}, "carer_id_number"),
    ({"carer_id_number": id_number(date(2008, 11, 23))}, "carer_id_number"),  # 18 tomorrow
    ({"carer_birth_date": date(2008, 11, 23)}, "carer_birth_date"),
])
def test_a_carer_under_18_is_refused(family, overrides, field):
    father, child, _ = family
    invalid = refusal(father, paper_draft([child], **overrides))
    assert fields(invalid) == {field} and "未满 18 周岁" in invalid.errors[0].message


def test_a_carer_who_turned_18_today_is_accepted(family):
    father, child, _ = family
    agreement = create_agreement(father, paper_draft([child], carer_birth_date=date(2008, 11, 22)),
                                 actor=SYSTEM, today=TODAY)
    assert agreement.carer_birth_date == date(2008, 11, 22)


def test_the_carer_id_number_is_checked_and_must_match_the_birth_date(family):
    father, child, _ = family
    broken = id_number(date(1960, 3, 4))[:-1] + "0"
    if broken == id_number(date(1960, 3, 4)):
        broken = broken[:-1] + "1"
    assert "校验位" in refusal(father, paper_draft([child], carer_id_number=broken)).errors[0].message
    mismatch = refusal(father, paper_draft([child], carer_id_number=id_number(date(1960, 3, 4)),
                                           carer_birth_date=date(1961, 3, 4)))
    assert fields(mismatch) == {"carer_birth_date"}


def test_only_the_workers_own_children_can_be_entrusted(family, make_worker, make_child):
    father, child, _ = family
    stranger = make_worker(father.org_unit, name="路人甲")
    other_child = make_child(stranger, name="别人家孩子")
    assert fields(refusal(father, paper_draft([child, other_child]))) == {"children"}
    assert fields(refusal(father, paper_draft([]))) == {"children"}


def test_the_other_parent_must_be_the_childrens_other_parent(family, make_worker, make_child):
    father, child, _ = family
    stranger = make_worker(father.org_unit, name="路人乙")
    invalid = refusal(father, paper_draft([child], other_parent_worker_id=stranger.id))
    assert fields(invalid) == {"other_parent"}
    mother = make_worker(father.org_unit, name="李秀兰")
    shared = make_child(father, name="张小军", other_parent_employee_number=mother.employee_number)
    agreement = create_agreement(father, paper_draft([shared], other_parent_worker_id=mother.id),
                                 actor=SYSTEM, today=TODAY)
    assert agreement.other_parent_worker is mother
    kinds = session.execute(select(IntegrityEntry.worker_id).where(
        IntegrityEntry.kind == IntegrityKind.AGREEMENT_SIGNED)).scalars().all()
    assert sorted(kinds) == sorted([father.id, mother.id])


def test_every_broken_rule_is_reported_at_once(family):
    father, child, _ = family
    invalid = refusal(father, paper_draft(
        [child], carer_name=" ", carer_phone="12345", starts_on=TODAY, ends_on=TODAY,
        child_contacts_per_week=0, witness="", scan=b"GIF89a...."))
    assert fields(invalid) == {"carer_name", "carer_phone", "ends_on", "child_contacts_per_week",
                               "witness", "scan"}


def test_the_period_must_end_after_it_starts_and_not_be_over(family):
    father, child, _ = family
    assert fields(refusal(father, paper_draft([child], ends_on=TODAY - timedelta(days=1),
                                              starts_on=TODAY - timedelta(days=30)))) == {"ends_on"}
    assert fields(refusal(father, paper_draft([child], starts_on=None))) == {"starts_on"}


def test_a_child_cannot_be_entrusted_twice_for_overlapping_periods(family):
    father, child, sibling = family
    create_agreement(father, paper_draft([child]), actor=SYSTEM, today=TODAY)
    invalid = refusal_after_first(father, paper_draft([sibling, child],
                                                      starts_on=TODAY + timedelta(days=100)))
    assert fields(invalid) == {"children"}
    later = create_agreement(father, paper_draft([child], starts_on=TODAY + timedelta(days=366),
                                                 ends_on=TODAY + timedelta(days=700)),
                             actor=SYSTEM, today=TODAY)
    assert later.status == AgreementStatus.ACTIVE


def refusal_after_first(worker, draft) -> AgreementInvalid:
    with pytest.raises(AgreementInvalid) as caught:
        create_agreement(worker, draft, actor=SYSTEM, today=TODAY)
    return caught.value


@pytest.mark.parametrize("data, content_type", [(PNG_SCAN, "image/png"), (JPEG_SCAN, "image/jpeg"),
                                                (PDF_SCAN, "application/pdf")])
def test_scans_are_recognised_by_their_first_bytes(data, content_type):
    assert check_scan(data) == content_type


@pytest.mark.parametrize("data, message", [
    (None, "请上传签字页的扫描件或照片"),
    (b"", "请上传签字页的扫描件或照片"),
    (b"GIF89a" + b"\0" * 100, "只能上传 PDF、JPG 或 PNG 文件"),
    (b"<html><script>alert(1)</script>", "只能上传 PDF、JPG 或 PNG 文件"),
    (b"%PDF-" + b"\0" * services.MAX_SCAN_BYTES, "扫描件：文件太大，最多 10 MB"),
])
def test_scans_of_other_types_or_too_big_are_refused(data, message):
    with pytest.raises(ValidationError) as caught:
        check_scan(data)
    assert caught.value.field == "scan" and message in str(caught.value)


def test_a_phone_agreement_waits_for_the_workers_signature(family):
    father, child, _ = family
    agreement = create_agreement(father, phone_draft([child]), actor=SYSTEM, today=TODAY)
    assert agreement.status == AgreementStatus.PENDING and agreement.scan is None
    assert session.execute(select(IntegrityEntry)).first() is None
    with pytest.raises(ValidationError) as unconfirmed:
        services.sign_on_phone(agreement, father, signature_data_url(), confirmed=False, today=TODAY)
    assert unconfirmed.value.field == "confirmed"
    with pytest.raises(ValidationError) as blank:
        services.sign_on_phone(agreement, father, "", confirmed=True, today=TODAY)
    assert blank.value.field == "signature"
    services.sign_on_phone(agreement, father, signature_data_url(), confirmed=True, today=TODAY)
    assert agreement.status == AgreementStatus.ACTIVE and agreement.signature_png.startswith(b"\x89PNG")
    signed = session.execute(select(AuditEvent).where(
        AuditEvent.action == "agreement.signed")).scalar_one()
    assert signed.actor_key == f"worker:{father.id}"
    assert session.execute(select(IntegrityEntry.kind)).scalar_one() == IntegrityKind.AGREEMENT_SIGNED
    with pytest.raises(ValidationError):
        services.sign_on_phone(agreement, father, signature_data_url(), confirmed=True, today=TODAY)


def test_only_the_named_worker_can_sign_and_not_after_the_period(family, make_worker):
    father, child, _ = family
    agreement = create_agreement(father, phone_draft([child], ends_on=TODAY + timedelta(days=10)),
                                 actor=SYSTEM, today=TODAY)
    with pytest.raises(ValidationError):
        services.sign_on_phone(agreement, make_worker(father.org_unit), signature_data_url(),
                               confirmed=True, today=TODAY)
    with pytest.raises(ValidationError) as late:
        services.sign_on_phone(agreement, father, signature_data_url(), confirmed=True,
                               today=TODAY + timedelta(days=11))
    assert "期限已过" in late.value.message


def test_ending_and_revoking_need_a_reason_and_reach_the_record(family):
    father, child, sibling = family
    first = create_agreement(father, paper_draft([child]), actor=SYSTEM, today=TODAY)
    with pytest.raises(ValidationError) as no_reason:
        services.end_agreement(first, reason=" ", actor=SYSTEM, today=TODAY)
    assert no_reason.value.field == "reason"
    services.end_agreement(first, reason="父亲返乡", actor=SYSTEM, today=TODAY)
    assert first.status == AgreementStatus.ENDED and first.closed_on == TODAY
    with pytest.raises(ValidationError):
        services.revoke_agreement(first, reason="再撤销", actor=SYSTEM, today=TODAY)
    pending = create_agreement(father, phone_draft([sibling]), actor=SYSTEM, today=TODAY)
    services.revoke_agreement(pending, reason="登记有误", actor=SYSTEM, today=TODAY)
    assert pending.status == AgreementStatus.REVOKED
    ended = session.execute(select(IntegrityEntry).where(
        IntegrityEntry.kind == IntegrityKind.AGREEMENT_ENDED)).scalars().all()
    assert [(entry.reference_id, entry.reason) for entry in ended] == [(first.id, "父亲返乡")]
    actions = session.execute(select(AuditEvent.action).where(
        AuditEvent.target_type == "agreement").order_by(AuditEvent.id)).scalars().all()
    assert actions == ["agreement.created", "agreement.ended", "agreement.created", "agreement.revoked"]


def test_the_daily_job_ends_agreements_after_their_last_day(family, clock, app):
    father, child, _ = family
    agreement = create_agreement(father, paper_draft([child], ends_on=TODAY + timedelta(days=3)),
                                 actor=SYSTEM, today=TODAY)
    clock.advance(days=3)
    assert daily_guardianship_check()["agreements_ended"] == 0
    clock.advance(days=1)
    assert daily_guardianship_check()["agreements_ended"] == 1
    assert agreement.status == AgreementStatus.ENDED and agreement.closed_on == TODAY + timedelta(days=3)
    entry = session.execute(select(IntegrityEntry).where(
        IntegrityEntry.kind == IntegrityKind.AGREEMENT_ENDED)).scalar_one()
    assert entry.details["lapsed"] is True
    assert daily_guardianship_check()["agreements_ended"] == 0
