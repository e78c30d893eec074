"""Monthly aid (按月救助): each month of a case paid once, by the daily job.

Safe to run twice, at once on two servers, or after a crash: a case's row is locked before its
months are looked at, and a month has one payment (a unique key), so a later run finds it paid.
The next month is held (reserved) as soon as one is paid, so the fund shows what the case still
needs; a month the fund cannot cover ends the case and tells the union officers.
"""
from __future__ import annotations

from datetime import date

from ..access.queries import holders_of
from ..audit.services import record_event
from ..core.clock import utcnow
from ..core.dates import to_local
from ..core.db import lock_rows, session
from ..core.host import Actor
from ..core.i18n import N_
from ..notifications.services import notify
from . import ledger, queries, rules
from .models import AidApplication, ApplicationStatus, Payment
from .permissions import AID_PAY
from .services import end_recurring

FUND_EXHAUSTED = N_("基金余额不足，按月救助已停止")
CASE_ENDED = N_("救助期限已到")


def pay_due_months(application_id: int, today: date, actor: Actor) -> int:
    """Pay every month of one recurring case due by ``today`` and not paid yet; the number paid.

    Safe to run twice or after a crash: the application's row is locked first, and a month has
    one payment (unique key), so a second run finds it paid. Each month after the first is held
    (reserved) when the one before is paid, so the fund shows what the case will need; a month
    the fund cannot cover ends the case and tells the union officers.
    """
    lock_rows(AidApplication, [application_id])
    application = session.get(AidApplication, application_id, populate_existing=True)
    if application is None or application.status not in (ApplicationStatus.APPROVED,
                                                          ApplicationStatus.PAYING):
        return 0
    last_month = application.recurring_until or application.review_on
    approved_month = rules.first_of_month(_local_day(application.approved_at))
    paid_months = queries.paid_months(application.id)
    paid = 0
    for month in rules.months_due(approved_month, last_month, today):
        if month in paid_months:
            continue
        reservation = queries.open_reservation(application.id)
        if reservation is None or queries.held_by(reservation) < application.monthly_fen:
            if not _hold_a_month(application, today, actor):
                return paid
            reservation = queries.open_reservation(application.id)
        payment = Payment(application_id=application.id, month=month,
                          amount_fen=application.monthly_fen, paid_on=today,
                          reference=None, paid_by=actor.key)
        session.add(payment)
        session.flush()
        ledger.pay_reserved(reservation, application.monthly_fen, booked_on=today, actor=actor,
                            payment_id=payment.id)
        application.status = ApplicationStatus.PAYING
        application.paid_at = utcnow()
        paid += 1
        record_event("aid.month_paid", actor, target_type="aid_application",
                     target_id=application.id, org_unit_id=application.org_unit_id,
                     details={"aid_month": month.isoformat(),
                              "aid_amount_fen": application.monthly_fen})
    if (last_month is not None
            and rules.first_of_month(today) >= rules.first_of_month(last_month)
            and rules.first_of_month(last_month) in queries.paid_months(application.id)):
        end_recurring(application, actor, CASE_ENDED)
        return paid
    next_month = rules.add_month(rules.first_of_month(today))
    if last_month is None or next_month <= rules.first_of_month(last_month):
        reservation = queries.open_reservation(application.id)
        if reservation is None or queries.held_by(reservation) < application.monthly_fen:
            _hold_a_month(application, today, actor)
    session.flush()
    return paid


def _hold_a_month(application: AidApplication, today: date, actor: Actor) -> bool:
    """Reserve one month of the case; when the fund cannot, end the case (False)."""
    try:
        with session.begin_nested():
            ledger.reserve(application.fund, rules.purposes_for(application.reason),
                           application.monthly_fen, booked_on=today, actor=actor,
                           application_id=application.id)
        return True
    except ledger.FundShort:
        _stop_for_money(application, actor)
        return False


def _stop_for_money(application: AidApplication, actor: Actor) -> None:
    end_recurring(application, actor, FUND_EXHAUSTED)
    notify(holders_of(AID_PAY, application.org_unit),
           N_("%(fund)s余额不足，%(worker)s家的按月救助已停止"),
           params={"fund": application.fund.name, "worker": application.worker.name},
           body=N_("请为基金补充资金后，为这户家庭重新申请。"),
           link=("carebridge.aid.application", {"application_id": application.id}),
           category="aid")


def _local_day(moment) -> date:
    return to_local(moment).date()
