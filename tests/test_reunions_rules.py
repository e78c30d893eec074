"""The rules of reunion campaigns as plain functions: priority, subsidies, the lottery."""
from datetime import date
from types import SimpleNamespace

from plugin.reunions import rules
from plugin.reunions.models import Eligibility, SubsidyKind
from plugin.reunions.rules import ChildFacts

TODAY = date(2026, 11, 22)
LEFT_BEHIND = ChildFacts(left_behind=True, in_difficulty=False, de_facto_unsupported=False,
                         in_three_areas=False)
IN_DIFFICULTY = ChildFacts(left_behind=False, in_difficulty=True, de_facto_unsupported=False,
                           in_three_areas=False)
AT_HOME = ChildFacts(left_behind=False, in_difficulty=False, de_facto_unsupported=False,
                     in_three_areas=False)


def test_children_in_difficulty_come_first_then_left_behind_and_three_areas():
    def band(children, three_areas=False):
        return rules.priority_of(children, worker_in_three_areas=three_areas,
                                 last_travelled_on=TODAY, today=TODAY).band
    assert band([IN_DIFFICULTY, LEFT_BEHIND]) == 1
    assert band([LEFT_BEHIND]) == 2
    assert band([AT_HOME], three_areas=True) == 2
    assert band([AT_HOME]) == 3 and band([]) == 3


def test_a_year_without_a_trip_home_is_a_reason_within_the_band():
    never = rules.priority_of([AT_HOME], worker_in_three_areas=False, last_travelled_on=None,
                              today=TODAY)
    recent = rules.priority_of([AT_HOME], worker_in_three_areas=False,
                               last_travelled_on=date(2026, 2, 1), today=TODAY)
    assert never.reasons == ("long_away",) and recent.reasons == () and never.band == recent.band


def test_eligibility():
    assert rules.is_eligible(Eligibility.ALL_WORKERS, [])
    assert not rules.is_eligible(Eligibility.PARENTS, []) and rules.is_eligible(
        Eligibility.PARENTS, [AT_HOME])
    assert not rules.is_eligible(Eligibility.LEFT_BEHIND_OR_DIFFICULTY, [AT_HOME])
    assert rules.is_eligible(Eligibility.LEFT_BEHIND_OR_DIFFICULTY, [AT_HOME, IN_DIFFICULTY])


def campaign(kind, percent=None, amount=None):
    return SimpleNamespace(subsidy_kind=kind, subsidy_percent=percent, subsidy_amount_fen=amount)


def test_subsidies_are_integer_fen_rounded_down_and_capped():
    assert rules.subsidy_per_person(campaign(SubsidyKind.FULL), 12_345) == 12_345
    # 33% of ¥123.45 is ¥40.7385: ¥40.73, never ¥40.74
    assert rules.subsidy_per_person(campaign(SubsidyKind.PERCENT_CAPPED, 33, 50_000), 12_345) == 4_073
    assert rules.subsidy_per_person(campaign(SubsidyKind.PERCENT_CAPPED, 80, 20_000), 60_000) == 20_000
    assert rules.subsidy_per_person(campaign(SubsidyKind.FIXED, amount=30_000), 25_000) == 25_000
    assert rules.subsidy_per_person(campaign(SubsidyKind.FIXED, amount=30_000), 45_000) == 30_000
    assert rules.subsidy_for(campaign(SubsidyKind.FIXED, amount=100), [50, 500, 0]) == 150


def test_the_lottery_is_reproducible_from_the_published_seed_and_ranks_within_bands():
    entries = [(application_id, 1 if application_id % 3 == 0 else 2)
               for application_id in range(1, 31)]
    first = rules.lottery_ranks("c0ffee", entries)
    assert first == rules.lottery_ranks("c0ffee", list(reversed(entries)))
    assert first != rules.lottery_ranks("other-seed", entries)
    band_one = sorted(first[i] for i, band in entries if band == 1)
    assert band_one == list(range(1, 11))
    # Anyone can check one draw by hand: sha256("<seed>:<application id>")
    import hashlib
    winner = min((i for i, band in entries if band == 1),
                 key=lambda i: hashlib.sha256(f"c0ffee:{i}".encode()).hexdigest())
    assert first[winner] == 1
