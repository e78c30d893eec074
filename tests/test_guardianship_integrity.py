"""The integrity record: entries from pledge signals, commendations and admonitions, the timeline
pages for officers and for the worker's own phone."""
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from plugin.access.roles import Role
from plugin.audit.models import AuditEvent
from plugin.core.db import session
from plugin.core.errors import ValidationError
from plugin.guardianship.integrity import admonish, commend
from plugin.guardianship.models import IntegrityEntry, IntegrityKind
from plugin.org.models import OrgKind
from plugin.pledges.models import Pledge, PledgeTemplate, SigningMethod
from plugin.signals import pledge_expired, pledge_revoked, pledge_signed

from .conftest import SYSTEM, submit
from .guardianship_support import TODAY, log, phone


@pytest.fixture
def sites(make_unit):
    return make_unit(OrgKind.SITE, name="甲项目部"), make_unit(OrgKind.SITE, name="乙项目部")


@pytest.fixture
def worker(sites, make_worker, make_child):
    father = make_worker(sites[0], name="张大山")
    make_child(father, left_behind=True, name="张小明")
    return father


def make_pledge(worker, *, signed_on=date(2026, 11, 1), renews=None) -> Pledge:
    template = session.execute(select(PledgeTemplate)).scalars().first()
    if template is None:
        template = PledgeTemplate(version=1, title_zh="监护责任承诺书", title_en="Pledge", body_zh="我承诺……",
                                  body_en="I pledge…", created_by="tests")
        session.add(template)
    pledge = Pledge(worker=worker, template=template, text_sha256="0" * 64,
                    method=SigningMethod.PHONE, signed_on=signed_on,
                    valid_until=signed_on + timedelta(days=364), recorded_by="tests",
                    verification_code=f"code{signed_on:%Y%m%d}",
                    renews_id=renews.id if renews else None)
    session.add(pledge)
    session.flush()
    return pledge


def entries(worker):
    return session.execute(select(IntegrityEntry).where(IntegrityEntry.worker_id == worker.id)
                           .order_by(IntegrityEntry.id)).scalars().all()


def test_pledge_signals_write_the_integrity_record_once(app, worker, clock):
    first = make_pledge(worker, signed_on=date(2025, 11, 1))
    pledge_signed.send(app, pledge=first, actor=SYSTEM)
    pledge_signed.send(app, pledge=first, actor=SYSTEM)  # sent twice: still one entry
    renewal = make_pledge(worker, signed_on=date(2026, 10, 30), renews=first)
    pledge_signed.send(app, pledge=renewal, actor=None)
    pledge_expired.send(app, pledge=first)
    pledge_revoked.send(app, pledge=renewal, reason="承诺书信息有误", actor=SYSTEM)
    recorded = [(e.kind, e.occurred_on, e.reference_id) for e in entries(worker)]
    assert recorded == [
        (IntegrityKind.PLEDGE_SIGNED, date(2025, 11, 1), first.id),
        (IntegrityKind.PLEDGE_RENEWED, date(2026, 10, 30), renewal.id),
        (IntegrityKind.PLEDGE_EXPIRED, date(2026, 11, 1), first.id),  # the first day without it
        (IntegrityKind.PLEDGE_REVOKED, TODAY, renewal.id),
    ]
    signed, renewed, expired, revoked = entries(worker)
    assert signed.issued_by == SYSTEM.key and signed.details["valid_until"] == "2026-10-31"
    assert renewed.issued_by == f"worker:{worker.id}" and renewed.issued_by_name == "张大山"
    assert expired.issued_by is None and revoked.reason == "承诺书信息有误"


def test_commendations_and_admonitions_need_a_reason_and_are_audited(worker):
    with pytest.raises(ValidationError) as short:
        admonish(worker, reason="不好", occurred_on=TODAY, actor=SYSTEM, today=TODAY)
    assert short.value.field == "reason"
    with pytest.raises(ValidationError) as future:
        commend(worker, reason="每周坚持视频通话", occurred_on=TODAY + timedelta(days=1), actor=SYSTEM,
                today=TODAY)
    assert future.value.field == "occurred_on"
    with pytest.raises(ValidationError) as both:  # every problem at once
        admonish(worker, reason="", occurred_on=None, actor=SYSTEM, today=TODAY)
    assert {error.field for error in both.value.errors} == {"reason", "occurred_on"}
    entry = admonish(worker, reason="连续两个月未与孩子联系，经提醒仍未改正", occurred_on=TODAY, actor=SYSTEM,
                     today=TODAY)
    assert entry.kind == IntegrityKind.ADMONITION and entry.issued_by_name == SYSTEM.name
    event = session.execute(select(AuditEvent).where(
        AuditEvent.action == "integrity.admonished")).scalar_one()
    assert event.target_id == str(worker.id) and event.details == {"entry": entry.id}
    assert "连续两个月" not in str(event.details)


def test_officers_see_the_timeline_with_the_contact_regularity(worker, sites, make_user, login, clock):
    for days_ago in (0, 2, 20, 60):  # three different weeks out of twelve
        log(worker, days_ago)
    log(worker, 100)  # outside the 12 weeks
    commend(worker, reason="每周坚持视频通话", occurred_on=TODAY, actor=SYSTEM, today=TODAY)
    care = login(make_user(Role.CARE_WORKER, sites[0]))
    page = care.get(f"/guardianship/workers/{worker.id}/record")
    assert page.status_code == 200
    assert 'data-weeks="3"' in page.text and "最近 12 周中有 3 周" in page.text
    assert 'data-kind="commendation"' in page.text and "每周坚持视频通话" in page.text
    assert 'id="integrity-form"' not in page.text  # care workers may not commend or admonish
    assert submit(care, f"/guardianship/workers/{worker.id}/record",
                  {"kind": "commendation", "occurred_on": "2026-11-22", "reason": "表现很好很好"},
                  form_url=f"/guardianship/workers/{worker.id}/record").status_code == 403
    assert login(make_user(Role.HR_OFFICER, sites[1])).get(
        f"/guardianship/workers/{worker.id}/record").status_code == 404


def test_a_union_officer_admonishes_through_the_page(worker, sites, make_user, login, clock):
    union = login(make_user(Role.UNION_OFFICER, sites[0], name="工会刘主席"))
    url = f"/guardianship/workers/{worker.id}/record"
    refused = submit(union, url, {"kind": "admonition", "occurred_on": "2026-11-22", "reason": "差"})
    assert refused.status_code == 422 and "至少 4 个字" in refused.text
    assert not entries(worker)
    done = submit(union, url, {"kind": "admonition", "occurred_on": "2026-11-21",
                               "reason": "两个月未与孩子联系，依法批评教育"})
    assert done.status_code == 302
    page = union.get(url)
    assert 'data-kind="admonition"' in page.text and "工会刘主席" in page.text


def test_the_worker_sees_their_own_record_on_the_phone(app, worker, make_worker, make_child, clock):
    admonish(worker, reason="两个月未与孩子联系，依法批评教育", occurred_on=TODAY, actor=SYSTEM, today=TODAY)
    log(worker, 3)
    other = make_worker(worker.org_unit, name="李四")
    commend(other, reason="别人的表彰记录", occurred_on=TODAY, actor=SYSTEM, today=TODAY)
    page = phone(app, worker).get("/w/record")
    assert page.status_code == 200
    assert "两个月未与孩子联系" in page.text and "别人的表彰记录" not in page.text
    assert 'data-weeks="1"' in page.text and "<script" not in page.text
    assert app.test_client().get("/w/record").status_code == 302  # not signed in
