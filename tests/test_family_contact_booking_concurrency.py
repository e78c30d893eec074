"""No double booking under real concurrency: workers press for a room's slot at the same moment.

Each booking is its own request from its own phone (a thread with its own client, session and
connection) against a database of its own with real commits. The database holds the rule:
PostgreSQL's exclusion constraint over the room and the time range (the inserts run at once and
all but one fail on it), SQLite's unique slot start (the writers queue). One worker's own
bookings at once are counted one after the other under the lock on the worker's row.
"""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from plugin.core.clock import FrozenClock
from plugin.core.db import session
from plugin.family_contact.models import BookingStatus, RoomBooking
from plugin.org.models import OrgKind
from plugin.org.queries import get_root_unit
from plugin.org.services import create_company, create_unit
from plugin.worker_access.cookies import COOKIE_NAME

from . import factories
from .concurrency_support import all_at_once, app_on_own_database, statuses
from .conftest import SYSTEM, csrf_token
from .contact_rooms_support import make_room, slot_value
from .worker_phone_support import remembered_cookie

pytestmark = pytest.mark.committing

#: The ``clock`` fixture's moment: 2026-11-22 10:00 in Shanghai.
NOW = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)


@pytest.fixture
def racing_app(database_url, tmp_path):
    with app_on_own_database(database_url, "contact_rooms", tmp_path) as app:
        app.extensions["carebridge"].clock = FrozenClock(NOW)
        yield app


def set_up(app, *, workers: int, max_future_bookings: int = 2) -> dict:
    """A site with a video-chat room and ``workers`` workers, each with a remembered phone."""
    with app.app_context():
        create_company("测试建工集团", actor=SYSTEM)
        session.flush()
        site = create_unit(get_root_unit(), OrgKind.SITE, "前海项目部", actor=SYSTEM)
        room = make_room(site, max_future_bookings=max_future_bookings)
        cookies = [remembered_cookie(factories.make_worker(site)) for _ in range(workers)]
        session.commit()
        facts = {"room": room.id, "cookies": cookies}
        session.remove()
    return facts


def phone(app, cookie: str):
    """A phone of the worker whose remembered-phone cookie this is, with its CSRF token."""
    client = app.test_client()
    client.set_cookie(COOKIE_NAME, cookie)
    page = client.get("/w/contact/rooms/")
    assert page.status_code == 200, page.text
    client.csrf = csrf_token(page.text)
    return client


def book_all_at_once(app, room_id: int, presses: list[tuple[str, str]]):
    """Each (cookie, slot) pressed by its own phone at the same moment."""
    def press(number, barrier):
        cookie, slot = presses[number]
        client = phone(app, cookie)
        barrier.wait()
        return client.post(f"/w/contact/rooms/{room_id}/book",
                           data={"csrf_token": client.csrf, "starts_at": slot})
    return all_at_once(len(presses), press)


def holding(app, room_id: int) -> list[tuple[int, datetime]]:
    with app.app_context():
        rows = session.execute(select(RoomBooking.worker_id, RoomBooking.starts_at).where(
            RoomBooking.room_id == room_id,
            RoomBooking.status != BookingStatus.CANCELLED)).all()
        session.remove()
    return [tuple(row) for row in rows]


def test_twenty_workers_pressing_for_one_slot_book_it_once(racing_app):
    facts = set_up(racing_app, workers=20)
    slot = slot_value(1, 12)
    answers = book_all_at_once(racing_app, facts["room"],
                               [(cookie, slot) for cookie in facts["cookies"]])
    assert statuses(answers) == {302: 1, 422: 19}
    refused = [answer for answer in answers if answer.status_code == 422]
    assert all("这个时段刚刚被别人预约了" in answer.text for answer in refused)
    assert len(holding(racing_app, facts["room"])) == 1


def test_one_worker_pressing_many_slots_at_once_stays_within_the_limit(racing_app):
    facts = set_up(racing_app, workers=1, max_future_bookings=3)
    cookie = facts["cookies"][0]
    presses = [(cookie, slot_value(1, 8 + hour)) for hour in range(12)]
    answers = book_all_at_once(racing_app, facts["room"], presses)
    assert statuses(answers) == {302: 3, 422: 9}
    assert all("您已经预约了 3 个时段" in answer.text
               for answer in answers if answer.status_code == 422)
    assert len(holding(racing_app, facts["room"])) == 3
