"""Deciding a hardship-aid application on its page: every separation-of-duties refusal (the
filer, the worker themself, the same person twice, the wrong role) is said on the page and
stores nothing; the last cash approval names a fund; rejecting or sending back needs a comment;
an application sent back is completed and decided again."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from plugin.access.roles import Role
from plugin.aid.models import AidApplication, ApplicationStatus, Decision, DecisionOutcome
from plugin.core.db import session
from plugin.org.models import OrgKind

from .aid_support import (
    ACCOUNT,
    Approvers,
    actor_of,
    apply_on_behalf,
    approve_all,
    audited,
    count,
    decide_step,
    file_application,
    make_fund,
)
from .aid_support import decide_on_page as decide
from .conftest import submit


@pytest.fixture
def site(make_unit):
    return make_unit(OrgKind.SITE, name="前海项目部")


@pytest.fixture
def family(site, make_worker, make_child, clock):
    worker = make_worker(site, name="赵铁柱")
    children = [make_child(worker, name="赵小妹", birth_date="2016-05-05"),
                make_child(worker, name="赵小弟", birth_date="2018-03-03")]
    return worker, children


@pytest.fixture
def people(make_user, site):
    return Approvers.make(make_user, site)


@pytest.fixture
def care_worker(make_user, site):
    return make_user(Role.CARE_WORKER, site, name="周关爱")


@pytest.fixture
def fund(company):
    return make_fund(company, 1_000_000)


def the_application() -> AidApplication:
    return session.execute(select(AidApplication)).scalar_one()


def test_up_to_2000_yuan_the_union_officer_approves_last_and_names_the_fund(
        login, family, people, fund):
    worker, _children = family
    application = file_application(worker, amount_fen=200_000)
    approve_all(application, people, steps=1)
    officer = login(people.union_officer)
    page = officer.get(f"/aid/applications/{application.id}")
    assert 'name="decision-fund"' in page.text
    refused = decide(officer, application, "approved")
    assert refused.status_code == 422 and "请选择从哪个基金发放" in refused.text
    assert count(Decision) == 1
    assert decide(officer, application, "approved", fund=fund).status_code == 302
    session.refresh(application)
    assert application.status == ApplicationStatus.APPROVED


def test_who_filed_an_application_cannot_approve_it(login, family, people):
    worker, _children = family
    manager = login(people.site_manager)
    assert apply_on_behalf(manager, worker, amount="1000").status_code == 302
    application = the_application()
    page = manager.get(f"/aid/applications/{application.id}")
    assert 'id="decision-conflict"' in page.text and 'id="decision-form"' not in page.text
    refused = decide(manager, application, "approved")
    assert refused.status_code == 422
    assert "这份申请是您代为提交的，不能由您审批" in refused.text
    assert count(Decision) == 0 and audited("aid.approved") == 0


def test_the_same_person_cannot_approve_two_steps(login, family, people):
    worker, _children = family
    application = file_application(worker)
    admin = login(people.admin)  # holds every role's steps
    assert decide(admin, application, "approved").status_code == 302
    session.refresh(application)
    assert application.current_step == 1
    assert 'id="decision-conflict"' in admin.get(f"/aid/applications/{application.id}").text
    refused = decide(admin, application, "approved")
    assert refused.status_code == 422 and "同一人不能审批两次" in refused.text
    assert count(Decision) == 1


def test_nobody_decides_their_own_familys_application(login, site, make_worker, family):
    from employer_portal.accounts.services import create_user
    from plugin.access.services import grant_role

    from .conftest import PASSWORD, SYSTEM

    worker = make_worker(site, employee_number="T08888", name="钱卫东")
    manager = create_user("qianweidong", "钱卫东", PASSWORD, actor=SYSTEM,
                          employee_number="T08888")
    grant_role(manager.key, Role.SITE_MANAGER, site, actor=SYSTEM, check_actor=False)
    application = file_application(worker)  # from the phone: the user key is not the filer's
    client = login(manager)
    assert 'id="decision-conflict"' in client.get(f"/aid/applications/{application.id}").text
    refused = decide(client, application, "approved")
    assert refused.status_code == 422 and "不能审批自己的救助申请" in refused.text
    assert count(Decision) == 0


def test_the_wrong_role_cannot_decide_a_step(login, family, people, care_worker):
    worker, _children = family
    application = file_application(worker)
    officer = login(people.union_officer)
    assert 'id="decision-form"' not in officer.get(f"/aid/applications/{application.id}").text
    refused = decide(officer, application, "approved")
    assert refused.status_code == 422
    assert "这一步（站点审核）需要由项目经理/厂区负责人审批" in refused.text
    assert 'id="application-error"' in refused.text and "孩子住院治疗" not in refused.text
    assert count(Decision) == 0
    # Without the permission to decide at all: 403.
    assert decide(login(care_worker), application, "approved").status_code == 403


def test_a_step_decided_meanwhile_is_not_decided_again(login, family, people):
    worker, _children = family
    application = file_application(worker)
    decide_step(application, people.site_manager)
    refused = decide(login(people.union_officer), application, "approved", step=0)
    assert refused.status_code == 422 and "请刷新页面" in refused.text


def test_rejecting_or_sending_back_needs_a_comment(login, family, people):
    worker, _children = family
    application = file_application(worker)
    manager = login(people.site_manager)
    refused = decide(manager, application, "rejected")
    assert refused.status_code == 422 and 'id="decision-comment-errors"' in refused.text
    assert "不同意或退回时请写明原因" in refused.text
    assert decide(manager, application, "sent_back", comment="请补充住院证明").status_code == 302
    session.refresh(application)
    assert application.status == ApplicationStatus.SENT_BACK


def test_an_officer_completes_an_application_sent_back(login, family, people, care_worker):
    worker, _children = family
    application = file_application(worker, by=actor_of(care_worker))
    decide_step(application, people.site_manager, DecisionOutcome.SENT_BACK,
                comment="请补充住院证明")
    carer = login(care_worker)
    page = carer.get(f"/aid/applications/{application.id}/resubmit")
    assert "孩子住院治疗" in page.text and ACCOUNT not in page.text
    assert 'id="account-kept"' in page.text and "请补充住院证明" in page.text
    response = submit(carer, f"/aid/applications/{application.id}/resubmit",
                      {"reason": "illness", "circumstances": "已补充住院证明。",
                       "help_kind": "cash", "amount": "1000", "payment_method": "bank",
                       "account_holder": "赵铁柱", "account_number": ""})
    assert response.status_code == 302, response.text
    session.refresh(application)
    assert application.status == ApplicationStatus.IN_REVIEW and application.round == 2
    assert application.account_number == "6228480012345678901"
    # The site manager who sent it back decides the new round.
    assert decide(login(people.site_manager), application, "approved").status_code == 302


def test_a_fund_that_cannot_cover_the_amount_refuses_the_approval(login, family, people,
                                                                   company):
    worker, _children = family
    poor = make_fund(company, 50_000, name="爱心捐助基金")
    application = file_application(worker)  # ¥1,000
    approve_all(application, people, steps=1)
    officer = login(people.union_officer)
    refused = decide(officer, application, "approved", fund=poor)
    assert refused.status_code == 422 and 'id="application-error"' in refused.text
    assert "爱心捐助基金可用余额不足" in refused.text
    session.refresh(application)
    assert application.status == ApplicationStatus.IN_REVIEW and count(Decision) == 1
