"""The fund ledger under real concurrency: many reservations, payouts and reversals at the same
moment against a fund that can cover only some of them.

Each movement is its own thread, app context, session and connection against a database of its
own with real commits (SQLite serialises the writers; PostgreSQL runs them at once, and the
conditional UPDATE of the balance row under its CHECK constraints keeps every balance ≥ 0). Run
on PostgreSQL with ``scripts/with-postgres.sh .venv/bin/python -m pytest`` and this file.
"""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from plugin.aid import funds, ledger
from plugin.aid.models import (
    AidApplication,
    AidFund,
    AidReason,
    EntryKind,
    FundBalance,
    FundKind,
    LedgerEntry,
)
from plugin.core.db import session
from plugin.core.errors import ValidationError
from plugin.org.models import OrgKind
from plugin.org.queries import get_root_unit
from plugin.org.services import create_company, create_unit

from . import factories
from .aid_funds_support import balance_sums, bare_application, ledger_sums, payment_for
from .concurrency_support import all_at_once, app_on_own_database
from .conftest import SYSTEM

pytestmark = pytest.mark.committing

DAY = date(2026, 11, 2)
HUNDRED = 10_000


@pytest.fixture
def racing_app(database_url, tmp_path):
    with app_on_own_database(database_url, "aid_ledger", tmp_path) as app:
        yield app


def set_up(app, income: dict[str, int], applications: int = 0) -> dict:
    """A fund with ``income`` (purpose → fen, each one allocation) and bare applications."""
    with app.app_context():
        create_company("测试建工集团", actor=SYSTEM)
        session.flush()
        site = create_unit(get_root_unit(), OrgKind.SITE, "前海项目部", actor=SYSTEM)
        fund = AidFund(org_unit_id=get_root_unit().id, name="专项基金", kind=FundKind.SPECIAL,
                       created_by=SYSTEM.key)
        session.add(fund)
        session.flush()
        entries = [ledger.receive(fund, EntryKind.ALLOCATION, amount, booked_on=DAY,
                                  actor=SYSTEM, purpose=purpose).id
                   for purpose, amount in income.items()]
        worker = factories.make_worker(site)
        ids = [bare_application(worker, amount_fen=HUNDRED).id for _ in range(applications)]
        session.commit()
        facts = {"fund": fund.id, "applications": ids, "entries": entries}
        session.remove()
    return facts


def in_thread(app, work):
    """Run ``work()`` in an app context and commit; "short" or "refused" when it is refused."""
    with app.app_context():
        try:
            answer = work()
            session.commit()
            return answer
        except ledger.FundShort:
            session.rollback()
            return "short"
        except ValidationError:
            session.rollback()
            return "refused"
        finally:
            session.remove()


def reserve_and_pay(app, fund_id: int, application_id: int, barrier):
    def work():
        fund = session.get(AidFund, fund_id)
        barrier.wait()
        held = ledger.reserve(fund, ("illness", "general"), HUNDRED, booked_on=DAY,
                              actor=SYSTEM, application_id=application_id)
        payment = payment_for(session.get(AidApplication, application_id), HUNDRED, DAY)
        ledger.pay_reserved(held, HUNDRED, booked_on=DAY, actor=SYSTEM, payment_id=payment.id)
        return "paid"
    return in_thread(app, work)


def check_books(app, fund_id: int) -> dict[str, int]:
    """The balance rows equal the ledger's sums and no balance is below zero."""
    with app.app_context():
        sums = balance_sums(fund_id)
        assert sums == ledger_sums(fund_id)
        lowest = session.scalar(select(func.min(
            FundBalance.income_fen - FundBalance.posted_fen - FundBalance.reserved_fen)))
        assert lowest >= 0
        session.remove()
    return sums


def test_twenty_payouts_at_once_from_a_fund_for_ten(racing_app):
    facts = set_up(racing_app, {"general": 10 * HUNDRED}, applications=20)
    answers = all_at_once(20, lambda number, barrier: reserve_and_pay(
        racing_app, facts["fund"], facts["applications"][number], barrier))
    assert answers.count("paid") == 10 and answers.count("short") == 10
    assert check_books(racing_app, facts["fund"]) == {
        "income": 10 * HUNDRED, "posted": 10 * HUNDRED, "reserved": 0}
    with racing_app.app_context():
        assert session.scalar(select(func.count()).select_from(LedgerEntry).where(
            LedgerEntry.kind == EntryKind.PAYOUT)) == 10
        session.remove()


def test_restricted_money_stays_with_its_purpose_under_concurrency(racing_app):
    facts = set_up(racing_app, {"general": 5 * HUNDRED, "schooling": 5 * HUNDRED})
    reasons = [AidReason.ILLNESS] * 10 + [AidReason.SCHOOLING] * 10

    def pay(number, barrier):
        def work():
            fund = session.get(AidFund, facts["fund"])
            barrier.wait()
            entry = ledger.pay_directly(fund, (reasons[number].value, "general"), HUNDRED,
                                        booked_on=DAY, actor=SYSTEM)
            return f"{reasons[number].value}:{entry.balance.purpose}"
        return in_thread(racing_app, work)

    answers = all_at_once(20, pay)
    paid = [answer for answer in answers if ":" in answer]
    assert len(paid) == 10 and answers.count("short") == 10
    assert "illness:schooling" not in paid  # money given for schooling never paid an illness
    assert paid.count("schooling:schooling") == 5
    assert check_books(racing_app, facts["fund"])["posted"] == 10 * HUNDRED


def test_twenty_officers_reversing_one_entry_reverse_it_once(racing_app):
    facts = set_up(racing_app, {"general": 10 * HUNDRED})

    def reverse(number, barrier):
        def work():
            entry = session.get(LedgerEntry, facts["entries"][0])
            barrier.wait()
            funds.reverse_entry(entry, f"第 {number} 次冲正", SYSTEM)
            return "reversed"
        return in_thread(racing_app, work)

    answers = all_at_once(20, reverse)
    assert answers.count("reversed") == 1 and answers.count("refused") == 19
    assert check_books(racing_app, facts["fund"]) == {"income": 0, "posted": 0, "reserved": 0}


def test_income_reversed_while_it_is_being_spent_never_overdraws(racing_app):
    facts = set_up(racing_app, {"general": 10 * HUNDRED}, applications=10)
    with racing_app.app_context():  # a second allocation of ¥500 that someone will take back
        fund = session.get(AidFund, facts["fund"])
        second = ledger.receive(fund, EntryKind.ALLOCATION, 5 * HUNDRED, booked_on=DAY,
                                actor=SYSTEM).id
        session.commit()
        session.remove()

    def act(number, barrier):
        if number == 10:
            def work():
                entry = session.get(LedgerEntry, second)
                barrier.wait()
                funds.reverse_entry(entry, "拨款撤回", SYSTEM)
                return "reversed"
            return in_thread(racing_app, work)
        return reserve_and_pay(racing_app, facts["fund"], facts["applications"][number],
                               barrier)

    answers = all_at_once(11, act)
    paid = answers.count("paid")
    assert paid == 10  # ¥1,500 covers the ten payouts, whatever the order
    assert answers[10] in ("reversed", "short")
    sums = check_books(racing_app, facts["fund"])
    assert sums["income"] == (10 * HUNDRED if answers[10] == "reversed" else 15 * HUNDRED)
    assert sums["posted"] == 10 * HUNDRED
