"""Family phones and video-chat rooms (DOMAIN §6): rooms set up with every error named at once;
a day's free slots; the booking rules (in the future, on the room's grid, within 14 days, the
worker's own site, a limit per worker); cancelling up to the slot's start and recording use from
it; the usage of the last 30 days in one query; the officers' pages (404 outside the actor's
subtree, 403 for those who see but do not manage) and the worker's phone pages (own bookings
only). The clock stands at 2026-11-22 10:00 in Shanghai."""
from __future__ import annotations

from datetime import time

import pytest
from sqlalchemy import func, select

from plugin.access.roles import Role
from plugin.audit.models import AuditEvent
from plugin.core.db import session
from plugin.core.errors import InputInvalid, ValidationError
from plugin.family_contact import bookings, rooms
from plugin.family_contact.models import BookingStatus, RoomBooking, RoomKind
from plugin.org.models import OrgKind

from .conftest import SYSTEM, csrf_token, submit
from .contact_rooms_support import local, make_room, room_input, slot_value
from .support import recorded_statements
from .worker_phone_support import signed_in_phone


@pytest.fixture
def site(make_unit):
    return make_unit(OrgKind.SITE, name="前海项目部")


@pytest.fixture
def other_site(make_unit):
    return make_unit(OrgKind.SITE, name="后海项目部")


@pytest.fixture
def room(site, clock):
    return make_room(site)


@pytest.fixture
def worker(site, make_worker):
    return make_worker(site, name="赵铁柱")


def booked(room, worker, when) -> RoomBooking:
    return bookings.book(room, worker, when, SYSTEM)


def refusal(call) -> str:
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value.message


def audited(action: str) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


# -- setting rooms up -----------------------------------------------------------------------------

def test_a_room_is_set_up_and_audited(room, site):
    assert (room.kind, room.name, room.opens_at, room.closes_at, room.slot_minutes,
            room.max_future_bookings) == (RoomKind.VIDEO_ROOM, "生活区亲情视频聊天室", time(8),
                                          time(22), 30, 2)
    [event] = audited("family_contact.room_saved")
    assert event.target_type == "contact_room" and event.org_unit_id == site.id
    assert event.details["contact_room"] == "生活区亲情视频聊天室"
    assert event.details["contact_opens_at"] == "08:00"
    assert all(key.startswith("contact_") for key in event.details)


def test_every_problem_of_a_room_is_named_at_once(company, clock):
    empty = rooms.RoomInput(None, "  ", None, None, None, None, None)
    with pytest.raises(InputInvalid) as caught:
        rooms.create_room(None, empty, SYSTEM)
    assert {error.field for error in caught.value.errors} == {
        "unit", "kind", "name", "opens_at", "closes_at", "slot_minutes", "max_future_bookings"}
    assert session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "family_contact.room_saved")) == 0


@pytest.mark.parametrize("fields, field, message", [
    ({"closes_at": time(8)}, "closes_at", rooms.CLOSES_BEFORE_OPENING),
    ({"opens_at": time(21, 40)}, "slot_minutes", rooms.NO_SLOT_FITS),
    ({"slot_minutes": 3}, "slot_minutes", rooms.NEED_SLOT_MINUTES),
    ({"slot_minutes": 300}, "slot_minutes", rooms.NEED_SLOT_MINUTES),
    ({"max_future_bookings": 0}, "max_future_bookings", rooms.NEED_MAX_BOOKINGS),
    ({"max_future_bookings": 11}, "max_future_bookings", rooms.NEED_MAX_BOOKINGS),
    ({"name": "长" * 101}, "name", "不能超过 %(max)s 个字符"),
])
def test_a_room_breaking_a_rule_is_refused(site, clock, fields, field, message):
    with pytest.raises(InputInvalid) as caught:
        make_room(site, **fields)
    assert [(error.field, error.message) for error in caught.value.errors] == [(field, message)]


def test_rooms_belong_to_a_site_not_a_team(site, make_unit, clock):
    team = make_unit(OrgKind.TEAM, parent=site, name="钢筋班组")
    assert refusal(lambda: make_room(team)) == rooms.NEED_SITE


def test_a_name_is_unique_within_its_site(room, site, other_site):
    assert refusal(lambda: make_room(site)) == rooms.NAME_TAKEN
    assert make_room(other_site).name == room.name
    phone = make_room(site, name="食堂旁亲情电话", kind=RoomKind.FAMILY_PHONE)
    assert refusal(lambda: rooms.edit_room(phone, room_input(), SYSTEM)) == rooms.NAME_TAKEN
    rooms.edit_room(room, room_input(location="食堂二楼"), SYSTEM)  # its own name is fine
    assert room.location == "食堂二楼"


def test_hours_change_only_while_coming_bookings_stay_on_the_grid(room, worker):
    booked(room, worker, local(1, 12))
    rooms.edit_room(room, room_input(closes_at=time(23)), SYSTEM)  # 12:00 is still a slot
    [edit] = [event for event in audited("family_contact.room_saved") if "fields" in event.details]
    assert edit.details["fields"] == ["closes_at"]
    assert refusal(lambda: rooms.edit_room(room, room_input(opens_at=time(8, 10)),
                                           SYSTEM)) == rooms.GRID_CHANGE_BLOCKED
    assert refusal(lambda: rooms.edit_room(room, room_input(slot_minutes=45),
                                           SYSTEM)) == rooms.GRID_CHANGE_BLOCKED
    # 12:00 still begins a slot, but one of an hour: not the booking's 12:00–12:30.
    assert refusal(lambda: rooms.edit_room(room, room_input(slot_minutes=60, opens_at=time(12)),
                                           SYSTEM)) == rooms.GRID_CHANGE_BLOCKED
    assert (room.opens_at, room.closes_at, room.slot_minutes) == (time(8), time(23), 30)


def test_closing_a_room_cancels_its_coming_bookings(room, worker, clock):
    earlier = booked(room, worker, local(0, 10, 30))
    later = booked(room, worker, local(1, 9))
    clock.advance(minutes=40)  # 10:40: the 10:30 slot has begun
    assert rooms.close_room(room, SYSTEM) == 1
    assert (earlier.status, later.status) == (BookingStatus.BOOKED, BookingStatus.CANCELLED)
    assert audited("family_contact.room_closed")[0].details["contact_cancelled_bookings"] == 1
    assert refusal(lambda: booked(room, worker, local(1, 12))) == bookings.ROOM_CLOSED
    assert refusal(lambda: rooms.close_room(room, SYSTEM)) == rooms.ALREADY_CLOSED
    assert refusal(lambda: rooms.edit_room(room, room_input(), SYSTEM)) == \
        rooms.CLOSED_ROOM_UNCHANGED


# -- slots ----------------------------------------------------------------------------------------

def test_a_days_free_slots_leave_out_the_past_and_the_held(room, worker, make_worker, site):
    today = rooms.free_slots([room], local(0, 0).date())[room.id]
    assert today[0][0] == local(0, 10, 30)  # 10:00 has begun
    assert today[-1] == (local(0, 21, 30), local(0, 22))
    tomorrow = rooms.free_slots([room], local(1, 0).date())[room.id]
    assert len(tomorrow) == 28 and tomorrow[0][0] == local(1, 8)
    mine = booked(room, worker, local(1, 8))
    theirs = booked(room, make_worker(site), local(1, 9))
    free = [start for start, _end in rooms.free_slots([room], local(1, 0).date())[room.id]]
    assert local(1, 8) not in free and local(1, 9) not in free and len(free) == 26
    bookings.cancel(theirs, SYSTEM)
    assert local(1, 9) in [start for start, _end in
                           rooms.free_slots([room], local(1, 0).date())[room.id]]
    assert mine.status == BookingStatus.BOOKED


# -- booking rules --------------------------------------------------------------------------------

def test_a_slot_is_booked_for_its_length(room, worker):
    booking = booked(room, worker, local(1, 12))
    assert (booking.starts_at, booking.ends_at) == (local(1, 12), local(1, 12, 30))
    assert audited("family_contact.booked")[0].details["contact_slot"] == "2026-11-23 12:00"


@pytest.mark.parametrize("when, message", [
    (local(0, 9, 30), bookings.IN_THE_PAST),
    (local(0, 10), bookings.IN_THE_PAST),           # begins now
    (local(1, 12, 10), bookings.NOT_ON_GRID),       # not a slot's start
    (local(1, 22), bookings.NOT_ON_GRID),           # after closing
    (local(1, 7, 30), bookings.NOT_ON_GRID),        # before opening
    (local(15, 8), bookings.TOO_FAR),
])
def test_slots_that_cannot_be_booked(room, worker, when, message):
    assert refusal(lambda: booked(room, worker, when)) == message
    assert session.scalar(select(func.count()).select_from(RoomBooking)) == 0


def test_the_last_bookable_day_is_fourteen_days_ahead(room, worker):
    assert booked(room, worker, local(14, 9)).status == BookingStatus.BOOKED


def test_only_the_workers_own_site_books_its_rooms(room, other_site, make_worker, site,
                                                   make_unit):
    stranger = make_worker(other_site)
    assert refusal(lambda: booked(room, stranger, local(1, 12))) == bookings.NOT_THEIR_SITE
    team = make_unit(OrgKind.TEAM, parent=site, name="钢筋班组")
    assert booked(room, make_worker(team), local(1, 12)).status == BookingStatus.BOOKED


def test_a_worker_holds_at_most_the_rooms_number_of_future_bookings(room, worker, site, clock):
    first = booked(room, worker, local(0, 10, 30))
    booked(room, worker, local(1, 12))
    assert refusal(lambda: booked(room, worker, local(2, 12))) == bookings.TOO_MANY
    # Another room of the site counts on its own.
    phone = make_room(site, name="食堂旁亲情电话", kind=RoomKind.FAMILY_PHONE)
    booked(phone, worker, local(2, 12))
    # A booking whose slot has begun is no longer a future one.
    clock.advance(minutes=31)
    assert first.starts_at < clock.now
    assert booked(room, worker, local(2, 12)).status == BookingStatus.BOOKED


def test_a_taken_slot_is_refused(room, worker, make_worker, site):
    booked(room, worker, local(1, 12))
    assert refusal(lambda: booked(room, make_worker(site), local(1, 12))) == bookings.TAKEN


def test_a_booking_is_cancelled_up_to_its_start_only(room, worker, clock):
    early, late = booked(room, worker, local(0, 11)), booked(room, worker, local(0, 12))
    bookings.cancel(early, SYSTEM)
    assert early.status == BookingStatus.CANCELLED and early.cancelled_at == clock.now
    clock.advance(hours=2)  # 12:00: the slot begins
    assert refusal(lambda: bookings.cancel(late, SYSTEM)) == bookings.NOT_CANCELLABLE
    assert refusal(lambda: bookings.cancel(early, SYSTEM)) == bookings.NOT_CANCELLABLE


def test_use_is_recorded_from_the_slots_start_on(room, worker, clock):
    booking = booked(room, worker, local(0, 11))
    assert refusal(lambda: bookings.record_use(booking, True, SYSTEM)) == bookings.NOT_RECORDABLE
    clock.advance(hours=1)
    bookings.record_use(booking, True, SYSTEM)
    assert booking.status == BookingStatus.USED and booking.recorded_by == SYSTEM.key


def test_usage_of_the_last_thirty_days_in_one_query(room, site, make_worker, clock):
    people = [make_worker(site) for _ in range(4)]
    made = [booked(room, person, local(0, 10, 30)) for person in people[:1]]
    made += [booked(room, person, local(0, 11 + index)) for index, person in
             enumerate(people[1:])]
    booked(room, people[0], local(1, 12))                  # not started: not counted
    bookings.cancel(booked(room, people[1], local(1, 13)), SYSTEM)
    clock.advance(hours=4)                                 # 14:00: four slots have begun
    bookings.record_use(made[0], True, SYSTEM)
    bookings.record_use(made[1], True, SYSTEM)
    bookings.record_use(made[2], False, SYSTEM)
    empty = make_room(site, name="食堂旁亲情电话")
    with recorded_statements() as statements:
        figures = rooms.usage([room.id, empty.id])
    assert len(statements) == 1
    assert figures[room.id] == rooms.Usage(bookings=4, used=2, no_shows=1)
    assert figures[room.id].rate == 0.5 and figures[room.id].unrecorded == 1
    assert figures[empty.id].rate is None
    clock.advance(days=30)  # today's slots fall out of the window; tomorrow's stays
    assert rooms.usage([room.id])[room.id] == rooms.Usage(bookings=1)


# -- the officers' pages --------------------------------------------------------------------------

@pytest.fixture
def manager(make_user, site):
    return make_user(Role.SITE_MANAGER, site, name="冯经理")


def test_rooms_of_the_actors_scope_with_their_usage(room, other_site, make_user, login, site,
                                                    manager):
    make_room(other_site, name="后海聊天室")
    page = login(manager).get("/contact/rooms/")
    assert page.status_code == 200
    assert "生活区亲情视频聊天室" in page.text and "后海聊天室" not in page.text
    assert f'href="/contact/rooms/{room.id}/edit"' in page.text
    hr = login(make_user(Role.HR_OFFICER, site)).get("/contact/rooms/")
    assert "生活区亲情视频聊天室" in hr.text and f"/contact/rooms/{room.id}/edit" not in hr.text
    assert login(make_user(Role.AUDITOR, site)).get("/contact/rooms/").status_code == 403


def test_a_room_through_the_form(site, manager, login, clock):
    client = login(manager)
    refused = submit(client, "/contact/rooms/new", {"unit": str(site.id), "name": "",
                                                    "opens_at": "20:00", "closes_at": "08:00",
                                                    "max_future_bookings": "0"})
    assert refused.status_code == 422
    for message in ("请选择类型", "请填写名称", "关闭时间要晚于开放时间", "每人最多预约的时段数"):
        assert message in refused.text
    response = submit(client, "/contact/rooms/new", {
        "unit": str(site.id), "kind": "video_room", "name": "生活区亲情视频聊天室",
        "location": "3 号宿舍楼一楼", "opens_at": "12:00", "closes_at": "21:00",
        "slot_minutes": "20", "max_future_bookings": "3"})
    assert response.status_code == 302
    [room] = rooms.rooms_of_site(site)
    assert (room.opens_at, room.slot_minutes, room.max_future_bookings) == (time(12), 20, 3)
    edited = submit(client, f"/contact/rooms/{room.id}/edit", {
        "kind": "video_room", "name": "生活区视频室", "opens_at": "12:00", "closes_at": "21:00",
        "slot_minutes": "20", "max_future_bookings": "3"})
    assert edited.status_code == 302 and room.name == "生活区视频室"


def test_room_pages_outside_the_scope_answer_404_and_seeing_only_403(room, other_site, make_user,
                                                                     login, site):
    stranger = login(make_user(Role.SITE_MANAGER, other_site))
    assert stranger.get(f"/contact/rooms/{room.id}/edit").status_code == 404
    assert stranger.get("/contact/rooms/2000000000/edit").status_code == 404
    assert stranger.get(f"/contact/rooms/schedule/{site.id}").status_code == 404
    token = csrf_token(stranger.get("/contact/rooms/").text)
    assert stranger.post(f"/contact/rooms/{room.id}/close",
                         data={"csrf_token": token}).status_code == 404
    hr = login(make_user(Role.HR_OFFICER, site))
    assert hr.get(f"/contact/rooms/{room.id}/edit").status_code == 403
    assert hr.get(f"/contact/rooms/schedule/{site.id}").status_code == 200
    assert room.closed_at is None


def test_the_days_schedule_and_recording_use(room, worker, manager, login, site, clock,
                                             make_user):
    booking = booked(room, worker, local(0, 11))
    tomorrow = booked(room, worker, local(1, 8))
    client = login(manager)
    page = client.get(f"/contact/rooms/schedule/{site.id}")
    assert page.status_code == 200 and "赵铁柱" in page.text
    assert f'data-booking="{booking.id}"' in page.text and 'data-record="used"' not in page.text
    clock.advance(hours=1, minutes=5)  # 11:05
    page = client.get(f"/contact/rooms/schedule/{site.id}")
    assert 'data-record="used"' in page.text
    url = f"/contact/rooms/bookings/{booking.id}/record"
    response = client.post(url, data={"csrf_token": csrf_token(page.text), "outcome": "used"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/contact/rooms/schedule/{site.id}"
                                                 "?day=2026-11-22")
    assert booking.status == BookingStatus.USED
    # Tomorrow's slot has not begun: refused, and the schedule says why.
    refused = client.post(f"/contact/rooms/bookings/{tomorrow.id}/record",
                          data={"csrf_token": csrf_token(page.text), "outcome": "no_show"},
                          follow_redirects=True)
    assert "只能在时段开始后登记使用情况" in refused.text
    assert tomorrow.status == BookingStatus.BOOKED
    other = client.get(f"/contact/rooms/schedule/{site.id}?day=2026-11-23")
    assert f'data-booking="{tomorrow.id}"' in other.text
    # Seeing is not recording.
    hr = login(make_user(Role.HR_OFFICER, site))
    assert hr.post(url, data={"csrf_token": csrf_token(hr.get("/contact/rooms/").text),
                              "outcome": "no_show"}).status_code == 403


def test_closing_a_room_from_its_page(room, manager, login, worker):
    booked(room, worker, local(1, 12))
    client = login(manager)
    page = client.get(f"/contact/rooms/{room.id}/edit")
    response = client.post(f"/contact/rooms/{room.id}/close",
                           data={"csrf_token": csrf_token(page.text)}, follow_redirects=True)
    assert "已停用" in response.text and room.closed_at is not None


# -- the worker's phone ---------------------------------------------------------------------------

@pytest.fixture
def phone(worker, client, clock):
    return signed_in_phone(client, worker)


def test_the_phone_pages_need_the_phone_sign_in(client, worker):
    response = client.get("/w/contact/rooms/")
    assert response.status_code == 302 and "/w/sign-in" in response.headers["Location"]


def test_a_worker_books_a_slot_from_the_phone(room, phone, other_site, site):
    make_room(other_site, name="后海聊天室")
    assert 'id="contact-rooms-link"' in phone.get("/w/").text
    page = phone.get("/w/contact/rooms/?day=2026-11-23")
    assert page.status_code == 200
    assert "生活区亲情视频聊天室" in page.text and "后海聊天室" not in page.text
    assert 'value="2026-11-23T12:00"' in page.text and 'data-day="2026-11-28"' in page.text
    response = phone.post(f"/w/contact/rooms/{room.id}/book",
                          data={"csrf_token": csrf_token(page.text),
                                "starts_at": slot_value(1, 12)})
    assert response.status_code == 302
    [booking] = session.scalars(select(RoomBooking)).all()
    assert booking.starts_at == local(1, 12) and booking.booked_by.startswith("worker:")
    mine = phone.get(response.headers["Location"])
    assert 'id="booked-notice"' in mine.text and f'data-cancel="{booking.id}"' in mine.text
    again = phone.get("/w/contact/rooms/?day=2026-11-23")
    assert 'value="2026-11-23T12:00"' not in again.text and f'data-mine="{booking.id}"' in again.text


@pytest.mark.parametrize("starts_at, message", [
    (slot_value(0, 9), "这个时段已经开始或已经过去"),
    (slot_value(1, 12, 10), "开放时间内的一个时段"),
    ("明天中午", "开放时间内的一个时段"),
    (slot_value(20, 12), "最多只能预约 14 天以内的时段"),
])
def test_a_refused_booking_says_why_on_the_page(room, phone, starts_at, message):
    token = csrf_token(phone.get("/w/contact/rooms/").text)
    response = phone.post(f"/w/contact/rooms/{room.id}/book",
                          data={"csrf_token": token, "starts_at": starts_at})
    assert response.status_code == 422 and message in response.text
    assert 'id="booking-error"' in response.text
    assert session.scalar(select(func.count()).select_from(RoomBooking)) == 0


def test_the_limit_and_a_taken_slot_are_said_on_the_phone(room, phone, worker, make_worker, site):
    booked(room, make_worker(site), local(1, 8))
    booked(room, worker, local(1, 9))
    booked(room, worker, local(1, 10))
    token = csrf_token(phone.get("/w/contact/rooms/").text)
    too_many = phone.post(f"/w/contact/rooms/{room.id}/book",
                          data={"csrf_token": token, "starts_at": slot_value(1, 12)})
    assert too_many.status_code == 422 and "您已经预约了 2 个时段" in too_many.text
    bookings.cancel(session.scalars(select(RoomBooking).where(
        RoomBooking.starts_at == local(1, 10))).one(), SYSTEM)
    taken = phone.post(f"/w/contact/rooms/{room.id}/book",
                       data={"csrf_token": token, "starts_at": slot_value(1, 8)})
    assert taken.status_code == 422 and "刚刚被别人预约了" in taken.text


def test_another_sites_room_and_anothers_booking_answer_404(room, phone, other_site, make_worker,
                                                            site):
    elsewhere = make_room(other_site, name="后海聊天室")
    theirs = booked(room, make_worker(site), local(1, 12))
    token = csrf_token(phone.get("/w/contact/rooms/").text)
    for url in (f"/w/contact/rooms/{elsewhere.id}/book", "/w/contact/rooms/2000000000/book"):
        assert phone.post(url, data={"csrf_token": token,
                                     "starts_at": slot_value(1, 12)}).status_code == 404
    for booking_id in (theirs.id, 2_000_000_000):
        assert phone.post(f"/w/contact/rooms/bookings/{booking_id}/cancel",
                          data={"csrf_token": token}).status_code == 404
    assert theirs.status == BookingStatus.BOOKED
    assert f'data-booking="{theirs.id}"' not in phone.get("/w/contact/rooms/bookings").text


def test_the_worker_cancels_on_the_phone_until_the_start(room, phone, worker, clock):
    soon, later = booked(room, worker, local(0, 11)), booked(room, worker, local(1, 12))
    page = phone.get("/w/contact/rooms/bookings")
    token = csrf_token(page.text)
    response = phone.post(f"/w/contact/rooms/bookings/{later.id}/cancel",
                          data={"csrf_token": token})
    assert response.status_code == 302 and later.status == BookingStatus.CANCELLED
    assert audited("family_contact.booking_cancelled")[0].actor_key == f"worker:{worker.id}"
    clock.advance(hours=1, minutes=1)  # 11:01
    refused = phone.post(f"/w/contact/rooms/bookings/{soon.id}/cancel",
                         data={"csrf_token": token})
    assert refused.status_code == 422 and "只能在时段开始前取消预约" in refused.text
    assert soon.status == BookingStatus.BOOKED
    listing = phone.get("/w/contact/rooms/bookings").text
    coming, past = listing.split('id="coming"')[1].split('id="past"')
    assert f'data-booking="{soon.id}"' in coming and f'data-cancel="{soon.id}"' not in coming
    assert f'data-booking="{later.id}"' in past
