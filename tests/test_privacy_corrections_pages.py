"""Officer pages of correction requests (``/privacy/corrections/``): HR officers see the requests
of workers in their subtree (404 outside it, 403 without the permission), mark one made with
what was changed or refused with a reason (a refused form stores nothing), and the worker reads
the answer on the phone.

Needs the privacy feature's declarations (its blueprints, ``privacy.corrections`` for HR)."""
from __future__ import annotations

import pytest

from plugin.access.roles import Role
from plugin.core.db import session
from plugin.core.host import Actor
from plugin.org.models import OrgKind
from plugin.privacy import corrections
from plugin.privacy.corrections_models import CorrectionStatus

from .conftest import submit
from .worker_phone_support import signed_in_phone

BASE = "/privacy/corrections"


@pytest.fixture
def world(make_unit, make_worker, make_user, clock):
    site = make_unit(OrgKind.SITE, name="甲项目部")
    other = make_unit(OrgKind.SITE, name="乙项目部")
    worker = make_worker(site, name="赵铁柱")
    neighbour = make_worker(other, name="隔壁王五")

    def ask(who, record):
        return corrections.ask(who, record=record, wrong="登记错了", right="应为县二小",
                               actor=Actor(key=f"worker:{who.id}", name=who.name))

    return dict(site=site, worker=worker, mine=ask(worker, "大女儿的学校"),
                theirs=ask(neighbour, "隔壁的学校"),
                hr=make_user(Role.HR_OFFICER, site), union=make_user(Role.UNION_OFFICER, site))


def test_officers_see_their_subtrees_requests_only(world, login):
    hr = login(world["hr"])
    listed = hr.get(f"{BASE}/")
    assert listed.status_code == 200
    assert "大女儿的学校" in listed.text and "隔壁" not in listed.text
    page = hr.get(f"{BASE}/{world['mine'].id}")
    assert page.status_code == 200 and "应为县二小" in page.text and 'id="worker-link"' in page.text
    theirs = hr.get(f"{BASE}/{world['theirs'].id}")
    assert theirs.status_code == 404 and "隔壁" not in theirs.text
    assert hr.get(f"{BASE}/2000000000").status_code == 404
    assert submit(hr, f"{BASE}/{world['theirs'].id}/refuse", {"refuse-reason": "x"},
                  form_url=f"{BASE}/").status_code == 404
    assert login(world["union"]).get(f"{BASE}/").status_code == 403


def test_made_and_refused_with_the_answer_on_the_workers_phone(world, login, client):
    hr = login(world["hr"])
    url = f"{BASE}/{world['mine'].id}"
    refused = submit(hr, f"{url}/made", {"made-changed": ""}, form_url=url)
    assert refused.status_code == 422 and "请填写这一项" in refused.text
    session.refresh(world["mine"])
    assert world["mine"].status == CorrectionStatus.OPEN
    done = submit(hr, f"{url}/made", {"made-changed": "已改为县第二实验小学"}, form_url=url)
    assert done.status_code == 302
    session.refresh(world["mine"])
    assert world["mine"].status == CorrectionStatus.MADE
    again = submit(hr, f"{url}/refuse", {"refuse-reason": "晚了"}, form_url=url)
    assert again.status_code == 422 and "已经处理过了" in again.text
    phone = signed_in_phone(client, world["worker"])
    page = phone.get("/w/privacy/")
    assert "已更正" in page.text and "已改为县第二实验小学" in page.text


def test_a_refusal_reads_its_reason_on_the_phone(world, login, client):
    hr = login(world["hr"])
    url = f"{BASE}/{world['mine'].id}"
    assert submit(hr, f"{url}/refuse", {"refuse-reason": "与户口簿一致"},
                  form_url=url).status_code == 302
    detail = signed_in_phone(client, world["worker"]).get(
        f"/w/privacy/corrections/{world['mine'].id}")
    assert "不予更正" in detail.text and "与户口簿一致" in detail.text
