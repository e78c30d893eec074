"""The pledges' indicators (declared in their Feature), by aggregate SQL for organisation
subtrees and a period of local days. A pledge counts under its worker's current unit (the
registry keeps no history of workers' units).

* ``pledges.signed`` is a flow: pledges whose signing date falls in the period, including those
  revoked or lapsed since, so a past period keeps its figure.
* ``pledges.workers_covered`` is a stock on the period's last day: :func:`rules.valid_condition`
  as it stood that day. A pledge revoked after that day still counted then, so the revocation is
  compared with the end of the day instead of being taken as "revoked now".
"""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, exists, func, or_, select

from ..core.dates import company_zone
from ..core.db import session
from ..core.indicators import FLOW, STOCK, Indicator, ListPage
from ..org.queries import unit_id_in_subtrees
from ..registry.models import Worker
from ..registry.queries import employed_on
from .models import Pledge
from .permissions import PLEDGES_VIEW


def _count(statement) -> int:
    return session.execute(select(func.count()).select_from(statement.subquery())).scalar_one()


def _end_of(day: date) -> datetime:
    """The local midnight ending ``day``, in UTC (revocation times are stored in UTC)."""
    return (datetime.combine(day + timedelta(days=1), time.min, tzinfo=company_zone())
            .astimezone(UTC))


def in_force_on(day: date):
    """SQL condition: the pledge was in force on ``day`` as things stood at the end of it: signed
    on or before it, valid until it or later, and not revoked by then (the dates of
    :func:`plugin.pledges.rules.valid_condition`, with the revocation as of that day)."""
    return and_(Pledge.signed_on <= day, Pledge.valid_until >= day,
                or_(Pledge.revoked_at.is_(None), Pledge.revoked_at >= _end_of(day)))


def signed_records(paths: list[str], start: date, end: date):
    return (select(Pledge.id).join(Worker, Worker.id == Pledge.worker_id)
            .where(unit_id_in_subtrees(Worker.org_unit_id, paths), Pledge.signed_on >= start,
                   Pledge.signed_on <= end))


def signed(paths: list[str], start: date, end: date) -> int:
    return _count(signed_records(paths, start, end))


def workers_covered_records(paths: list[str], start: date, end: date):
    return (select(Worker.id)
            .where(unit_id_in_subtrees(Worker.org_unit_id, paths), employed_on(end),
                   exists().where(Pledge.worker_id == Worker.id, in_force_on(end))))


def workers_covered(paths: list[str], start: date, end: date) -> int:
    return _count(workers_covered_records(paths, start, end))


def workers_covered_series(paths: list[str], days: list[date]) -> dict[date, int]:
    """Workers covered at the end of each day, in one pass over the pledges."""
    counted = [func.count(func.distinct(Pledge.worker_id)).filter(
        and_(in_force_on(day), employed_on(day))) for day in days]
    row = session.execute(select(*counted).select_from(Pledge)
                          .join(Worker, Worker.id == Pledge.worker_id)
                          .where(unit_id_in_subtrees(Worker.org_unit_id, paths))).one()
    return dict(zip(days, row, strict=True))


INDICATORS = (
    Indicator("pledges.signed", _l("签署的监护承诺书"), _l("份"),
              _l("签署日期在期内的监护承诺书份数（之后撤销或到期的也计入），按职工当前所在单位统计"),
              "indicators:signed", "indicators:signed_records", "pledge", FLOW,
              list_page=ListPage("carebridge.pledges.index", PLEDGES_VIEW)),
    Indicator("pledges.workers_covered", _l("持有有效监护承诺书的职工"), _l("人"),
              _l("期末当天在职、持有有效监护承诺书的职工人数：承诺书签署日期不晚于期末、有效期至期末"
                 "或以后，且期末当天结束前没有撤销；按职工当前所在单位统计，每人只计一次"),
              "indicators:workers_covered", "indicators:workers_covered_records", "worker",
              STOCK, series="indicators:workers_covered_series",
              list_page=ListPage("carebridge.pledges.coverage", PLEDGES_VIEW)),
)
