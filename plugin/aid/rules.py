"""The rules of hardship aid as plain functions: which approval tier an application takes, who may
decide a step (separation of duties), who comes first, which money may pay it, and which months
recurring aid is paid for. The SQL twin of the priority order is :func:`queue_order`.

*Product rules* where the guidance is silent:

- **Tiers**: an application takes the tier with the lowest ``max_fen`` that covers its amount
  (the tier without a maximum covers any amount). Recurring aid is routed by what it commits:
  the monthly amount times its months (to ``recurring_until``, or twelve when it runs until a
  review).
- **Separation of duties across the chain**: nobody decides an application that is their own
  (their employee number is the worker's), that they filed for the family, or that they already
  decided in this round; a decider holds the step's role over the application's unit (at the
  company's top unit for a company-level step).
- **Priority**: band 1 — a child in difficulty or de facto unsupported (困境儿童、事实无人抚养
  儿童), or an open risk report; band 2 — a 三区三州 hukou (the worker's or a child's); band 3 —
  the rest. Within a band, the older application first.
- **Restricted money** is spent only on its purpose: an application draws on money given for its
  reason first, then on unrestricted money, never on money given for another purpose.
- **Recurring aid** is paid for each calendar month from the month it was approved to the month
  of ``recurring_until`` (or of ``review_on``), one payment per month.
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from ..core.roles import Role
from .models import UNRESTRICTED, AidApplication, AidReason, ApprovalTier

#: Months a recurring case without an end date is counted for when routing it.
OPEN_ENDED_MONTHS = 12


@dataclass(frozen=True)
class ChainStep:
    role: str
    company_level: bool
    name: str

    def as_dict(self) -> dict:
        return {"role": self.role, "company_level": self.company_level, "name": self.name}


def routed_amount(amount_fen: int, monthly_fen: int | None, first_month: date,
                  until: date | None) -> int:
    """What an application commits, for choosing its tier."""
    if not monthly_fen:
        return amount_fen
    months = (months_between(first_month, until) if until is not None else OPEN_ENDED_MONTHS)
    return monthly_fen * max(months, 1)


def tier_for(tiers: Sequence[ApprovalTier], amount_fen: int) -> ApprovalTier | None:
    """The tier with the lowest maximum that covers ``amount_fen``; ``None`` when none does."""
    covering = [tier for tier in tiers if tier.max_fen is None or amount_fen <= tier.max_fen]
    covering.sort(key=lambda tier: (tier.max_fen is None, tier.max_fen or 0))
    return covering[0] if covering else None


def chain_of(application: AidApplication) -> list[ChainStep]:
    return [ChainStep(**step) for step in json.loads(application.chain or "[]")]


def may_decide(step: ChainStep, grants: Sequence[tuple[str, str]], unit_path: str,
               root_path: str) -> bool:
    """Whether someone with ``grants`` ((role, unit path) pairs) holds the step's role over the
    application's unit (at the top unit for a company-level step). Administrators hold every
    role's steps."""
    for role, path in grants:
        if role != step.role and role != Role.ADMIN.value:
            continue
        if step.company_level and path != root_path:
            continue
        if unit_path.startswith(path):
            return True
    return False


#: Why someone may not decide a step, in the order checked.
OWN_APPLICATION = "own"
FILED_BY_THEM = "filed"
ALREADY_DECIDED = "decided"


def conflict_of_interest(actor_key: str, actor_employee_number: str | None,
                         application: AidApplication, worker_employee_number: str,
                         decided_by: Sequence[str]) -> str | None:
    """The separation-of-duties rule a decision by ``actor_key`` would break, or None."""
    if actor_employee_number and actor_employee_number == worker_employee_number:
        return OWN_APPLICATION
    if actor_key == application.applied_by:
        return FILED_BY_THEM
    if actor_key in decided_by:
        return ALREADY_DECIDED
    return None


def purposes_for(reason: AidReason) -> tuple[str, ...]:
    """Which money an application for ``reason`` may draw on, in order."""
    return (reason.value, UNRESTRICTED)


@dataclass(frozen=True)
class ChildFacts:
    in_difficulty: bool | None
    de_facto_unsupported: bool | None
    in_three_areas: bool | None


def priority_of(children: Sequence[ChildFacts], *, worker_in_three_areas: bool,
                open_risk_report: bool = False) -> tuple[int, tuple[str, ...]]:
    """(band, reason codes): ``difficulty``, ``unsupported``, ``risk``, ``three_areas``."""
    reasons: list[str] = []
    if any(child.in_difficulty for child in children):
        reasons.append("difficulty")
    if any(child.de_facto_unsupported for child in children):
        reasons.append("unsupported")
    if open_risk_report:
        reasons.append("risk")
    if worker_in_three_areas or any(child.in_three_areas for child in children):
        reasons.append("three_areas")
    if {"difficulty", "unsupported", "risk"} & set(reasons):
        return 1, tuple(reasons)
    if reasons:
        return 2, tuple(reasons)
    return 3, ()


def queue_order() -> tuple:
    """The SQL twin of the priority view's order: band, then the older application first."""
    return (AidApplication.priority, AidApplication.submitted_at, AidApplication.id)


def priority_label_codes(application: AidApplication) -> list[str]:
    return [code for code in (application.priority_reasons or "").split(",") if code]


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def months_between(first: date, last: date) -> int:
    """Calendar months from ``first``'s month to ``last``'s, both counted."""
    return (last.year - first.year) * 12 + last.month - first.month + 1


def add_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def months_due(start_month: date, last_month: date | None, today: date) -> list[date]:
    """The months of recurring aid due by ``today``: from ``start_month`` to today's month, not
    after ``last_month``."""
    end = first_of_month(today)
    if last_month is not None:
        end = min(end, first_of_month(last_month))
    months, month = [], first_of_month(start_month)
    while month <= end:
        months.append(month)
        month = add_month(month)
    return months
