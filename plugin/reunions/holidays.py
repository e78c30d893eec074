"""Suggested travel windows from the official holiday calendar (``chinesecalendar``).

Spring Festival and National Day: the official run of consecutive days off that holds the
holiday (weekends included, the swapped working days — 调休上班 — excluded), widened so people
can leave before and come back after the rush (Spring Festival 10 days each side, National Day 2
days before and 1 after). Summer (小候鸟): 1 July to 31 August.

The calendar's data ends with the last year the State Council has published; for a later year
(``chinese_calendar`` raises ``NotImplementedError``) there is no suggestion (``None``) and the
officer enters the dates by hand. Summer needs no calendar and is always suggested.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from .models import CampaignKind

#: (days before, days after) the official run of days off.
WIDENING = {
    CampaignKind.SPRING_FESTIVAL: (10, 10),
    CampaignKind.NATIONAL_DAY: (2, 1),
}
#: The calendar's name of each kind's holiday (``chinese_calendar.Holiday`` values).
HOLIDAY_NAMES = {
    CampaignKind.SPRING_FESTIVAL: "Spring Festival",
    CampaignKind.NATIONAL_DAY: "National Day",
}
#: A run of days off is never longer than this (stops the walk on a calendar without data).
LONGEST_RUN = 20


@dataclass(frozen=True)
class TravelWindow:
    travel_from: date
    travel_until: date
    #: The official days off the window is built around (None for summer).
    holiday_from: date | None = None
    holiday_until: date | None = None


def suggest_travel_window(kind: CampaignKind, year: int) -> TravelWindow | None:
    """The suggested travel window of a ``kind`` of campaign in ``year``, or None when the
    calendar has no data for that year (reverse visits have no fixed season: None)."""
    if kind == CampaignKind.SUMMER_VISIT:
        return TravelWindow(date(year, 7, 1), date(year, 8, 31))
    if kind not in HOLIDAY_NAMES:
        return None
    run = official_days_off(kind, year)
    if run is None:
        return None
    before, after = WIDENING[kind]
    return TravelWindow(run[0] - timedelta(days=before), run[1] + timedelta(days=after),
                        holiday_from=run[0], holiday_until=run[1])


def official_days_off(kind: CampaignKind, year: int) -> tuple[date, date] | None:
    """First and last day of the official run of days off holding the holiday of ``kind`` in
    ``year``; None when the calendar has no data for it."""
    import chinese_calendar

    name = HOLIDAY_NAMES[kind]
    try:
        days = sorted(day for day, holiday in chinese_calendar.holidays.items()
                      if day.year == year and _name(holiday) == name)
        if not days:
            return None
        # Probe the year itself: the package raises for years it has no data for, even when a
        # stray date of that year is listed.
        chinese_calendar.is_holiday(days[0])
        first = last = days[0]
        while first - days[0] > -timedelta(days=LONGEST_RUN) and \
                chinese_calendar.is_holiday(first - timedelta(days=1)):
            first -= timedelta(days=1)
        while last - days[0] < timedelta(days=LONGEST_RUN) and \
                chinese_calendar.is_holiday(last + timedelta(days=1)):
            last += timedelta(days=1)
    except NotImplementedError:
        return None
    return first, last


def _name(holiday) -> str:
    return getattr(holiday, "value", holiday)


def next_year_for(kind: CampaignKind, today: date) -> int:
    """The year of the next occurrence of ``kind``'s season from ``today`` (a Spring Festival
    campaign prepared in November is for next year's)."""
    if kind == CampaignKind.SPRING_FESTIVAL:
        return today.year if today.month <= 2 else today.year + 1
    if kind == CampaignKind.NATIONAL_DAY:
        return today.year if today <= date(today.year, 10, 7) else today.year + 1
    if kind == CampaignKind.SUMMER_VISIT:
        return today.year if today <= date(today.year, 8, 31) else today.year + 1
    return today.year
