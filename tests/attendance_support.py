"""Test data for attendance tests: lecture sessions made directly (their forms belong to the
lectures feature), a worker's remembered phone, and the venue code valid at a given time."""
from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from plugin.attendance.codes import venue_code
from plugin.core.db import session
from plugin.lectures.models import LectureFormat, LectureSession, SessionStatus
from plugin.worker_access.cookies import COOKIE_NAME

from .worker_phone_support import remembered_cookie

#: The ``clock`` fixture's start: 22 November 2026, 10:00 in Shanghai.
NOW = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)


def make_lecture(unit, *, starts_at: datetime = NOW + timedelta(minutes=15), hours: float = 1,
                 cancelled: bool = False, title: str = "家长学校：亲子沟通") -> LectureSession:
    """A session of ``unit``; check-in opens 30 minutes before the start, closes 30 after the end
    (by default: 09:45 to 11:45 Shanghai time, open at the clock fixture's 10:00)."""
    lecture = LectureSession(
        title=title, format=LectureFormat.PARENTS_SCHOOL, org_unit=unit, venue="生活区食堂",
        starts_at=starts_at, ends_at=starts_at + timedelta(hours=hours),
        code_key=secrets.token_hex(32), created_by="tests",
        status=SessionStatus.CANCELLED if cancelled else SessionStatus.SCHEDULED)
    session.add(lecture)
    session.flush()
    return lecture


def code_url(lecture: LectureSession, at: datetime) -> str:
    return f"/c/{venue_code(lecture.id, lecture.code_key, at)}"


def remember_phone(client, worker) -> None:
    """Give ``client`` the remembered-phone cookie of ``worker`` (as after signing in once)."""
    client.set_cookie(COOKIE_NAME, remembered_cookie(worker))
