"""Pledge templates, both ways of signing, renewal and revocation (the services)."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from plugin.audit.models import AuditEvent
from plugin.core.db import session
from plugin.core.errors import ValidationError
from plugin.pledges import default_text, queries, services
from plugin.pledges.models import PledgeTemplate, SigningMethod
from plugin.pledges.rules import CODE_LENGTH, PledgeStatus, status_of
from plugin.signals import pledge_revoked, pledge_signed

from .pledges_support import (
    OFFICER,
    Family,
    make_family,
    paper_pledge,
    phone_pledge,
    scan_pdf,
    scan_png,
)


@pytest.fixture
def family(make_unit, make_worker, make_child, clock) -> Family:
    return make_family(make_unit, make_worker, make_child)

TODAY = date(2026, 11, 22)


def events(action):
    return list(session.execute(select(AuditEvent).where(AuditEvent.action == action)
                                .order_by(AuditEvent.id)).scalars())


@pytest.fixture
def received(app):
    """Signals sent during the test, as (name, keyword arguments)."""
    seen = []

    def receiver(name):
        return lambda sender, **kwargs: seen.append((name, kwargs))

    handlers = {"signed": receiver("signed"), "revoked": receiver("revoked")}
    pledge_signed.connect(handlers["signed"], sender=app)
    pledge_revoked.connect(handlers["revoked"], sender=app)
    yield seen
    pledge_signed.disconnect(handlers["signed"], sender=app)
    pledge_revoked.disconnect(handlers["revoked"], sender=app)


# -- templates ----------------------------------------------------------------------------------

def test_the_default_text_is_version_one_created_on_first_use(app_context, company):
    assert session.execute(select(PledgeTemplate)).first() is None
    template = services.current_template()
    assert template.version == 1 and template.title_zh == "监护责任承诺书"
    for words in ("未成年人保护法", "监护职责", "安全", "心理健康", "每周至少"):
        assert words in template.body_zh
    assert "Law on the Protection of Minors" in template.body_en
    assert services.current_template().id == template.id
    assert [event.details["version"] for event in events("pledge.template_saved")] == [1]


def test_editing_the_text_adds_a_version_and_keeps_the_old_one(family):
    first = services.current_template()
    pledge = paper_pledge(family)
    second = services.save_template(title_zh=first.title_zh, title_en=first.title_en,
                                    body_zh=first.body_zh + "\n六、按时参加家长学校。",
                                    body_en=first.body_en + "\n6. To attend the parents' school.",
                                    actor=OFFICER)
    assert (second.version, services.current_template().id) == (2, second.id)
    assert first.body_zh == default_text.BODY_ZH  # the old row is untouched
    assert pledge.template_id == first.id
    assert pledge.text_sha256 == services.template_text_sha256(first) != services.template_text_sha256(second)
    assert [(t.version, signed) for t, signed in queries.template_versions()] == [(2, 0), (1, 1)]
    assert queries.template_by_version(1).id == first.id


def test_saving_unchanged_or_empty_text_is_refused(app_context, company):
    current = services.current_template()
    with pytest.raises(ValidationError, match="没有变化"):
        services.save_template(title_zh=current.title_zh + "  ", title_en=current.title_en,
                               body_zh=current.body_zh.replace("\n", "\r\n"), body_en=current.body_en,
                               actor=OFFICER)
    with pytest.raises(ValidationError) as caught:
        services.save_template(title_zh="承诺书", title_en="Pledge", body_zh="  \n ", body_en="x",
                               actor=OFFICER)
    assert caught.value.field == "body_zh"


# -- paper -------------------------------------------------------------------------------------

def test_an_officer_logs_a_paper_pledge_with_witness_and_scan(family, received):
    pledge = paper_pledge(family, signed_on=TODAY - timedelta(days=3))
    assert pledge.method == SigningMethod.PAPER and pledge.witness == "李专员"
    assert pledge.scan == scan_png() and pledge.scan_content_type == "image/png"
    assert pledge.signed_on == date(2026, 11, 19) and pledge.valid_until == date(2027, 11, 18)
    assert {child.id for child in pledge.children} == {child.id for child in family.children}
    assert len(pledge.verification_code) == CODE_LENGTH and pledge.signature_png is None
    assert status_of(pledge, TODAY) == PledgeStatus.VALID
    [event] = events("pledge.signed")
    assert event.actor_key == OFFICER.key and event.details["method"] == "paper"
    assert event.details["template_version"] == 1
    assert received == [("signed", {"pledge": pledge, "actor": OFFICER})]


def test_the_validity_period_is_configurable(family, app, set_setting):
    set_setting("CAREBRIDGE_PLEDGE_VALIDITY_DAYS", 30)
    assert paper_pledge(family).valid_until == TODAY + timedelta(days=29)


def test_a_pdf_scan_is_accepted_by_its_content(family):
    pledge = services.log_paper_pledge(family.worker, family.children, TODAY, "李专员", scan_pdf(),
                                       "application/octet-stream", OFFICER)
    assert pledge.scan_content_type == "application/pdf"


@pytest.mark.parametrize("data, declared, message", [
    (b"", "image/png", "请上传签字页的扫描件或照片"),
    (b"GIF89a" + b"\0" * 64, "image/gif", "只能上传 PDF、JPG 或 PNG 文件"),
    (b"<html><script>alert(1)</script>", "application/pdf", "只能上传 PDF、JPG 或 PNG 文件"),
    (scan_pdf(), "image/png", "文件内容与文件类型不符"),
    (scan_png()[:60], "image/png", "图片已损坏"),
])
def test_scans_are_checked_by_their_bytes_not_their_name(family, data, declared, message):
    with pytest.raises(ValidationError) as caught:
        services.log_paper_pledge(family.worker, family.children, TODAY, "李专员", data, declared, OFFICER)
    assert caught.value.field == "scan" and message in str(caught.value)


def test_a_scan_over_the_limit_is_refused_with_the_limit_in_the_message(family, app, set_setting):
    set_setting("CAREBRIDGE_PLEDGE_SCAN_MAX_BYTES", 2 * 1024 * 1024)
    big = b"%PDF-1.4\n" + b"0" * (2 * 1024 * 1024)
    with pytest.raises(ValidationError) as caught:
        services.log_paper_pledge(family.worker, family.children, TODAY, "李专员", big, "application/pdf",
                                  OFFICER)
    assert caught.value.params["megabytes"] == 2 and caught.value.field == "scan"


@pytest.mark.parametrize("signed_on, message", [
    (None, "请填写签署日期"),
    (TODAY + timedelta(days=1), "不能晚于今天"),
    (TODAY - timedelta(days=365), "已过有效期"),
])
def test_signing_dates_must_be_plausible(family, signed_on, message):
    with pytest.raises(ValidationError) as caught:
        services.log_paper_pledge(family.worker, family.children, signed_on, "李专员", scan_png(),
                                  "image/png", OFFICER)
    assert caught.value.field == "signed_on" and message in str(caught.value)


def test_a_witness_is_required(family):
    with pytest.raises(ValidationError) as caught:
        services.log_paper_pledge(family.worker, family.children, TODAY, "  ", scan_png(), "image/png", OFFICER)
    assert caught.value.field == "witness"


def test_children_must_be_chosen_and_be_the_workers_own(family, make_worker, make_child):
    with pytest.raises(ValidationError, match="请选择"):
        paper_pledge(family, children=[])
    stranger = make_child(make_worker(family.site), name="别人家的孩子")
    with pytest.raises(ValidationError) as caught:
        paper_pledge(family, children=[family.children[0], stranger])
    assert caught.value.field == "children" and "自己的子女" in str(caught.value)
    assert events("pledge.signed") == []


# -- phone --------------------------------------------------------------------------------------

def test_a_worker_signs_on_the_phone_with_a_drawn_signature(family, received):
    pledge = phone_pledge(family, children=family.children[:1])
    assert pledge.method == SigningMethod.PHONE and pledge.witness is None and pledge.scan is None
    assert pledge.signature_png.startswith(b"\x89PNG") and pledge.signed_on == TODAY
    assert pledge.recorded_by == f"worker:{family.worker.id}"
    assert [child.name for child in pledge.children] == ["赵小妹"]
    assert received == [("signed", {"pledge": pledge, "actor": None})]
    assert events("pledge.signed")[0].actor_key == f"worker:{family.worker.id}"


def test_signing_under_a_text_changed_meanwhile_is_refused(family):
    shown = services.current_template()
    services.save_template(title_zh="新承诺书", title_en="New pledge", body_zh="新文本", body_en="New text",
                           actor=OFFICER)
    with pytest.raises(ValidationError) as caught:
        services.sign_on_phone(family.worker, family.children, b"\x89PNG\r\n\x1a\n...", template=shown,
                               actor=OFFICER)
    assert caught.value.field == "template_id"


def test_a_signature_that_is_not_a_png_is_refused(family):
    with pytest.raises(ValidationError) as caught:
        services.sign_on_phone(family.worker, family.children, b"", template=services.current_template(),
                               actor=OFFICER)
    assert caught.value.field == "signature"


# -- renewal, duplicates, revocation -------------------------------------------------------------

def test_a_second_pledge_for_the_same_children_waits_for_the_renewal_window(family, clock):
    first = paper_pledge(family)
    with pytest.raises(ValidationError) as caught:
        phone_pledge(family)
    assert caught.value.field == "children" and caught.value.params["date"] == "2027-11-21"
    clock.advance(days=336)  # 2027-10-24: the first pledge lapses within 30 days
    renewal = phone_pledge(family)
    assert renewal.renews_id == first.id
    assert renewal.valid_until == date(2028, 10, 22)


def test_a_child_not_yet_covered_may_get_a_pledge_at_any_time(family):
    first = paper_pledge(family, children=family.children[:1])
    second = phone_pledge(family, children=family.children)
    assert second.renews_id == first.id  # it covers everything the first one did


def test_a_pledge_for_other_children_does_not_renew_the_first(family):
    paper_pledge(family, children=family.children[:1])
    assert phone_pledge(family, children=family.children[1:]).renews_id is None


def test_a_late_renewal_still_links_and_an_old_one_does_not(family, clock):
    first = paper_pledge(family)
    clock.advance(days=375)  # 10 days after it lapsed
    assert phone_pledge(family).renews_id == first.id
    clock.advance(days=800)
    assert paper_pledge(family).renews_id is None


def test_revoking_needs_a_reason_and_happens_once(family, received):
    pledge = paper_pledge(family)
    with pytest.raises(ValidationError) as caught:
        services.revoke(pledge, "  ", OFFICER)
    assert caught.value.field == "reason"
    services.revoke(pledge, "职工反映签字人不是本人", OFFICER)
    assert pledge.revoked_by == OFFICER.key and pledge.revoke_reason == "职工反映签字人不是本人"
    assert status_of(pledge, TODAY) == PledgeStatus.REVOKED
    assert received[-1] == ("revoked", {"pledge": pledge, "reason": "职工反映签字人不是本人", "actor": OFFICER})
    with pytest.raises(ValidationError, match="已经撤销"):
        services.revoke(pledge, "again", OFFICER)
    assert events("pledge.revoked")[0].details["reason"] == "职工反映签字人不是本人"
    # Once revoked, the children may be pledged for again at once; it is not a renewal.
    assert phone_pledge(family).renews_id is None
