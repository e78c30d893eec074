"""The worker's hardship-aid pages on a phone (``/w/aid/``): applying with photos of the
evidence, errors named by field with nothing stored, where the application stands in plain
words with the approvers' comments (approvers named by role, never by name), completing an
application sent back, withdrawing one, and other workers' applications hidden."""
from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from plugin.access.roles import Role
from plugin.aid.models import (
    AidApplication,
    ApplicationStatus,
    DecisionOutcome,
    Evidence,
    FundBalance,
    HelpKind,
    PaymentMethod,
)
from plugin.core.db import session
from plugin.org.models import OrgKind

from .aid_support import (
    PDF_BYTES,
    Approvers,
    approve_all,
    decide_step,
    file_application,
    make_fund,
    png_bytes,
)
from .conftest import csrf_token
from .worker_phone_support import signed_in_phone

ACCOUNT = "6228480012345678901"


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
def phone(family, client):
    return signed_in_phone(client, family[0])


@pytest.fixture
def people(make_user, site):
    return Approvers.make(make_user, site)


def count(model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def post_application(phone, url="/w/aid/apply", *, files=(), **fields):
    page = phone.get(url)
    assert page.status_code == 200, page.text
    data = {"csrf_token": csrf_token(page.text), "reason": "illness",
            "circumstances": "孩子住院了，需要交住院押金。", "help_kind": "cash",
            "amount": "1500", "payment_method": "bank", "account_holder": "赵铁柱",
            "bank_name": "农业银行", "account_number": ACCOUNT, **fields}
    data["evidence"] = list(files)
    return phone.post(url, data=data, content_type="multipart/form-data")


def test_the_pages_need_the_phone_sign_in(client, family):
    response = client.get("/w/aid/apply")
    assert response.status_code == 302 and response.location.startswith("/w/sign-in?next=")


def test_the_phone_home_page_links_here(phone):
    home = phone.get("/w/")
    assert 'id="aid-link"' in home.text and "/w/aid/" in home.text


def test_a_worker_applies_with_a_photo_and_sees_it_in_review(phone, family):
    worker, children = family
    mine = phone.get("/w/aid/")
    assert mine.status_code == 200 and 'id="no-applications"' in mine.text
    form = phone.get("/w/aid/apply")
    assert "赵小妹" in form.text and 'type="file"' in form.text and "<script" not in form.text
    assert 'enctype="multipart/form-data"' in form.text
    response = post_application(phone, children=[str(children[1].id)],
                                files=[(io.BytesIO(png_bytes()), "缴费单.png", "image/png"),
                                       (io.BytesIO(PDF_BYTES), "诊断书.pdf",
                                        "application/pdf")])
    application = session.execute(select(AidApplication)).scalar_one()
    assert response.status_code == 302, response.text
    assert response.location == f"/w/aid/applications/{application.id}?applied=1"
    assert application.applied_by == f"worker:{worker.id}"
    assert application.amount_fen == 150_000 and application.account_number == ACCOUNT
    assert count(Evidence) == 2
    shown = phone.get(response.location)
    assert 'id="applied-notice"' in shown.text and 'data-status="in_review"' in shown.text
    assert "正在审批" in shown.text and "赵小弟" in shown.text and "缴费单.png" in shown.text
    assert ACCOUNT not in shown.text and ACCOUNT[-4:] in shown.text
    mine = phone.get("/w/aid/")
    assert f'data-application="{application.id}"' in mine.text


def test_monthly_aid_until_a_month_typed_the_chinese_way(phone, family):
    response = post_application(phone, monthly="y", amount="500", recurring_until="2027年3月",
                                payment_method="wechat", account_number="wxid_zhao")
    assert response.status_code == 302, response.text
    application = session.execute(select(AidApplication)).scalar_one()
    assert application.monthly_fen == 50_000 and application.recurring_until.month == 3
    assert application.payment_method == PaymentMethod.WECHAT
    assert "每月 500.00 元" in phone.get(response.location).text


def test_help_in_kind_needs_no_account(phone, family):
    response = post_application(phone, help_kind="in_kind", amount="",
                                in_kind_description="冬衣两套、书包一个", payment_method="",
                                account_holder="", account_number="")
    assert response.status_code == 302, response.text
    application = session.execute(select(AidApplication)).scalar_one()
    assert application.help_kind == HelpKind.IN_KIND and application.account_number is None


def test_errors_are_named_on_the_form_and_nothing_is_stored(phone, family, set_setting):
    refused = post_application(phone, reason="", circumstances="", amount="abc",
                               payment_method="bank", account_number="")
    assert refused.status_code == 422
    for field in ("reason", "circumstances", "amount", "account_number"):
        assert f'id="{field}-errors"' in refused.text, field
    assert 'value="赵铁柱"' in refused.text  # what was typed is kept
    set_setting("CAREBRIDGE_AID_EVIDENCE_MAX_BYTES", 1024)
    refused = post_application(phone, files=[
        (io.BytesIO(b"MZ\x90\x00" + b"\x00" * 64), "照片.jpg", "image/jpeg"),
        (io.BytesIO(PDF_BYTES + b"0" * 4096), "大文件.pdf", "application/pdf")])
    assert refused.status_code == 422 and 'id="evidence-errors"' in refused.text
    assert "照片.jpg" in refused.text and "大文件.pdf" in refused.text
    assert count(AidApplication) == 0 and count(Evidence) == 0


def test_decisions_show_the_role_and_comment_never_the_approvers_name(phone, family, people):
    worker, _children = family
    application = file_application(worker)
    decide_step(application, people.site_manager, comment="情况属实，同意")
    page = phone.get(f"/w/aid/applications/{application.id}")
    assert "站点审核（项目经理/厂区负责人）" in page.text and "情况属实，同意" in page.text
    assert "钱经理" not in page.text


def test_a_worker_completes_an_application_sent_back(phone, family, people):
    worker, children = family
    application = file_application(worker, child_ids=[children[0].id])
    decide_step(application, people.site_manager, DecisionOutcome.SENT_BACK,
                comment="请补充医院的诊断书")
    url = f"/w/aid/applications/{application.id}"
    page = phone.get(url)
    assert 'data-status="sent_back"' in page.text and 'id="resubmit-link"' in page.text
    assert "请补充医院的诊断书" in page.text
    form = phone.get(f"{url}/resubmit")
    assert "孩子住院治疗" in form.text and "请补充医院的诊断书" in form.text
    assert 'value="1000.00"' in form.text and ACCOUNT not in form.text
    assert re.search(rf'<input checked[^>]* value="{children[0].id}"', form.text)
    assert not re.search(rf'<input checked[^>]* value="{children[1].id}"', form.text)
    response = post_application(phone, f"{url}/resubmit", account_number="",
                                circumstances="孩子住院治疗，已补充诊断书。",
                                files=[(io.BytesIO(PDF_BYTES), "诊断书.pdf", "application/pdf")])
    assert response.status_code == 302, response.text
    session.refresh(application)
    assert application.status == ApplicationStatus.IN_REVIEW and application.round == 2
    assert application.account_number == ACCOUNT and count(Evidence) == 1
    shown = phone.get(url)
    assert "重新提交" in shown.text and 'id="resubmit-link"' not in shown.text
    # Only an application sent back is resubmitted; an old page submitted is refused.
    assert phone.get(f"{url}/resubmit").status_code == 302
    stale = phone.post(f"{url}/resubmit", data={"csrf_token": csrf_token(shown.text),
                                                "reason": "illness"})
    assert stale.status_code == 422 and "只有退回补充的申请可以重新提交" in stale.text
    session.refresh(application)
    assert application.round == 2


def test_a_worker_withdraws_an_approved_application_and_the_money_goes_back(
        phone, family, people, company):
    worker, _children = family
    fund = make_fund(company)
    application = approve_all(file_application(worker), people, fund=fund)
    url = f"/w/aid/applications/{application.id}"
    page = phone.get(url)
    assert 'id="withdraw-application"' in page.text
    refused = phone.post(f"{url}/withdraw", data={"csrf_token": csrf_token(page.text),
                                                  "reason": ""})
    assert refused.status_code == 422 and 'id="reason-errors"' in refused.text
    response = phone.post(f"{url}/withdraw", data={"csrf_token": csrf_token(page.text),
                                                   "reason": "已经借到钱了"})
    assert response.status_code == 302
    session.refresh(application)
    balance = session.execute(select(FundBalance)).scalar_one()
    session.refresh(balance)
    assert application.status == ApplicationStatus.CANCELLED and balance.reserved_fen == 0
    shown = phone.get(url)
    assert "已经撤回" in shown.text and 'id="withdraw-application"' not in shown.text
    again = phone.post(f"{url}/withdraw", data={"csrf_token": csrf_token(page.text),
                                                "reason": "再撤一次"})
    assert again.status_code == 422 and 'id="application-error"' in again.text


def test_other_workers_applications_answer_404(phone, family, make_worker, site):
    other = make_worker(site, name="钱二")
    theirs = file_application(other)
    assert phone.get("/w/aid/").status_code == 200  # stores it (a 404 rolls back)
    url = f"/w/aid/applications/{theirs.id}"
    assert phone.get(url).status_code == 404
    assert phone.get(f"{url}/resubmit").status_code == 404
    token = csrf_token(phone.get("/w/aid/apply").text)
    assert phone.post(f"{url}/withdraw", data={"csrf_token": token,
                                               "reason": "x"}).status_code == 404
    assert phone.get("/w/aid/applications/99999999999").status_code == 404
    assert f'data-application="{theirs.id}"' not in phone.get("/w/aid/").text
    session.refresh(theirs)
    assert theirs.status == ApplicationStatus.IN_REVIEW


def test_staff_cannot_use_the_phone_pages(login, make_user, client, family):
    worker, _children = family
    staff = login(make_user(Role.UNION_OFFICER))
    response = staff.get("/w/aid/")
    assert response.status_code == 302 and "/w/sign-in" in response.location
