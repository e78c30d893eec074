"""Pairing aid (结对帮扶): a manager, party member or volunteer paired with a worker's family for a
period, who visits or calls them every ``contact_every_days`` days; their contacts, with notes
(personal data, stored encrypted; every page that shows them is audited).

*Product rule* (the guidance asks for regular contact and is silent on the details): a pairing is
**overdue** while it is still running (not ended, its last day not passed) and more than
``contact_every_days`` days have gone by since its last logged contact — or since its first day
when none is logged yet. A contact on the ``contact_every_days``-th day is in time.
:func:`status_of` is the rule in Python, :func:`status_condition` its SQL twin (the lists filter
and order by it in the database); the tests hold them to the same answer.

Each service checks everything first, then changes, flushes and audits; the caller commits.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import Integer, and_, case, func, not_, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from ..access.queries import holders_of
from ..access.scope import Scope
from ..audit.services import record_event
from ..core.clock import utcnow
from ..core.db import lock_rows, session
from ..core.errors import ErrorList, InputInvalid, ValidationError
from ..core.host import Actor
from ..core.i18n import N_
from ..core.pagination import Page, paginate
from ..core.text import clean_free_text, clean_person_name
from ..org.models import OrgUnit
from ..registry.models import Worker
from ..registry.values import parse_phone
from .models import ContactKind, HelperKind, Pairing, PairingContact
from .permissions import AID_PAIRING

HELPER_NAME_MAX = 100
REASON_MAX = 300
NOTES_MAX = 2000
#: The longest interval between contacts a pairing may ask for (a year).
EVERY_DAYS_MAX = 365

NEED_HELPER_NAME = N_("请填写帮扶人姓名")
NEED_HELPER_KIND = N_("请选择帮扶人身份")
NEED_HELPER_PHONE = N_("请填写帮扶人电话")
HELPER_ACCOUNT_NOT_HERE = N_("所选账号对该职工所在单位没有结对帮扶权限，请另选")
NEED_STARTS_ON = N_("请填写开始日期")
NEED_ENDS_ON = N_("请填写结束日期")
ENDS_BEFORE_START = N_("结束日期不能早于开始日期")
EVERY_DAYS_RANGE = N_("联系间隔应为 1 到 %(max)s 天")
ALREADY_ENDED = N_("这个结对帮扶已经结束了")
NEED_END_REASON = N_("请写明结束结对帮扶的原因")
NEED_CONTACT_KIND = N_("请选择联系方式")
NEED_CONTACTED_ON = N_("请填写联系日期")
CONTACT_IN_FUTURE = N_("联系日期不能晚于今天")
CONTACT_BEFORE_START = N_("联系日期不能早于结对开始日期（%(date)s）")
CONTACT_AFTER_END = N_("联系日期不能晚于结对结束日期（%(date)s）")


# --- the overdue rule ---------------------------------------------------------------------------

class PairingStatus(str, enum.Enum):
    #: Running and in contact on time.
    ACTIVE = "active"
    #: Running, and the next contact is late.
    OVERDUE = "overdue"
    #: Ended by someone, or past its last day.
    ENDED = "ended"

    @property
    def label(self):
        return PAIRING_STATUS_LABELS[self]


PAIRING_STATUS_LABELS = {
    PairingStatus.ACTIVE: _l("按期联系"),
    PairingStatus.OVERDUE: _l("逾期未联系"),
    PairingStatus.ENDED: _l("已结束"),
}

EPOCH = date(1970, 1, 1)


def due_on(pairing: Pairing, last_contact_on: date | None) -> date:
    """The last day the next contact is in time."""
    return (last_contact_on or pairing.starts_on) + timedelta(days=pairing.contact_every_days)


def status_of(pairing: Pairing, last_contact_on: date | None, today: date) -> PairingStatus:
    if pairing.ended_at is not None or pairing.ends_on < today:
        return PairingStatus.ENDED
    if due_on(pairing, last_contact_on) < today:
        return PairingStatus.OVERDUE
    return PairingStatus.ACTIVE


def needs_reminder(pairing: Pairing, last_contact_on: date | None, today: date) -> bool:
    """Overdue, and not reminded since this lapse began (the day after :func:`due_on`)."""
    return (status_of(pairing, last_contact_on, today) == PairingStatus.OVERDUE
            and (pairing.reminded_on is None
                 or pairing.reminded_on <= due_on(pairing, last_contact_on)))


class epoch_days(FunctionElement):
    """The days from 1970-01-01 to a date (an integer) on either database, so a date plus a
    per-row number of days can be compared in SQL."""

    type = Integer()
    inherit_cache = True


@compiles(epoch_days)
def _epoch_days(element, compiler, **kw):  # PostgreSQL: date - date is a number of days
    return f"({compiler.process(element.clauses, **kw)} - DATE '1970-01-01')"


@compiles(epoch_days, "sqlite")
def _epoch_days_sqlite(element, compiler, **kw):  # dates are stored as YYYY-MM-DD text
    days = f"julianday({compiler.process(element.clauses, **kw)}) - 2440587.5"
    return f"CAST(round({days}) AS INTEGER)"


def last_contact_column():
    """The pairing's latest contact day (NULL when none), as a correlated subquery."""
    return (select(func.max(PairingContact.contacted_on))
            .where(PairingContact.pairing_id == Pairing.id).correlate(Pairing).scalar_subquery())


def _due_days():
    """SQL twin of :func:`due_on`, in :class:`epoch_days`."""
    return epoch_days(func.coalesce(last_contact_column(), Pairing.starts_on)) \
        + Pairing.contact_every_days


def _ended(today: date):
    return or_(Pairing.ended_at.is_not(None), Pairing.ends_on < today)


def status_condition(status: PairingStatus, today: date):
    """SQL condition on :class:`Pairing` matching :func:`status_of`."""
    if status == PairingStatus.ENDED:
        return _ended(today)
    late = _due_days() < (today - EPOCH).days
    return and_(not_(_ended(today)), late if status == PairingStatus.OVERDUE else not_(late))


#: The list's filter for active and overdue pairings together.
RUNNING = "running"


def running_condition(today: date):
    """Active or overdue: the pairing still runs."""
    return not_(_ended(today))


def reminder_condition(today: date):
    """SQL twin of :func:`needs_reminder`."""
    return and_(status_condition(PairingStatus.OVERDUE, today),
                or_(Pairing.reminded_on.is_(None),
                    epoch_days(Pairing.reminded_on) <= _due_days()))


# --- reading ------------------------------------------------------------------------------------

def get_pairing(pairing_id: int) -> Pairing | None:
    return session.get(Pairing, pairing_id)


def pairings_page(scope: Scope, today: date, *, status: str | None = None,
                  unit: OrgUnit | None = None, page: int = 1, per_page: int = 50) -> Page:
    """Pairings of ``scope`` (of ``unit``'s subtree when given) with their last contact day,
    rows of ``(pairing, last_contact_on)``: overdue first (the longest overdue first), then
    active by the day the next contact is due, then ended ones. Two queries whatever the page
    holds (the workers and units are joined)."""
    last = last_contact_column().label("last_contact_on")
    statement = select(Pairing, last).where(scope.contains_unit_id(Pairing.org_unit_id))
    if unit is not None:
        statement = statement.where(Scope.of_unit(unit).contains_unit_id(Pairing.org_unit_id))
    if status == RUNNING:
        statement = statement.where(running_condition(today))
    elif status in {item.value for item in PairingStatus}:
        statement = statement.where(status_condition(PairingStatus(status), today))
    order = case((_ended(today), 2), (status_condition(PairingStatus.OVERDUE, today), 0),
                 else_=1)
    statement = statement.order_by(order, _due_days(), Pairing.id)
    return paginate(statement, page, per_page, scalars=False)


def last_contact_on(pairing: Pairing) -> date | None:
    return session.scalar(select(func.max(PairingContact.contacted_on)).where(
        PairingContact.pairing_id == pairing.id))


def contacts_of(pairing: Pairing) -> list[PairingContact]:
    """The contacts, latest first (the notes are decrypted when read: audit with
    :func:`record_notes_read`)."""
    return list(session.scalars(select(PairingContact).where(
        PairingContact.pairing_id == pairing.id)
        .order_by(PairingContact.contacted_on.desc(), PairingContact.id.desc())))


def record_notes_read(pairing: Pairing, contacts: list[PairingContact], actor: Actor) -> None:
    """Audit that ``actor`` is shown the notes of ``contacts`` (nothing when none has notes)."""
    shown = [contact.id for contact in contacts if contact.notes]
    if shown:
        record_event("aid.pairing_notes_viewed", actor, target_type="aid_pairing",
                     target_id=pairing.id, org_unit_id=pairing.org_unit_id,
                     details={"aid_pairing_contacts": len(shown)})


def helper_accounts(unit: OrgUnit) -> list[str]:
    """User keys that may be a pairing's helper account for a worker of ``unit``: those who hold
    the pairing permission over it, so the reminder's link opens for them."""
    return holders_of(AID_PAIRING, unit)


# --- changing -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class PairingInput:
    helper_name: str | None
    helper_kind: HelperKind | str | None
    helper_phone: str | None
    starts_on: date | None
    ends_on: date | None
    contact_every_days: int | None = 30
    helper_user_key: str | None = None


def create_pairing(worker: Worker, data: PairingInput, *, actor: Actor) -> Pairing:
    """Pair a helper with ``worker``'s family (the caller checked the worker is in scope)."""
    errors = ErrorList()
    name = errors.collect(lambda: clean_person_name(data.helper_name, max_length=HELPER_NAME_MAX,
                                                    field="helper_name"))
    if not name and not _has(errors, "helper_name"):
        errors.add(ValidationError(NEED_HELPER_NAME, field="helper_name"))
    kind = errors.collect(lambda: _member(HelperKind, data.helper_kind, "helper_kind",
                                          NEED_HELPER_KIND))
    phone = errors.collect(lambda: parse_phone(data.helper_phone, field="helper_phone"))
    if not phone and not _has(errors, "helper_phone"):
        errors.add(ValidationError(NEED_HELPER_PHONE, field="helper_phone"))
    account = (data.helper_user_key or "").strip() or None
    if account is not None and account not in helper_accounts(worker.org_unit):
        errors.add(ValidationError(HELPER_ACCOUNT_NOT_HERE, field="helper_user_key"))
    if data.starts_on is None:
        errors.add(ValidationError(NEED_STARTS_ON, field="starts_on"))
    if data.ends_on is None:
        errors.add(ValidationError(NEED_ENDS_ON, field="ends_on"))
    elif data.starts_on is not None and data.ends_on < data.starts_on:
        errors.add(ValidationError(ENDS_BEFORE_START, field="ends_on"))
    every = data.contact_every_days
    if every is None or not 1 <= every <= EVERY_DAYS_MAX:
        errors.add(ValidationError(EVERY_DAYS_RANGE, field="contact_every_days",
                                   max=EVERY_DAYS_MAX))
    InputInvalid.raise_if_any(errors)
    pairing = Pairing(worker_id=worker.id, org_unit_id=worker.org_unit_id, helper_name=name,
                      helper_kind=kind, helper_phone=phone, helper_user_key=account,
                      starts_on=data.starts_on, ends_on=data.ends_on, contact_every_days=every,
                      created_at=utcnow(), created_by=actor.key)
    session.add(pairing)
    session.flush()
    record_event("aid.pairing_created", actor, target_type="aid_pairing", target_id=pairing.id,
                 org_unit_id=pairing.org_unit_id,
                 details={"worker_id": worker.id, "aid_pairing_helper": name,
                          "aid_pairing_helper_kind": kind.value,
                          "aid_pairing_account": account is not None,
                          "aid_pairing_starts_on": data.starts_on.isoformat(),
                          "aid_pairing_ends_on": data.ends_on.isoformat(),
                          "aid_pairing_every_days": every})
    return pairing


def end_pairing(pairing: Pairing, reason: str | None, *, actor: Actor) -> None:
    """End a pairing before (or after) its last day, with the reason."""
    cleaned = clean_free_text(reason, max_length=REASON_MAX, field="reason")
    lock_rows(Pairing, [pairing.id])  # two officers ending it at once: the second is refused
    session.refresh(pairing)
    if pairing.ended_at is not None:
        raise ValidationError(ALREADY_ENDED)
    if not cleaned:
        raise ValidationError(NEED_END_REASON, field="reason")
    pairing.ended_at = utcnow()
    pairing.end_reason = cleaned
    session.flush()
    record_event("aid.pairing_ended", actor, target_type="aid_pairing", target_id=pairing.id,
                 org_unit_id=pairing.org_unit_id,
                 details={"worker_id": pairing.worker_id, "aid_pairing_end_reason": cleaned})


def log_contact(pairing: Pairing, kind: ContactKind | str | None, contacted_on: date | None,
                notes: str | None, *, actor: Actor, today: date) -> PairingContact:
    """Log a visit or a call of the helper. The same contact sent twice (a double tap) is kept
    once."""
    errors = ErrorList()
    if pairing.ended_at is not None:
        errors.add(ValidationError(ALREADY_ENDED))
    kind = errors.collect(lambda: _member(ContactKind, kind, "kind", NEED_CONTACT_KIND))
    if contacted_on is None:
        errors.add(ValidationError(NEED_CONTACTED_ON, field="contacted_on"))
    elif contacted_on > today:
        errors.add(ValidationError(CONTACT_IN_FUTURE, field="contacted_on"))
    elif contacted_on < pairing.starts_on:
        errors.add(ValidationError(CONTACT_BEFORE_START, field="contacted_on",
                                   date=pairing.starts_on.isoformat()))
    elif contacted_on > pairing.ends_on:
        errors.add(ValidationError(CONTACT_AFTER_END, field="contacted_on",
                                   date=pairing.ends_on.isoformat()))
    notes = errors.collect(lambda: clean_free_text(notes, max_length=NOTES_MAX, field="notes",
                                                   multiline=True))
    InputInvalid.raise_if_any(errors)
    lock_rows(Pairing, [pairing.id])  # a double tap waits here, then finds the first one's row
    for existing in session.scalars(select(PairingContact).where(
            PairingContact.pairing_id == pairing.id, PairingContact.kind == kind,
            PairingContact.contacted_on == contacted_on,
            PairingContact.recorded_by == actor.key)):
        if existing.notes == notes:
            return existing
    contact = PairingContact(pairing_id=pairing.id, kind=kind, contacted_on=contacted_on,
                             notes=notes, recorded_at=utcnow(), recorded_by=actor.key)
    session.add(contact)
    session.flush()
    record_event("aid.pairing_contact_logged", actor, target_type="aid_pairing",
                 target_id=pairing.id, org_unit_id=pairing.org_unit_id,
                 details={"aid_pairing_contact_kind": kind.value,
                          "aid_pairing_contacted_on": contacted_on.isoformat(),
                          "aid_pairing_notes": notes is not None})
    return contact


def _member(enum_class, value, field: str, message: str):
    try:
        return enum_class(value)
    except ValueError:
        raise ValidationError(message, field=field) from None


def _has(errors: ErrorList, field_name: str) -> bool:
    return any(error.field == field_name for error in errors)
