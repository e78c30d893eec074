"""Sites' locations, openings and transfer requests for the work-near-home tests, made through
the real services (:mod:`plugin.positions.workplaces`, :mod:`plugin.positions.transfers`), so
they are checked and audited as in production::

    locate(site, "511321")
    opening = make_opening(site, "钢筋工", starts_on="2026-12-01")
    worker = parent(make_worker, make_child, other_site, "511302")
    request = ask(worker, opening)
"""
from __future__ import annotations

from datetime import date

from plugin.access.scope import Scope
from plugin.positions import transfers, workplaces
from plugin.positions.models import Opening, TransferRequest, WorkLocation
from plugin.worker_access.services import worker_actor

from .conftest import SYSTEM

#: The ``clock`` fixture's today (2026-11-22, Shanghai).
TODAY = date(2026, 11, 22)
#: 四川省南充市南部县, another county of 南充市 (顺庆区), a county of 成都市 (双流区), one of
#: another province (广东省深圳市南山区).
NANBU, SHUNQING, SHUANGLIU, NANSHAN = "511321", "511302", "510116", "440305"


def locate(site, county: str, address: str | None = None) -> WorkLocation:
    return workplaces.save_location(site, {"county_code": county, "address": address},
                                    scope=Scope.company(), actor=SYSTEM)


def make_opening(site, trade: str = "钢筋工", *, headcount: int = 5,
                 starts_on: str = "2026-12-01", ends_on: str | None = None,
                 notes: str | None = None, county: str | None = None) -> Opening:
    """An open opening of ``site`` (located in ``county`` first, when given)."""
    if county is not None:
        locate(site, county)
    return workplaces.save_opening(None, {"trade": trade, "headcount": str(headcount),
                                          "starts_on": starts_on, "ends_on": ends_on,
                                          "notes": notes},
                                   site=site, scope=Scope.company(), actor=SYSTEM, today=TODAY)


def parent(make_worker, make_child, unit, hukou: str | None, **fields):
    """A worker of ``unit`` from ``hukou`` with a left-behind child."""
    worker = make_worker(unit, **({"hukou_region_code": hukou} if hukou else {}), **fields)
    make_child(worker, left_behind=True)
    return worker


def ask(worker, opening, note: str | None = None) -> TransferRequest:
    return transfers.request_transfer(worker, opening, note, actor=worker_actor(worker))
