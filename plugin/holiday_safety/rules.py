"""The campaign's rules, each a plain Python function, beside its SQL twin where lists count it.

* A campaign is drafted from ``lead_days`` days before the holiday's first day until the day
  before it (:func:`is_due`): not earlier, and not once the holiday has begun.
* Its audience: active workers of the site's subtree who are a registered parent of a child
  under 16 on the holiday's first day (:func:`under_16_on` / :func:`born_after_for_under_16`,
  DOMAIN §3: ages in whole years, a child born on 29 February turns a year older on 1 March in
  common years). A child without a birth date is not counted (its age is unknown).
* A recipient is pending while they have not confirmed (:func:`is_pending` /
  :func:`pending_condition`), and is reminded at most once a day (:func:`may_remind`).
"""
from __future__ import annotations

from datetime import date, timedelta

from ..registry.categories import age_on
from .models import SafetyRecipient

#: Children under this age are the campaign's concern (MPL 2020 Art. 21: never alone).
AGE_LIMIT = 16


def draft_day(holiday_starts_on: date, lead_days: int) -> date:
    return holiday_starts_on - timedelta(days=lead_days)


def is_due(today: date, holiday_starts_on: date, lead_days: int) -> bool:
    return draft_day(holiday_starts_on, lead_days) <= today < holiday_starts_on


def under_16_on(birth_date: date | None, day: date) -> bool:
    """Python twin of :func:`born_after_for_under_16`."""
    if birth_date is None or birth_date > day:
        return False
    return age_on(birth_date, day) < AGE_LIMIT


def born_after_for_under_16(day: date) -> date:
    """Children born after this day (and on or before ``day``) are under 16 on ``day``: the
    latest birth date of a child who is 16 on ``day``. A child born on 29 February of that year
    turns 16 on 1 March in a common year, so on 28 February it is still 15 (born after the
    28th)."""
    year = day.year - AGE_LIMIT
    if day.month == 2 and day.day == 29:
        return date(year, 2, 28) if not _leap(year) else date(year, 2, 29)
    return day.replace(year=year)


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def is_pending(recipient: SafetyRecipient) -> bool:
    return recipient.confirmed_at is None


def pending_condition():
    """SQL twin of :func:`is_pending`."""
    return SafetyRecipient.confirmed_at.is_(None)


def may_remind(recipient: SafetyRecipient, today: date) -> bool:
    return is_pending(recipient) and recipient.reminded_on != today


def remindable_condition(today: date):
    """SQL twin of :func:`may_remind`."""
    return pending_condition() & ((SafetyRecipient.reminded_on.is_(None))
                                  | (SafetyRecipient.reminded_on != today))
