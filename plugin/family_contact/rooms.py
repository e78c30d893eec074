"""Family phones and video-chat rooms of a site: set up, changed and closed by the site's
officers, and the reads of the rooms pages (the rooms of a scope or of a worker's site, a day's
free slots and schedule, the usage of the last 30 days). Booking itself is :mod:`.bookings`.

Each service checks everything first (a form shows every problem at once), then changes,
flushes and audits; the caller commits.

*Product rules* where the guidance is silent:

- A room belongs to a site (项目部); its name is unique within the site, closed rooms included
  (their history keeps the name).
- Opening hours are the same every day, in the company's time zone; slots run from the opening
  time for ``slot_minutes`` each, the last one ending by the closing time.
- Opening hours and slot length change only when every booking still to come stays on the new
  grid: on SQLite the no-overlap rule is a unique slot start, which holds only for aligned slots.
- Closing a room cancels its bookings that have not started (audited with their number); the
  workers see them cancelled on their phone.
- The usage rate is used ÷ booked, over the bookings whose slot started in the last 30 days
  (not cancelled); a booking nobody recorded counts as booked, not used.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError

from ..access.scope import Scope
from ..audit.services import record_event
from ..core.clock import utcnow
from ..core.dates import company_zone
from ..core.db import lock_rows, session
from ..core.errors import ErrorList, InputInvalid, ValidationError
from ..core.host import Actor
from ..core.i18n import N_
from ..core.text import clean_free_text
from ..org.models import OrgKind, OrgUnit
from ..registry.models import Worker
from .bookings import day_bookings, is_on_grid, slots_of_day
from .models import HOLDING_STATUSES, BookingStatus, ContactRoom, RoomBooking, RoomKind

NAME_MAX = 100
LOCATION_MAX = 200
SLOT_MINUTES_MIN, SLOT_MINUTES_MAX = 5, 240
#: The most future bookings a room may let one worker hold.
MAX_FUTURE_BOOKINGS_LIMIT = 10
#: The window of the usage figures, in days.
USAGE_DAYS = 30
#: Past bookings a worker's list shows.
PAST_BOOKINGS_SHOWN = 30

NEED_SITE = N_("请选择项目部")
NEED_KIND = N_("请选择类型（亲情电话或亲情视频聊天室）")
NEED_NAME = N_("请填写名称")
NAME_TAKEN = N_("%(site)s已有名为“%(name)s”的亲情电话或视频聊天室")
NEED_OPENS_AT = N_("请填写每天开放的时间")
NEED_CLOSES_AT = N_("请填写每天关闭的时间")
CLOSES_BEFORE_OPENING = N_("关闭时间要晚于开放时间")
NEED_SLOT_MINUTES = N_("每个时段的长度要在 %(min)s 到 %(max)s 分钟之间")
NO_SLOT_FITS = N_("开放时间内放不下一个 %(minutes)s 分钟的时段")
NEED_MAX_BOOKINGS = N_("每人最多预约的时段数要在 1 到 %(max)s 之间")
GRID_CHANGE_BLOCKED = N_("还有 %(count)s 个未开始的预约不在新的时段安排内，"
                         "取消或用完后才能修改开放时间和时段长度")
ALREADY_CLOSED = N_("%(room)s已经停用")
CLOSED_ROOM_UNCHANGED = N_("%(room)s已经停用，不能修改")

#: The fields of a room as the audit log's "fields" list names them.
ROOM_FIELDS = ("kind", "name", "location", "opens_at", "closes_at", "slot_minutes",
               "max_future_bookings")


@dataclass(frozen=True)
class RoomInput:
    """A room as typed in the form (None: missing or not understood)."""

    kind: RoomKind | None
    name: str | None
    location: str | None
    opens_at: time | None
    closes_at: time | None
    slot_minutes: int | None
    max_future_bookings: int | None


# -- setting rooms up -----------------------------------------------------------------------------

def create_room(unit: OrgUnit | None, data: RoomInput, actor: Actor) -> ContactRoom:
    """A new family phone or video-chat room of the site ``unit``."""
    errors = ErrorList()
    if unit is None or unit.kind != OrgKind.SITE:
        errors.add(ValidationError(NEED_SITE, field="unit"))
        unit = None
    values = _checked(data, errors, unit=unit, room=None)
    InputInvalid.raise_if_any(errors)
    room = ContactRoom(org_unit_id=unit.id, **values)
    _flush_named(room, unit)
    record_event("family_contact.room_saved", actor, target_type="contact_room",
                 target_id=room.id, org_unit_id=unit.id, details=_details(room))
    return room


def edit_room(room: ContactRoom, data: RoomInput, actor: Actor) -> ContactRoom:
    """Change a room: its hours and slot length only while its coming bookings stay on the grid."""
    lock_rows(ContactRoom, [room.id])
    session.refresh(room)
    errors = ErrorList()
    if room.closed_at is not None:
        raise ValidationError(CLOSED_ROOM_UNCHANGED, room=room.name)
    values = _checked(data, errors, unit=room.org_unit, room=room)
    if not errors and _grid_changes(room, values):
        off_grid = _off_grid_bookings(room, values)
        if off_grid:
            errors.add(ValidationError(GRID_CHANGE_BLOCKED, field="slot_minutes", count=off_grid))
    InputInvalid.raise_if_any(errors)
    changed = [name for name in ROOM_FIELDS if getattr(room, name) != values[name]]
    if not changed:
        return room
    for name in changed:
        setattr(room, name, values[name])
    _flush_named(room, room.org_unit)
    record_event("family_contact.room_saved", actor, target_type="contact_room",
                 target_id=room.id, org_unit_id=room.org_unit_id,
                 details={**_details(room), "fields": changed})
    return room


def close_room(room: ContactRoom, actor: Actor) -> int:
    """Close a room: no new bookings; those not started yet are cancelled. Returns how many."""
    lock_rows(ContactRoom, [room.id])
    session.refresh(room)
    if room.closed_at is not None:
        raise ValidationError(ALREADY_CLOSED, room=room.name)
    now = utcnow()
    room.closed_at = now
    coming = list(session.scalars(select(RoomBooking).where(
        RoomBooking.room_id == room.id, RoomBooking.status == BookingStatus.BOOKED,
        RoomBooking.starts_at > now)))
    for booking in coming:
        booking.status = BookingStatus.CANCELLED
        booking.cancelled_at = now
    session.flush()
    record_event("family_contact.room_closed", actor, target_type="contact_room",
                 target_id=room.id, org_unit_id=room.org_unit_id,
                 details={"contact_room": room.name, "contact_cancelled_bookings": len(coming)})
    return len(coming)


def _checked(data: RoomInput, errors: ErrorList, *, unit: OrgUnit | None,
             room: ContactRoom | None) -> dict:
    """The room's values from ``data``, each problem added to ``errors``."""
    if not isinstance(data.kind, RoomKind):
        errors.add(ValidationError(NEED_KIND, field="kind"))
    name = errors.collect(lambda: clean_free_text(data.name, max_length=NAME_MAX, field="name"))
    if not name and not _has(errors, "name"):
        errors.add(ValidationError(NEED_NAME, field="name"))
    if name and unit is not None and _name_taken(unit, name, room):
        errors.add(ValidationError(NAME_TAKEN, field="name", site=unit.name, name=name))
    location = errors.collect(lambda: clean_free_text(data.location, max_length=LOCATION_MAX,
                                                      field="location"))
    opens_at, closes_at = data.opens_at, data.closes_at
    if opens_at is None:
        errors.add(ValidationError(NEED_OPENS_AT, field="opens_at"))
    if closes_at is None:
        errors.add(ValidationError(NEED_CLOSES_AT, field="closes_at"))
    hours = opens_at is not None and closes_at is not None
    if hours and closes_at <= opens_at:
        errors.add(ValidationError(CLOSES_BEFORE_OPENING, field="closes_at"))
        hours = False
    minutes = data.slot_minutes
    if minutes is None or not SLOT_MINUTES_MIN <= minutes <= SLOT_MINUTES_MAX:
        errors.add(ValidationError(NEED_SLOT_MINUTES, field="slot_minutes",
                                   min=SLOT_MINUTES_MIN, max=SLOT_MINUTES_MAX))
    elif hours and _minutes_between(opens_at, closes_at) < minutes:
        errors.add(ValidationError(NO_SLOT_FITS, field="slot_minutes", minutes=minutes))
    most = data.max_future_bookings
    if most is None or not 1 <= most <= MAX_FUTURE_BOOKINGS_LIMIT:
        errors.add(ValidationError(NEED_MAX_BOOKINGS, field="max_future_bookings",
                                   max=MAX_FUTURE_BOOKINGS_LIMIT))
    return {"kind": data.kind, "name": name, "location": location,
            "opens_at": _minute(opens_at), "closes_at": _minute(closes_at),
            "slot_minutes": minutes, "max_future_bookings": most}


def _minute(value: time | None) -> time | None:
    return value.replace(second=0, microsecond=0) if value is not None else None


def _minutes_between(start: time, end: time) -> int:
    return (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)


def _has(errors: ErrorList, field: str) -> bool:
    return any(error.field == field for error in errors)


def _name_taken(unit: OrgUnit, name: str, room: ContactRoom | None) -> bool:
    query = select(ContactRoom.id).where(ContactRoom.org_unit_id == unit.id,
                                         ContactRoom.name == name)
    if room is not None:
        query = query.where(ContactRoom.id != room.id)
    return session.scalar(query) is not None


def _flush_named(room: ContactRoom, unit: OrgUnit) -> None:
    """Flush ``room``; the same name saved at the same moment is refused by the unique key."""
    try:
        with session.begin_nested():
            session.add(room)
            session.flush()
    except IntegrityError:
        raise ValidationError(NAME_TAKEN, field="name", site=unit.name, name=room.name) from None


def _grid_changes(room: ContactRoom, values: dict) -> bool:
    return any(getattr(room, name) != values[name]
               for name in ("opens_at", "closes_at", "slot_minutes"))


def _off_grid_bookings(room: ContactRoom, values: dict) -> int:
    """How many of the room's bookings still to come would not be slots of the new grid."""
    grid = ContactRoom(opens_at=values["opens_at"], closes_at=values["closes_at"],
                       slot_minutes=values["slot_minutes"])
    length = timedelta(minutes=values["slot_minutes"])
    coming = session.execute(select(RoomBooking.starts_at, RoomBooking.ends_at).where(
        RoomBooking.room_id == room.id, RoomBooking.status == BookingStatus.BOOKED,
        RoomBooking.starts_at > utcnow())).all()
    return sum(1 for starts_at, ends_at in coming
               if ends_at - starts_at != length or not is_on_grid(grid, starts_at))


def _details(room: ContactRoom) -> dict:
    return {"contact_room": room.name, "contact_room_kind": room.kind.value,
            "contact_location": room.location,
            "contact_opens_at": room.opens_at.strftime("%H:%M"),
            "contact_closes_at": room.closes_at.strftime("%H:%M"),
            "contact_slot_minutes": room.slot_minutes,
            "contact_max_future_bookings": room.max_future_bookings}


# -- reads ----------------------------------------------------------------------------------------

def get_room(room_id: int) -> ContactRoom | None:
    return session.get(ContactRoom, room_id)


def get_booking(booking_id: int) -> RoomBooking | None:
    return session.get(RoomBooking, booking_id)


def rooms_in(scope: Scope) -> list[ContactRoom]:
    """The rooms of the sites in ``scope``: open ones first, by site and name."""
    return list(session.scalars(
        select(ContactRoom).join(OrgUnit, OrgUnit.id == ContactRoom.org_unit_id)
        .where(scope.contains_unit_id(ContactRoom.org_unit_id))
        .order_by(ContactRoom.closed_at.is_not(None), OrgUnit.path, ContactRoom.name)))


def rooms_of_site(unit: OrgUnit) -> list[ContactRoom]:
    """Every room of the site, open ones first, by name."""
    return list(session.scalars(select(ContactRoom).where(ContactRoom.org_unit_id == unit.id)
                                .order_by(ContactRoom.closed_at.is_not(None), ContactRoom.name)))


def rooms_for_worker(worker: Worker) -> list[ContactRoom]:
    """The open rooms the worker may book: those of their site (their unit or one above it)."""
    return list(session.scalars(select(ContactRoom).where(
        ContactRoom.org_unit_id.in_(worker.org_unit.ancestor_ids),
        ContactRoom.closed_at.is_(None)).order_by(ContactRoom.kind, ContactRoom.name)))


def serves(room: ContactRoom, worker: Worker) -> bool:
    """Is ``room`` one of the worker's site (whether open or not)?"""
    return room.org_unit.contains(worker.org_unit)


def parse_slot_start(text: str | None) -> datetime | None:
    """A slot's start as a form sends it (``2026-11-23T12:00``, the company's time), aware;
    None when it is not such a moment."""
    try:
        value = datetime.fromisoformat((text or "").strip())
    except ValueError:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=company_zone())
    return value


def slot_value(start: datetime) -> str:
    """The form value of a slot's start (:func:`parse_slot_start` reads it back)."""
    return start.astimezone(company_zone()).strftime("%Y-%m-%dT%H:%M")


def free_slots(rooms: list[ContactRoom], day: date) -> dict[int, list[tuple[datetime, datetime]]]:
    """Room id → its slots on ``day`` that nobody holds and that have not started."""
    now = utcnow()
    held = {(booking.room_id, booking.starts_at)
            for booking in day_bookings([room.id for room in rooms], day)} if rooms else set()
    return {room.id: [(start, end) for start, end in slots_of_day(room, day)
                      if start > now and (room.id, start) not in held]
            for room in rooms}


@dataclass(frozen=True)
class ScheduleRow:
    starts_at: datetime
    ends_at: datetime
    booking: RoomBooking | None
    #: The slot has begun: its use can be recorded.
    started: bool


@dataclass(frozen=True)
class RoomDay:
    room: ContactRoom
    rows: list[ScheduleRow]


def day_schedule(rooms: list[ContactRoom], day: date) -> list[RoomDay]:
    """Each room's day slot by slot with its booking (a booking off today's grid, made before the
    hours changed, gets a row of its own); closed rooms only where they have bookings that day."""
    now = utcnow()
    by_room: dict[int, dict[datetime, RoomBooking]] = {}
    for booking in day_bookings([room.id for room in rooms], day) if rooms else []:
        by_room.setdefault(booking.room_id, {})[booking.starts_at] = booking
    days = []
    for room in rooms:
        booked = by_room.get(room.id, {})
        if room.closed_at is not None and not booked:
            continue
        rows = {start: ScheduleRow(start, end, booked.get(start), start <= now)
                for start, end in slots_of_day(room, day)}
        for start, booking in booked.items():
            if start not in rows:
                rows[start] = ScheduleRow(start, booking.ends_at, booking, start <= now)
        days.append(RoomDay(room, [rows[start] for start in sorted(rows)]))
    return days


@dataclass(frozen=True)
class Usage:
    """A room's bookings whose slot started in the window, and what became of them."""

    bookings: int = 0
    used: int = 0
    no_shows: int = 0

    @property
    def unrecorded(self) -> int:
        return self.bookings - self.used - self.no_shows

    @property
    def rate(self) -> float | None:
        """Used ÷ booked; None without bookings."""
        return self.used / self.bookings if self.bookings else None


def usage(room_ids: list[int], days: int = USAGE_DAYS) -> dict[int, Usage]:
    """Room id → its usage over the last ``days`` days, in one grouped query."""
    if not room_ids:
        return {}
    now = utcnow()
    rows = session.execute(
        select(RoomBooking.room_id, func.count(RoomBooking.id),
               func.sum(case((RoomBooking.status == BookingStatus.USED, 1), else_=0)),
               func.sum(case((RoomBooking.status == BookingStatus.NO_SHOW, 1), else_=0)))
        .where(RoomBooking.room_id.in_(room_ids), RoomBooking.status.in_(HOLDING_STATUSES),
               RoomBooking.starts_at >= now - timedelta(days=days), RoomBooking.starts_at <= now)
        .group_by(RoomBooking.room_id)).all()
    found = {room_id: Usage(count, used or 0, no_shows or 0)
             for room_id, count, used, no_shows in rows}
    return {room_id: found.get(room_id, Usage()) for room_id in room_ids}


def bookings_of_worker(worker: Worker) -> tuple[list[RoomBooking], list[RoomBooking]]:
    """The worker's bookings still to come or going on (soonest first), and the others: ended or
    cancelled (latest first, the last :data:`PAST_BOOKINGS_SHOWN`)."""
    now = utcnow()
    coming = list(session.scalars(select(RoomBooking).where(
        RoomBooking.worker_id == worker.id, RoomBooking.status != BookingStatus.CANCELLED,
        RoomBooking.ends_at > now).order_by(RoomBooking.starts_at)))
    past = list(session.scalars(select(RoomBooking).where(
        RoomBooking.worker_id == worker.id,
        (RoomBooking.status == BookingStatus.CANCELLED) | (RoomBooking.ends_at <= now))
        .order_by(RoomBooking.starts_at.desc(), RoomBooking.id.desc()).limit(PAST_BOOKINGS_SHOWN)))
    return coming, past


def is_cancellable(booking: RoomBooking) -> bool:
    """What :func:`.bookings.cancel` accepts: booked, and the slot not begun."""
    return booking.status == BookingStatus.BOOKED and booking.starts_at > utcnow()
