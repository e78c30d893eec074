"""Allowance policies: a unit's versions, and adding one.

A version is never changed: the company (or a subsidiary or site, overriding it for its subtree)
adds a new one, from a first month on (:mod:`.rules` says which applies to whom). A version
names who is eligible, the minutes and megabytes a month, the carrier whose batch files carry
them (a registered :mod:`.carriers` format), what a minute and a megabyte cost in integer fen,
whether joiners are pro-rated; or it is ``suspended``: nothing is granted in the unit's subtree
from its first month on (the units above do not step in).

Every field is checked and every error reported at once (:class:`PolicyRefused`); nothing is
stored then. The first month is the 1st of a month, not before the current one: months already
granted keep their grants.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from ..audit.services import record_event
from ..core.clock import local_today
from ..core.db import lock_rows, session
from ..core.errors import CareBridgeError, InputInvalid, ValidationError
from ..core.host import Actor
from ..core.i18n import N_
from ..core.money import format_yuan
from ..org.models import OrgUnit
from ..org.queries import unit_id_in_subtrees
from . import grants, rules
from .carriers import carrier_format, carrier_formats
from .models import AllowancePolicy, Eligibility

POLICY_ADDED = "family_contact.policy_added"
#: Most minutes and megabytes a month a policy may give (a typo's ceiling: 100 hours, 100 GB).
MAX_MINUTES = 6_000
MAX_DATA_MB = 102_400
#: Dearest minute or megabyte: 100 yuan.
MAX_UNIT_COST_FEN = 10_000

UNIT_REQUIRED = N_("请选择政策适用的单位")
ELIGIBILITY_REQUIRED = N_("请选择发放对象")
AMOUNT_REQUIRED = N_("请填写数量（不发放请填 0）")
AMOUNT_NEGATIVE = N_("不能小于 0")
AMOUNT_TOO_LARGE = N_("每月不能超过 %(max)s")
NOTHING_GRANTED = N_("通话分钟数和流量不能都是 0；不再发放请选择“暂停发放”")
CARRIER_REQUIRED = N_("请选择运营商")
CARRIER_UNKNOWN = N_("不支持运营商“%(code)s”，请从列表中选择")
COST_REQUIRED = N_("请填写单价（元，不收费填 0）")
COST_TOO_HIGH = N_("单价不能超过 %(max)s 元")
MONTH_REQUIRED = N_("请填写从哪个月开始")
NOT_FIRST_OF_MONTH = N_("开始月份应为某月 1 日")
MONTH_PASSED = N_("开始月份不能早于本月（%(month)s）：已发放的月份不再改变")


@dataclass(frozen=True)
class PolicyInput:
    """A new version as typed: amounts are counts, costs integer fen, ``starts_on`` a month's
    1st. ``None`` is what was left empty."""

    eligibility: Eligibility | None = None
    minutes_per_month: int | None = None
    data_mb_per_month: int | None = None
    carrier: str | None = None
    minute_cost_fen: int | None = None
    mb_cost_fen: int | None = None
    starts_on: date | None = None
    prorate_joiners: bool = False
    suspended: bool = False


class PolicyRefused(InputInvalid):
    """The version breaks a rule; ``errors`` names each field. Nothing was stored."""


# -- reading -------------------------------------------------------------------------------------

def versions_of(unit: OrgUnit) -> list[AllowancePolicy]:
    """The unit's versions, newest first."""
    return list(session.scalars(select(AllowancePolicy).where(
        AllowancePolicy.org_unit_id == unit.id).order_by(AllowancePolicy.version.desc())))


def latest_version(unit: OrgUnit) -> AllowancePolicy | None:
    return session.scalars(select(AllowancePolicy).where(AllowancePolicy.org_unit_id == unit.id)
                           .order_by(AllowancePolicy.version.desc()).limit(1)).first()


def versions_in_subtrees(paths: list[str]) -> dict[OrgUnit, list[AllowancePolicy]]:
    """The versions of every unit in these subtrees that has any, by unit (shallowest units
    first, then by path), each unit's newest first: one query."""
    if not paths:
        return {}
    by_unit: dict[OrgUnit, list[AllowancePolicy]] = {}
    for policy in session.scalars(
            select(AllowancePolicy).join(OrgUnit, OrgUnit.id == AllowancePolicy.org_unit_id)
            .where(unit_id_in_subtrees(AllowancePolicy.org_unit_id, paths))
            .order_by(OrgUnit.depth, OrgUnit.path, AllowancePolicy.version.desc())):
        by_unit.setdefault(policy.org_unit, []).append(policy)
    return by_unit


def policy_for_unit(unit: OrgUnit, month: date) -> AllowancePolicy | None:
    """The policy a worker of ``unit`` is granted by in ``month`` (:func:`.grants.policy_for_unit`:
    the nearest unit at or above it with a version in force), or None."""
    return grants.policy_for_unit(unit, month)


def in_force(unit: OrgUnit, month: date) -> AllowancePolicy | None:
    """The unit's own version in force for ``month`` (ignoring the units above)."""
    return rules.policy_in_force(versions_of(unit), month)


# -- adding a version ----------------------------------------------------------------------------

def _amount(value: int | None, field: str, maximum: int, errors: list[CareBridgeError]) -> int:
    if value is None:
        errors.append(ValidationError(AMOUNT_REQUIRED, field=field))
    elif value < 0:
        errors.append(ValidationError(AMOUNT_NEGATIVE, field=field))
    elif value > maximum:
        errors.append(ValidationError(AMOUNT_TOO_LARGE, field=field, max=maximum))
    else:
        return value
    return 0


def _cost(value: int | None, field: str, errors: list[CareBridgeError]) -> int:
    if value is None:
        errors.append(ValidationError(COST_REQUIRED, field=field))
    elif value < 0:
        errors.append(ValidationError(AMOUNT_NEGATIVE, field=field))
    elif value > MAX_UNIT_COST_FEN:
        errors.append(ValidationError(COST_TOO_HIGH, field=field,
                                      max=format_yuan(MAX_UNIT_COST_FEN)))
    else:
        return value
    return 0


def _first_month(starts_on: date | None, today: date, errors: list[CareBridgeError]) -> None:
    if starts_on is None:
        errors.append(ValidationError(MONTH_REQUIRED, field="starts_on"))
    elif starts_on.day != 1:
        errors.append(ValidationError(NOT_FIRST_OF_MONTH, field="starts_on"))
    elif starts_on < rules.first_of_month(today):
        errors.append(ValidationError(MONTH_PASSED, field="starts_on",
                                      month=today.strftime("%Y-%m")))


def check_policy(unit: OrgUnit | None, data: PolicyInput, *,
                 today: date | None = None) -> list[CareBridgeError]:
    """Every rule the version breaks (empty when it may be added)."""
    today = today or local_today()
    errors: list[CareBridgeError] = []
    if unit is None:
        errors.append(ValidationError(UNIT_REQUIRED, field="unit"))
    _first_month(data.starts_on, today, errors)
    if data.suspended:
        return errors  # nothing is granted: the other fields are kept as given, or copied
    if data.eligibility is None:
        errors.append(ValidationError(ELIGIBILITY_REQUIRED, field="eligibility"))
    found = len(errors)
    minutes = _amount(data.minutes_per_month, "minutes_per_month", MAX_MINUTES, errors)
    data_mb = _amount(data.data_mb_per_month, "data_mb_per_month", MAX_DATA_MB, errors)
    if len(errors) == found and minutes == 0 and data_mb == 0:
        errors.append(ValidationError(NOTHING_GRANTED, field="minutes_per_month"))
    if not data.carrier:
        errors.append(ValidationError(CARRIER_REQUIRED, field="carrier"))
    elif carrier_format(data.carrier) is None:
        errors.append(ValidationError(CARRIER_UNKNOWN, field="carrier", code=data.carrier))
    _cost(data.minute_cost_fen, "minute_cost_fen", errors)
    _cost(data.mb_cost_fen, "mb_cost_fen", errors)
    return errors


def _suspended_values(unit: OrgUnit, data: PolicyInput) -> dict:
    """A suspended version's other fields: as given, else the unit's newest version's, else
    nothing granted (they are shown, never used)."""
    previous = latest_version(unit)

    def pick(given, attribute: str, default):
        if given is not None:
            return given
        return getattr(previous, attribute) if previous is not None else default

    carrier = data.carrier if carrier_format(data.carrier) is not None else None
    return {
        "eligibility": pick(data.eligibility, "eligibility", Eligibility.LEFT_BEHIND_PARENTS),
        "minutes_per_month": max(0, min(MAX_MINUTES, pick(data.minutes_per_month,
                                                          "minutes_per_month", 0))),
        "data_mb_per_month": max(0, min(MAX_DATA_MB, pick(data.data_mb_per_month,
                                                          "data_mb_per_month", 0))),
        "carrier": pick(carrier, "carrier", next(iter(carrier_formats()), "")),
        "minute_cost_fen": min(MAX_UNIT_COST_FEN, pick(data.minute_cost_fen, "minute_cost_fen",
                                                       0)),
        "mb_cost_fen": min(MAX_UNIT_COST_FEN, pick(data.mb_cost_fen, "mb_cost_fen", 0)),
    }


def add_policy_version(unit: OrgUnit | None, data: PolicyInput, actor: Actor, *,
                       today: date | None = None) -> AllowancePolicy:
    """Add the unit's next version (see the module); :class:`PolicyRefused` with every error
    otherwise."""
    errors = check_policy(unit, data, today=today)
    if errors:
        raise PolicyRefused(errors)
    lock_rows(OrgUnit, [unit.id])  # two officers adding at once get versions n and n + 1
    version = (session.scalar(select(func.max(AllowancePolicy.version)).where(
        AllowancePolicy.org_unit_id == unit.id)) or 0) + 1
    values = _suspended_values(unit, data) if data.suspended else {
        "eligibility": data.eligibility, "minutes_per_month": data.minutes_per_month,
        "data_mb_per_month": data.data_mb_per_month, "carrier": data.carrier,
        "minute_cost_fen": data.minute_cost_fen, "mb_cost_fen": data.mb_cost_fen}
    policy = AllowancePolicy(org_unit_id=unit.id, version=version, starts_on=data.starts_on,
                             prorate_joiners=bool(data.prorate_joiners),
                             suspended=bool(data.suspended), created_by=actor.key[:100],
                             **values)
    session.add(policy)
    session.flush()
    record_event(POLICY_ADDED, actor, target_type="contact_policy", target_id=policy.id,
                 org_unit_id=unit.id, details={
                     "contact_version": version,
                     "contact_starts_on": policy.starts_on.isoformat(),
                     "contact_suspended": policy.suspended,
                     "contact_eligibility": policy.eligibility.value,
                     "contact_minutes": policy.minutes_per_month,
                     "contact_data_mb": policy.data_mb_per_month,
                     "contact_carrier": policy.carrier,
                     "contact_minute_cost_fen": policy.minute_cost_fen,
                     "contact_mb_cost_fen": policy.mb_cost_fen,
                     "contact_prorate": policy.prorate_joiners})
    return policy
