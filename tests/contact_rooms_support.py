"""Family phones and video-chat rooms in tests: a room made through the real service, and slot
starts in the company's time (Asia/Shanghai)."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from plugin.family_contact import rooms
from plugin.family_contact.models import RoomKind

from .conftest import SYSTEM
from .factories import TODAY

SHANGHAI = ZoneInfo("Asia/Shanghai")


def room_input(**fields) -> rooms.RoomInput:
    """A video-chat room open 08:00–22:00 in slots of 30 minutes, two future bookings a worker."""
    values = {"kind": RoomKind.VIDEO_ROOM, "name": "生活区亲情视频聊天室",
              "location": "3 号宿舍楼一楼", "opens_at": time(8), "closes_at": time(22),
              "slot_minutes": 30, "max_future_bookings": 2, **fields}
    return rooms.RoomInput(**values)


def make_room(site, **fields):
    return rooms.create_room(site, room_input(**fields), SYSTEM)


def local(day: date | int, hour: int, minute: int = 0) -> datetime:
    """``hour:minute`` in Shanghai on ``day`` (a date, or days after the clock's today)."""
    if isinstance(day, int):
        day = TODAY + timedelta(days=day)
    return datetime.combine(day, time(hour, minute), tzinfo=SHANGHAI)


def slot_value(day: date | int, hour: int, minute: int = 0) -> str:
    """The value a slot's button sends (``2026-11-23T12:00``)."""
    return local(day, hour, minute).strftime("%Y-%m-%dT%H:%M")
