"""The rules of a campaign, as plain functions: who may apply, who comes first, what the subsidy
is, and the lottery's order. The SQL twin of the queue order is :func:`queue_order`.

Priority bands (1 first), from the registry when the worker applies:

1. a child in difficulty or de facto unsupported (困境儿童、事实无人抚养儿童);
2. a left-behind child, or a 三区三州 hukou (the worker's or a child's);
3. everyone else the campaign admits.

Within a band, workers who have not travelled home with a campaign for a year come first, then
the lottery's order once drawn, else the order of application.

Subsidies are per traveller and in integer fen, rounded **down** to the fen (a percentage of
¥123.45 at 33% is ¥40.73, not ¥40.74): a percentage never exceeds its cap, a fixed amount never
exceeds the ticket.
"""
from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import case

from .models import Application, Campaign, Eligibility, SubsidyKind

BANDS = (1, 2, 3)
#: Not home with a campaign for this long: first within the band.
LONG_AWAY = timedelta(days=365)


@dataclass(frozen=True)
class ChildFacts:
    """What the rules read of one of the worker's children (from the registry's read
    functions)."""

    left_behind: bool | None
    in_difficulty: bool | None
    de_facto_unsupported: bool | None
    in_three_areas: bool | None


@dataclass(frozen=True)
class Priority:
    band: int
    #: Codes of why, in the order shown: ``difficulty``, ``unsupported``, ``left_behind``,
    #: ``three_areas``, ``long_away``.
    reasons: tuple[str, ...]


def is_eligible(eligibility: Eligibility, children: Sequence[ChildFacts]) -> bool:
    if eligibility == Eligibility.ALL_WORKERS:
        return True
    if eligibility == Eligibility.PARENTS:
        return bool(children)
    return any(child.left_behind or child.in_difficulty or child.de_facto_unsupported
               for child in children)


def priority_of(children: Sequence[ChildFacts], *, worker_in_three_areas: bool,
                last_travelled_on: date | None, today: date) -> Priority:
    reasons: list[str] = []
    if any(child.in_difficulty for child in children):
        reasons.append("difficulty")
    if any(child.de_facto_unsupported for child in children):
        reasons.append("unsupported")
    if any(child.left_behind for child in children):
        reasons.append("left_behind")
    if worker_in_three_areas or any(child.in_three_areas for child in children):
        reasons.append("three_areas")
    if last_travelled_on is None or today - last_travelled_on >= LONG_AWAY:
        reasons.append("long_away")
    if "difficulty" in reasons or "unsupported" in reasons:
        band = 1
    elif "left_behind" in reasons or "three_areas" in reasons:
        band = 2
    else:
        band = 3
    return Priority(band, tuple(reasons))


def subsidy_per_person(campaign: Campaign, fare_fen: int) -> int:
    """The subsidy for one traveller's ticket of ``fare_fen``, rounded down to the fen."""
    if fare_fen <= 0:
        return 0
    if campaign.subsidy_kind == SubsidyKind.FULL:
        return fare_fen
    if campaign.subsidy_kind == SubsidyKind.PERCENT_CAPPED:
        share = fare_fen * (campaign.subsidy_percent or 0) // 100
        cap = campaign.subsidy_amount_fen
        return share if cap is None else min(share, cap)
    return min(campaign.subsidy_amount_fen or 0, fare_fen)


def subsidy_for(campaign: Campaign, fares_fen: Iterable[int]) -> int:
    """The household's subsidy: each traveller's, added up."""
    return sum(subsidy_per_person(campaign, fare) for fare in fares_fen)


# -- the lottery --------------------------------------------------------------------------------

def new_lottery_seed() -> str:
    return secrets.token_hex(16)


def lottery_key(seed: str, application_id: int) -> str:
    """An application's draw: SHA-256 of ``"<seed>:<application id>"`` in hex. Sorting the
    applications of a band by it gives the lottery's order; anyone holding the published seed
    and the list of application numbers can compute it again."""
    return hashlib.sha256(f"{seed}:{application_id}".encode()).hexdigest()


def lottery_ranks(seed: str, applications: Iterable[tuple[int, int]]) -> dict[int, int]:
    """(application id, band) pairs → rank within the band, 1 first."""
    by_band: dict[int, list[int]] = {}
    for application_id, band in applications:
        by_band.setdefault(band, []).append(application_id)
    ranks: dict[int, int] = {}
    for ids in by_band.values():
        for rank, application_id in enumerate(sorted(ids, key=lambda i: lottery_key(seed, i)),
                                              start=1):
            ranks[application_id] = rank
    return ranks


# -- the order of the queue -------------------------------------------------------------------

def queue_key(application: Application) -> tuple:
    """Python twin of :func:`queue_order`."""
    long_away = "long_away" in application.priority_reasons.split(",")
    return (application.priority_band, 0 if long_away else 1,
            application.lottery_rank if application.lottery_rank is not None else 2**31,
            application.applied_at or datetime.min, application.id)


def queue_order() -> tuple:
    """``ORDER BY`` of the applications waiting for places: band, long away first, the draw,
    then first come."""
    long_away = case((Application.priority_reasons.contains("long_away"), 0), else_=1)
    unranked_last = case((Application.lottery_rank.is_(None), 1), else_=0)
    return (Application.priority_band, long_away, unranked_last, Application.lottery_rank,
            Application.applied_at, Application.id)
