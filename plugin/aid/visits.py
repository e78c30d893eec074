"""Union visits (工会慰问): the union visits a worker's family and records who went, what was given
— cash from a fund (a payout in the fund's ledger, :func:`plugin.aid.ledger.pay_directly`),
goods with their value (the in-kind record on the visit) — photos and notes (encrypted).

A visit's cash comes from a fund of the worker's unit or of a unit above it (the fund's unit
path is a prefix of the worker's), and only from its unrestricted money: money given for one
purpose is spent only through applications for that purpose. A fund that cannot cover the cash
refuses the whole visit: nothing is written, the visit neither.

Each service checks everything first, then changes, flushes and audits; the caller commits.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select

from ..access.scope import Scope
from ..audit.services import record_event
from ..core.clock import utcnow
from ..core.db import session
from ..core.errors import ErrorList, InputInvalid, ValidationError
from ..core.host import Actor
from ..core.i18n import N_
from ..core.money import MAX_FEN, format_yuan
from ..core.pagination import Page, paginate
from ..core.settings import setting
from ..core.text import clean_free_text
from ..core.uploads import PHOTO, check_upload
from ..org.models import OrgUnit
from ..registry.models import Worker
from . import ledger
from .models import UNRESTRICTED, AidFund, UnionVisit, VisitPhoto

VISITORS_MAX = 300
GOODS_MAX = 300
NOTES_MAX = 2000
PHOTOS_MAX = 5
#: The setting that limits each photo's size (declared by the feature).
PHOTO_MAX_BYTES = "CAREBRIDGE_AID_VISIT_PHOTO_MAX_BYTES"

NEED_VISITED_ON = N_("请填写慰问日期")
VISITED_IN_FUTURE = N_("慰问日期不能晚于今天")
NEED_VISITORS = N_("请填写参加慰问的人员")
AMOUNT_INVALID = N_("金额不能为负数，且不能超过 %(max)s 元")
CASH_NEEDS_FUND = N_("送了慰问金，请选择从哪个基金支出")
FUND_NOT_HERE = N_("这个基金不能用于该职工所在单位的慰问")
GOODS_VALUE_NEEDS_GOODS = N_("填写了慰问品价值，请写明送了什么")
TOO_MANY_PHOTOS = N_("最多上传 %(count)s 张照片")


def photo_max_bytes() -> int:
    return setting(PHOTO_MAX_BYTES)


@dataclass(frozen=True)
class VisitInput:
    """What the union officer fills in. Amounts in fen."""

    visited_on: date | None
    visitors: str | None
    cash_fen: int | None = 0
    fund: AidFund | None = None
    goods: str | None = None
    goods_value_fen: int | None = 0
    notes: str | None = None
    #: (filename, declared content type, bytes) of each photo.
    photos: Sequence[tuple[str | None, str | None, bytes]] = field(default_factory=tuple)


# --- reading ------------------------------------------------------------------------------------

def get_visit(visit_id: int) -> UnionVisit | None:
    return session.get(UnionVisit, visit_id)


def funds_for(unit: OrgUnit) -> list[AidFund]:
    """Open funds a visit to a worker of ``unit`` may pay cash from: those of ``unit`` and of the
    units above it (a fund's unit path is a prefix of the worker's unit path)."""
    return list(session.scalars(select(AidFund).where(
        AidFund.org_unit_id.in_(unit.ancestor_ids), AidFund.closed_at.is_(None))
        .order_by(AidFund.org_unit_id, AidFund.name)))


def visits_page(scope: Scope, *, unit: OrgUnit | None = None, page: int = 1,
                per_page: int = 50) -> Page:
    """Visits of ``scope`` (of ``unit``'s subtree when given), the latest first, as rows of
    ``(visit, fund name, photo count)``: two queries whatever the page holds."""
    photos = (select(func.count(VisitPhoto.id)).where(VisitPhoto.visit_id == UnionVisit.id)
              .correlate(UnionVisit).scalar_subquery().label("photos"))
    statement = (select(UnionVisit, AidFund.name.label("fund_name"), photos)
                 .outerjoin(AidFund, AidFund.id == UnionVisit.fund_id)
                 .where(scope.contains_unit_id(UnionVisit.org_unit_id)))
    if unit is not None:
        statement = statement.where(Scope.of_unit(unit).contains_unit_id(UnionVisit.org_unit_id))
    statement = statement.order_by(UnionVisit.visited_on.desc(), UnionVisit.id.desc())
    return paginate(statement, page, per_page, scalars=False)


def photos_of(visit: UnionVisit) -> list[VisitPhoto]:
    """The visit's photos, without their content (loaded only when one is shown)."""
    return list(session.scalars(select(VisitPhoto).where(VisitPhoto.visit_id == visit.id)
                                .order_by(VisitPhoto.id)))


def get_photo(visit: UnionVisit, photo_id: int) -> VisitPhoto | None:
    return session.scalars(select(VisitPhoto).where(VisitPhoto.id == photo_id,
                                                    VisitPhoto.visit_id == visit.id)).first()


def fund_of(visit: UnionVisit) -> AidFund | None:
    return session.get(AidFund, visit.fund_id) if visit.fund_id else None


def read_notes(visit: UnionVisit, actor: Actor) -> str | None:
    """The visit's notes for ``actor``, audited (nothing is audited when there are none)."""
    if visit.notes:
        record_event("aid.visit_notes_viewed", actor, target_type="aid_visit",
                     target_id=visit.id, org_unit_id=visit.org_unit_id)
    return visit.notes


def photo_content(visit: UnionVisit, photo: VisitPhoto, actor: Actor) -> bytes:
    record_event("aid.visit_photo_viewed", actor, target_type="aid_visit", target_id=visit.id,
                 org_unit_id=visit.org_unit_id, details={"aid_visit_photo": photo.filename})
    return photo.content


# --- recording ----------------------------------------------------------------------------------

def record_visit(worker: Worker, data: VisitInput, *, actor: Actor, today: date) -> UnionVisit:
    """Record a visit to ``worker``'s family (the caller checked the worker is in scope). Cash
    is paid from ``data.fund`` in the same step: if the fund cannot cover it,
    :class:`~plugin.aid.ledger.FundShort` is raised and nothing is written."""
    errors = ErrorList()
    if data.visited_on is None:
        errors.add(ValidationError(NEED_VISITED_ON, field="visited_on"))
    elif data.visited_on > today:
        errors.add(ValidationError(VISITED_IN_FUTURE, field="visited_on"))
    visitors = errors.collect(lambda: clean_free_text(data.visitors, max_length=VISITORS_MAX,
                                                      field="visitors"))
    if not visitors and not _has(errors, "visitors"):
        errors.add(ValidationError(NEED_VISITORS, field="visitors"))
    cash = _amount(data.cash_fen, "cash", errors)
    fund = data.fund
    if cash and fund is None:
        errors.add(ValidationError(CASH_NEEDS_FUND, field="fund"))
    elif cash and fund.id not in {item.id for item in funds_for(worker.org_unit)}:
        errors.add(ValidationError(FUND_NOT_HERE, field="fund"))
    goods = errors.collect(lambda: clean_free_text(data.goods, max_length=GOODS_MAX,
                                                   field="goods"))
    goods_value = _amount(data.goods_value_fen, "goods_value", errors)
    if goods_value and not goods and not _has(errors, "goods"):
        errors.add(ValidationError(GOODS_VALUE_NEEDS_GOODS, field="goods"))
    notes = errors.collect(lambda: clean_free_text(data.notes, max_length=NOTES_MAX,
                                                   field="notes", multiline=True))
    photos = _checked_photos(data.photos, errors)
    InputInvalid.raise_if_any(errors)
    visit = UnionVisit(worker_id=worker.id, org_unit_id=worker.org_unit_id,
                       visited_on=data.visited_on, visitors=visitors, cash_fen=cash,
                       fund_id=fund.id if cash else None, goods=goods,
                       goods_value_fen=goods_value, notes=notes, recorded_at=utcnow(),
                       recorded_by=actor.key)
    # The visit and its payout are one: a fund too short takes the visit back with it.
    try:
        with session.begin_nested():
            session.add(visit)
            session.flush()
            if cash:
                ledger.pay_directly(fund, (UNRESTRICTED,), cash, booked_on=data.visited_on,
                                    actor=actor, visit_id=visit.id)
    except ledger.FundShort as error:
        raise ledger.FundShort(error.message, field="cash", **error.params) from None
    session.add_all(VisitPhoto(visit_id=visit.id, filename=filename, content_type=content_type,
                               content=content) for filename, content_type, content in photos)
    session.flush()
    record_event("aid.visit_recorded", actor, target_type="aid_visit", target_id=visit.id,
                 org_unit_id=visit.org_unit_id,
                 details={"worker_id": worker.id, "aid_visited_on": visit.visited_on.isoformat(),
                          "aid_visit_cash": format_yuan(cash),
                          **({"aid_fund": fund.name} if cash else {}),
                          "aid_visit_goods_value": format_yuan(goods_value),
                          "aid_visit_photos": len(photos)})
    return visit


def _amount(value: int | None, field_name: str, errors: ErrorList) -> int:
    if value is None:
        return 0
    if not 0 <= value <= MAX_FEN:
        errors.add(ValidationError(AMOUNT_INVALID, field=field_name,
                                   max=format_yuan(MAX_FEN, grouping=True)))
        return 0
    return value


def _checked_photos(photos, errors: ErrorList) -> list[tuple[str, str, bytes]]:
    """(filename, content type by content, bytes) of each photo that passes the upload check."""
    if len(photos) > PHOTOS_MAX:
        errors.add(ValidationError(TOO_MANY_PHOTOS, field="photos", count=PHOTOS_MAX))
        return []
    checked = []
    for filename, declared_type, content in photos:
        try:
            file_type = check_upload(content, PHOTO, max_bytes=photo_max_bytes(),
                                     filename=filename, declared_type=declared_type,
                                     field="photos")
        except ValidationError as error:
            errors.add(error)
        else:
            name = (filename or "photo").replace("\\", "/").rsplit("/", 1)[-1][-200:]
            checked.append((name, file_type.content_type, content))
    return checked


def _has(errors: ErrorList, field_name: str) -> bool:
    return any(error.field == field_name for error in errors)
