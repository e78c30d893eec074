"""The worker's family phone and video-chat room pages on a phone (``/w/contact/rooms/``): the
rooms of their site with the free slots of a day (days chosen from a plain list of links),
booking a slot with one press, their bookings to come and past, and cancelling one before it
starts. Plain forms, no JavaScript (a cheap phone's WeChat browser over plain http). Only the
signed-in worker's own bookings, and only their site's rooms: any other answers 404."""
from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..access.scope import valid_id
from ..core.clock import local_today
from ..core.dates import to_local
from ..core.errors import CareBridgeError, ValidationError
from ..core.forms import ActionForm, render_refused
from ..worker_access.cookies import request_worker_actor, require_worker
from . import bookings, rooms

bp = Blueprint("family_contact_phone_rooms", __name__, url_prefix="/w/contact/rooms",
               template_folder="templates")

ROOMS_PAGE = "carebridge/family_contact/rooms_phone.html"
BOOKINGS_PAGE = "carebridge/family_contact/rooms_phone_bookings.html"
#: Days the rooms page offers, today included.
DAYS_SHOWN = 7
WEEKDAYS = (_l("周一"), _l("周二"), _l("周三"), _l("周四"), _l("周五"), _l("周六"), _l("周日"))
EXPIRED = _l("页面已过期，请返回后重新操作")


def day_label(day: date, today: date) -> str:
    if day == today:
        return _("今天")
    if day == today + timedelta(days=1):
        return _("明天")
    return _("%(weekday)s %(month)s月%(day)s日", weekday=WEEKDAYS[day.weekday()],
             month=day.month, day=day.day)


def _shown_day(day: date | None) -> date:
    """``day`` if the rooms page offers it, else today."""
    today = local_today()
    return day if day is not None and today <= day < today + timedelta(days=DAYS_SHOWN) else today


def _asked_day() -> date | None:
    try:
        return date.fromisoformat(request.args.get("day", ""))
    except ValueError:
        return None


def _own_booking(booking_id: int):
    worker = require_worker()
    booking = rooms.get_booking(booking_id) if valid_id(booking_id) else None
    if booking is None or booking.worker_id != worker.id:
        abort(404)
    return worker, booking


def _rooms_page(worker, day: date, *, error: str | None = None, refused: bool = False):
    today = local_today()
    shown = rooms.rooms_for_worker(worker)
    mine = {}
    for booking in bookings.day_bookings([room.id for room in shown], day) if shown else []:
        if booking.worker_id == worker.id:
            mine.setdefault(booking.room_id, []).append(booking)
    render = render_refused if refused else render_template
    return render(ROOMS_PAGE, worker=worker, rooms=shown, day=day, error=error,
                  days=[(today + timedelta(days=offset),
                         day_label(today + timedelta(days=offset), today))
                        for offset in range(DAYS_SHOWN)],
                  free=rooms.free_slots(shown, day), mine=mine, slot_value=rooms.slot_value,
                  form=ActionForm())


@bp.route("/", endpoint="rooms")
def rooms_page():
    worker = require_worker()
    return _rooms_page(worker, _shown_day(_asked_day()))


@bp.route("/<int:room_id>/book", methods=["POST"])
def book(room_id: int):
    """Book the slot of the room whose start the pressed button sends (``starts_at``)."""
    worker = require_worker()
    room = rooms.get_room(room_id) if valid_id(room_id) else None
    if room is None or not rooms.serves(room, worker):
        abort(404)
    starts_at = rooms.parse_slot_start(request.form.get("starts_at"))
    day = to_local(starts_at).date() if starts_at is not None else None
    if not ActionForm().validate_on_submit():
        return _rooms_page(worker, _shown_day(day), error=str(EXPIRED), refused=True)
    try:
        if starts_at is None:
            raise ValidationError(bookings.NOT_ON_GRID, field="starts_at", room=room.name)
        booking = bookings.book(room, worker, starts_at, request_worker_actor(worker))
    except CareBridgeError as error:
        return _rooms_page(worker, _shown_day(day), error=error.localized(), refused=True)
    return redirect(url_for(".mine", booked=booking.id))


def _bookings_page(worker, *, error: str | None = None, refused: bool = False):
    coming, past = rooms.bookings_of_worker(worker)
    render = render_refused if refused else render_template
    return render(BOOKINGS_PAGE, worker=worker, coming=coming, past=past, error=error,
                  booked=request.args.get("booked", type=int),
                  cancelled=request.args.get("cancelled") == "1",
                  cancellable=rooms.is_cancellable, form=ActionForm())


@bp.route("/bookings")
def mine():
    return _bookings_page(require_worker())


@bp.route("/bookings/<int:booking_id>/cancel", methods=["POST"])
def cancel(booking_id: int):
    worker, booking = _own_booking(booking_id)
    if not ActionForm().validate_on_submit():
        return _bookings_page(worker, error=str(EXPIRED), refused=True)
    try:
        bookings.cancel(booking, request_worker_actor(worker))
    except CareBridgeError as error:
        return _bookings_page(worker, error=error.localized(), refused=True)
    return redirect(url_for(".mine", cancelled=1))
