"""Hardship aid under real concurrency: many final approvals and payouts at the same moment
against a fund that can cover only some of them.

Each decision is its own thread, app context, session and connection against a database of its
own with real commits (SQLite serialises the writers; PostgreSQL runs them at once, and the
conditional UPDATE of the balance row under its CHECK constraints keeps the fund above zero).
"""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from employer_portal.accounts.services import create_user
from plugin.access.roles import Role
from plugin.access.services import grant_role
from plugin.aid import ledger, services
from plugin.aid.models import (
    AidApplication,
    AidFund,
    AidReason,
    ApplicationStatus,
    DecisionOutcome,
    EntryKind,
    FundBalance,
    FundKind,
    LedgerEntry,
    Payment,
    PaymentMethod,
)
from plugin.core.db import session
from plugin.core.errors import ValidationError
from plugin.core.host import Actor
from plugin.org.models import OrgKind
from plugin.org.queries import get_root_unit
from plugin.org.services import create_company, create_unit

from . import factories
from .concurrency_support import all_at_once, app_on_own_database
from .conftest import SYSTEM

pytestmark = pytest.mark.committing

TODAY = date(2026, 11, 22)


@pytest.fixture
def racing_app(database_url, tmp_path):
    with app_on_own_database(database_url, "aid", tmp_path) as app:
        yield app


def set_up(app, *, fund_fen: int, applications: int, amount_fen: int) -> dict:
    """A fund of ``fund_fen`` and ``applications`` applications the site has approved, each
    waiting for the union's (last) step."""
    with app.app_context():
        create_company("测试建工集团", actor=SYSTEM)
        session.flush()
        root = get_root_unit()
        site = create_unit(root, OrgKind.SITE, "前海项目部", actor=SYSTEM)
        actors = {}
        for name, role, unit in (("site", Role.SITE_MANAGER, site),
                                 ("care", Role.CARE_WORKER, site),
                                 *((f"union{n}", Role.UNION_OFFICER, root) for n in range(20))):
            user = create_user(name, name, "a-long-password-1", actor=SYSTEM)
            grant_role(user.key, role, unit, actor=SYSTEM, check_actor=False)
            actors[name] = Actor(key=user.key, name=name)
        session.flush()
        fund = AidFund(org_unit_id=root.id, name="专项基金", kind=FundKind.SPECIAL,
                       created_by="test")
        session.add(fund)
        session.flush()
        ledger.receive(fund, EntryKind.ALLOCATION, fund_fen, booked_on=TODAY, actor=SYSTEM)
        ids = []
        for _ in range(applications):
            worker = factories.make_worker(site)
            application = services.apply(worker, services.ApplicationInput(
                reason=AidReason.POVERTY, circumstances="生活困难", amount_fen=amount_fen,
                payment_method=PaymentMethod.CASH), actors["care"])
            services.decide(application, actors["site"], DecisionOutcome.APPROVED, step=0)
            ids.append(application.id)
        session.commit()
        facts = {"fund": fund.id, "applications": ids,
                 "union": [actors[f"union{n}"] for n in range(20)]}
        session.remove()
    return facts


def approve_at_once(app, facts, application_ids) -> list[str]:
    def approve(number, barrier):
        with app.app_context():
            application = session.get(AidApplication, application_ids[number])
            fund = session.get(AidFund, facts["fund"])
            barrier.wait()
            try:
                services.decide(application, facts["union"][number % 20],
                                DecisionOutcome.APPROVED, step=1, fund=fund)
                session.commit()
                return "approved"
            except ledger.FundShort:
                session.rollback()
                return "short"
            except ValidationError:
                session.rollback()
                return "refused"
            finally:
                session.remove()
    return all_at_once(len(application_ids), approve)


def books(app, fund_id: int) -> dict:
    """The balance row, the same figures summed from the ledger, and the applications."""
    with app.app_context():
        row = session.scalars(select(FundBalance).where(FundBalance.fund_id == fund_id)).one()
        sums = dict(session.execute(select(LedgerEntry.kind, func.sum(LedgerEntry.amount_fen))
                                    .where(LedgerEntry.fund_id == fund_id)
                                    .group_by(LedgerEntry.kind)).all())
        statuses = list(session.scalars(select(AidApplication.status)))
        payments = session.scalar(select(func.count(Payment.id)))
        figures = {
            "income": row.income_fen, "posted": row.posted_fen, "reserved": row.reserved_fen,
            "ledger_posted": sums.get(EntryKind.PAYOUT, 0),
            "ledger_reserved": (sums.get(EntryKind.RESERVATION, 0)
                                - sums.get(EntryKind.RELEASE, 0) - sums.get(EntryKind.PAYOUT, 0)),
            "approved": statuses.count(ApplicationStatus.APPROVED),
            "paid": statuses.count(ApplicationStatus.PAID), "payments": payments,
        }
        session.remove()
    return figures


def test_twenty_approvals_at_once_against_a_fund_for_seven(racing_app):
    facts = set_up(racing_app, fund_fen=7 * 100_000 + 50_000, applications=20, amount_fen=100_000)
    answers = approve_at_once(racing_app, facts, facts["applications"])
    assert answers.count("approved") == 7 and answers.count("short") == 13
    figures = books(racing_app, facts["fund"])
    assert figures["reserved"] == figures["ledger_reserved"] == 700_000
    assert figures["approved"] == 7
    assert figures["income"] - figures["posted"] - figures["reserved"] == 50_000

    # Every approved application paid by two officers at the same moment: each once.
    with racing_app.app_context():
        approved = list(session.scalars(select(AidApplication.id).where(
            AidApplication.status == ApplicationStatus.APPROVED)))
        session.remove()

    def pay(number, barrier):
        with racing_app.app_context():
            application = session.get(AidApplication, approved[number % len(approved)])
            barrier.wait()
            try:
                services.pay(application, facts["union"][number], paid_on=TODAY)
                session.commit()
                return "paid"
            except ValidationError:
                session.rollback()
                return "refused"
            finally:
                session.remove()
    answers = all_at_once(2 * len(approved), pay)
    assert answers.count("paid") == 7
    figures = books(racing_app, facts["fund"])
    assert figures["posted"] == figures["ledger_posted"] == 700_000
    assert figures["reserved"] == figures["ledger_reserved"] == 0
    assert (figures["paid"], figures["payments"]) == (7, 7)


def test_twenty_officers_deciding_one_step_at_once_decide_it_once(racing_app):
    facts = set_up(racing_app, fund_fen=10_000_000, applications=1, amount_fen=100_000)
    answers = approve_at_once(racing_app, facts, facts["applications"] * 20)
    assert answers.count("approved") == 1 and answers.count("refused") == 19
    figures = books(racing_app, facts["fund"])
    assert figures["reserved"] == figures["ledger_reserved"] == 100_000
