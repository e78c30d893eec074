"""Reads of work near home for its pages: the suggestions for a worker (ranked by
:mod:`.rules`), the openings and requests of a scope (paginated, no query per row) and a
worker's requests."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, or_, select

from ..access.scope import Scope
from ..core.db import session
from ..core.pagination import Page, paginate
from ..org.models import OrgUnit
from ..registry.models import Worker
from ..registry.regions import current_code, region_name
from . import rules
from .models import Opening, OpeningStatus, TransferRequest, TransferStatus, WorkLocation


@dataclass(frozen=True)
class Suggestion:
    opening: Opening
    site_name: str
    county_code: str
    distance: int
    #: The worker's open request for it, if any.
    open_request_id: int | None

    @property
    def county_name(self) -> str:
        return region_name(self.county_code) or self.county_code

    @property
    def distance_words(self):
        return rules.DISTANCE_WORDS[self.distance]


def suggestions_for(worker: Worker, today: date) -> list[Suggestion]:
    """The open openings within the worker's home province, nearest first (see
    :mod:`.rules`); none for a worker without a hukou region. The worker's own site's openings
    are left out (no transfer needed)."""
    home = worker.hukou_region_code
    if not home or len(home) != 6:
        return []
    province = current_code(home)[:2]
    rows = session.execute(
        select(Opening, WorkLocation.county_code, OrgUnit.name)
        .join(WorkLocation, WorkLocation.org_unit_id == Opening.org_unit_id)
        .join(OrgUnit, OrgUnit.id == Opening.org_unit_id)
        .where(Opening.status == OpeningStatus.OPEN,
               or_(Opening.ends_on.is_(None), Opening.ends_on >= today),
               func.substr(WorkLocation.county_code, 1, 2) == province,
               Opening.org_unit_id.not_in(worker.org_unit.ancestor_ids))).all()
    asked = dict(session.execute(
        select(TransferRequest.opening_id, TransferRequest.id).where(
            TransferRequest.worker_id == worker.id,
            TransferRequest.status == TransferStatus.REQUESTED)).all())
    found = []
    for opening, county, site_name in rows:
        distance = rules.distance(home, county)
        if distance is not None:
            found.append(Suggestion(opening, site_name, county, distance, asked.get(opening.id)))
    found.sort(key=lambda each: rules.rank_key(each.distance, each.opening.starts_on,
                                               each.site_name, each.opening.id))
    return found


def openings_page(scope: Scope, *, status: OpeningStatus | None, page: int = 1,
                  per_page: int = 50) -> Page:
    """The openings of ``scope``: open ones first, then by first day and site."""
    statement = (select(Opening).join(OrgUnit, OrgUnit.id == Opening.org_unit_id)
                 .where(scope.contains_unit_id(Opening.org_unit_id))
                 .order_by(case((Opening.status == OpeningStatus.OPEN, 0), else_=1),
                           Opening.starts_on, OrgUnit.name, Opening.id))
    if status is not None:
        statement = statement.where(Opening.status == status)
    return paginate(statement, page, per_page)


def locations_of(site_ids: list[int]) -> dict[int, WorkLocation]:
    """Site id → its location (one query)."""
    if not site_ids:
        return {}
    return {location.org_unit_id: location for location in session.scalars(
        select(WorkLocation).where(WorkLocation.org_unit_id.in_(site_ids)))}


def open_request_counts(opening_ids: list[int]) -> dict[int, int]:
    """Opening id → its requests waiting for a decision (one query)."""
    if not opening_ids:
        return {}
    return dict(session.execute(
        select(TransferRequest.opening_id, func.count()).where(
            TransferRequest.opening_id.in_(opening_ids),
            TransferRequest.status == TransferStatus.REQUESTED)
        .group_by(TransferRequest.opening_id)).all())


def requests_page(scope: Scope, *, status: TransferStatus | None, page: int = 1,
                  per_page: int = 50) -> Page:
    """The requests to the openings of ``scope``: those waiting first (oldest first, as they
    came), then the others, latest decided first."""
    statement = (select(TransferRequest)
                 .where(scope.contains_unit_id(TransferRequest.org_unit_id))
                 .order_by(case((TransferRequest.status == TransferStatus.REQUESTED, 0),
                                else_=1),
                           case((TransferRequest.status == TransferStatus.REQUESTED,
                                 TransferRequest.requested_at), else_=None),
                           TransferRequest.decided_at.desc(), TransferRequest.id.desc()))
    if status is not None:
        statement = statement.where(TransferRequest.status == status)
    return paginate(statement, page, per_page)


def requests_of_worker(worker_id: int) -> list[TransferRequest]:
    """Every request of the worker, newest first."""
    return list(session.scalars(select(TransferRequest)
                                .where(TransferRequest.worker_id == worker_id)
                                .order_by(TransferRequest.requested_at.desc(),
                                          TransferRequest.id.desc())))


def distance_of(request: TransferRequest, locations: dict[int, WorkLocation]) -> int | None:
    """How far the requested site is from the worker's home (None: not near home any more)."""
    location = locations.get(request.org_unit_id)
    return rules.distance(request.worker.hukou_region_code,
                          location.county_code if location is not None else None)
