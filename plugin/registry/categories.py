"""Deciding a child's categories from facts as of a date (DOMAIN §3).

Everything here is pure: no database, no Flask, no clock, no I/O. The caller gathers the facts
(:class:`ChildFacts` with one :class:`ParentFacts` per parent), picks the date, and stores what
:func:`decide_categories` returns; :func:`next_change_date` says when time alone (a birthday, a
6-month mark) would change the answer, so a daily job knows whom to recompute.

Dates are plain :class:`datetime.date` values. Ages count in whole years on the date in the
Asia/Shanghai time zone (the company's zone): the caller converts "now" to that local date and
passes it in; this module never looks at a clock or a time zone.

Three-valued answers: each category is ``True``, ``False`` or ``None`` (unknown). Unknown is
given only when the answer really depends on a missing fact, and then the missing facts are
named (``CategoryDecision.missing``); when the answer is the same whatever the missing fact is
(a 16-year-old is not left-behind whatever the parents do), it is decided.

Product rules chosen where DOMAIN is silent (each is tested in ``tests/test_categories.py``):

* **Six months.** A period that started on day *D* has lasted six months from the same
  day-of-month six months later, clamped to the last day of a shorter month (Civil Code Art. 202:
  "没有对应日的，月末日为期间的最后一日"): since 1 Dec → counts from 1 Jun (31 May is
  5 months 30 days, not enough); since 31 Aug → counts from 28 Feb (29 Feb in a leap year).
  A ``since`` in the future (after the decision date) has not lasted at all.
* **Birthdays.** A child turns *n* on the same month and day *n* years after birth; a child born
  on 29 February turns a year older on 1 March in non-leap years (DOMAIN). "Under 16" stops *on*
  the 16th birthday; "under 18" stops on the 18th. A birth date after the decision date is
  treated as a missing ``birth_date`` (bad data, never a guess).
* **One ``since`` per parent**, meaning the start of the current status: working away (short
  visits home do not break it), out of contact, or imprisoned/detained. Those three statuses
  count only once they have lasted six months; before that the parent is neither "working away"
  nor "out of contact"/"imprisoned" (so, if capable, the parent is treated as able to care and
  the child is not yet left-behind or de facto unsupported). Deceased and in compulsory
  rehabilitation need no duration.
* **Capacity covers "seriously ill" and "seriously disabled".** ``capable=False`` means serious
  illness, disability grade 1–2, or grade 3–4 mental/intellectual disability: exactly the
  重病/重残 of 民发〔2019〕62号, so one fact serves the left-behind rule (无监护能力) and the
  de facto unsupported rule. A parent with ``capable=False`` cannot care whatever the status.
* **"Cannot care" is the same list for both rules:** not capable, deceased, out of contact 6+
  months, imprisoned/detained 6+ months, in compulsory rehabilitation. An unknown parent
  (``None``) or ``ParentStatus.UNKNOWN`` is a missing fact, not an absent parent.
* **Home area = hukou county.** ``lives_in_home_area`` says whether the child lives there. A
  recorded ``outside_hukou_county_since`` on or before the date implies the child does not live
  in its home area when ``lives_in_home_area`` is not recorded. When both are recorded and
  contradict each other, ``lives_in_home_area=True`` wins (the date is stale).
* **Left-behind vs migrant.** Left-behind needs the child to live in its home area; migrant needs
  the opposite (``lives_in_home_area=True`` makes migrant False), so a child is never both. A
  child who lives with working-away parents outside its hukou county is migrant (after six
  months), not left-behind.
* **Migrant facts.** ``outside_hukou_county_since=None`` means "not living outside the hukou
  county with a parent or guardian" once the residence is recorded (``lives_in_home_area`` not
  None); with neither recorded, migrant is unknown (missing ``lives_in_home_area``). Moves inside
  one city's central districts (``moved_within_same_city_districts``) never make a migrant.
* **Ages for the other categories.** In difficulty, de facto unsupported and orphan all need
  age < 18 (儿童 = under 18): at 18 every category is False. So a missing birth date leaves
  in-difficulty unknown even when the family is poor.
* **Orphan** = both parents deceased and under 18. An orphan is not de facto unsupported, and is
  *not* automatically in difficulty (orphans have their own support; only de facto unsupported
  children are in difficulty by definition) — but gets the ``guardianship_lacking`` flag.
* **Focus flags** are raised only by facts known to be true (unknown never flags):
  ``family_hardship`` ← family poverty; ``own_disability``; ``guardianship_lacking`` ←
  guardianship lacking with harm, or de facto unsupported, or orphan; ``wandering``;
  ``psychological_anomaly``; ``asked_for_help``. Flags do not depend on age. 三区三州 is not a
  flag but its own field, ``three_areas``, passed through from ``ChildFacts.in_three_areas``
  (the caller computes it from the hukou region code).
* **Hukou type** (rural/urban) is recorded and reported but never excludes.

Presumptions (DOMAIN §3, "Presumptions", product rule turn 2), applied unless
``decide_categories(..., presume=False)`` asks for the strict rules above:

* A difficulty fact not recorded (``family_poverty``, ``own_disability``,
  ``guardianship_lacking_with_harm``) counts as "no": such facts are raised where they exist, so
  a blank and a recorded 否 are decided and reported the same way (no presumption marker).
* A declared timed status (works away, out of contact, imprisoned/detained) without ``since`` is
  presumed to have lasted six months (marker ``<parent>.since``); it never changes with time.
* A parent's ``capable`` not recorded is presumed ``True`` (marker ``<parent>.capable``);
  serious illness or disability must be recorded as ``capable=False``.
* A decided category says which presumptions it rests on (``CategoryDecision.presumed_for``):
  the presumed facts among those that decided it. With every presumed fact recorded as
  presumed, the strict rules give the same answer (property-tested). A category is unknown only
  when a fact no presumption covers is missing: ``birth_date``, ``lives_in_home_area`` or a
  parent's ``status``.
"""
from __future__ import annotations

import calendar
import enum
from collections.abc import Iterable
from dataclasses import dataclass, field, fields, replace
from datetime import date

#: Months a status (working away, out of contact, imprisoned, living outside the hukou county)
#: must have lasted before it counts.
THRESHOLD_MONTHS = 6
#: Left-behind and migrant children are under this age.
LEFT_BEHIND_AGE_LIMIT = 16
#: Children (in difficulty, de facto unsupported, orphans) are under this age.
CHILD_AGE_LIMIT = 18

LEFT_BEHIND = "left_behind"
MIGRANT = "migrant"
IN_DIFFICULTY = "in_difficulty"
DE_FACTO_UNSUPPORTED = "de_facto_unsupported"
ORPHAN = "orphan"
#: Category codes in display order.
CATEGORY_CODES: tuple[str, ...] = (
    LEFT_BEHIND, MIGRANT, IN_DIFFICULTY, DE_FACTO_UNSUPPORTED, ORPHAN)

#: Focus flag codes (2024 monitoring priorities) in display order.
FOCUS_FLAG_CODES: tuple[str, ...] = (
    "family_hardship", "own_disability", "guardianship_lacking", "wandering",
    "psychological_anomaly", "asked_for_help",
)

#: Every fact code that can appear in ``CategoryDecision.missing``, in the order they are listed.
FACT_CODES: tuple[str, ...] = (
    "birth_date", "lives_in_home_area", "family_poverty", "own_disability",
    "guardianship_lacking_with_harm",
    "mother.status", "mother.since", "mother.capable",
    "father.status", "father.since", "father.capable",
)
_FACT_ORDER = {code: index for index, code in enumerate(FACT_CODES)}


class ParentStatus(str, enum.Enum):
    """Where a parent is, as of a date. Stored by value."""

    WORKS_AWAY = "works_away"                # across county lines; counts after 6 months
    AT_HOME = "at_home"
    DECEASED = "deceased"
    OUT_OF_CONTACT = "out_of_contact"        # counts after 6 months
    IMPRISONED = "imprisoned"                # imprisoned or detained; counts after 6 months
    IN_REHABILITATION = "in_rehabilitation"  # compulsory (drug) rehabilitation
    UNKNOWN = "unknown"


#: Statuses that count only once they have lasted :data:`THRESHOLD_MONTHS` from ``since``.
TIMED_STATUSES = frozenset(
    {ParentStatus.WORKS_AWAY, ParentStatus.OUT_OF_CONTACT, ParentStatus.IMPRISONED})


@dataclass(frozen=True)
class ParentFacts:
    """Facts about one parent as of the decision date.

    ``since`` is the start of the current status period for ``WORKS_AWAY`` (the continuous
    period of working across county lines; short visits home do not break it),
    ``OUT_OF_CONTACT`` and ``IMPRISONED``; it is ignored for the other statuses.
    ``capable`` is guardianship capacity: ``False`` for serious illness, disability grade 1–2 or
    grade 3–4 mental/intellectual disability (i.e. seriously ill or seriously disabled);
    ``None`` unknown.
    """

    status: ParentStatus = ParentStatus.UNKNOWN
    since: date | None = None
    capable: bool | None = None


@dataclass(frozen=True)
class ChildFacts:
    """Facts about a child and both parents. ``None`` means unknown unless said otherwise."""

    birth_date: date | None = None
    #: Recorded and reported, never excludes a category.
    hukou_rural: bool | None = None
    hukou_region_code: str | None = None
    #: 三区三州, computed by the caller from the hukou region code; passed through.
    in_three_areas: bool | None = None
    #: The child lives in its home area (hukou county).
    lives_in_home_area: bool | None = None
    #: Since when the child has lived with a parent or guardian outside its hukou county;
    #: ``None`` = it does not (see the module notes for when that is "unknown").
    outside_hukou_county_since: date | None = None
    #: The move was inside one city's central districts: never migration.
    moved_within_same_city_districts: bool = False
    #: Subsistence allowance, extreme-poverty support or low-income household.
    family_poverty: bool | None = None
    own_disability: bool | None = None
    #: Guardianship lacking or improper, with harm or threat of harm.
    guardianship_lacking_with_harm: bool | None = None
    wandering: bool = False
    psychological_anomaly: bool = False
    asked_for_help: bool = False
    #: ``None`` = nothing known about that parent.
    mother: ParentFacts | None = None
    father: ParentFacts | None = None


@dataclass(frozen=True)
class CategoryDecision:
    """The categories of one child on one date. ``None`` = unknown (see ``missing``)."""

    left_behind: bool | None
    migrant: bool | None
    in_difficulty: bool | None
    de_facto_unsupported: bool | None
    orphan: bool | None
    #: Facts whose absence left some category unknown, in :data:`FACT_CODES` order.
    missing: tuple[str, ...] = ()
    #: ``(category, presumed facts)`` for each decided category that rests on a presumption,
    #: in :data:`CATEGORY_CODES` order (see the module notes, "Presumptions").
    presumed_by_category: tuple[tuple[str, tuple[str, ...]], ...] = ()
    #: ``(category, missing facts)`` for each unknown category, in :data:`CATEGORY_CODES` order.
    missing_by_category: tuple[tuple[str, tuple[str, ...]], ...] = ()
    focus_flags: frozenset[str] = field(default_factory=frozenset)
    three_areas: bool | None = None
    age: int | None = None

    @property
    def categories(self) -> tuple[str, ...]:
        """Codes of the categories that are True, in display order."""
        return tuple(code for code in CATEGORY_CODES if getattr(self, code) is True)

    @property
    def unknown_categories(self) -> tuple[str, ...]:
        """Codes of the categories that could not be decided."""
        return tuple(code for code in CATEGORY_CODES if getattr(self, code) is None)

    @property
    def flags(self) -> tuple[str, ...]:
        """Focus flags in display order."""
        return tuple(code for code in FOCUS_FLAG_CODES if code in self.focus_flags)

    def missing_for(self, category: str) -> tuple[str, ...]:
        """Facts missing for one category (empty when it was decided)."""
        return dict(self.missing_by_category).get(category, ())

    def presumed_for(self, category: str) -> tuple[str, ...]:
        """Presumed facts the category's decision rests on (empty when it rests on none)."""
        return dict(self.presumed_by_category).get(category, ())

    @property
    def presumed(self) -> tuple[str, ...]:
        """Every presumed fact some decided category rests on, in :data:`FACT_CODES` order."""
        return _ordered(code for _, codes in self.presumed_by_category for code in codes)

    @property
    def unknown_reason(self) -> str | None:
        """``"unknown (facts missing: birth_date, mother.status)"``, or None if all decided."""
        if not self.missing:
            return None
        return f"unknown (facts missing: {', '.join(self.missing)})"


# ---------------------------------------------------------------------------------------------
# Dates

def add_months(day: date, months: int) -> date:
    """The same day-of-month ``months`` later, clamped to the last day of a shorter month."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def threshold_date(since: date) -> date | None:
    """The first day on which a period that began on ``since`` has lasted six months.

    None when that day is beyond the calendar (``date.max``).
    """
    try:
        return add_months(since, THRESHOLD_MONTHS)
    except (ValueError, OverflowError):
        return None


def has_lasted(since: date, on: date) -> bool:
    """Has a period that began on ``since`` lasted six months on ``on``?"""
    reached = threshold_date(since)
    return reached is not None and reached <= on


def birthday(birth_date: date, years: int) -> date:
    """The day a child born on ``birth_date`` turns ``years`` (29 Feb → 1 Mar in common years)."""
    year = birth_date.year + years
    if birth_date.month == 2 and birth_date.day == 29 and not calendar.isleap(year):
        return date(year, 3, 1)
    return birth_date.replace(year=year)


def age_on(birth_date: date, day: date) -> int:
    """Age in whole years on ``day`` (the company's local date; the caller converts).

    A child born on 29 February turns a year older on 1 March in non-leap years. Raises
    :class:`ValueError` when ``day`` is before the birth date.
    """
    if day < birth_date:
        raise ValueError("the day is before the birth date")
    years = day.year - birth_date.year
    # In a common year (2, 29) sorts after 28 February and before 1 March, so a child born on
    # 29 February turns a year older on 1 March, as :func:`birthday` says.
    if (day.month, day.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


# ---------------------------------------------------------------------------------------------
# Three-valued logic that remembers which facts were missing

@dataclass(frozen=True)
class _Tri:
    value: bool | None
    missing: frozenset[str] = frozenset()
    #: Presumed facts a known ``value`` rests on (empty for an unknown one).
    presumed: frozenset[str] = frozenset()


_TRUE = _Tri(True)
_FALSE = _Tri(False)


def _known(value: bool) -> _Tri:
    return _TRUE if value else _FALSE


def _fact(value: bool | None, code: str) -> _Tri:
    return _Tri(None, frozenset({code})) if value is None else _known(value)


def _presumed(code: str, value: bool) -> _Tri:
    return _Tri(value, presumed=frozenset({code}))


def _deciding(parts: list[_Tri], value: bool) -> _Tri:
    """``value``, decided by any one of ``parts`` (each has that value): it rests on a
    presumption only when every one of them does."""
    if any(not part.presumed for part in parts):
        return _known(value)
    return _Tri(value, presumed=frozenset().union(*(part.presumed for part in parts)))


def _combine(parts: tuple[_Tri, ...], decisive: bool) -> _Tri:
    """``any`` (``decisive=True``) or ``all`` (``decisive=False``) of three-valued parts."""
    deciding = [part for part in parts if part.value is decisive]
    if deciding:
        return _deciding(deciding, decisive)
    unknown = [part for part in parts if part.value is None]
    if not unknown:  # every part has the other value: the result rests on all of them
        return _Tri(not decisive, presumed=frozenset().union(*(part.presumed for part in parts)))
    return _Tri(None, frozenset().union(*(part.missing for part in unknown)))


def _all(*parts: _Tri) -> _Tri:
    return _combine(parts, False)


def _any(*parts: _Tri) -> _Tri:
    return _combine(parts, True)


def _not(part: _Tri) -> _Tri:
    # Built directly: dataclasses.replace costs several times as much, on every decision.
    return part if part.value is None else _Tri(not part.value, part.missing, part.presumed)


def _ordered(codes: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(set(codes),
                        key=lambda code: (_FACT_ORDER.get(code, len(_FACT_ORDER)), code)))


# ---------------------------------------------------------------------------------------------
# Facts about one parent

def _status(parent: ParentFacts | None) -> ParentStatus | None:
    if parent is None or parent.status is ParentStatus.UNKNOWN:
        return None
    return parent.status


def _lasted(parent: ParentFacts, who: str, on: date, presume: bool) -> _Tri:
    if parent.since is None:
        if presume:  # a declared status without a start: presumed to have lasted six months
            return _presumed(f"{who}.since", True)
        return _Tri(None, frozenset({f"{who}.since"}))
    return _known(has_lasted(parent.since, on))


def _capable(parent: ParentFacts | None, who: str, presume: bool) -> _Tri:
    capable = None if parent is None else parent.capable
    if capable is None and presume:  # not recorded: presumed capable
        return _presumed(f"{who}.capable", True)
    return _fact(capable, f"{who}.capable")


def _works_away(parent: ParentFacts | None, who: str, on: date, presume: bool) -> _Tri:
    """Works away across county lines, for six months or more."""
    status = _status(parent)
    if status is None:
        return _Tri(None, frozenset({f"{who}.status"}))
    if status is not ParentStatus.WORKS_AWAY:
        return _FALSE
    return _lasted(parent, who, on, presume)


def _deceased(parent: ParentFacts | None, who: str) -> _Tri:
    status = _status(parent)
    if status is None:
        return _Tri(None, frozenset({f"{who}.status"}))
    return _known(status is ParentStatus.DECEASED)


def _cannot_care(parent: ParentFacts | None, who: str, on: date, presume: bool) -> _Tri:
    """Not capable, deceased, out of contact or imprisoned 6+ months, or in rehabilitation."""
    not_capable = _not(_capable(parent, who, presume))
    status = _status(parent)
    if status is None:
        return _any(_Tri(None, frozenset({f"{who}.status"})), not_capable)
    if status in (ParentStatus.DECEASED, ParentStatus.IN_REHABILITATION):
        return _TRUE
    if status in (ParentStatus.OUT_OF_CONTACT, ParentStatus.IMPRISONED):
        return _any(_lasted(parent, who, on, presume), not_capable)
    return not_capable  # works away or at home: only incapacity stops them caring


# ---------------------------------------------------------------------------------------------
# The decision

def _age(facts: ChildFacts, on: date) -> int | None:
    if facts.birth_date is None:
        return None
    try:
        return age_on(facts.birth_date, on)
    except ValueError:
        return None


def _under(age: int | None, limit: int) -> _Tri:
    return _Tri(None, frozenset({"birth_date"})) if age is None else _known(age < limit)


def _outside_started(facts: ChildFacts, on: date) -> bool:
    """Recorded as living with a parent/guardian outside the hukou county, as of ``on``."""
    since = facts.outside_hukou_county_since
    return since is not None and since <= on and not facts.moved_within_same_city_districts


def _in_home_area(facts: ChildFacts, on: date) -> _Tri:
    if facts.lives_in_home_area is not None:
        return _known(facts.lives_in_home_area)
    if _outside_started(facts, on):
        return _FALSE
    return _Tri(None, frozenset({"lives_in_home_area"}))


def _outside_six_months(facts: ChildFacts, on: date) -> _Tri:
    if facts.lives_in_home_area is True or facts.moved_within_same_city_districts:
        return _FALSE
    since = facts.outside_hukou_county_since
    if since is None:
        if facts.lives_in_home_area is None:  # nothing known about where the child lives
            return _Tri(None, frozenset({"lives_in_home_area"}))
        return _FALSE
    return _known(has_lasted(since, on))


def _difficulty(value: bool | None, code: str, presume: bool) -> _Tri:
    """A difficulty fact; not recorded counts as "no" under the presumptions (no marker: a
    blank and a recorded 否 are reported the same way)."""
    if value is None and presume:
        return _FALSE
    return _fact(value, code)


#: What two decisions are compared on when the age does not matter (a category, a flag…).
_COMPARED_FIELDS = tuple(each.name for each in fields(CategoryDecision) if each.name != "age")
#: Decisions already made, by :func:`_decision_key` (a roster's children share a few hundred
#: kinds of facts; the dates only matter through what has happened by the day).
_DECISIONS: dict[tuple, CategoryDecision] = {}
_DECISIONS_KEPT = 20_000


def decide_categories(facts: ChildFacts, on: date, *, presume: bool = True) -> CategoryDecision:
    """Decide the child's categories on ``on`` (the company's local date). Never raises.

    ``presume=False`` applies the strict rules, without the presumptions of the module notes.
    """
    decided, age = _remembered(facts, on, presume)
    return decided if decided.age == age else replace(decided, age=age)


def _remembered(facts: ChildFacts, on: date, presume: bool) -> tuple[CategoryDecision, int | None]:
    """The decision for facts meaning the same on the day (its ``age`` may be another child's),
    and this child's age."""
    age = _age(facts, on)
    key = _decision_key(facts, on, age, presume)
    decided = _DECISIONS.get(key)
    if decided is None:
        decided = _decide(facts, on, age, presume)
        if len(_DECISIONS) >= _DECISIONS_KEPT:
            _DECISIONS.clear()
        _DECISIONS[key] = decided
    return decided, age


def _same_but_age(one: CategoryDecision, other: CategoryDecision) -> bool:
    return one is other or all(getattr(one, name) == getattr(other, name)
                               for name in _COMPARED_FIELDS)


def _parent_key(parent: ParentFacts | None, on: date) -> tuple | None:
    if parent is None:
        return None
    return (parent.status, parent.capable,
            None if parent.since is None else has_lasted(parent.since, on))


def _decision_key(facts: ChildFacts, on: date, age: int | None, presume: bool) -> tuple:
    """Everything :func:`_decide` reads, with each date replaced by what it means on ``on``: the
    age by the limits it is under, a start by whether six months have passed. Two children with
    the same key get the same decision (but for ``age``)."""
    since = facts.outside_hukou_county_since
    return (
        presume,
        None if age is None else (age < LEFT_BEHIND_AGE_LIMIT, age < CHILD_AGE_LIMIT),
        _parent_key(facts.mother, on), _parent_key(facts.father, on),
        facts.lives_in_home_area, facts.moved_within_same_city_districts,
        None if since is None else (since <= on, has_lasted(since, on)),
        facts.family_poverty, facts.own_disability, facts.guardianship_lacking_with_harm,
        facts.wandering, facts.psychological_anomaly, facts.asked_for_help, facts.in_three_areas,
    )


def _decide(facts: ChildFacts, on: date, age: int | None, presume: bool) -> CategoryDecision:
    mother, father = facts.mother, facts.father

    mother_away = _works_away(mother, "mother", on, presume)
    father_away = _works_away(father, "father", on, presume)
    mother_cannot = _cannot_care(mother, "mother", on, presume)
    father_cannot = _cannot_care(father, "father", on, presume)
    both_deceased = _all(_deceased(mother, "mother"), _deceased(father, "father"))

    left_behind = _all(
        _under(age, LEFT_BEHIND_AGE_LIMIT),
        _in_home_area(facts, on),
        _any(mother_away, mother_cannot),
        _any(father_away, father_cannot),
        _any(mother_away, father_away),
    )
    migrant = _all(_under(age, LEFT_BEHIND_AGE_LIMIT), _outside_six_months(facts, on))
    under_18 = _under(age, CHILD_AGE_LIMIT)
    de_facto = _all(under_18, mother_cannot, father_cannot, _not(both_deceased))
    orphan = _all(under_18, both_deceased)
    in_difficulty = _all(under_18, _any(
        _difficulty(facts.family_poverty, "family_poverty", presume),
        _difficulty(facts.own_disability, "own_disability", presume),
        _difficulty(facts.guardianship_lacking_with_harm, "guardianship_lacking_with_harm",
                    presume),
        de_facto,
    ))

    decided = {
        LEFT_BEHIND: left_behind, MIGRANT: migrant, IN_DIFFICULTY: in_difficulty,
        DE_FACTO_UNSUPPORTED: de_facto, ORPHAN: orphan,
    }
    missing_by_category = tuple(
        (code, _ordered(decided[code].missing))
        for code in CATEGORY_CODES if decided[code].value is None)
    presumed_by_category = tuple(
        (code, _ordered(decided[code].presumed))
        for code in CATEGORY_CODES if decided[code].value is not None and decided[code].presumed)

    flags = set()
    if facts.family_poverty is True:
        flags.add("family_hardship")
    if facts.own_disability is True:
        flags.add("own_disability")
    if (facts.guardianship_lacking_with_harm is True or de_facto.value is True
            or orphan.value is True):
        flags.add("guardianship_lacking")
    for code in ("wandering", "psychological_anomaly", "asked_for_help"):
        if getattr(facts, code) is True:
            flags.add(code)

    return CategoryDecision(
        left_behind=left_behind.value,
        migrant=migrant.value,
        in_difficulty=in_difficulty.value,
        de_facto_unsupported=de_facto.value,
        orphan=orphan.value,
        missing=_ordered(code for _, codes in missing_by_category for code in codes),
        missing_by_category=missing_by_category,
        presumed_by_category=presumed_by_category,
        focus_flags=frozenset(flags),
        three_areas=facts.in_three_areas,
        age=age,
    )


def _time_points(facts: ChildFacts) -> set[date]:
    """Every date on which time alone may change some part of the decision."""
    points: set[date] = set()

    def add(make) -> None:
        try:
            points.add(make())
        except (ValueError, OverflowError):
            pass  # beyond the calendar

    if facts.birth_date is not None:
        points.add(facts.birth_date)
        add(lambda: birthday(facts.birth_date, LEFT_BEHIND_AGE_LIMIT))
        add(lambda: birthday(facts.birth_date, CHILD_AGE_LIMIT))
    for parent in (facts.mother, facts.father):
        if parent is not None and parent.status in TIMED_STATUSES and parent.since is not None:
            reached = threshold_date(parent.since)
            if reached is not None:
                points.add(reached)
    since = facts.outside_hukou_county_since
    if since is not None:
        points.add(since)
        reached = threshold_date(since)
        if reached is not None:
            points.add(reached)
    return points


def next_change_date(facts: ChildFacts, on: date,
                     decided: CategoryDecision | None = None, *,
                     presume: bool = True) -> date | None:
    """The earliest date after ``on`` on which time alone changes the decision, or None.

    Candidates are the birth date, the 16th and 18th birthdays, each timed parent status's
    six-month mark and the child's outside-hukou-county start and six-month mark; the decision
    is constant between them, so the first candidate whose decision differs from today's is
    returned. The ``age`` field is ignored (it changes every birthday without changing a
    category). Facts being edited is not "time alone": the caller recomputes then anyway.
    ``decided`` is the decision on ``on`` when the caller already has it (decided with the same
    ``presume``).
    """
    today = decided or _remembered(facts, on, presume)[0]
    for point in sorted(point for point in _time_points(facts) if point > on):
        if not _same_but_age(_remembered(facts, point, presume)[0], today):
            return point
    return None
