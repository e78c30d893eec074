"""The daily reminder of pairing aid (declared in the feature, :mod:`plugin.aid`)."""
from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import select

from ..core.clock import local_today
from ..core.db import session
from ..core.i18n import N_
from ..notifications.services import notify
from .models import Pairing
from .pairing import helper_accounts, last_contact_column, reminder_condition

CATEGORY = "aid.pairing_overdue"


def remind_overdue_pairings(today: date | None = None) -> dict[str, int]:
    """Daily: for each pairing whose contact is overdue, tell its helper's account (if it has
    one) and, one message per unit, everyone who holds the pairing permission over the unit.

    Once per lapse: ``Pairing.reminded_on`` records the day; a pairing is reminded again only
    after a contact (or a later start) opened a new lapse that ran out too. Running twice on a
    day, or catching up after a day without a scheduler, sends nothing more. Only flushes: the
    scheduler commits when it returns.
    """
    today = today or local_today()
    last = last_contact_column().label("last_contact_on")
    rows = session.execute(select(Pairing, last).where(reminder_condition(today))
                           .order_by(Pairing.org_unit_id, Pairing.id)).all()
    by_unit: dict[int, list[Pairing]] = defaultdict(list)
    helpers = 0
    for pairing, last_contact_on in rows:
        by_unit[pairing.org_unit_id].append(pairing)
        if pairing.helper_user_key:
            _remind_helper(pairing, last_contact_on)
            helpers += 1
        pairing.reminded_on = today
    for pairings in by_unit.values():
        unit = pairings[0].org_unit
        notify(helper_accounts(unit), N_("%(unit)s：%(count)s 户结对帮扶逾期未联系"),
               body=N_("请督促帮扶人尽快走访或电话联系，并登记联系情况。"),
               params={"unit": unit.name, "count": len(pairings)},
               link=("carebridge.aid_pairings.index", {"status": "overdue", "unit": unit.id}),
               category=CATEGORY)
    session.flush()
    return {"overdue": len(rows), "helpers_reminded": helpers, "units": len(by_unit)}


def _remind_helper(pairing: Pairing, last_contact_on: date | None) -> None:
    if last_contact_on is None:
        body = N_("结对从 %(start)s 开始，还没有登记过走访或电话联系，请尽快联系。")
    else:
        body = N_("上次联系是 %(last)s，已超过约定的每 %(days)s 天联系一次，请尽快联系。")
    notify([pairing.helper_user_key], N_("结对帮扶提醒：请联系%(worker)s家"), body=body,
           params={"worker": pairing.worker.name, "days": pairing.contact_every_days,
                   "start": pairing.starts_on.isoformat(),
                   "last": last_contact_on.isoformat() if last_contact_on else ""},
           link=("carebridge.aid_pairings.pairing", {"pairing_id": pairing.id}),
           category=CATEGORY)
