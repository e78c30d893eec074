"""The rules of the monthly allowance as plain functions, each beside its SQL twin.

*Product rules* where the guidance is silent:

- **Which policy**: a worker's allowance follows the policy of the nearest unit above them (or
  their own) that has one in force for the month: the unit's highest version whose first month is
  not after it. A subsidiary's policy overrides the company's for its subtree; a suspended version
  grants nothing there.
- **Who**: workers employed on the day of the grant (a leaver's allowance stops the month after
  they left) who are eligible under the policy on that day, by the registry's categories as
  computed that morning: parents of a left-behind child; or also of a child in difficulty or de
  facto unsupported; or every worker. When a worker's last such child stops counting (turns 16,
  a parent comes home), the next month has no grant.
- **How much**: the policy's minutes and data; a worker who joined after the 1st of the month
  gets, where the policy pro-rates, a share by the days left including the day they joined,
  rounded down. The cost is minutes × cost per minute + megabytes × cost per megabyte, in fen.
- **Line ids** are ``<yyyymm>-<worker id>``: stable, so a carrier's result file matches its lines
  however often it is imported.
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Integer, case, cast, true

from ..registry.models import Worker
from ..registry.queries import has_child_where
from .models import AllowancePolicy, Eligibility


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def days_in_month(month: date) -> int:
    return calendar.monthrange(month.year, month.month)[1]


def share_of_month(month: date, joined_on: date | None) -> tuple[int, int]:
    """(days counted, days in the month): the whole month unless the worker joined after its
    1st."""
    total = days_in_month(month)
    if joined_on is None or joined_on <= month:
        return total, total
    return total - joined_on.day + 1, total


def prorated(amount: int, month: date, joined_on: date | None, policy: AllowancePolicy) -> int:
    if not policy.prorate_joiners:
        return amount
    days, total = share_of_month(month, joined_on)
    return amount * days // total


def prorated_sql(amount: int, month: date, policy: AllowancePolicy):
    """SQL twin of :func:`prorated` on :class:`Worker` (rounded down the same way)."""
    if not policy.prorate_joiners:
        return amount
    total = days_in_month(month)
    joined_late = (Worker.entry_date.is_not(None)) & (Worker.entry_date > month)
    day_of_month = _day_of_month(Worker.entry_date)
    return case((joined_late, (amount * (total - day_of_month + 1)) // total), else_=amount)


def _day_of_month(column):
    """The day of the month of a date column, on both databases."""
    from sqlalchemy import func

    return cast(func.extract("day", column), Integer)


def cost_fen(minutes: int, data_mb: int, policy: AllowancePolicy) -> int:
    return minutes * policy.minute_cost_fen + data_mb * policy.mb_cost_fen


def line_id(month: date, worker_id: int) -> str:
    return f"{month:%Y%m}-{worker_id}"


@dataclass(frozen=True)
class ChildFacts:
    left_behind: bool | None
    in_difficulty: bool | None
    de_facto_unsupported: bool | None


def is_eligible(eligibility: Eligibility, children: list[ChildFacts]) -> bool:
    if eligibility == Eligibility.ALL_WORKERS:
        return True
    if eligibility == Eligibility.LEFT_BEHIND_PARENTS:
        return any(child.left_behind for child in children)
    return any(child.left_behind or child.in_difficulty or child.de_facto_unsupported
               for child in children)


def eligible_sql(eligibility: Eligibility):
    """SQL twin of :func:`is_eligible`, on :class:`Worker`."""
    if eligibility == Eligibility.ALL_WORKERS:
        return true()
    in_need = eligibility == Eligibility.PARENTS_IN_NEED
    return has_child_where(Worker.id, left_behind=True, in_difficulty=in_need,
                           de_facto_unsupported=in_need)


def policy_in_force(versions: list[AllowancePolicy], month: date) -> AllowancePolicy | None:
    """Of one unit's versions, the one in force for ``month``."""
    started = [policy for policy in versions if policy.starts_on <= month]
    return max(started, key=lambda policy: policy.version) if started else None
