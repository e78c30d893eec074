"""The officers' rooms pages (``/contact/rooms/``): the family phones and video-chat rooms of the
actor's scope with their usage of the last 30 days, setting a room up, changing and closing it,
and a site's schedule of one day, slot by slot, where the use of a started slot is recorded.

Views are thin: parse the input, call one service, render. Seeing needs ``CONTACT_VIEW``,
managing ``CONTACT_ROOMS`` on the room's site; a room, booking or site outside the actor's
subtrees answers 404 exactly like one that does not exist (one seen but not managed: 403).
"""
from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..access.checks import has_permission, require, scope_paths
from ..access.scope import Scope, load_in_scope
from ..core.clock import local_today
from ..core.dates import format_time, to_local
from ..core.errors import CareBridgeError
from ..core.forms import (
    ActionForm,
    attach_service_error,
    choices,
    flash_refusal,
    has_errors,
    render_form,
    submitted,
)
from ..org.models import OrgKind
from ..org.queries import get_unit, sorted_tree, units_in_subtrees
from . import bookings, rooms
from .permissions import CONTACT_ROOMS, CONTACT_VIEW
from .room_forms import SLOT_LENGTHS, DayForm, RecordUseForm, RoomForm

bp = Blueprint("family_contact_rooms", __name__, url_prefix="/contact/rooms",
               template_folder="templates")

PAGES = "carebridge/family_contact/"


def _room_for(room_id: int):
    """The room and an actor managing it: 404 outside what the actor sees, 403 when seen only."""
    return load_in_scope(rooms.get_room, room_id, CONTACT_ROOMS, seen_with=CONTACT_VIEW)


@bp.route("/")
def index():
    actor = require(CONTACT_VIEW)
    shown = rooms.rooms_in(Scope.of_actor(actor, CONTACT_VIEW))
    sites = list({room.org_unit_id: room.org_unit for room in shown}.values())
    return render_template(
        PAGES + "rooms_index.html", rooms=shown, sites=sites,
        usage=rooms.usage([room.id for room in shown]), usage_days=rooms.USAGE_DAYS,
        may_create=has_permission(actor.key, CONTACT_ROOMS),
        manages={room.id for room in shown
                 if has_permission(actor.key, CONTACT_ROOMS, room.org_unit)})


def _site_choices(actor) -> dict[str, object]:
    sites = [unit for unit in sorted_tree(units_in_subtrees(scope_paths(actor.key, CONTACT_ROOMS)))
             if unit.kind == OrgKind.SITE]
    return {str(unit.id): unit for unit in sites}


def _slot_choices(form: RoomForm, current: int | None) -> None:
    lengths = sorted(set(SLOT_LENGTHS) | ({current} if current else set()))
    form.slot_minutes.choices = choices(
        [(str(minutes), _("%(minutes)s 分钟", minutes=minutes)) for minutes in lengths])


@bp.route("/new", methods=["GET", "POST"])
def new_room():
    actor = require(CONTACT_ROOMS)
    sites = _site_choices(actor)
    preselected = request.args.get("unit") if request.args.get("unit") in sites else None
    form = RoomForm(data=None if request.method == "POST" else {"unit": preselected})
    form.unit.choices = choices([("", "—")] + [(key, unit.name) for key, unit in sites.items()])
    _slot_choices(form, None)
    if submitted(form):
        try:
            room = rooms.create_room(sites.get(form.unit.data or ""), form.room_input(), actor)
        except CareBridgeError as error:
            attach_service_error(form, error)
        else:
            if not has_errors(form):
                flash(_("已添加“%(room)s”", room=room.name), "success")
                return redirect(url_for(".index"))
    return render_form(PAGES + "rooms_form.html", form=form, room=None)


@bp.route("/<int:room_id>/edit", methods=["GET", "POST"])
def edit_room(room_id: int):
    room, actor = _room_for(room_id)
    form = RoomForm(data=None if request.method == "POST" else {
        "unit": str(room.org_unit_id), "kind": room.kind.value, "name": room.name,
        "location": room.location, "opens_at": room.opens_at, "closes_at": room.closes_at,
        "slot_minutes": str(room.slot_minutes),
        "max_future_bookings": room.max_future_bookings})
    form.unit.choices = choices([(str(room.org_unit_id), room.org_unit.name)])
    _slot_choices(form, room.slot_minutes)
    if submitted(form):
        try:
            rooms.edit_room(room, form.room_input(), actor)
        except CareBridgeError as error:
            attach_service_error(form, error)
        else:
            if not has_errors(form):
                flash(_("已保存“%(room)s”", room=room.name), "success")
                return redirect(url_for(".index"))
    return render_form(PAGES + "rooms_form.html", form=form, room=room,
                       close_form=ActionForm())


@bp.route("/<int:room_id>/close", methods=["POST"])
def close_room(room_id: int):
    room, actor = _room_for(room_id)
    if not ActionForm().validate_on_submit():
        flash_refusal(_("页面已过期，请重新操作"))
        return redirect(url_for(".edit_room", room_id=room.id))
    try:
        cancelled = rooms.close_room(room, actor)
    except CareBridgeError as error:
        flash_refusal(error.localized())
    else:
        flash(_("已停用“%(room)s”，取消了 %(count)s 个未开始的预约", room=room.name,
                count=cancelled), "success")
    return redirect(url_for(".index"))


@bp.route("/schedule/<int:unit_id>")
def schedule(unit_id: int):
    site, actor = load_in_scope(get_unit, unit_id, CONTACT_VIEW, unit=lambda unit: unit)
    form = DayForm(request.args)
    day = (form.day.data if request.args.get("day") and form.validate() and form.day.data
           else local_today())
    form.day.data = day
    return render_template(
        PAGES + "rooms_schedule.html", site=site, day=day, form=form,
        previous_day=day - timedelta(days=1), next_day=day + timedelta(days=1),
        schedule=rooms.day_schedule(rooms.rooms_of_site(site), day),
        may_record=has_permission(actor.key, CONTACT_ROOMS, site), record_form=RecordUseForm())


@bp.route("/bookings/<int:booking_id>/record", methods=["POST"])
def record_use(booking_id: int):
    """The worker came (``outcome=used``) or did not (``outcome=no_show``)."""
    booking, actor = load_in_scope(rooms.get_booking, booking_id, CONTACT_ROOMS,
                                   unit=lambda found: found.room.org_unit,
                                   seen_with=CONTACT_VIEW)
    back = redirect(url_for(".schedule", unit_id=booking.room.org_unit_id,
                            day=to_local(booking.starts_at).date().isoformat()))
    form = RecordUseForm()
    if not form.validate_on_submit():
        flash_refusal(_("页面已过期，请重新操作"))
        return back
    if form.used is None:
        flash_refusal(_("请选择已使用或未到"))
        return back
    try:
        bookings.record_use(booking, form.used, actor)
    except CareBridgeError as error:
        flash_refusal(error.localized())
    else:
        flash(_("已登记%(worker)s %(time)s：%(status)s", worker=booking.worker.name,
                time=format_time(booking.starts_at),
                status=booking.status.label), "success")
    return back
