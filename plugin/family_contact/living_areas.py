"""Living areas (dormitories) of a site, whether free WiFi is there, who lives in each, and the
WiFi coverage of each site.

*Product rules* where the guidance is silent:

- A living area belongs to a site; its name is unique within the site. WiFi is there or not;
  when it is, the day it opened is required and is not after today; the bandwidth (Mbps) is
  optional. An area without WiFi keeps no date and no bandwidth.
- A worker lives in one living area at a time. Officers assign workers by pasting employee
  numbers; a worker already living in another area of the site moves. Only workers of the area's
  site (its subtree) who are employed today can be assigned; any number that is not one of them
  is named in the error and nobody is assigned. A number held by a worker of another site reads
  exactly as a number nobody holds.
- **Coverage** of a site today: the workers employed today in the site's subtree who live in an
  area with WiFi, divided by the workers employed today in the site's subtree (workers with no
  living area recorded count in the denominator only).

Each service checks everything first, then changes, flushes and audits; the caller commits.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..access.scope import Scope
from ..audit.services import record_event
from ..core.clock import utcnow
from ..core.db import lock_rows, session
from ..core.errors import ErrorList, InputInvalid, ValidationError
from ..core.host import Actor
from ..core.i18n import N_
from ..core.pagination import Page, paginate
from ..core.text import clean_free_text, drop_controls, fold_width
from ..org.models import OrgKind, OrgUnit
from ..registry.models import Worker
from ..registry.queries import employed_on
from .models import LivingArea, Residence

NAME_MAX = 100
#: 100 Gbit/s: anything above is a typing mistake.
BANDWIDTH_MAX = 100_000
#: Employee numbers one submission may assign.
NUMBERS_MAX = 2000

NEED_SITE = N_("请选择居住区所属的项目部")
NEED_NAME = N_("请填写居住区名称")
NAME_TAKEN = N_("%(site)s已有名为“%(name)s”的居住区")
NEED_SINCE = N_("有免费WiFi的，请填写开通日期")
SINCE_IN_FUTURE = N_("WiFi开通日期不能晚于今天")
BANDWIDTH_INVALID = N_("带宽请填写 1 到 %(max)s 之间的整数（单位 Mbps）")
NEED_NUMBERS = N_("请至少填写一个工号")
TOO_MANY_NUMBERS = N_("一次最多填写 %(max)s 个工号")
NUMBER_UNKNOWN = N_("找不到工号为 %(number)s 的职工，或该职工不在%(site)s")
NUMBER_LEFT = N_("工号为 %(number)s 的职工已离职，不能登记入住")

_SEPARATORS = re.compile(r"[\s,;，；、]+")


@dataclass(frozen=True)
class AreaInput:
    """What the officer fills in about a living area."""

    name: str | None
    wifi: bool = False
    wifi_since: date | None = None
    bandwidth_mbps: int | None = None


@dataclass
class Assignment:
    """Employee numbers of one assignment: newly housed, moved from another area, already
    living here."""

    housed: list[str] = field(default_factory=list)
    moved: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class SiteCoverage:
    site: OrgUnit
    employed: int
    covered: int

    @property
    def percent(self) -> int | None:
        """Whole percent, rounded down (399 of 400 is 99 %, never 100 %); None without
        workers."""
        return None if not self.employed else 100 * self.covered // self.employed


# --- reading ------------------------------------------------------------------------------------

def get_area(area_id: int) -> LivingArea | None:
    return session.get(LivingArea, area_id)


def sites_in(scope: Scope) -> list[OrgUnit]:
    """The sites of ``scope``, by path (a site's areas are kept under it)."""
    return list(session.scalars(select(OrgUnit).where(
        OrgUnit.kind == OrgKind.SITE, scope.contains_unit_id(OrgUnit.id)).order_by(OrgUnit.path)))


def _residents_count(today: date):
    """Correlated count of the employed workers living in the area (a selectable column)."""
    return (select(func.count()).select_from(Residence)
            .join(Worker, Worker.id == Residence.worker_id)
            .where(Residence.living_area_id == LivingArea.id, employed_on(today))
            .correlate(LivingArea).scalar_subquery().label("residents"))


def areas_page(scope: Scope, today: date, *, unit: OrgUnit | None = None, page: int = 1,
               per_page: int = 50) -> Page:
    """Living areas of ``scope`` (of ``unit``'s subtree when given) as rows of ``(area,
    residents employed today)``, by site and name: two queries whatever the page holds."""
    statement = (select(LivingArea, _residents_count(today))
                 .join(OrgUnit, OrgUnit.id == LivingArea.org_unit_id)
                 .where(scope.contains_unit_id(LivingArea.org_unit_id)))
    if unit is not None:
        statement = statement.where(Scope.of_unit(unit).contains_unit_id(LivingArea.org_unit_id))
    statement = statement.order_by(OrgUnit.path, LivingArea.name, LivingArea.id)
    return paginate(statement, page, per_page, scalars=False)


def residents_page(area: LivingArea, today: date, *, page: int = 1, per_page: int = 100) -> Page:
    """The area's residents employed today as rows of ``(worker, since)``, by employee number."""
    statement = (select(Worker, Residence.since).join(Residence, Residence.worker_id == Worker.id)
                 .where(Residence.living_area_id == area.id, employed_on(today))
                 .order_by(Worker.employee_number))
    return paginate(statement, page, per_page, scalars=False)


def coverage_by_site(scope: Scope, today: date) -> list[SiteCoverage]:
    """WiFi coverage today of each site of ``scope``, in one grouped query over the workers
    (per unit, then each unit's counts go to the site above it). A unit with workers but no site
    above it stands for itself; sites without workers are listed with none."""
    covered = LivingArea.wifi.is_(True) & (LivingArea.wifi_since <= today)
    statement = (select(Worker.org_unit_id, func.count(), func.count().filter(covered))
                 .select_from(Worker)
                 .outerjoin(Residence, Residence.worker_id == Worker.id)
                 .outerjoin(LivingArea, LivingArea.id == Residence.living_area_id)
                 .where(scope.contains_unit_id(Worker.org_unit_id), employed_on(today))
                 .group_by(Worker.org_unit_id))
    per_unit = {unit_id: (employed, with_wifi)
                for unit_id, employed, with_wifi in session.execute(statement)}
    sites = {site.id: site for site in sites_in(scope)}
    units = {unit.id: unit for unit in session.scalars(
        select(OrgUnit).where(OrgUnit.id.in_(per_unit)))} if per_unit else {}
    totals = {site_id: [0, 0] for site_id in sites}
    for unit_id, (employed, with_wifi) in per_unit.items():
        unit = units[unit_id]
        site_id = next((ancestor for ancestor in reversed(unit.ancestor_ids)
                        if ancestor in sites), unit.id)
        sites.setdefault(site_id, unit)
        counts = totals.setdefault(site_id, [0, 0])
        counts[0] += employed
        counts[1] += with_wifi
    return [SiteCoverage(sites[site_id], *totals[site_id])
            for site_id in sorted(totals, key=lambda key: sites[key].path)]


# --- changing -----------------------------------------------------------------------------------

def save_area(area: LivingArea | None, data: AreaInput, *, site: OrgUnit | None, scope: Scope,
              actor: Actor, today: date) -> LivingArea:
    """Create a living area of ``site`` (``area`` None) or change ``area`` (its site stays;
    ``site`` is ignored). ``scope`` is where the actor may set up living areas."""
    errors = ErrorList()
    if area is None and (site is None or site.kind != OrgKind.SITE or not scope.covers(site)):
        errors.add(ValidationError(NEED_SITE, field="unit"))
    unit = area.org_unit if area is not None else site
    name = errors.collect(lambda: clean_free_text(data.name, max_length=NAME_MAX, field="name"))
    if not name and not any(error.field == "name" for error in errors):
        errors.add(ValidationError(NEED_NAME, field="name"))
    elif name and unit is not None and _name_taken(unit, name, area):
        errors.add(ValidationError(NAME_TAKEN, field="name", site=unit.name, name=name))
    since, bandwidth = (data.wifi_since, data.bandwidth_mbps) if data.wifi else (None, None)
    if data.wifi and since is None:
        errors.add(ValidationError(NEED_SINCE, field="wifi_since"))
    elif since is not None and since > today:
        errors.add(ValidationError(SINCE_IN_FUTURE, field="wifi_since"))
    if bandwidth is not None and not 1 <= bandwidth <= BANDWIDTH_MAX:
        errors.add(ValidationError(BANDWIDTH_INVALID, field="bandwidth_mbps", max=BANDWIDTH_MAX))
    InputInvalid.raise_if_any(errors)
    created = area is None
    if created:
        area = LivingArea(org_unit_id=unit.id)
    area.name, area.wifi, area.wifi_since, area.bandwidth_mbps = name, data.wifi, since, bandwidth
    area.updated_at = utcnow()
    try:
        with session.begin_nested():  # another officer saved the same name a moment ago
            session.add(area)
            session.flush()
    except IntegrityError:
        raise ValidationError(NAME_TAKEN, field="name", site=unit.name, name=name) from None
    record_event("family_contact.area_saved", actor, target_type="contact_living_area",
                 target_id=area.id, org_unit_id=area.org_unit_id,
                 details={"contact_area": area.name, "contact_created": created,
                          "contact_wifi": area.wifi,
                          "contact_wifi_since": since.isoformat() if since else None,
                          "contact_bandwidth_mbps": bandwidth})
    return area


def _name_taken(unit: OrgUnit, name: str, area: LivingArea | None) -> bool:
    statement = select(LivingArea.id).where(LivingArea.org_unit_id == unit.id,
                                            LivingArea.name == name)
    if area is not None and area.id is not None:
        statement = statement.where(LivingArea.id != area.id)
    return session.scalar(statement.limit(1)) is not None


def parse_numbers(text: str | None) -> list[str]:
    """Employee numbers pasted one a line or separated by spaces or commas (full-width folded),
    each once, in the order given."""
    seen: dict[str, None] = {}
    for number in _SEPARATORS.split(fold_width(drop_controls(text or ""))):
        if number:
            seen.setdefault(number, None)
    return list(seen)


def assign_residents(area: LivingArea, numbers_text: str | None, *, scope: Scope, actor: Actor,
                     today: date) -> Assignment:
    """House the workers whose employee numbers are pasted in ``numbers_text`` in ``area``
    (moving those living in another area). Only workers of the area's site within ``scope``
    who are employed today: any other number is named in the error and nobody is assigned."""
    numbers = parse_numbers(numbers_text)
    if not numbers:
        raise ValidationError(NEED_NUMBERS, field="numbers")
    if len(numbers) > NUMBERS_MAX:
        raise ValidationError(TOO_MANY_NUMBERS, field="numbers", max=NUMBERS_MAX)
    site = area.org_unit
    reach = scope.within(Scope.of_unit(site))
    found = {worker.employee_number: worker for worker in session.scalars(select(Worker).where(
        Worker.employee_number.in_(numbers), reach.contains_unit_id(Worker.org_unit_id)))}
    employed = set(session.scalars(select(Worker.id).where(
        Worker.id.in_([worker.id for worker in found.values()]), employed_on(today))))
    errors = ErrorList()
    for number in numbers:
        worker = found.get(number)
        if worker is None:
            errors.add(ValidationError(NUMBER_UNKNOWN, field="numbers", number=number,
                                       site=site.name))
        elif worker.id not in employed:
            errors.add(ValidationError(NUMBER_LEFT, field="numbers", number=number))
    InputInvalid.raise_if_any(errors)
    workers = [found[number] for number in numbers]
    # Two officers housing the same worker at once: the second waits, then sees the first's.
    lock_rows(Worker, [worker.id for worker in workers])
    homes = {residence.worker_id: residence for residence in session.scalars(
        select(Residence).where(Residence.worker_id.in_([worker.id for worker in workers])))}
    outcome = Assignment()
    for worker in workers:
        home = homes.get(worker.id)
        if home is None:
            session.add(Residence(worker_id=worker.id, living_area_id=area.id, since=today))
            outcome.housed.append(worker.employee_number)
        elif home.living_area_id != area.id:
            home.living_area_id, home.since = area.id, today
            outcome.moved.append(worker.employee_number)
        else:
            outcome.already.append(worker.employee_number)
    session.flush()
    if outcome.housed or outcome.moved:
        record_event("family_contact.residents_assigned", actor,
                     target_type="contact_living_area", target_id=area.id,
                     org_unit_id=area.org_unit_id,
                     details={"contact_area": area.name, "contact_housed": outcome.housed,
                              "contact_moved": outcome.moved,
                              "contact_already": len(outcome.already)})
    return outcome
