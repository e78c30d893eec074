"""The month calendar of lectures: a server-rendered grid of weeks, Monday first, with each
session on the local day it starts."""
from __future__ import annotations

import calendar as _calendar
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from .models import LectureSession
from .periods import utc_to_local

MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{1,2})$")


@dataclass
class CalendarDay:
    day: date
    in_month: bool
    is_today: bool
    sessions: list[LectureSession] = field(default_factory=list)


@dataclass
class MonthCalendar:
    #: First day of the month shown.
    month: date
    weeks: list[list[CalendarDay]]

    @property
    def previous_month(self) -> date:
        return (self.month - timedelta(days=1)).replace(day=1)

    @property
    def next_month(self) -> date:
        return (self.month + timedelta(days=31)).replace(day=1)


def parse_month(text: str | None, today: date) -> date:
    """``2026-11`` → 1 November 2026; anything else (or nothing) → this month."""
    match = MONTH_PATTERN.match((text or "").strip())
    if match:
        year, month = int(match.group(1)), int(match.group(2))
        if 1900 <= year <= 9999 and 1 <= month <= 12:
            return date(year, month, 1)
    return today.replace(day=1)


def grid_days(month: date) -> tuple[date, date]:
    """First and last day shown for ``month``: whole weeks, Monday to Sunday."""
    weeks = _calendar.Calendar(firstweekday=0).monthdatescalendar(month.year, month.month)
    return weeks[0][0], weeks[-1][-1]


def build_month(month: date, sessions: list[LectureSession], *, zone: ZoneInfo,
                today: date) -> MonthCalendar:
    """Place ``sessions`` (in time order) on the grid of ``month`` by their local start day."""
    by_day: dict[date, list[LectureSession]] = {}
    for lecture in sessions:
        by_day.setdefault(utc_to_local(lecture.starts_at, zone).date(), []).append(lecture)
    grid = _calendar.Calendar(firstweekday=0).monthdatescalendar(month.year, month.month)
    weeks = [[CalendarDay(day, day.month == month.month, day == today, by_day.get(day, []))
              for day in week] for week in grid]
    return MonthCalendar(month=month, weeks=weeks)
