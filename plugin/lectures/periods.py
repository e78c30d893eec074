"""The company's local dates and times ↔ the UTC datetimes stored, for forms, filters and calendars.

Periods are whole local days, both ends included: 1–30 November means from 1 November 00:00 to
1 December 00:00 in the company's time zone.
"""
from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app

from ..core.dates import day_bounds, format_datetime


def company_zone() -> ZoneInfo:
    return ZoneInfo(current_app.extensions["carebridge"].company_timezone_name())


def local_to_utc(value: datetime, zone: ZoneInfo | None = None) -> datetime:
    """A wall-clock time typed in a form (naive, company time) as an aware UTC datetime."""
    return value.replace(tzinfo=zone or company_zone()).astimezone(UTC)


def utc_to_local(value: datetime, zone: ZoneInfo | None = None) -> datetime:
    return value.astimezone(zone or company_zone())


def period_bounds(start: date, end: date,
                  zone: ZoneInfo | None = None) -> tuple[datetime, datetime]:
    """``[start 00:00, the day after end 00:00)`` in UTC (:func:`plugin.core.dates.day_bounds`)."""
    return day_bounds(start, end, zone)


def format_local(value: datetime, zone: ZoneInfo | None = None) -> str:
    """``2026-11-25 14:00`` in company time (exports and notices, whatever the reader's locale)."""
    return format_datetime(utc_to_local(value, zone))
