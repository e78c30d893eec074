"""The travel window suggested from the official holiday calendar, and a year without data."""
from datetime import date

import chinese_calendar
import pytest

from plugin.reunions.holidays import next_year_for, official_days_off, suggest_travel_window
from plugin.reunions.models import CampaignKind


def test_spring_festival_is_the_official_run_of_days_off_widened_ten_days():
    window = suggest_travel_window(CampaignKind.SPRING_FESTIVAL, 2026)
    # 15–23 February 2026 off; Saturday 14 and 28 February are swapped working days.
    assert (window.holiday_from, window.holiday_until) == (date(2026, 2, 15), date(2026, 2, 23))
    assert (window.travel_from, window.travel_until) == (date(2026, 2, 5), date(2026, 3, 5))


def test_swapped_working_days_end_the_run():
    # 2024: 10–17 February off, Sunday 4 and Sunday 18 February worked.
    assert official_days_off(CampaignKind.SPRING_FESTIVAL, 2024) == (date(2024, 2, 10),
                                                                     date(2024, 2, 17))


def test_national_day_is_widened_two_days_before_and_one_after():
    window = suggest_travel_window(CampaignKind.NATIONAL_DAY, 2025)
    # 2025: Mid-autumn falls in the National Day week: 1–8 October off.
    assert (window.holiday_from, window.holiday_until) == (date(2025, 10, 1), date(2025, 10, 8))
    assert (window.travel_from, window.travel_until) == (date(2025, 9, 29), date(2025, 10, 9))


def test_summer_visits_are_july_and_august_in_any_year():
    window = suggest_travel_window(CampaignKind.SUMMER_VISIT, 2040)
    assert (window.travel_from, window.travel_until) == (date(2040, 7, 1), date(2040, 8, 31))
    assert suggest_travel_window(CampaignKind.REVERSE_VISIT, 2026) is None


def test_a_year_without_data_suggests_nothing():
    assert suggest_travel_window(CampaignKind.SPRING_FESTIVAL, 2040) is None
    assert suggest_travel_window(CampaignKind.NATIONAL_DAY, 2040) is None


def test_a_calendar_that_refuses_the_year_suggests_nothing(monkeypatch):
    """The package raises NotImplementedError for a year it has no data for, even when a date
    of that year is listed (data published in part)."""
    def refuse(day):
        raise NotImplementedError(f"no available data for year {day.year}")

    monkeypatch.setattr(chinese_calendar, "is_holiday", refuse)
    assert suggest_travel_window(CampaignKind.SPRING_FESTIVAL, 2026) is None


@pytest.mark.parametrize(("kind", "today", "year"), [
    (CampaignKind.SPRING_FESTIVAL, date(2026, 11, 22), 2027),
    (CampaignKind.SPRING_FESTIVAL, date(2027, 1, 10), 2027),
    (CampaignKind.NATIONAL_DAY, date(2026, 6, 1), 2026),
    (CampaignKind.NATIONAL_DAY, date(2026, 10, 8), 2027),
    (CampaignKind.SUMMER_VISIT, date(2026, 9, 1), 2027),
])
def test_the_next_occurrence_is_suggested_by_default(kind, today, year):
    assert next_year_for(kind, today) == year
