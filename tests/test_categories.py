"""The category rules of DOMAIN §3, decided by a pure function: no database needed.

Most tests here exercise the strict rules (``presume=False``): what is decided from recorded
facts alone. The presumptions of product rule turn 2 (unrecorded difficulty = no, a timed status
without a start = six months, capacity not recorded = capable) are tested in their own section
below, against the strict rules.

Dates: unless a test says otherwise the decision date is ``ON`` = 1 June 2024. "Six months"
counts from the same day-of-month six months later (clamped to a shorter month's last day), so
a status that began on 1 December 2023 has lasted six months on ``ON`` and one that began on
2 December 2023 has lasted 5 months 30 days.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plugin.registry.categories import (
    CATEGORY_CODES,
    FACT_CODES,
    FOCUS_FLAG_CODES,
    CategoryDecision,
    ChildFacts,
    ParentFacts,
    ParentStatus,
    add_months,
    age_on,
    birthday,
    decide_categories,
    has_lasted,
    next_change_date,
    threshold_date,
)

S = ParentStatus
ON = date(2024, 6, 1)
SIX_MONTHS_AGO = date(2023, 12, 1)      # lasted exactly six months on ON
FIVE_MONTHS_30_DAYS = date(2023, 12, 2)  # one day short

AWAY = ParentFacts(S.WORKS_AWAY, since=SIX_MONTHS_AGO, capable=True)
AWAY_SHORT = ParentFacts(S.WORKS_AWAY, since=FIVE_MONTHS_30_DAYS, capable=True)
AWAY_ILL = ParentFacts(S.WORKS_AWAY, since=SIX_MONTHS_AGO, capable=False)
AWAY_SHORT_ILL = ParentFacts(S.WORKS_AWAY, since=FIVE_MONTHS_30_DAYS, capable=False)
HOME = ParentFacts(S.AT_HOME, capable=True)
HOME_ILL = ParentFacts(S.AT_HOME, capable=False)  # serious illness or serious disability
DEAD = ParentFacts(S.DECEASED)
LOST = ParentFacts(S.OUT_OF_CONTACT, since=SIX_MONTHS_AGO, capable=True)
LOST_SHORT = ParentFacts(S.OUT_OF_CONTACT, since=FIVE_MONTHS_30_DAYS, capable=True)
JAILED = ParentFacts(S.IMPRISONED, since=SIX_MONTHS_AGO, capable=True)
JAILED_SHORT = ParentFacts(S.IMPRISONED, since=FIVE_MONTHS_30_DAYS, capable=True)
REHAB = ParentFacts(S.IN_REHABILITATION, capable=True)
REHAB_RECENT = ParentFacts(S.IN_REHABILITATION, since=date(2024, 5, 31), capable=True)

#: A ten-year-old in its home area with every fact known and nothing wrong.
BASE = ChildFacts(
    birth_date=date(2014, 3, 10), hukou_rural=True, hukou_region_code="511321",
    in_three_areas=False, lives_in_home_area=True, family_poverty=False, own_disability=False,
    guardianship_lacking_with_harm=False, mother=HOME, father=HOME,
)


def child(**changes) -> ChildFacts:
    return replace(BASE, **changes)


def decide(on: date = ON, **changes) -> CategoryDecision:
    """The strict rules (no presumptions)."""
    return decide_categories(child(**changes), on, presume=False)


def strict(facts: ChildFacts, on: date) -> CategoryDecision:
    return decide_categories(facts, on, presume=False)


# ---------------------------------------------------------------------------------------------
# Dates: ages, birthdays, six months

@pytest.mark.parametrize("born, day, age", [
    (date(2014, 3, 10), date(2014, 3, 10), 0),
    (date(2014, 3, 10), date(2024, 3, 9), 9),
    (date(2014, 3, 10), date(2024, 3, 10), 10),
    (date(2008, 6, 1), date(2024, 5, 31), 15),   # the day before the 16th birthday
    (date(2008, 6, 1), date(2024, 6, 1), 16),    # the 16th birthday
    (date(2006, 6, 1), date(2024, 5, 31), 17),
    (date(2006, 6, 1), date(2024, 6, 1), 18),
    (date(2012, 12, 31), date(2024, 1, 1), 11),
    # 29 February: a year older on 1 March in non-leap years, on 29 February in leap years
    (date(2008, 2, 29), date(2025, 2, 28), 16),
    (date(2008, 2, 29), date(2025, 3, 1), 17),
    (date(2008, 2, 29), date(2028, 2, 28), 19),
    (date(2008, 2, 29), date(2028, 2, 29), 20),
    (date(2084, 2, 29), date(2100, 2, 28), 15),  # 2100 is not a leap year
    (date(2084, 2, 29), date(2100, 3, 1), 16),
])
def test_age_on(born, day, age):
    assert age_on(born, day) == age


def test_age_before_birth_is_an_error():
    with pytest.raises(ValueError):
        age_on(date(2024, 6, 2), ON)


@pytest.mark.parametrize("born, years, day", [
    (date(2014, 3, 10), 16, date(2030, 3, 10)),
    (date(2008, 2, 29), 16, date(2024, 2, 29)),
    (date(2008, 2, 29), 18, date(2026, 3, 1)),
    (date(2084, 2, 29), 16, date(2100, 3, 1)),
])
def test_birthday(born, years, day):
    assert birthday(born, years) == day
    assert age_on(born, day) == years
    assert age_on(born, day - timedelta(days=1)) == years - 1


@pytest.mark.parametrize("since, six_months_later", [
    (date(2023, 12, 1), date(2024, 6, 1)),
    (date(2023, 12, 2), date(2024, 6, 2)),
    (date(2024, 1, 15), date(2024, 7, 15)),
    (date(2024, 3, 31), date(2024, 9, 30)),   # September has 30 days: clamped
    (date(2023, 8, 31), date(2024, 2, 29)),   # leap February
    (date(2022, 8, 31), date(2023, 2, 28)),   # common February
    (date(2022, 8, 29), date(2023, 2, 28)),
    (date(2023, 7, 31), date(2024, 1, 31)),   # across the year end
])
def test_six_months_is_the_same_day_of_month_clamped_to_month_end(since, six_months_later):
    assert threshold_date(since) == six_months_later
    assert has_lasted(since, six_months_later)
    assert not has_lasted(since, six_months_later - timedelta(days=1))


def test_five_months_thirty_days_is_not_six_months():
    assert not has_lasted(FIVE_MONTHS_30_DAYS, ON)
    assert has_lasted(SIX_MONTHS_AGO, ON)
    assert not has_lasted(date(2024, 7, 1), ON)  # a period starting later has not lasted at all


def test_add_months_and_the_end_of_the_calendar():
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2024, 1, 31), -2) == date(2023, 11, 30)
    assert threshold_date(date(9999, 12, 1)) is None
    assert not has_lasted(date(9999, 12, 1), date.max)


# ---------------------------------------------------------------------------------------------
# Left-behind

@pytest.mark.parametrize("mother, father, left_behind", [
    (AWAY, AWAY, True),                # both parents work away
    (AWAY, HOME_ILL, True),            # one away, the other has no guardianship capacity
    (HOME_ILL, AWAY, True),
    (AWAY, HOME, False),               # one away, the other at home and capable
    (HOME, AWAY, False),
    (HOME, HOME, False),               # both at home
    (AWAY, DEAD, True),                # one deceased, the other away
    (DEAD, AWAY, True),
    (AWAY, LOST, True),                # out of contact 6+ months cannot care
    (AWAY, LOST_SHORT, False),         # ... 5 months 30 days is not yet "out of contact"
    (AWAY, JAILED, True),              # imprisoned or detained 6+ months
    (AWAY, JAILED_SHORT, False),
    (AWAY, REHAB, True),               # compulsory rehabilitation needs no duration
    (AWAY, REHAB_RECENT, True),
    (AWAY_SHORT, AWAY_SHORT, False),   # away 5 months 30 days is not "working away"
    (AWAY, AWAY_SHORT, False),         # ... and the short one is capable, so can still care
    (AWAY, AWAY_SHORT_ILL, True),      # ... unless not capable
    (AWAY_ILL, AWAY, True),            # working away counts whatever the capacity
    (AWAY_SHORT_ILL, HOME_ILL, False), # nobody has worked away six months
    (DEAD, DEAD, False),               # nobody works away: an orphan, not left-behind
    (HOME_ILL, HOME_ILL, False),
    (DEAD, HOME_ILL, False),
    (DEAD, JAILED, False),
    (LOST, REHAB, False),
])
def test_left_behind_parent_combinations(mother, father, left_behind):
    decision = decide(mother=mother, father=father)
    assert decision.left_behind is left_behind
    assert decision.migrant is False


@pytest.mark.parametrize("born, on, left_behind", [
    (date(2008, 6, 1), date(2024, 5, 31), True),   # the day before the 16th birthday
    (date(2008, 6, 1), date(2024, 6, 1), False),   # a child turning 16 leaves the list that day
    (date(2024, 6, 1), date(2024, 6, 1), True),    # born today
    (date(2084, 2, 29), date(2100, 2, 28), True),  # 29 February, non-leap 16th birthday year
    (date(2084, 2, 29), date(2100, 3, 1), False),  # ... turns 16 on 1 March
    (date(2008, 2, 29), date(2024, 2, 28), True),  # leap 16th birthday year
    (date(2008, 2, 29), date(2024, 2, 29), False),
])
def test_left_behind_is_under_sixteen(born, on, left_behind):
    parents_away = ParentFacts(S.WORKS_AWAY, since=date(1990, 1, 1), capable=True)
    decision = decide(on, birth_date=born, mother=parents_away, father=parents_away)
    assert decision.left_behind is left_behind


def test_left_behind_needs_the_child_in_its_home_area():
    assert decide(mother=AWAY, father=AWAY, lives_in_home_area=False).left_behind is False


@pytest.mark.parametrize("rural", [True, False, None])
def test_hukou_type_is_recorded_but_never_excludes(rural):
    assert decide(mother=AWAY, father=AWAY, hukou_rural=rural).left_behind is True


# ---------------------------------------------------------------------------------------------
# Migrant, and never both

@pytest.mark.parametrize("changes, migrant, left_behind", [
    # parents work away and the child lives with them outside its hukou county for six months
    (dict(lives_in_home_area=False, outside_hukou_county_since=SIX_MONTHS_AGO), True, False),
    (dict(lives_in_home_area=None, outside_hukou_county_since=SIX_MONTHS_AGO), True, False),
    # 5 months 30 days: not yet migrant, and not left-behind either (lives with the parents)
    (dict(lives_in_home_area=False, outside_hukou_county_since=FIVE_MONTHS_30_DAYS), False, False),
    (dict(lives_in_home_area=None, outside_hukou_county_since=FIVE_MONTHS_30_DAYS), False, False),
    # moves inside one city's central districts do not count
    (dict(lives_in_home_area=False, outside_hukou_county_since=SIX_MONTHS_AGO,
          moved_within_same_city_districts=True), False, False),
    # living in the home area wins over a stale outside-county date
    (dict(lives_in_home_area=True, outside_hukou_county_since=SIX_MONTHS_AGO), False, True),
    # lives away from home, but not with a parent or guardian outside the hukou county
    (dict(lives_in_home_area=False, outside_hukou_county_since=None), False, False),
    # a move that has not happened yet on the date
    (dict(lives_in_home_area=None, outside_hukou_county_since=date(2024, 7, 1)), False, None),
    # 16 and over: neither
    (dict(birth_date=date(2008, 6, 1), lives_in_home_area=False,
          outside_hukou_county_since=SIX_MONTHS_AGO), False, False),
    (dict(birth_date=date(2008, 6, 2), lives_in_home_area=False,
          outside_hukou_county_since=SIX_MONTHS_AGO), True, False),
])
def test_migrant(changes, migrant, left_behind):
    decision = decide(**{"mother": AWAY, "father": AWAY, **changes})
    assert decision.migrant is migrant
    assert decision.left_behind is left_behind


def test_migrant_whatever_the_parents_do():
    decision = decide(mother=HOME, father=HOME, lives_in_home_area=False,
                      outside_hukou_county_since=date(2020, 1, 1))
    assert decision.migrant is True
    assert decision.categories == ("migrant",)


# ---------------------------------------------------------------------------------------------
# In difficulty, de facto unsupported, orphan

@pytest.mark.parametrize("changes, in_difficulty", [
    (dict(), False),
    (dict(family_poverty=True), True),
    (dict(own_disability=True), True),
    (dict(guardianship_lacking_with_harm=True), True),
    (dict(mother=JAILED, father=JAILED), True),          # via de facto unsupported
    (dict(mother=DEAD, father=DEAD), False),              # an orphan is not in difficulty by itself
    (dict(mother=DEAD, father=DEAD, family_poverty=True), True),
    (dict(family_poverty=True, birth_date=date(2006, 6, 2)), True),   # 17, the day before 18
    (dict(family_poverty=True, birth_date=date(2006, 6, 1)), False),  # 18 today
    (dict(mother=JAILED, father=JAILED, birth_date=date(2006, 6, 1)), False),
])
def test_in_difficulty(changes, in_difficulty):
    assert decide(**changes).in_difficulty is in_difficulty


def test_left_behind_and_in_difficulty_together():
    decision = decide(mother=AWAY, father=HOME_ILL, family_poverty=True)
    assert decision.categories == ("left_behind", "in_difficulty")


@pytest.mark.parametrize("mother, father, de_facto_unsupported, orphan", [
    (JAILED, JAILED, True, False),
    (DEAD, JAILED, True, False),          # the surviving parent imprisoned
    (JAILED, DEAD, True, False),
    (DEAD, HOME_ILL, True, False),        # the surviving parent seriously ill or disabled
    (HOME_ILL, HOME_ILL, True, False),
    (LOST, REHAB, True, False),
    (DEAD, LOST, True, False),
    (DEAD, REHAB_RECENT, True, False),
    (AWAY_ILL, DEAD, True, False),        # seriously ill wherever the parent is
    (DEAD, DEAD, False, True),            # both deceased: an orphan
    (LOST_SHORT, DEAD, False, False),     # out of contact 5 months 30 days is not enough
    (JAILED_SHORT, JAILED, False, False),
    (AWAY, JAILED, False, False),         # one parent works away and is capable
    (HOME, DEAD, False, False),
    (HOME, HOME, False, False),
])
def test_de_facto_unsupported_and_orphan(mother, father, de_facto_unsupported, orphan):
    decision = decide(mother=mother, father=father)
    assert decision.de_facto_unsupported is de_facto_unsupported
    assert decision.orphan is orphan
    if de_facto_unsupported:
        assert decision.in_difficulty is True
        assert "guardianship_lacking" in decision.focus_flags


@pytest.mark.parametrize("born, on, de_facto_unsupported, orphan", [
    (date(2006, 6, 1), date(2024, 5, 31), True, True),   # the day before the 18th birthday
    (date(2006, 6, 1), date(2024, 6, 1), False, False),  # 18 today
    (date(2008, 2, 29), date(2026, 2, 28), True, True),  # 29 February: 18 on 1 March 2026
    (date(2008, 2, 29), date(2026, 3, 1), False, False),
])
def test_under_eighteen(born, on, de_facto_unsupported, orphan):
    jailed = ParentFacts(S.IMPRISONED, since=date(2000, 1, 1), capable=True)
    decision = decide(on, birth_date=born, mother=jailed, father=jailed)
    assert decision.de_facto_unsupported is de_facto_unsupported
    assert decide(on, birth_date=born, mother=DEAD, father=DEAD).orphan is orphan


def test_left_behind_and_de_facto_unsupported_can_overlap():
    decision = decide(mother=AWAY_ILL, father=DEAD)
    assert decision.categories == ("left_behind", "in_difficulty", "de_facto_unsupported")


# ---------------------------------------------------------------------------------------------
# Missing facts: unknown with the reason, or decided when the answer cannot depend on them

@pytest.mark.parametrize("changes, category, value, missing", [
    (dict(birth_date=None, mother=AWAY, father=AWAY), "left_behind", None, ("birth_date",)),
    (dict(birth_date=None, family_poverty=True), "in_difficulty", None, ("birth_date",)),
    (dict(birth_date=date(2024, 6, 2)), "left_behind", False, ()),   # born after the date: bad data
    (dict(birth_date=date(2024, 6, 2), family_poverty=True), "in_difficulty", None,
     ("birth_date",)),
    (dict(mother=None, father=AWAY), "left_behind", None, ("mother.status", "mother.capable")),
    (dict(mother=ParentFacts(), father=AWAY), "left_behind", None,
     ("mother.status", "mother.capable")),
    (dict(mother=ParentFacts(S.WORKS_AWAY, capable=True), father=AWAY), "left_behind", None,
     ("mother.since",)),
    (dict(mother=ParentFacts(S.WORKS_AWAY), father=HOME_ILL), "left_behind", None,
     ("mother.since", "mother.capable")),
    (dict(mother=ParentFacts(S.AT_HOME), father=AWAY), "left_behind", None, ("mother.capable",)),
    (dict(mother=AWAY, father=ParentFacts(S.OUT_OF_CONTACT, capable=True)), "left_behind", None,
     ("father.since",)),
    (dict(mother=AWAY, father=AWAY, lives_in_home_area=None), "left_behind", None,
     ("lives_in_home_area",)),
    (dict(lives_in_home_area=None), "migrant", None, ("lives_in_home_area",)),
    (dict(mother=ParentFacts(S.OUT_OF_CONTACT, capable=True), father=JAILED),
     "de_facto_unsupported", None, ("mother.since",)),
    (dict(mother=ParentFacts(), father=DEAD), "orphan", None, ("mother.status",)),
    (dict(mother=ParentFacts(), father=DEAD), "de_facto_unsupported", None,
     ("mother.status", "mother.capable")),
    (dict(family_poverty=None), "in_difficulty", None, ("family_poverty",)),
    (dict(family_poverty=None, own_disability=None, guardianship_lacking_with_harm=None,
          mother=None), "in_difficulty", None,
     ("family_poverty", "own_disability", "guardianship_lacking_with_harm")),
    # decided although facts are missing
    (dict(family_poverty=None, own_disability=True), "in_difficulty", True, ()),
    (dict(birth_date=None, lives_in_home_area=True), "migrant", False, ()),
    (dict(birth_date=None), "in_difficulty", False, ()),
    (dict(birth_date=None, mother=None, father=None), "left_behind", None,
     ("birth_date", "mother.status", "mother.capable", "father.status", "father.capable")),
    (dict(birth_date=date(2008, 6, 1), mother=None, father=None, lives_in_home_area=None),
     "left_behind", False, ()),                                      # 16: whatever the parents
    (dict(birth_date=date(2008, 6, 1), lives_in_home_area=None), "migrant", False, ()),
    (dict(mother=None, lives_in_home_area=False), "left_behind", False, ()),
    (dict(mother=None, father=HOME), "left_behind", False, ()),     # a capable parent at home
    (dict(mother=None, father=HOME), "de_facto_unsupported", False, ()),
    (dict(mother=None, father=HOME), "orphan", False, ()),
    (dict(mother=ParentFacts(S.WORKS_AWAY), father=HOME_ILL, family_poverty=None,
          own_disability=None, guardianship_lacking_with_harm=None, birth_date=date(2006, 6, 1)),
     "in_difficulty", False, ()),                                   # 18: nothing else matters
    (dict(mother=ParentFacts(S.AT_HOME, capable=False),
          father=ParentFacts(S.UNKNOWN, capable=False)),
     "de_facto_unsupported", True, ()),                             # both seriously ill
    (dict(mother=ParentFacts(S.OUT_OF_CONTACT, capable=False), father=JAILED),
     "de_facto_unsupported", True, ()),                             # ill, however long missing
    (dict(mother=ParentFacts(S.DECEASED, capable=None), father=AWAY), "left_behind", True, ()),
])
def test_missing_facts(changes, category, value, missing):
    decision = decide(**changes)
    assert getattr(decision, category) is value
    if value is None:
        assert decision.missing_for(category) == missing
        assert set(decision.missing_for(category)) <= set(decision.missing)
        assert category in decision.unknown_categories
    else:
        assert decision.missing_for(category) == ()


def test_nothing_known():
    decision = strict(ChildFacts(), ON)
    assert decision.categories == ()
    assert decision.unknown_categories == CATEGORY_CODES
    assert decision.age is None
    assert decision.missing_for("left_behind") == (
        "birth_date", "lives_in_home_area", "mother.status", "mother.capable",
        "father.status", "father.capable")
    assert decision.missing_for("migrant") == ("birth_date", "lives_in_home_area")
    assert decision.missing_for("orphan") == ("birth_date", "mother.status", "father.status")
    assert decision.missing == FACT_CODES[:5] + ("mother.status", "mother.capable",
                                                 "father.status", "father.capable")
    assert decision.unknown_reason == (
        "unknown (facts missing: birth_date, lives_in_home_area, family_poverty, own_disability, "
        "guardianship_lacking_with_harm, mother.status, mother.capable, father.status, "
        "father.capable)")


def test_everything_known_has_no_unknown_reason():
    decision = decide(mother=AWAY, father=AWAY)
    assert decision.missing == ()
    assert decision.missing_by_category == ()
    assert decision.unknown_reason is None
    assert decision.unknown_categories == ()
    assert decision.categories == ("left_behind",)
    assert decision.age == 10


def test_an_adult_is_in_no_category_whatever_is_missing():
    decision = strict(ChildFacts(birth_date=date(2000, 1, 1)), ON)
    assert decision.age == 24
    assert (decision.left_behind, decision.migrant, decision.in_difficulty,
            decision.de_facto_unsupported, decision.orphan) == (False,) * 5
    assert decision.unknown_reason is None


# ---------------------------------------------------------------------------------------------
# Focus flags and 三区三州

@pytest.mark.parametrize("changes, flags", [
    (dict(), ()),
    (dict(family_poverty=True), ("family_hardship",)),
    (dict(own_disability=True), ("own_disability",)),
    (dict(guardianship_lacking_with_harm=True), ("guardianship_lacking",)),
    (dict(mother=JAILED, father=DEAD), ("guardianship_lacking",)),   # de facto unsupported
    (dict(mother=DEAD, father=DEAD), ("guardianship_lacking",)),     # orphan
    (dict(wandering=True), ("wandering",)),
    (dict(psychological_anomaly=True), ("psychological_anomaly",)),
    (dict(asked_for_help=True), ("asked_for_help",)),
    (dict(family_poverty=None, own_disability=None, guardianship_lacking_with_harm=None), ()),
    (dict(family_poverty=True, own_disability=True, guardianship_lacking_with_harm=True,
          wandering=True, psychological_anomaly=True, asked_for_help=True), FOCUS_FLAG_CODES),
    (dict(mother=AWAY, father=AWAY), ()),                            # left-behind is not a flag
])
def test_focus_flags(changes, flags):
    decision = decide(**changes)
    assert decision.flags == flags
    assert decision.focus_flags == frozenset(flags)


@pytest.mark.parametrize("in_three_areas", [True, False, None])
def test_three_areas_is_passed_through(in_three_areas):
    decision = decide(in_three_areas=in_three_areas)
    assert decision.three_areas is in_three_areas
    assert "three_areas" not in decision.focus_flags


# ---------------------------------------------------------------------------------------------
# next_change_date

@pytest.mark.parametrize("changes, on, next_change", [
    # both parents reach six months away on 1 June: the child becomes left-behind that day
    (dict(mother=AWAY, father=AWAY), date(2024, 5, 31), date(2024, 6, 1)),
    # left-behind now; leaves the list on the 16th birthday
    (dict(mother=AWAY, father=AWAY), ON, date(2030, 3, 10)),
    # in difficulty until 18
    (dict(family_poverty=True), ON, date(2032, 3, 10)),
    (dict(family_poverty=True, mother=AWAY, father=AWAY), date(2031, 1, 1), date(2032, 3, 10)),
    # nothing time can change
    (dict(), ON, None),
    (dict(mother=AWAY_SHORT, father=HOME), ON, None),   # the other parent cares anyway
    # the later of two parents decides
    (dict(mother=ParentFacts(S.WORKS_AWAY, since=date(2024, 1, 15), capable=True),
          father=ParentFacts(S.WORKS_AWAY, since=date(2024, 3, 31), capable=True)),
     ON, date(2024, 9, 30)),
    # one parent away 6+ months, the other out of contact: the out-of-contact mark decides
    (dict(mother=AWAY, father=ParentFacts(S.OUT_OF_CONTACT, since=date(2024, 4, 20), capable=True)),
     ON, date(2024, 10, 20)),
    # month-end clamping
    (dict(mother=ParentFacts(S.IMPRISONED, since=date(2023, 8, 31), capable=True), father=DEAD),
     date(2024, 1, 1), date(2024, 2, 29)),
    (dict(mother=ParentFacts(S.IMPRISONED, since=date(2022, 8, 31), capable=True), father=DEAD),
     date(2023, 1, 1), date(2023, 2, 28)),
    # a migrant's six months outside the hukou county
    (dict(lives_in_home_area=False, outside_hukou_county_since=date(2024, 1, 15)),
     ON, date(2024, 7, 15)),
    # 29 February: 16 on 1 March in a non-leap year
    (dict(birth_date=date(2084, 2, 29), mother=AWAY, father=AWAY),
     date(2099, 1, 1), date(2100, 3, 1)),
    (dict(birth_date=date(2008, 2, 29), family_poverty=True), ON, date(2026, 3, 1)),
    # born after the date: the birth changes things
    (dict(birth_date=date(2024, 7, 1), family_poverty=True), ON, date(2024, 7, 1)),
])
def test_next_change_date(changes, on, next_change):
    facts = child(**changes)
    assert next_change_date(facts, on) == next_change
    if next_change is not None:
        before = replace(decide_categories(facts, next_change - timedelta(days=1)), age=None)
        after = replace(decide_categories(facts, next_change), age=None)
        assert before == replace(decide_categories(facts, on), age=None)
        assert before != after


# ---------------------------------------------------------------------------------------------
# Properties for any facts

def _dates():
    return st.one_of(st.dates(date(1995, 1, 1), date(2035, 12, 31)), st.dates())


def _parents():
    return st.one_of(st.none(), st.builds(
        ParentFacts,
        status=st.sampled_from(ParentStatus),
        since=st.one_of(st.none(), _dates()),
        capable=st.one_of(st.none(), st.booleans()),
    ))


_maybe_bool = st.one_of(st.none(), st.booleans())
_child_facts = st.builds(
    ChildFacts,
    birth_date=st.one_of(st.none(), _dates()),
    hukou_rural=_maybe_bool,
    hukou_region_code=st.one_of(st.none(), st.text(max_size=6)),
    in_three_areas=_maybe_bool,
    lives_in_home_area=_maybe_bool,
    outside_hukou_county_since=st.one_of(st.none(), _dates()),
    moved_within_same_city_districts=st.booleans(),
    family_poverty=_maybe_bool,
    own_disability=_maybe_bool,
    guardianship_lacking_with_harm=_maybe_bool,
    wandering=st.booleans(),
    psychological_anomaly=st.booleans(),
    asked_for_help=st.booleans(),
    mother=_parents(),
    father=_parents(),
)

_settings = settings(max_examples=400, deadline=None,
                     suppress_health_check=[HealthCheck.function_scoped_fixture])


@_settings
@given(born=st.dates(date(1900, 1, 1), date(2100, 12, 31)), years=st.integers(1, 120))
def test_ages_and_birthdays_agree(born, years):
    turns = birthday(born, years)
    assert age_on(born, turns) == years
    assert age_on(born, turns - timedelta(days=1)) == years - 1


@_settings
@given(facts=_child_facts, on=_dates(), presume=st.booleans())
def test_decision_invariants(facts, on, presume):
    decision = decide_categories(facts, on, presume=presume)
    assert not (decision.left_behind is True and decision.migrant is True)
    if decision.de_facto_unsupported is True:
        assert decision.in_difficulty is True
    assert not (decision.de_facto_unsupported is True and decision.orphan is True)
    if decision.age is not None and decision.age >= 18:
        assert set(decision.categories) <= {"in_difficulty", "orphan"}
        assert decision.categories == ()  # product rule: at 18 a child is in no category
    if decision.age is not None and decision.age >= 16:
        assert decision.left_behind is False and decision.migrant is False
    assert decision.focus_flags <= set(FOCUS_FLAG_CODES)
    assert set(decision.missing) <= set(FACT_CODES)
    assert list(decision.missing) == sorted(decision.missing, key=FACT_CODES.index)
    assert bool(decision.missing) == bool(decision.unknown_categories)
    for code in CATEGORY_CODES:
        assert (getattr(decision, code) is None) == bool(decision.missing_for(code))
    assert decision.three_areas is facts.in_three_areas
    for code in CATEGORY_CODES:
        if decision.presumed_for(code):
            assert getattr(decision, code) is not None
    assert set(decision.presumed) <= set(FACT_CODES)
    if not presume:
        assert decision.presumed_by_category == ()
    else:  # only facts no presumption covers are ever missing
        assert set(decision.missing) <= UNCOVERED


def _complete(draw, facts: ChildFacts, on: date) -> ChildFacts:
    """Fill every unknown fact with some value, consistently with the known ones."""
    def parent(known: ParentFacts | None) -> ParentFacts:
        known = known or ParentFacts()
        status = known.status
        if status is ParentStatus.UNKNOWN:
            status = draw(st.sampled_from(
                [known for known in ParentStatus if known is not ParentStatus.UNKNOWN]))
        return ParentFacts(
            status=status,
            since=known.since if known.since is not None else draw(_dates()),
            capable=known.capable if known.capable is not None else draw(st.booleans()),
        )

    def known_or_any(value: bool | None) -> bool:
        return value if value is not None else draw(st.booleans())

    lives = facts.lives_in_home_area
    if lives is None:
        since = facts.outside_hukou_county_since
        outside = since is not None and since <= on and not facts.moved_within_same_city_districts
        lives = False if outside else draw(st.booleans())
    return replace(
        facts,
        birth_date=facts.birth_date if facts.birth_date is not None else draw(_dates()),
        lives_in_home_area=lives,
        family_poverty=known_or_any(facts.family_poverty),
        own_disability=known_or_any(facts.own_disability),
        guardianship_lacking_with_harm=known_or_any(facts.guardianship_lacking_with_harm),
        mother=parent(facts.mother),
        father=parent(facts.father),
    )


@_settings
@given(data=st.data(), facts=_child_facts, on=_dates())
def test_a_decided_category_never_depends_on_a_missing_fact(data, facts, on):
    """Whatever the missing facts turn out to be, a category decided without them stays."""
    decision = strict(facts, on)
    completed = strict(_complete(data.draw, facts, on), on)
    for code in CATEGORY_CODES:
        if getattr(decision, code) is not None:
            assert getattr(completed, code) is getattr(decision, code), code


@_settings
@given(facts=_child_facts, on=st.dates(date(1995, 1, 1), date(2035, 12, 31)),
       days=st.integers(1, 20 * 366), presume=st.booleans())
def test_nothing_changes_before_the_next_change_date(facts, on, days, presume):
    later = on + timedelta(days=days)
    next_change = next_change_date(facts, on, presume=presume)
    today = replace(decide_categories(facts, on, presume=presume), age=None)
    if next_change is None or later < next_change:
        assert replace(decide_categories(facts, later, presume=presume), age=None) == today
    else:
        assert next_change > on
        assert replace(decide_categories(facts, next_change, presume=presume), age=None) != today


@_settings
@given(facts=_child_facts, on=st.dates(), presume=st.booleans())
def test_never_raises_even_at_the_ends_of_the_calendar(facts, on, presume):
    decide_categories(facts, on, presume=presume)
    next_change_date(facts, on, presume=presume)


@_settings
@given(facts=_child_facts, on=st.dates(date(1995, 1, 1), date(2035, 12, 31)),
       presume=st.booleans())
def test_next_change_date_is_the_same_given_the_decision_of_the_day(facts, on, presume):
    decided = decide_categories(facts, on, presume=presume)
    assert (next_change_date(facts, on, decided, presume=presume)
            == next_change_date(facts, on, presume=presume))


# ---------------------------------------------------------------------------------------------
# Presumptions (DOMAIN §3, product rule turn 2): what rosters really carry

#: Facts no presumption covers: only these leave a category unknown under the presumptions.
UNCOVERED = {"birth_date", "lives_in_home_area", "mother.status", "father.status"}
#: What a roster says: a status, no start date, no capacity, blanks for no difficulty.
SAID_AWAY = ParentFacts(S.WORKS_AWAY)
SAID_HOME = ParentFacts(S.AT_HOME)
ROSTER = ChildFacts(birth_date=date(2014, 3, 10), lives_in_home_area=True)


def presumed(on: date = ON, **changes) -> CategoryDecision:
    return decide_categories(replace(ROSTER, **changes), on)


def test_the_default_is_to_presume():
    facts = replace(ROSTER, mother=SAID_AWAY, father=SAID_AWAY)
    assert decide_categories(facts, ON) == decide_categories(facts, ON, presume=True)
    assert decide_categories(facts, ON, presume=False).left_behind is None


@pytest.mark.parametrize("mother, father, left_behind, presumed_facts", [
    # both said to work away, no dates, nothing about capacity: left-behind, presumed
    (SAID_AWAY, SAID_AWAY, True, ("mother.since", "father.since")),
    # one away (no date), the other at home: presumed capable, so not left-behind (presumed)
    (SAID_AWAY, SAID_HOME, False, ("father.capable",)),
    # a recorded capacity is no presumption
    (SAID_AWAY, ParentFacts(S.AT_HOME, capable=True), False, ()),
    # the other parent at home and recorded seriously ill: only the start date is presumed
    (SAID_AWAY, ParentFacts(S.AT_HOME, capable=False), True, ("mother.since",)),
    # a dated status is no presumption; deceased needs none
    (AWAY, DEAD, True, ()),
    (SAID_AWAY, DEAD, True, ("mother.since",)),
    # out of contact / imprisoned without a date: presumed six months
    (SAID_AWAY, ParentFacts(S.OUT_OF_CONTACT), True, ("mother.since", "father.since")),
    (AWAY, ParentFacts(S.IMPRISONED), True, ("father.since",)),
    # an incapable parent cannot care however long the status lasted: no presumption needed
    (AWAY, ParentFacts(S.IMPRISONED, capable=False), True, ()),
])
def test_left_behind_on_presumptions(mother, father, left_behind, presumed_facts):
    decision = presumed(mother=mother, father=father)
    assert decision.left_behind is left_behind
    assert decision.presumed_for("left_behind") == presumed_facts
    assert decision.missing == ()
    # the strict rules agree once the presumed facts are recorded as presumed
    recorded = decide(mother=_as_presumed(mother), father=_as_presumed(father))
    assert recorded.left_behind is left_behind


def _as_presumed(parent: ParentFacts | None) -> ParentFacts | None:
    if parent is None:
        return None
    since = parent.since
    if since is None and parent.status in (S.WORKS_AWAY, S.OUT_OF_CONTACT, S.IMPRISONED):
        since = date(1, 1, 1)
    return replace(parent, since=since, capable=True if parent.capable is None else parent.capable)


def test_unrecorded_difficulty_is_no_and_blank_reads_as_recorded_no():
    blank = presumed(mother=AWAY, father=AWAY)
    said_no = presumed(mother=AWAY, father=AWAY, family_poverty=False, own_disability=False,
                       guardianship_lacking_with_harm=False)
    assert blank.in_difficulty is False
    assert blank == said_no  # reported the same way: no marker, nothing missing
    assert blank.presumed_for("in_difficulty") == ()
    assert presumed(own_disability=True).in_difficulty is True


def test_de_facto_unsupported_on_presumptions():
    decision = presumed(mother=ParentFacts(S.IMPRISONED), father=DEAD)
    assert decision.de_facto_unsupported is True
    assert decision.in_difficulty is True
    assert decision.presumed_for("de_facto_unsupported") == ("mother.since",)
    assert decision.presumed_for("in_difficulty") == ("mother.since",)
    assert "guardianship_lacking" in decision.focus_flags


@pytest.mark.parametrize("changes, category, missing", [
    (dict(birth_date=None, mother=SAID_AWAY, father=SAID_AWAY), "left_behind", ("birth_date",)),
    (dict(lives_in_home_area=None, mother=SAID_AWAY, father=SAID_AWAY), "left_behind",
     ("lives_in_home_area",)),
    # the other parent's status: no presumption covers it
    (dict(mother=None, father=SAID_AWAY), "left_behind", ("mother.status",)),
    (dict(mother=ParentFacts(S.UNKNOWN), father=SAID_AWAY), "left_behind", ("mother.status",)),
    (dict(mother=None, father=DEAD), "orphan", ("mother.status",)),
])
def test_unknown_only_for_facts_no_presumption_covers(changes, category, missing):
    decision = presumed(**changes)
    assert getattr(decision, category) is None
    assert decision.missing_for(category) == missing


def test_presumptions_never_change_with_time():
    facts = replace(ROSTER, mother=SAID_AWAY, father=SAID_AWAY)
    assert next_change_date(facts, ON) == date(2030, 3, 10)  # the 16th birthday only


def _fill_presumed(facts: ChildFacts) -> ChildFacts:
    """Record every presumed fact as the presumption has it."""
    def no(value):
        return False if value is None else value

    return replace(facts, family_poverty=no(facts.family_poverty),
                   own_disability=no(facts.own_disability),
                   guardianship_lacking_with_harm=no(facts.guardianship_lacking_with_harm),
                   mother=_as_presumed(facts.mother or ParentFacts()),
                   father=_as_presumed(facts.father or ParentFacts()))


@_settings
@given(facts=_child_facts, on=st.dates(date(1995, 1, 1), date(2035, 12, 31)))
def test_presuming_is_the_strict_rules_with_the_presumed_facts_recorded(facts, on):
    with_presumptions = replace(decide_categories(facts, on), presumed_by_category=())
    assert with_presumptions == strict(_fill_presumed(facts), on)


@_settings
@given(data=st.data(), facts=_child_facts, on=st.dates(date(1995, 1, 1), date(2035, 12, 31)))
def test_a_category_resting_on_no_presumption_never_depends_on_a_presumed_fact(data, facts, on):
    """Whatever the presumed facts turn out to be, a category that does not say "presumed"
    stays (difficulty facts not recorded are "no", not presumptions: they stay "no")."""
    facts = replace(facts, family_poverty=facts.family_poverty or False,
                    own_disability=facts.own_disability or False,
                    guardianship_lacking_with_harm=facts.guardianship_lacking_with_harm or False)
    decision = decide_categories(facts, on)
    completed = strict(_complete(data.draw, facts, on), on)
    for code in CATEGORY_CODES:
        if getattr(decision, code) is not None and not decision.presumed_for(code):
            assert getattr(completed, code) is getattr(decision, code), code


# -- decisions remembered by what the facts mean on the day ----------------------------------

_days = st.dates(min_value=date(2005, 1, 1), max_value=date(2030, 12, 31))
_tri = st.none() | st.booleans()
_parents = st.none() | st.builds(ParentFacts, status=st.sampled_from(list(ParentStatus)),
                                 since=st.none() | _days, capable=_tri)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(facts=st.builds(
    ChildFacts, birth_date=st.none() | _days, in_three_areas=_tri, lives_in_home_area=_tri,
    outside_hukou_county_since=st.none() | _days,
    moved_within_same_city_districts=st.booleans(), family_poverty=_tri, own_disability=_tri,
    guardianship_lacking_with_harm=_tri, wandering=st.booleans(),
    psychological_anomaly=st.booleans(), asked_for_help=st.booleans(), mother=_parents,
    father=_parents),
    on=_days, presume=st.booleans())
def test_a_remembered_decision_is_the_decision_the_rules_make(facts, on, presume):
    """The decisions are kept by what the dates mean on the day (ages under 16 and 18, six months
    passed); whatever other child shared that meaning first, the answer is this child's own."""
    from plugin.registry import categories

    made = categories._decide(facts, on, categories._age(facts, on), presume)
    assert decide_categories(facts, on, presume=presume) == made
    assert decide_categories(facts, on, presume=presume) == made  # from the cache
