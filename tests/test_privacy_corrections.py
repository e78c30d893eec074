"""Correction requests (PIPL Art. 46): the worker says in words which record is wrong, what is
wrong and what is right (each required, each of bounded length, a few waiting at once); an
officer marks it made with what was changed, or refused with a reason; answered once; every
step audited without what the worker wrote."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from plugin.audit.models import AuditEvent
from plugin.core.db import session
from plugin.core.errors import InputInvalid, ValidationError
from plugin.core.host import Actor
from plugin.org.models import OrgKind
from plugin.privacy import corrections
from plugin.privacy.corrections_models import CorrectionRequest, CorrectionStatus

OFFICER = Actor(key="user:7", name="李专员")


@pytest.fixture
def worker(make_unit, make_worker, clock):
    return make_worker(make_unit(OrgKind.SITE, name="前海项目部"), name="赵铁柱")


def me(worker) -> Actor:
    return Actor(key=f"worker:{worker.id}", name=worker.name)


def ask(worker, **overrides):
    values = dict(record="大女儿的学校", wrong="登记的是镇中心小学", right="县第二实验小学")
    values.update(overrides)
    return corrections.ask(worker, actor=me(worker), **values)


def test_a_request_is_recorded_open_and_audited_without_its_words(worker):
    request = ask(worker)
    assert (request.status, request.record, request.answer) == (CorrectionStatus.OPEN,
                                                                "大女儿的学校", None)
    [event] = session.execute(select(AuditEvent).where(
        AuditEvent.action == "privacy.correction_requested")).scalars()
    assert event.target_id == str(request.id) and event.details == {"worker_id": worker.id}
    assert event.actor_key == f"worker:{worker.id}"
    assert corrections.requests_of(worker) == [request]


def test_every_missing_or_too_long_part_is_named_and_nothing_is_stored(worker):
    with pytest.raises(InputInvalid) as refused:
        corrections.ask(worker, record=" ", wrong="", right=None, actor=me(worker))
    assert refused.value.errors.by_field() == {"record": ["请填写这一项"],
                                               "wrong": ["请填写这一项"],
                                               "right": ["请填写这一项"]}
    with pytest.raises(InputInvalid) as long:
        ask(worker, wrong="错" * 501, record="项" * 201)
    assert set(long.value.errors.by_field()) == {"record", "wrong"}
    assert session.scalar(select(func.count()).select_from(CorrectionRequest)) == 0


def test_a_few_requests_may_wait_at_once(worker):
    for number in range(corrections.OPEN_MAX):
        ask(worker, record=f"第 {number} 项")
    with pytest.raises(ValidationError, match="条更正申请正在处理"):
        ask(worker)
    corrections.refuse(corrections.requests_of(worker)[0], reason="信息与身份证一致",
                       actor=OFFICER)
    ask(worker, record="又一项")


def test_made_with_what_changed_or_refused_with_a_reason_once(worker):
    made = corrections.mark_made(ask(worker), changed="已把学校改为县第二实验小学", actor=OFFICER)
    assert (made.status, made.answer, made.answered_by, made.answered_by_name) == (
        CorrectionStatus.MADE, "已把学校改为县第二实验小学", "user:7", "李专员")
    with pytest.raises(ValidationError, match="已经处理过了"):
        corrections.refuse(made, reason="不对", actor=OFFICER)
    with pytest.raises(InputInvalid) as no_reason:
        corrections.refuse(ask(worker), reason="", actor=OFFICER)
    assert no_reason.value.errors.by_field() == {"reason": ["请填写这一项"]}
    with pytest.raises(InputInvalid) as no_change:
        corrections.mark_made(ask(worker), changed=None, actor=OFFICER)
    assert no_change.value.errors.by_field() == {"changed": ["请填写这一项"]}
    refused = corrections.refuse(ask(worker), reason="与户口簿一致，无需更正", actor=OFFICER)
    assert refused.status == CorrectionStatus.REFUSED
    assert [event.action for event in session.execute(select(AuditEvent).where(
        AuditEvent.target_type == "privacy_correction").order_by(AuditEvent.id)).scalars()][-2:] \
        == ["privacy.correction_requested", "privacy.correction_refused"]


def test_officers_list_the_requests_of_their_subtree_waiting_first(worker, make_unit,
                                                                    make_worker):
    other = make_worker(make_unit(OrgKind.SITE, name="乙项目部"), name="钱多多")
    answered = ask(worker, record="一")
    corrections.mark_made(answered, changed="改好了", actor=OFFICER)
    waiting = ask(worker, record="二")
    theirs = ask(other, record="三")
    mine = corrections.requests_page(scope_paths=[worker.org_unit.path])
    assert mine.items == [waiting, answered]
    assert corrections.open_in_scope([worker.org_unit.path]) == 1
    assert theirs not in corrections.requests_page(scope_paths=[worker.org_unit.path]).items
    only_open = corrections.requests_page(scope_paths=[worker.org_unit.parent.path],
                                          status=CorrectionStatus.OPEN)
    assert set(only_open.items) == {waiting, theirs}


def test_the_worker_is_told_on_the_phone_when_a_request_is_answered(worker):
    from plugin.worker_notices.services import unread_notices

    request = ask(worker)
    assert unread_notices(worker.id) == []
    corrections.mark_made(request, changed="已把学校改为县第二实验小学", actor=OFFICER)
    [notice] = unread_notices(worker.id)
    assert "更正申请已有答复" in notice.text
