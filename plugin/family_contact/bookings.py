"""Booking a family phone or a video-chat room: a slot on the room's grid within its opening
hours, in the future, at most the room's number of future bookings per worker; cancelled up to
the slot's start; the officer records whether it was used.

No double booking is the database's rule (see :mod:`.models`): two workers pressing for the same
slot at once both insert, one insert fails on the constraint and that worker is told the slot was
just taken. The per-worker limit is kept by locking the worker's row before counting, so two
bookings of one worker at once are counted one after the other.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..audit.services import record_event
from ..core.clock import utcnow
from ..core.dates import company_zone, to_local
from ..core.db import lock_rows, session
from ..core.errors import ValidationError
from ..core.host import Actor
from ..core.i18n import N_
from ..registry.models import Worker
from .models import BookingStatus, ContactRoom, RoomBooking

ROOM_CLOSED = N_("%(room)s已停用，不能预约")
NOT_ON_GRID = N_("请选择%(room)s开放时间内的一个时段")
IN_THE_PAST = N_("这个时段已经开始或已经过去，请选择以后的时段")
TOO_FAR = N_("最多只能预约 %(days)s 天以内的时段")
NOT_THEIR_SITE = N_("只能预约本项目部的亲情电话和视频聊天室")
TOO_MANY = N_("您已经预约了 %(count)s 个时段，用完或取消后才能再预约")
TAKEN = N_("这个时段刚刚被别人预约了，请换一个时段")
NOT_CANCELLABLE = N_("只能在时段开始前取消预约")
NOT_RECORDABLE = N_("只能在时段开始后登记使用情况")

#: How far ahead a slot may be booked.
BOOKING_DAYS_AHEAD = 14


def slots_of_day(room: ContactRoom, day: date) -> list[tuple[datetime, datetime]]:
    """The room's slots on ``day`` (the company's calendar), as UTC-aware start and end."""
    zone = company_zone()
    start = datetime.combine(day, room.opens_at, tzinfo=zone)
    close = datetime.combine(day, room.closes_at, tzinfo=zone)
    step = timedelta(minutes=room.slot_minutes)
    slots = []
    while start + step <= close:
        slots.append((start, start + step))
        start += step
    return slots


def is_on_grid(room: ContactRoom, starts_at: datetime) -> bool:
    local = to_local(starts_at)
    return any(start == local for start, _ in slots_of_day(room, local.date()))


def book(room: ContactRoom, worker: Worker, starts_at: datetime, actor: Actor) -> RoomBooking:
    """Book the slot of ``room`` starting at ``starts_at`` for ``worker``."""
    now = utcnow()
    if not worker.org_unit.path.startswith(room.org_unit.path):
        raise ValidationError(NOT_THEIR_SITE)
    # A shared lock: bookings of the room go on at once, a change of its hours waits for them.
    session.execute(select(ContactRoom.id).where(ContactRoom.id == room.id)
                    .with_for_update(read=True)).all()
    session.refresh(room)
    if room.closed_at is not None:
        raise ValidationError(ROOM_CLOSED, room=room.name)
    if not is_on_grid(room, starts_at):
        raise ValidationError(NOT_ON_GRID, field="starts_at", room=room.name)
    if starts_at <= now:
        raise ValidationError(IN_THE_PAST, field="starts_at")
    if starts_at - now > timedelta(days=BOOKING_DAYS_AHEAD):
        raise ValidationError(TOO_FAR, field="starts_at", days=BOOKING_DAYS_AHEAD)
    lock_rows(Worker, [worker.id])
    held = session.scalar(select(func.count(RoomBooking.id)).where(
        RoomBooking.worker_id == worker.id, RoomBooking.room_id == room.id,
        RoomBooking.status == BookingStatus.BOOKED, RoomBooking.starts_at > now))
    if held >= room.max_future_bookings:
        raise ValidationError(TOO_MANY, count=held)
    booking = RoomBooking(room_id=room.id, worker_id=worker.id, starts_at=starts_at,
                          ends_at=starts_at + timedelta(minutes=room.slot_minutes),
                          status=BookingStatus.BOOKED, booked_by=actor.key)
    try:
        with session.begin_nested():
            session.add(booking)
            session.flush()
    except IntegrityError:
        raise ValidationError(TAKEN, field="starts_at") from None
    record_event("family_contact.booked", actor, target_type="contact_booking",
                 target_id=booking.id, org_unit_id=room.org_unit_id,
                 details={"contact_room": room.name,
                          "contact_slot": to_local(starts_at).strftime("%Y-%m-%d %H:%M")})
    return booking


def cancel(booking: RoomBooking, actor: Actor) -> None:
    lock_rows(RoomBooking, [booking.id])
    session.refresh(booking)
    if booking.status != BookingStatus.BOOKED or booking.starts_at <= utcnow():
        raise ValidationError(NOT_CANCELLABLE)
    booking.status = BookingStatus.CANCELLED
    booking.cancelled_at = utcnow()
    session.flush()
    record_event("family_contact.booking_cancelled", actor, target_type="contact_booking",
                 target_id=booking.id, org_unit_id=booking.room.org_unit_id,
                 details={"contact_room": booking.room.name})


def record_use(booking: RoomBooking, used: bool, actor: Actor) -> None:
    """The officer records whether the worker came (from the slot's start on)."""
    lock_rows(RoomBooking, [booking.id])
    session.refresh(booking)
    if booking.status == BookingStatus.CANCELLED or booking.starts_at > utcnow():
        raise ValidationError(NOT_RECORDABLE)
    booking.status = BookingStatus.USED if used else BookingStatus.NO_SHOW
    booking.recorded_by = actor.key
    session.flush()
    record_event("family_contact.booking_recorded", actor, target_type="contact_booking",
                 target_id=booking.id, org_unit_id=booking.room.org_unit_id,
                 details={"contact_room": booking.room.name,
                          "contact_used": used})


def day_bookings(room_ids: list[int], day: date) -> list[RoomBooking]:
    """The bookings of these rooms on ``day`` (not cancelled), in time order."""
    zone = company_zone()
    start = datetime.combine(day, time(0), tzinfo=zone)
    return list(session.scalars(select(RoomBooking).where(
        RoomBooking.room_id.in_(room_ids), RoomBooking.status != BookingStatus.CANCELLED,
        RoomBooking.starts_at >= start, RoomBooking.starts_at < start + timedelta(days=1))
        .order_by(RoomBooking.starts_at, RoomBooking.room_id)))
