"""The officers' hardship-aid pages (``/aid/``): one application from a care worker through the
site manager, the union officer and (above ¥2,000) the company with a fund, to its payment;
evidence checked on upload and read only with an audit row; the account number masked until an
audited reveal; cancelling and closing; the priority view; the approval chains; records outside
the actor's scope answer 404. The decisions' refusals are in :mod:`tests.test_aid_decisions`."""
from __future__ import annotations

import io
from datetime import date

import pytest
from sqlalchemy import select

from plugin.access.roles import Role
from plugin.aid import services
from plugin.aid.models import (
    AidApplication,
    ApplicationStatus,
    ApprovalTier,
    Evidence,
    FundBalance,
    Payment,
)
from plugin.core.db import session
from plugin.org.models import OrgKind

from .aid_support import (
    ACCOUNT,
    PDF_BYTES,
    Approvers,
    apply_on_behalf,
    approve_all,
    audited,
    count,
    decide_step,
    file_application,
    make_fund,
    png_bytes,
)
from .aid_support import decide_on_page as decide
from .conftest import csrf_token, submit
from .support import recorded_statements

TIBET = "540102"  # 西藏自治区拉萨市城关区: 三区三州


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


# -- the whole path ---------------------------------------------------------------------------

def test_an_application_goes_from_a_care_worker_through_three_approvers_to_payment(
        login, family, people, care_worker, fund):

    worker, children = family
    carer = login(care_worker)
    form = carer.get(f"/aid/workers/{worker.id}/apply")
    assert "赵小妹" in form.text and "赵小弟" in form.text and 'type="file"' in form.text
    response = apply_on_behalf(carer, worker, children=[str(children[0].id)],
                               files=[(io.BytesIO(PDF_BYTES), "诊断书.pdf", "application/pdf"),
                                      (io.BytesIO(png_bytes()), "缴费单.png", "image/png")])
    application = the_application()
    assert response.status_code == 302, response.text
    assert response.location == f"/aid/applications/{application.id}"
    assert application.amount_fen == 300_000 and application.applied_by == care_worker.key
    assert len(services.rules.chain_of(application)) == 3  # above ¥2,000: the company too
    assert count(Evidence) == 2

    page = carer.get(response.location)
    assert page.status_code == 200
    assert "孩子住院治疗" in page.text and "赵小妹" in page.text and "赵小弟" not in page.text
    assert "诊断书.pdf" in page.text and "缴费单.png" in page.text
    assert ACCOUNT not in page.text and ACCOUNT[-4:] in page.text
    assert 'id="decision-form"' not in page.text  # a care worker does not decide
    assert audited("aid.application_viewed") == 1

    manager = login(people.site_manager)
    assert 'id="decision-form"' in manager.get(response.location).text
    assert decide(manager, application, "approved", comment="情况属实").status_code == 302
    session.refresh(application)
    assert application.status == ApplicationStatus.IN_REVIEW and application.current_step == 1

    officer = login(people.union_officer)
    assert decide(officer, application, "approved").status_code == 302
    session.refresh(application)
    assert application.current_step == 2

    admin = login(people.admin)
    last = admin.get(response.location)
    assert 'name="decision-fund"' in last.text and "专项基金" in last.text
    assert decide(admin, application, "approved", fund=fund).status_code == 302
    session.refresh(application)
    assert application.status == ApplicationStatus.APPROVED and application.fund_id == fund.id
    balance = session.execute(select(FundBalance)).scalar_one()
    session.refresh(balance)
    assert balance.reserved_fen == 300_000

    shown = officer.get(response.location)
    for name in ("钱经理", "孙干事", "李总", "情况属实"):
        assert name in shown.text
    assert 'id="pay-form"' in shown.text
    response = submit(officer, f"/aid/applications/{application.id}/pay",
                      {"pay-paid_on": "2026-11-22", "pay-reference": "TX20261122001"},
                      form_url=f"/aid/applications/{application.id}")
    assert response.status_code == 302, response.text
    session.refresh(application)
    session.refresh(balance)
    assert application.status == ApplicationStatus.PAID
    assert balance.posted_fen == 300_000 and balance.reserved_fen == 0
    payment = session.execute(select(Payment)).scalar_one()
    assert payment.reference == "TX20261122001" and payment.paid_on == date(2026, 11, 22)
    paid = officer.get(f"/aid/applications/{application.id}")
    assert "TX20261122001" in paid.text and 'data-status="paid"' in paid.text


# -- evidence, the account number -------------------------------------------------------------

def test_evidence_of_the_wrong_type_or_too_big_is_named_and_nothing_is_stored(
        login, family, care_worker, set_setting):

    worker, _children = family
    carer = login(care_worker)
    response = apply_on_behalf(carer, worker, files=[
        (io.BytesIO(b"<html><script>alert(1)</script></html>"), "诊断书.pdf",
         "application/pdf")])
    assert response.status_code == 422
    assert 'id="evidence-errors"' in response.text and "诊断书.pdf" in response.text
    assert count(AidApplication) == 0 and count(Evidence) == 0
    set_setting("CAREBRIDGE_AID_EVIDENCE_MAX_BYTES", 1024)
    response = apply_on_behalf(carer, worker, files=[
        (io.BytesIO(PDF_BYTES + b"0" * 2048), "住院清单.pdf", "application/pdf")])
    assert response.status_code == 422
    assert "住院清单.pdf" in response.text and "文件太大" in response.text
    assert count(AidApplication) == 0 and count(Evidence) == 0 and audited("aid.applied") == 0


def test_other_input_errors_are_named_together(login, family, care_worker):
    worker, _children = family
    response = apply_on_behalf(login(care_worker), worker, reason="", circumstances="",
                               amount="12.345", payment_method="")
    assert response.status_code == 422
    for field in ("reason", "circumstances", "amount", "payment_method"):
        assert f'id="{field}-errors"' in response.text, field
    assert count(AidApplication) == 0


def test_evidence_is_downloaded_with_an_audit_row(login, family, people, make_unit,
                                                  make_user):
    worker, _children = family
    application = file_application(worker, evidence=[("诊断书.pdf", "application/pdf",
                                                      PDF_BYTES)])
    item = session.execute(select(Evidence)).scalar_one()
    url = f"/aid/applications/{application.id}/evidence/{item.id}"
    manager = login(people.site_manager)
    response = manager.get(url)
    assert response.status_code == 200 and response.data == PDF_BYTES
    assert response.headers["Cache-Control"] == "no-store"
    assert audited("aid.evidence_viewed") == 1
    other = file_application(worker)
    assert manager.get(f"/aid/applications/{other.id}/evidence/{item.id}").status_code == 404
    stranger = make_user(Role.SITE_MANAGER, make_unit(OrgKind.SITE))
    assert login(stranger).get(url).status_code == 404
    assert audited("aid.evidence_viewed") == 1


def test_the_full_account_number_is_shown_once_after_an_audited_reveal(login, family, people):
    worker, _children = family
    application = file_application(worker)
    url = f"/aid/applications/{application.id}"
    officer = login(people.union_officer)
    page = officer.get(url)
    assert ACCOUNT not in page.text and 'id="reveal-account"' in page.text
    assert officer.post(f"{url}/reveal-account").status_code == 400  # no CSRF token
    response = submit(officer, f"{url}/reveal-account", {}, form_url=url)
    assert response.status_code == 302 and response.location == f"{url}#account"
    assert audited("aid.account_revealed") == 1
    assert ACCOUNT in officer.get(url).text
    assert ACCOUNT not in officer.get(url).text  # once
    manager = login(people.site_manager)  # may decide, not pay
    assert 'id="reveal-account"' not in manager.get(url).text
    response = submit(manager, f"{url}/reveal-account", {}, form_url=url)
    assert response.status_code == 403 and audited("aid.account_revealed") == 1


# -- cancelling and closing -------------------------------------------------------------------

def test_cancelling_an_approved_application_gives_the_money_back(login, family, people, fund):
    worker, _children = family
    application = approve_all(file_application(worker), people, fund=fund)
    officer = login(people.union_officer)
    url = f"/aid/applications/{application.id}"
    refused = submit(officer, f"{url}/cancel", {"cancel-reason": ""}, form_url=url)
    assert refused.status_code == 422 and "请写明原因" in refused.text
    response = submit(officer, f"{url}/cancel", {"cancel-reason": "家属已获医保报销"},
                      form_url=url)
    assert response.status_code == 302
    session.refresh(application)
    balance = session.execute(select(FundBalance)).scalar_one()
    session.refresh(balance)
    assert application.status == ApplicationStatus.CANCELLED and balance.reserved_fen == 0


def test_a_recurring_case_is_closed_not_paid_by_hand(login, family, people, fund):
    worker, _children = family
    application = approve_all(file_application(worker, monthly=True, amount_fen=50_000,
                                               recurring_until=date(2027, 4, 1)),
                              people, fund=fund)
    officer = login(people.union_officer)
    url = f"/aid/applications/{application.id}"
    page = officer.get(url)
    assert 'id="pay-form"' not in page.text and 'id="close-form"' in page.text
    assert submit(officer, f"{url}/close", {"close-reason": "家庭情况好转"},
                  form_url=url).status_code == 302
    session.refresh(application)
    assert application.status == ApplicationStatus.CLOSED


# -- the priority view --------------------------------------------------------------------------

def test_the_priority_view_puts_band_one_first_with_its_reasons(
        login, site, make_worker, people, family, clock):
    worker, _children = family
    ordinary = file_application(worker)
    clock.advance(minutes=5)
    remote = make_worker(site, name="扎西", hukou_region_code=TIBET)
    later = file_application(remote)
    assert later.priority == 2 and later.priority_reasons == "three_areas"
    session.execute(AidApplication.__table__.update().where(AidApplication.id == ordinary.id)
                    .values(priority=1, priority_reasons="difficulty,risk"))
    page = login(people.union_officer).get("/aid/")
    assert page.status_code == 200
    rows = [line for line in page.text.splitlines() if "data-application=" in line]
    assert f'data-application="{ordinary.id}"' in rows[0]
    assert f'data-application="{later.id}"' in rows[1]
    assert "有困境儿童" in page.text and "有未结的风险报告" in page.text
    assert "三区三州户籍" in page.text


def test_waiting_for_me_lists_what_the_user_may_decide_now(login, family, people):
    worker, _children = family
    first = file_application(worker)
    second = file_application(worker)
    decide_step(second, people.site_manager)
    manager = login(people.site_manager)
    page = manager.get("/aid/?mine=1")
    assert f'data-application="{first.id}"' in page.text
    assert f'data-application="{second.id}"' not in page.text
    page = login(people.union_officer).get("/aid/?mine=1")
    assert f'data-application="{second.id}"' in page.text
    assert f'data-application="{first.id}"' not in page.text
    everything = manager.get("/aid/?status=in_review")
    assert f'data-application="{first.id}"' in everything.text
    assert f'data-application="{second.id}"' in everything.text


def test_the_priority_view_reads_a_fixed_number_of_statements(login, family, people, site,
                                                              make_worker):
    officer = login(people.union_officer)

    def statements_for(applications: int) -> int:
        for _ in range(applications):
            file_application(make_worker(site))
        with recorded_statements() as statements:
            assert officer.get("/aid/").status_code == 200
        return len(statements)

    assert statements_for(2) == statements_for(8)


# -- the approval chains ------------------------------------------------------------------------

def test_an_administrator_configures_the_tiers(login, people, care_worker, company):
    admin = login(people.admin)
    page = admin.get("/aid/chain/")
    assert page.status_code == 200 and "站点审核" in page.text and "公司审批" in page.text
    refused = submit(admin, "/aid/chain/", {
        "tiers-0-max_fen": "1000", "tiers-0-steps-0-role": "union_officer",
        "tiers-0-steps-0-name": "工会审批"})
    assert refused.status_code == 422 and "最后一档必须不设金额上限" in refused.text
    assert count(ApprovalTier) == 0
    response = submit(admin, "/aid/chain/", {
        "tiers-0-max_fen": "1000", "tiers-0-steps-0-role": "union_officer",
        "tiers-0-steps-0-name": "工会审批",
        "tiers-1-max_fen": "", "tiers-1-steps-0-role": "union_officer",
        "tiers-1-steps-0-name": "工会审批", "tiers-1-steps-1-role": "admin",
        "tiers-1-steps-1-company_level": "y", "tiers-1-steps-1-name": "公司审批",
        "tiers-2-max_fen": "", "tiers-2-steps-0-role": "", "tiers-2-steps-0-name": ""})
    assert response.status_code == 302, response.text
    tiers = services.queries.approval_tiers()
    assert [(tier.max_fen, [step.name for step in tier.steps]) for tier in tiers] == [
        (100_000, ["工会审批"]), (None, ["工会审批", "公司审批"])]
    assert tiers[1].steps[1].company_level is True
    assert audited("aid.chain_configured") == 1
    missing_name = submit(admin, "/aid/chain/", {
        "tiers-0-max_fen": "", "tiers-0-steps-0-role": "union_officer",
        "tiers-0-steps-0-name": ""})
    assert missing_name.status_code == 422 and "请填写步骤名称" in missing_name.text
    assert login(people.union_officer).get("/aid/chain/").status_code == 403
    assert login(care_worker).get("/aid/chain/").status_code == 403


# -- who sees what ------------------------------------------------------------------------------

def test_records_outside_the_scope_answer_404(login, family, make_unit, make_user, people):
    worker, _children = family
    application = file_application(worker)
    elsewhere = make_unit(OrgKind.SITE, name="后海项目部")
    stranger = login(make_user(Role.UNION_OFFICER, elsewhere))  # every aid permission there
    url = f"/aid/applications/{application.id}"
    assert stranger.get(url).status_code == 404
    assert stranger.get(f"/aid/workers/{worker.id}/apply").status_code == 404
    assert stranger.get(f"{url}/resubmit").status_code == 404
    token = csrf_token(stranger.get("/aid/").text)
    for action in ("decide", "pay", "cancel", "close", "reveal-account"):
        assert stranger.post(f"{url}/{action}", data={"csrf_token": token}).status_code == 404
    assert f'data-application="{application.id}"' not in stranger.get("/aid/").text
    assert stranger.get("/aid/applications/99999999999").status_code == 404
    assert audited("aid.application_viewed") == 0


def test_pages_need_the_permission(login, family, make_user, people):
    worker, _children = family
    application = file_application(worker)
    hr = login(make_user(Role.HR_OFFICER))
    for url in ("/aid/", f"/aid/applications/{application.id}", "/aid/apply",
                f"/aid/workers/{worker.id}/apply"):
        assert hr.get(url).status_code == 403, url
    officer = login(people.union_officer)
    assert officer.get(f"/aid/workers/{worker.id}/apply").status_code == 200


def test_the_worker_page_links_to_applying_and_the_lookup_finds_the_worker(
        login, family, care_worker):
    worker, _children = family
    carer = login(care_worker)
    page = carer.get(f"/workers/{worker.id}")
    assert 'id="aid-worker-link"' in page.text
    assert f'href="/aid/workers/{worker.id}/apply"' in page.text
    found = carer.get(f"/aid/apply?employee_number={worker.employee_number}")
    assert found.status_code == 302 and found.location == f"/aid/workers/{worker.id}/apply"
    missing = carer.get("/aid/apply?employee_number=NOPE")
    assert missing.status_code == 200 and 'id="lookup-error"' in missing.text
