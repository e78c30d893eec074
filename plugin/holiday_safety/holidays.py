"""When each holiday starts, and which campaigns are due to be drafted on a day.

* Spring Festival: the first day of the official run of days off (``chinesecalendar``, through
  :func:`plugin.reunions.holidays.official_days_off`, the library and walk the reunions feature
  uses). The calendar's data ends with the last year the State Council has published; for a later
  year there is no date unless an administrator entered one (:class:`HolidayDates`).
* Summer: schools break up around 1 July across China (:data:`SUMMER_STARTS`); the Civil Affairs
  guidance asks for the education "before the summer holiday". An administrator may enter
  another date for a year (a province whose schools break up mid-July).

An entered date wins over the calendar and the constant (it is an administrator's correction).
A campaign is due from :data:`CAREBRIDGE_HOLIDAY_SAFETY_LEAD_DAYS` days before the holiday's
first day until the day before it (:func:`plugin.holiday_safety.rules.is_due`), so a day the
scheduler did not run is caught up the next day.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..core.db import session
from ..reunions.holidays import official_days_off
from ..reunions.models import CampaignKind
from .models import HolidayDates, HolidayKind
from .rules import is_due

#: (month, day) the school summer holiday starts, when no date was entered for the year.
SUMMER_STARTS = (7, 1)

#: Where a holiday's date came from, for people.
SOURCE_LABELS = {
    "entered": _l("管理员录入"),
    "calendar": _l("国务院放假安排（官方日历）"),
    "default": _l("默认（7 月 1 日前后学校放暑假）"),
}


@dataclass(frozen=True)
class HolidayStart:
    kind: HolidayKind
    year: int
    #: None: the calendar has no data for the year and nobody entered a date.
    starts_on: date | None
    #: ``entered``, ``calendar``, ``default`` or None (no date).
    source: str | None

    @property
    def source_label(self):
        return SOURCE_LABELS.get(self.source)


def entered_dates(years: list[int]) -> dict[tuple[HolidayKind, int], HolidayDates]:
    rows = session.execute(select(HolidayDates).where(HolidayDates.year.in_(years))).scalars()
    return {(row.kind, row.year): row for row in rows}


def holiday_start(kind: HolidayKind, year: int,
                  entered: dict[tuple[HolidayKind, int], HolidayDates] | None = None
                  ) -> HolidayStart:
    """The first day of ``kind``'s holiday in ``year`` and where it comes from."""
    if entered is None:
        entered = entered_dates([year])
    row = entered.get((kind, year))
    if row is not None:
        return HolidayStart(kind, year, row.starts_on, "entered")
    if kind == HolidayKind.SUMMER:
        return HolidayStart(kind, year, date(year, *SUMMER_STARTS), "default")
    run = official_days_off(CampaignKind.SPRING_FESTIVAL, year)
    if run is None:
        return HolidayStart(kind, year, None, None)
    return HolidayStart(kind, year, run[0], "calendar")


def upcoming(today: date) -> list[HolidayStart]:
    """The next holiday of each kind from ``today`` (this year's if it has not started, else
    next year's; a holiday without a date is the next one when last year's is over)."""
    years = [today.year, today.year + 1]
    entered = entered_dates(years)
    found = []
    for kind in HolidayKind:
        this_year = holiday_start(kind, today.year, entered)
        if (this_year.starts_on > today if this_year.starts_on is not None
                else _before_usual(kind, today)):
            found.append(this_year)
        else:
            found.append(holiday_start(kind, today.year + 1, entered))
    return found


def _before_usual(kind: HolidayKind, today: date) -> bool:
    """Without a date for this year: is ``today`` before the latest the holiday ever starts
    (Spring Festival's days off never start after 20 February; summer after 31 July)?"""
    latest = date(today.year, 2, 20) if kind == HolidayKind.SPRING_FESTIVAL else \
        date(today.year, 7, 31)
    return today < latest


def due(today: date, lead_days: int) -> list[HolidayStart]:
    """The holidays whose campaigns are due to be drafted on ``today``."""
    return [start for start in upcoming(today)
            if start.starts_on is not None and is_due(today, start.starts_on, lead_days)]


def without_dates(today: date) -> list[HolidayStart]:
    """The next holidays that have no date: nothing is drafted for them until one is entered."""
    return [start for start in upcoming(today) if start.starts_on is None]
