"""A video-chat room booked from a phone and found on the officer's schedule, in the browser, as
its users do it (issue #20): a worker signs in on a phone-sized page, picks tomorrow from the
list of days and presses a free slot; the site manager finds the booking on the site's schedule
through the date picker; once the slot has begun, the manager records it used and the worker's
phone shows it used.

The live server runs on the real (or travelled) clock, frozen for the test so that the slot's
start can be reached: every date comes from the portal's own ``local_today()``.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import pytest
from playwright.sync_api import expect

from plugin.core.clock import FrozenClock, system_clock

from ..conftest import PASSWORD
from ..worker_phone_support import PIN
from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.committing]

PHONE = {"viewport": {"width": 360, "height": 640}, "is_mobile": True, "has_touch": True}
WORKER_NUMBER, WORKER_NAME = "E6001", "钱多多"
MANAGER = "site-qian"
ROOM = "生活区亲情视频聊天室"


@dataclass(frozen=True)
class World:
    site_id: int
    room_id: int
    tomorrow: date


@pytest.fixture
def frozen(portal):
    """The live portal's clock, frozen at the real now, moved on by the test."""
    state = portal.app.extensions["carebridge"]
    state.clock = FrozenClock(system_clock().replace(microsecond=0))
    yield state.clock
    state.clock = system_clock


@pytest.fixture
def world(portal, company, frozen) -> World:
    """A site with the worker (a PIN), its manager, a video-chat room and a family phone."""
    from employer_portal.accounts.services import create_user
    from plugin.access.roles import Role
    from plugin.access.services import grant_role
    from plugin.core.clock import local_today
    from plugin.core.host import Actor
    from plugin.family_contact.models import RoomKind
    from plugin.org.models import OrgKind
    from plugin.org.queries import get_root_unit
    from plugin.org.services import create_unit

    from .. import factories
    from ..contact_rooms_support import make_room
    from ..worker_phone_support import give_pin

    system = Actor.system("tests")

    def work():
        site = create_unit(get_root_unit(), OrgKind.SITE, "长江大桥项目部", actor=system)
        team = create_unit(site, OrgKind.TEAM, "钢筋班组", actor=system)
        give_pin(factories.make_worker(team, employee_number=WORKER_NUMBER, name=WORKER_NAME))
        manager = create_user(MANAGER, "钱经理", PASSWORD, actor=system)
        grant_role(manager.key, Role.SITE_MANAGER, site, actor=system, check_actor=False)
        room = make_room(site, name=ROOM, location="3 号宿舍楼一楼")
        make_room(site, name="食堂旁亲情电话", kind=RoomKind.FAMILY_PHONE, slot_minutes=15)
        return World(site.id, room.id, local_today() + timedelta(days=1))

    return portal.run(work)


def test_a_phone_booking_on_the_officers_schedule_recorded_used(world, portal, frozen,
                                                                new_context, page):
    from plugin.core.dates import company_zone

    slot = f"{world.tomorrow.isoformat()}T09:00"
    phone = new_context(base_url=portal.url, **PHONE).new_page()
    phone.goto("/w/")
    phone.locator("#employee_number").fill(WORKER_NUMBER)
    phone.locator("#pin").fill(PIN)
    phone.locator("#worker-sign-in button").click()
    phone.locator("#contact-rooms-link").click()
    phone.locator(f"#days a[data-day='{world.tomorrow.isoformat()}']").click()
    expect(phone.locator(f"#days a[data-day='{world.tomorrow.isoformat()}']")).to_have_attribute(
        "aria-current", "page")
    room = phone.locator(f"#room-{world.room_id}")
    expect(room).to_contain_text(ROOM)
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["viewport"]["width"]
    room.locator(f"button[data-slot='{slot}']").click()
    expect(phone.locator("#booked-notice")).to_be_visible()
    booking = phone.locator("#coming [data-booking]")
    expect(booking).to_contain_text(ROOM)
    expect(booking).to_contain_text("09:00–09:30")
    booking_id = booking.get_attribute("data-booking")
    # The slot is no longer offered to anyone.
    phone.goto(f"/w/contact/rooms/?day={world.tomorrow.isoformat()}")
    expect(phone.locator(f"#room-{world.room_id} button[data-slot='{slot}']")).to_have_count(0)
    expect(phone.locator(f"[data-mine='{booking_id}']")).to_be_visible()

    # The site manager finds it on tomorrow's schedule, not yet to be recorded.
    log_in(page, MANAGER)
    page.goto("/contact/rooms/")
    page.locator(f"#schedules a[data-site='{world.site_id}']").click()
    page.locator("#day").fill(world.tomorrow.isoformat())
    page.locator("#day-form button[type=submit]").click()
    row = page.locator(f"tr[data-booking='{booking_id}']")
    expect(row).to_contain_text(WORKER_NAME)
    expect(row).to_contain_text(WORKER_NUMBER)
    expect(row.locator("[data-record]")).to_have_count(0)

    # Five minutes into the slot the worker is there: the manager records it used.
    starts = datetime.combine(world.tomorrow, time(9), tzinfo=company_zone())
    frozen.now = (starts + timedelta(minutes=5)).astimezone(UTC)
    page.reload()
    row.locator("button[data-record='used']").click()
    expect(page.locator(f"tr[data-booking='{booking_id}'] [data-status]")).to_have_attribute(
        "data-status", "used")
    expect(page.locator("#schedule-day")).to_have_text(world.tomorrow.isoformat())
    phone.goto("/w/contact/rooms/bookings")
    expect(phone.locator(f"#coming [data-booking='{booking_id}'] [data-status]")).to_have_attribute(
        "data-status", "used")
