"""Guardianship's indicators (declared in its Feature): entrusted-care agreements and parents'
contacts with their children, counted by aggregate SQL for organisation subtrees and a period of
local days.

Everything is counted under the worker's unit (the signing parent's for an agreement), as the
guardianship pages scope them; the feature keeps no history of workers' units, so it is the unit
they have now.

*Agreements in force* is a stock: an agreement counts when it was in force at the end of the
period's last day, read from the dates the agreement keeps, so a past period keeps its figure
after the agreement ends or is revoked: signed by then (``signed_on``; one still waiting for the
worker's signature is not in force), that day within its term (``starts_on`` to ``ends_on``),
and not closed by then (``closed_on``: ended early or revoked that day or earlier), except that
one closed on its own last day ran its term (the daily job ends a lapsed agreement with
``closed_on`` its last day).

Contacts are flows, counted by the day of the contact (``contact_on``, a local date: the phone
logs today's contacts under the company's local today).
"""
from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, or_, select

from ..core.db import session
from ..core.indicators import FLOW, STOCK, Indicator, ListPage
from ..org.queries import unit_id_in_subtrees
from ..registry.models import Worker
from .models import ContactLog, EntrustmentAgreement
from .permissions import GUARDIANSHIP_VIEW


def _count(statement: Select) -> int:
    return session.execute(select(func.count()).select_from(statement.subquery())).scalar_one()


def _agreements_in_force(paths: list[str], day: date) -> Select:
    agreement = EntrustmentAgreement
    return (select(agreement.id)
            .join(Worker, Worker.id == agreement.worker_id)
            .where(unit_id_in_subtrees(Worker.org_unit_id, paths),
                   agreement.signed_on.is_not(None), agreement.signed_on <= day,
                   agreement.starts_on <= day, agreement.ends_on >= day,
                   or_(agreement.closed_on.is_(None), agreement.closed_on > day,
                       agreement.closed_on >= agreement.ends_on)))


def agreements_in_force(paths: list[str], start: date, end: date) -> int:
    return _count(_agreements_in_force(paths, end))


def agreements_in_force_records(paths: list[str], start: date, end: date) -> Select:
    return _agreements_in_force(paths, end)


def _contacts(paths: list[str], start: date, end: date, *columns) -> Select:
    return (select(*columns)
            .join(Worker, Worker.id == ContactLog.worker_id)
            .where(unit_id_in_subtrees(Worker.org_unit_id, paths),
                   ContactLog.contact_on >= start, ContactLog.contact_on <= end))


def contacts_logged(paths: list[str], start: date, end: date) -> int:
    return session.execute(_contacts(paths, start, end, func.count(ContactLog.id))).scalar_one()


def contacts_logged_records(paths: list[str], start: date, end: date) -> Select:
    return _contacts(paths, start, end, ContactLog.id)


def workers_in_contact(paths: list[str], start: date, end: date) -> int:
    return session.execute(_contacts(paths, start, end,
                                     func.count(func.distinct(ContactLog.worker_id)))).scalar_one()


def workers_in_contact_records(paths: list[str], start: date, end: date) -> Select:
    return _contacts(paths, start, end, ContactLog.worker_id).distinct()


INDICATORS = (
    Indicator("guardianship.agreements_in_force", _l("生效中的委托照护协议"), _l("份"),
              _l("期末当天生效中的委托照护协议份数：已签署，当天在协议期限内，且当天及以前未被"
                 "提前终止或撤销（在协议最后一天终止的视为履行到期）；按签署协议的职工所在单位"
                 "统计"),
              "indicators:agreements_in_force", "indicators:agreements_in_force_records",
              "agreement", STOCK,
              list_page=ListPage("carebridge.guardianship.agreements", GUARDIANSHIP_VIEW,
                                 {"status": "active"})),
    Indicator("guardianship.contacts_logged", _l("登记的亲子联系"), _l("次"),
              _l("联系日期在统计期内的职工与孩子或照护人联系（电话、视频、探望）的登记次数；"
                 "按职工所在单位统计"),
              "indicators:contacts_logged", "indicators:contacts_logged_records",
              "contact_log", FLOW),
    Indicator("guardianship.workers_in_contact", _l("登记过亲子联系的职工"), _l("人"),
              _l("统计期内至少登记过一次与孩子或照护人联系的职工人数（每人只计一次）；"
                 "按职工所在单位统计"),
              "indicators:workers_in_contact", "indicators:workers_in_contact_records",
              "worker", FLOW),
)
