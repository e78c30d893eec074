"""Hardship-aid applications through their chains: tiers, separation of duties, reservations,
payment, cancellation, and recurring aid month by month on the controllable clock."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select, text

from plugin.access.roles import Role
from plugin.aid import ledger, services
from plugin.aid.jobs import pay_recurring_aid
from plugin.aid.models import (
    AidFund,
    AidReason,
    ApplicationStatus,
    DecisionOutcome,
    EntryKind,
    FundBalance,
    FundKind,
    HelpKind,
    LedgerEntry,
    Payment,
    PaymentMethod,
)
from plugin.aid.services import ApplicationInput
from plugin.core.db import session
from plugin.core.errors import InputInvalid, ValidationError
from plugin.core.host import Actor
from plugin.org.models import OrgKind

from .conftest import SYSTEM

APPROVED, REJECTED, SENT_BACK = (DecisionOutcome.APPROVED, DecisionOutcome.REJECTED,
                                 DecisionOutcome.SENT_BACK)


def actor_of(user) -> Actor:
    return Actor(key=user.key, name=user.display_name)


@pytest.fixture
def org(company, make_unit, make_user, make_worker, clock):
    site = make_unit(OrgKind.SITE, name="前海项目部")
    other = make_unit(OrgKind.SITE, name="南山项目部")
    people = {
        "site": make_user(Role.SITE_MANAGER, site),
        "other_site": make_user(Role.SITE_MANAGER, other),
        "union": make_user(Role.UNION_OFFICER, company),
        "union2": make_user(Role.UNION_OFFICER, company),
        "admin": make_user(Role.ADMIN, company),
        "care": make_user(Role.CARE_WORKER, site),
    }
    fund = AidFund(org_unit_id=company.id, name="关爱专项基金", kind=FundKind.SPECIAL,
                   created_by="test")
    session.add(fund)
    session.flush()
    return {"site_unit": site, "worker": make_worker(site), "fund": fund, "company": company,
            **{name: actor_of(user) for name, user in people.items()}}


def fund_money(fund, amount_fen, purpose="general"):
    return ledger.receive(fund, EntryKind.ALLOCATION, amount_fen, booked_on=date(2026, 11, 1),
                          actor=SYSTEM, purpose=purpose)


def cash(amount_fen=100_000, **overrides) -> ApplicationInput:
    values = dict(reason=AidReason.ILLNESS, circumstances="孩子住院，医药费负担重",
                  amount_fen=amount_fen, payment_method=PaymentMethod.BANK,
                  account_holder="张三", bank_name="农业银行", account_number="6228480012345678")
    values.update(overrides)
    return ApplicationInput(**values)


def balance(fund) -> FundBalance:
    row = ledger.balance_row(fund, "general")
    session.refresh(row)
    return row


def test_small_application_goes_site_then_union_and_is_paid(org):
    fund_money(org["fund"], 500_000)
    application = services.apply(org["worker"], cash(100_000), org["care"])
    assert application.status == ApplicationStatus.IN_REVIEW
    assert [step.name for step in services.rules.chain_of(application)] == ["站点审核", "工会审批"]
    services.decide(application, org["site"], APPROVED, step=0)
    assert application.current_step == 1
    services.decide(application, org["union"], APPROVED, step=1, fund=org["fund"])
    assert application.status == ApplicationStatus.APPROVED
    assert (balance(org["fund"]).reserved_fen, balance(org["fund"]).available_fen) == (
        100_000, 400_000)
    services.pay(application, org["union2"], paid_on=date(2026, 11, 22), reference="TX001")
    assert application.status == ApplicationStatus.PAID
    row = balance(org["fund"])
    assert (row.reserved_fen, row.posted_fen, row.available_fen) == (0, 100_000, 400_000)


def test_large_application_needs_the_company(org):
    fund_money(org["fund"], 1_000_000)
    application = services.apply(org["worker"], cash(300_000), org["care"])
    assert len(services.rules.chain_of(application)) == 3
    services.decide(application, org["site"], APPROVED, step=0)
    services.decide(application, org["union"], APPROVED, step=1)
    assert application.status == ApplicationStatus.IN_REVIEW
    with pytest.raises(ValidationError) as refused:
        services.decide(application, org["admin"], APPROVED, step=2)
    assert refused.value.field == "fund"
    services.decide(application, org["admin"], APPROVED, step=2, fund=org["fund"])
    assert application.status == ApplicationStatus.APPROVED


def test_separation_of_duties(org):
    fund_money(org["fund"], 1_000_000)
    by_care = services.apply(org["worker"], cash(300_000), org["care"])
    # The wrong role, and a site manager of another site, cannot decide the site step.
    for outsider in (org["union"], org["other_site"]):
        with pytest.raises(ValidationError, match="需要由"):
            services.decide(by_care, outsider, APPROVED, step=0)
    services.decide(by_care, org["site"], APPROVED, step=0)
    # An administrator holds every step, but not twice in one chain.
    services.decide(by_care, org["admin"], APPROVED, step=1)
    with pytest.raises(ValidationError, match="不能审批两次"):
        services.decide(by_care, org["admin"], APPROVED, step=2, fund=org["fund"])
    # Whoever filed it for the family may not decide it.
    by_union = services.apply(org["worker"], cash(100_000), org["union"])
    services.decide(by_union, org["site"], APPROVED, step=0)
    with pytest.raises(ValidationError, match="代为提交"):
        services.decide(by_union, org["union"], APPROVED, step=1, fund=org["fund"])
    # Nobody approves their own application (their employee number is the worker's).
    own = services.apply(org["worker"], cash(100_000), org["care"])
    with pytest.raises(ValidationError, match="自己的"):
        services.decide(own, org["site"], APPROVED, step=0,
                        actor_employee_number=org["worker"].employee_number)
    # A decision taken meanwhile makes a page's decision stale.
    services.decide(own, org["site"], APPROVED, step=0)
    with pytest.raises(ValidationError, match="已经有人处理"):
        services.decide(own, org["admin"], APPROVED, step=0)


def test_reject_and_send_back_need_a_comment_and_resubmit_starts_a_new_round(org):
    fund_money(org["fund"], 500_000)
    application = services.apply(org["worker"], cash(100_000), org["care"])
    with pytest.raises(ValidationError, match="写明原因"):
        services.decide(application, org["site"], SENT_BACK, step=0)
    services.decide(application, org["site"], SENT_BACK, step=0, comment="请补充诊断证明")
    assert application.status == ApplicationStatus.SENT_BACK
    services.resubmit(application, cash(120_000), org["care"])
    assert (application.status, application.round, application.current_step) == (
        ApplicationStatus.IN_REVIEW, 2, 0)
    # The same site manager decides again in the new round.
    services.decide(application, org["site"], APPROVED, step=0)
    services.decide(application, org["union"], REJECTED, step=1, comment="不符合条件")
    assert application.status == ApplicationStatus.REJECTED
    assert balance(org["fund"]).reserved_fen == 0


def test_a_short_fund_refuses_the_last_approval_and_changes_nothing(org):
    fund_money(org["fund"], 50_000)
    application = services.apply(org["worker"], cash(100_000), org["care"])
    services.decide(application, org["site"], APPROVED, step=0)
    with pytest.raises(ledger.FundShort, match="可用余额不足"), session.begin_nested():
        services.decide(application, org["union"], APPROVED, step=1, fund=org["fund"])
    session.refresh(application)
    assert (application.status, application.current_step) == (ApplicationStatus.IN_REVIEW, 1)
    assert balance(org["fund"]).reserved_fen == 0


def test_restricted_money_only_for_its_purpose(org):
    fund = org["fund"]
    fund_money(fund, 100_000, purpose=AidReason.SCHOOLING.value)
    illness = services.apply(org["worker"], cash(80_000), org["care"])
    services.decide(illness, org["site"], APPROVED, step=0)
    with pytest.raises(ledger.FundShort), session.begin_nested():
        services.decide(illness, org["union"], APPROVED, step=1, fund=fund)
    schooling = services.apply(org["worker"], cash(80_000, reason=AidReason.SCHOOLING),
                               org["care"])
    services.decide(schooling, org["site"], APPROVED, step=0)
    services.decide(schooling, org["union"], APPROVED, step=1, fund=fund)
    reservation = session.scalars(select(LedgerEntry).where(
        LedgerEntry.application_id == schooling.id)).one()
    assert reservation.balance.purpose == "schooling"


def test_cancelling_an_approved_application_releases_its_money(org):
    fund_money(org["fund"], 500_000)
    application = services.apply(org["worker"], cash(100_000), org["care"])
    services.decide(application, org["site"], APPROVED, step=0)
    services.decide(application, org["union"], APPROVED, step=1, fund=org["fund"])
    with pytest.raises(ValidationError):
        services.cancel(application, org["union"], reason="")
    services.cancel(application, org["union"], reason="家庭情况好转，申请撤回")
    assert application.status == ApplicationStatus.CANCELLED
    assert balance(org["fund"]).available_fen == 500_000
    with pytest.raises(ValidationError):
        services.pay(application, org["union"], paid_on=date(2026, 11, 22))


def test_input_errors_are_all_reported(org, make_worker):
    stranger = make_worker(org["site_unit"])
    from tests import factories
    their_child = factories.make_child(stranger)
    with pytest.raises(InputInvalid) as refused:
        services.apply(org["worker"], ApplicationInput(
            reason=None, circumstances=" ", amount_fen=0, payment_method=PaymentMethod.BANK,
            child_ids=[their_child.id],
            evidence=[("诊断.pdf", "application/pdf", b"<html>not a pdf</html>")]),
            org["care"])
    fields = {error.field for error in refused.value.errors}
    assert {"reason", "circumstances", "amount", "account_number", "children",
            "evidence"} <= fields
    with pytest.raises(InputInvalid) as refused:
        services.apply(org["worker"], cash(10_000, monthly=True), org["care"])
    assert refused.value.errors[0].field == "recurring_until"


def test_evidence_is_kept_and_in_kind_help_needs_no_money(org):
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"
    application = services.apply(org["worker"], ApplicationInput(
        reason=AidReason.DISASTER, circumstances="房屋受灾", help_kind=HelpKind.IN_KIND,
        in_kind_description="棉被两床、米面油", evidence=[("受灾证明.pdf", "application/pdf", pdf)]),
        org["care"])
    assert [e.filename for e in services.queries.evidence_of(application.id)] == ["受灾证明.pdf"]
    services.decide(application, org["site"], APPROVED, step=0)
    services.decide(application, org["union"], APPROVED, step=1)
    assert application.status == ApplicationStatus.APPROVED
    services.pay(application, org["union2"], paid_on=date(2026, 11, 22))
    assert application.status == ApplicationStatus.PAID
    assert session.scalar(select(LedgerEntry.id).where(
        LedgerEntry.application_id == application.id)) is None


def test_the_ledger_cannot_be_changed_or_deleted(org):
    entry = fund_money(org["fund"], 10_000)
    session.commit()
    for statement in (f"UPDATE cb_aid_ledger_entry SET amount_fen = 1 WHERE id = {entry.id}",
                      f"DELETE FROM cb_aid_ledger_entry WHERE id = {entry.id}"):
        with pytest.raises(Exception, match="never change"), session.begin_nested():
            session.execute(text(statement))


def monthly_application(org, monthly_fen=50_000, until=date(2027, 1, 31)):
    application = services.apply(org["worker"], cash(monthly_fen, monthly=True,
                                                     recurring_until=until), org["care"])
    deciders = [org["site"], org["union"], org["admin"]]
    for step in range(len(services.rules.chain_of(application))):
        services.decide(application, deciders[step], APPROVED, step=step, fund=org["fund"])
    assert application.status == ApplicationStatus.APPROVED
    return application


def payments(application):
    return [(p.month, p.amount_fen) for p in session.scalars(select(Payment).where(
        Payment.application_id == application.id).order_by(Payment.month))]


def test_recurring_aid_is_paid_once_a_month_until_its_end(org, clock):
    fund_money(org["fund"], 1_000_000)
    application = monthly_application(org)  # November 2026 to January 2027: 3 months × ¥500
    pay_recurring_aid()
    pay_recurring_aid()  # run twice: November paid once
    assert payments(application) == [(date(2026, 11, 1), 50_000)]
    # December's money is held as soon as November's is paid.
    assert balance(org["fund"]).reserved_fen == 50_000
    clock.advance(days=40)  # 1 January 2027: December is owed, and January
    pay_recurring_aid()
    assert payments(application)[-1] == (date(2027, 1, 1), 50_000)
    assert len(payments(application)) == 3
    session.refresh(application)
    assert application.status == ApplicationStatus.CLOSED
    row = balance(org["fund"])
    assert (row.posted_fen, row.reserved_fen) == (150_000, 0)
    clock.advance(days=40)
    pay_recurring_aid()
    assert len(payments(application)) == 3


def test_recurring_aid_resumes_after_a_missed_run_and_stops_when_money_runs_out(org, clock):
    fund_money(org["fund"], 120_000)
    application = monthly_application(org, until=date(2027, 6, 30))
    pay_recurring_aid()
    assert len(payments(application)) == 1
    clock.advance(days=45)  # the job did not run in December: both months paid in January
    pay_recurring_aid()
    assert [month for month, _ in payments(application)] == [
        date(2026, 11, 1), date(2026, 12, 1)]
    # ¥1,200 − 2 × ¥500 leaves ¥200: January cannot be held, the case stops, the union is told.
    session.refresh(application)
    assert application.status == ApplicationStatus.CLOSED
    assert "余额不足" in application.end_reason
    row = balance(org["fund"])
    assert (row.posted_fen, row.reserved_fen, row.available_fen) == (100_000, 0, 20_000)
    from plugin.notifications.models import Notification
    assert session.scalar(select(Notification.id).where(
        Notification.recipient_key == org["union"].key, Notification.category == "aid"))


def test_closing_a_recurring_case_releases_the_held_month(org, clock):
    fund_money(org["fund"], 1_000_000)
    application = monthly_application(org)
    pay_recurring_aid()
    services.close_case(application, org["union"], reason="家庭收入恢复")
    assert application.status == ApplicationStatus.CLOSED
    assert balance(org["fund"]).reserved_fen == 0
    clock.advance(days=40)
    pay_recurring_aid()
    assert len(payments(application)) == 1


def test_the_family_hears_of_each_decision_and_the_payment_on_its_phone(org):
    from plugin.worker_notices.services import unread_notices

    fund_money(org["fund"], 500_000)
    application = services.apply(org["worker"], cash(100_000), org["care"])
    services.decide(application, org["site"], SENT_BACK, step=0, comment="请补充诊断证明")
    services.resubmit(application, cash(100_000), org["care"])
    services.decide(application, org["site"], APPROVED, step=0)
    services.decide(application, org["union"], APPROVED, step=1, fund=org["fund"])
    services.pay(application, org["union2"], paid_on=date(2026, 11, 22))
    texts = [notice.text for notice in unread_notices(org["worker"].id)]
    assert len(texts) == 3
    assert any("补充材料" in text for text in texts)
    assert any("已批准" in text for text in texts)
    assert any("已发放" in text for text in texts)


def test_a_family_with_an_open_child_protection_case_comes_first(org, app):
    """Aid asks (``open_concerns_asked``) whoever keeps child-protection cases; a family named
    in an answer is in the first band with the reason "risk", others keep their own band."""
    from plugin.signals import open_concerns_asked

    flagged = org["worker"]
    other = services.apply(flagged, cash(), org["care"])
    assert (other.priority, other.priority_reasons) == (3, "")

    def answer(sender, *, worker_ids, **_extra):
        return {worker_id for worker_id in worker_ids if worker_id == flagged.id}

    open_concerns_asked.connect(answer, sender=app)
    try:
        application = services.apply(flagged, cash(), org["care"])
    finally:
        open_concerns_asked.disconnect(answer, sender=app)
    assert (application.priority, application.priority_reasons) == (1, "risk")
