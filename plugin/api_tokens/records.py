"""What a token may read and write: the workers and children of its subtree.

Records go through the same parser (:func:`plugin.registry.schema.parse_record`) and the same
services (:func:`~plugin.registry.services.upsert_worker`, ``upsert_child``) as roster imports
and forms, so the API accepts and refuses exactly what they do. Outside the token's subtree a
record does not exist: reads answer "not found" and writes cannot reach it.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import DataError, IntegrityError

from ..access.scope import Scope
from ..core import indicators
from ..core.boundary import refusable_part
from ..core.db import session
from ..core.errors import CareBridgeError, NotFound, ValidationError
from ..core.host import Actor
from ..core.pagination import Page, paginate
from ..org.models import OrgUnit
from ..org.queries import in_subtrees
from ..registry.models import Child, Worker
from ..registry.queries import children_of
from ..registry.schema import CHILD_FIELDS, WORKER_FIELDS, FieldSpec, RecordInvalid, parse_record
from ..registry.services import (
    UpsertOutcome,
    find_worker,
    upsert_child,
    upsert_worker,
    worker_holding,
)
from ..registry.units import UnitResolver
from .models import ApiToken

#: Most records one batch request may carry.
MAX_BATCH = 1000


@dataclass
class ItemResult:
    """What became of one record of a batch."""

    index: int
    #: ``created``, ``updated``, ``unchanged`` or ``rejected``.
    status: str
    outcome: UpsertOutcome | None = None
    errors: list[CareBridgeError] = field(default_factory=list)


def outcome_status(outcome: UpsertOutcome) -> str:
    return "created" if outcome.created else "unchanged" if outcome.unchanged else "updated"


# --- reading -----------------------------------------------------------------------------------

#: The longest period figures are computed for in one request.
MAX_FIGURE_DAYS = 3 * 366


def parse_figure_period(start: str | None, end: str | None) -> tuple[date, date]:
    """The ``start`` and ``end`` query dates (ISO, local days, both included)."""
    days = []
    for name, text in (("start", start), ("end", end)):
        if not text:
            raise ValidationError("请提供 %(name)s 日期（YYYY-MM-DD）", field=name, name=name)
        try:
            days.append(date.fromisoformat(text))
        except ValueError:
            raise ValidationError("%(name)s 不是 YYYY-MM-DD 格式的日期", field=name,
                                  name=name) from None
    if days[0] > days[1]:
        raise ValidationError("起始日期不能晚于截止日期", field="start")
    if (days[1] - days[0]).days >= MAX_FIGURE_DAYS:
        raise ValidationError("统计期间最长三年", field="end")
    return days[0], days[1]


def figures_in_scope(token: ApiToken, start: date, end: date) -> list[dict[str, Any]]:
    """Every declared indicator for the token's subtree and the period: the same numbers as the
    dashboard, the reports' PDF and XLSX (:mod:`plugin.core.indicators`)."""
    from flask_babel import force_locale

    figures = []
    for code, (_feature, indicator) in indicators.declared_indicators().items():
        with force_locale("en"):
            name_en, unit_en = str(indicator.name), str(indicator.unit)
        with force_locale("zh_CN"):
            name, unit = str(indicator.name), str(indicator.unit)
        figures.append({"code": code, "name": name, "name_en": name_en, "unit": unit,
                        "unit_en": unit_en, "kind": indicator.kind, "money": indicator.is_money,
                        "value": indicators.compute(code, [token.org_unit.path], start, end)})
    return figures

def token_scope(token: ApiToken) -> Scope:
    """The token's subtree: the same scope rule as forms and roster imports."""
    return Scope.of_unit(token.org_unit)


def worker_in_scope(token: ApiToken, employee_number: str) -> Worker:
    worker = find_worker(employee_number, scope=token_scope(token))
    if worker is None:
        raise _worker_not_found(employee_number)
    return worker


def _worker_not_found(employee_number: str) -> NotFound:
    return NotFound("在令牌的授权范围内找不到工号为 %(number)s 的职工", field="employee_number",
                    number=employee_number)


def child_in_scope(token: ApiToken, child_id: int) -> Child:
    # Ids are 32-bit integers; a larger number would make the database driver raise.
    child = session.get(Child, child_id) if 0 < child_id < 2**31 else None
    if child is None or not token.covers(child.org_unit):
        raise NotFound("在令牌的授权范围内找不到编号为 %(id)s 的儿童", field="id", id=child_id)
    return child


def children_in_scope(token: ApiToken, worker: Worker) -> list[Child]:
    """The worker's children the token may see (a child belongs to the unit of one parent)."""
    return [child for child in children_of(worker) if token.covers(child.org_unit)]


def workers_in_scope(token: ApiToken, *, updated_since: datetime | None = None, page: int = 1,
                     per_page: int = 100) -> Page:
    """Workers of the subtree, least recently updated first, so a client can page forward."""
    statement = (select(Worker).join(OrgUnit, Worker.org_unit_id == OrgUnit.id)
                 .where(in_subtrees(OrgUnit.path, [token.org_unit.path]))
                 .order_by(Worker.updated_at, Worker.id))
    if updated_since is not None:
        statement = statement.where(Worker.updated_at >= updated_since)
    return paginate(statement, page, per_page)


def parse_updated_since(text: str | None, *, zone: str) -> datetime | None:
    """An ISO 8601 date or time; without an offset it is read in the company's time zone."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text)
        if value.tzinfo is None:
            value = value.replace(tzinfo=ZoneInfo(zone))
        return value.astimezone(UTC)
    except (ValueError, OverflowError):  # not ISO 8601, or out of range (year 1 minus 8 hours)
        raise ValidationError("无法识别的时间：%(value)s"
                              "（请用 ISO 8601 格式，例如 2026-11-01T08:00:00+08:00）",
                              field="updated_since", value=text[:40]) from None


# --- writing -----------------------------------------------------------------------------------

def check_record(raw: Any, fields: tuple[FieldSpec, ...], *, ignore: Iterable[str] = ()) -> None:
    """Refuse anything but an object of known field codes (``ignore``: read-only keys a client
    may send back unchanged). A misspelt field would otherwise be dropped without a word."""
    if not isinstance(raw, Mapping):
        raise RecordInvalid([ValidationError("每条记录必须是 JSON 对象")])
    unknown = sorted(set(raw) - {spec.code for spec in fields} - set(ignore))
    if unknown:
        raise RecordInvalid([ValidationError("无法识别的字段：%(name)s", field=code, name=code)
                             for code in unknown])


def batch_items(body: Any, key: str) -> list:
    """The list of records of a batch request body ``{key: [...]}``."""
    items = body.get(key) if isinstance(body, Mapping) else None
    if not isinstance(items, list):
        raise ValidationError("请求体应为 JSON 对象，其中“%(key)s”是记录的列表", field=key, key=key)
    if not items:
        raise ValidationError("记录列表是空的", field=key)
    if len(items) > MAX_BATCH:
        raise ValidationError("一次最多提交 %(max)s 条记录，这里有 %(count)s 条", field=key,
                              max=MAX_BATCH, count=len(items))
    return items


def save_worker(raw: Any, *, token: ApiToken, actor: Actor, today: date,
                employee_number: str | None = None, resolver: UnitResolver | None = None,
                ignore: Iterable[str] = ()) -> UpsertOutcome:
    """Create or update one worker of the token's subtree.

    ``employee_number``, when given (from the address of the request), is the worker's; the
    record may repeat it but not contradict it. The unit comes from ``site``/``team`` (names
    under the token's unit, created when missing); without them a new worker goes to the
    token's unit and an existing one stays where it is.
    """
    check_record(raw, WORKER_FIELDS, ignore=ignore)
    if employee_number is not None:
        given = raw.get("employee_number")
        if given is not None and str(given).strip() != employee_number.strip():
            raise RecordInvalid([ValidationError("工号与请求地址中的工号不一致",
                                                 field="employee_number")])
        raw = {**raw, "employee_number": employee_number}
    values = parse_record(raw, WORKER_FIELDS, today=today)
    scope = token_scope(token)
    existing, in_scope = worker_holding(values["employee_number"], scope)
    if existing is not None and not in_scope:
        # Employee numbers are unique company-wide: the number is taken, but by nobody this
        # token may see, so it reads as "not found", like a read would.
        raise _worker_not_found(values["employee_number"])
    if "site" in values or "team" in values:
        resolver = resolver or UnitResolver(base=token.org_unit, actor=actor)
        unit = resolver.resolve(values.get("site"), values.get("team"))
    else:
        unit = existing.org_unit if existing is not None else token.org_unit
    if not token.covers(unit):  # the resolver stays under its base; this guards any change to it
        raise ValidationError("单位“%(unit)s”不在令牌的授权范围之内", field="site", unit=unit.name)
    return upsert_worker(values, unit=unit, actor=actor, scope=scope)


def save_child(raw: Any, *, token: ApiToken, actor: Actor, today: date,
               ignore: Iterable[str] = ()) -> UpsertOutcome:
    """Create or update one child of a worker of the token's subtree.

    The parents must be in the subtree, and an ID number already registered outside it is
    refused as a duplicate (which is what it is), never attached to the record found.
    """
    check_record(raw, CHILD_FIELDS, ignore=ignore)
    values = parse_record(raw, CHILD_FIELDS, today=today)
    # upsert_child finds parents and the child only in the token's subtree: a parent outside
    # it is "not found", an ID number registered outside it a duplicate.
    return upsert_child(values, actor=actor, today=today, scope=token_scope(token))


def save_workers(items: list, *, token: ApiToken, actor: Actor, today: date,
                 ignore: Iterable[str] = ()) -> list[ItemResult]:
    """Each record on its own: valid ones are stored, invalid ones leave nothing behind."""
    resolver = UnitResolver(base=token.org_unit, actor=actor)

    def save(raw):
        return save_worker(raw, token=token, actor=actor, today=today, resolver=resolver,
                           ignore=ignore)

    def forget_rolled_back_units():
        # A unit created for a rejected record went with its savepoint; stop handing it out.
        nonlocal resolver
        resolver = UnitResolver(base=token.org_unit, actor=actor)

    return _each_in_savepoint(items, save, after_rejection=forget_rolled_back_units)


def save_children(items: list, *, token: ApiToken, actor: Actor, today: date,
                  ignore: Iterable[str] = ()) -> list[ItemResult]:
    return _each_in_savepoint(
        items, lambda raw: save_child(raw, token=token, actor=actor, today=today, ignore=ignore))


def database_refusal(error: DataError | IntegrityError) -> ValidationError:
    """A value the parser let through but the database refused (a rare race or an odd byte)."""
    return ValidationError("数据库拒绝了这条记录（%(reason)s），请检查各项内容",
                           reason=type(error.orig).__name__)


def _each_in_savepoint(items: list, save: Callable[[Any], UpsertOutcome], *,
                       after_rejection: Callable[[], None] | None = None) -> list[ItemResult]:
    results = []
    for index, raw in enumerate(items):
        try:
            with refusable_part():  # a rejected record stores nothing, refuses only itself
                outcome = save(raw)
        except (RecordInvalid, CareBridgeError, DataError, IntegrityError) as refusal:
            errors = (refusal.errors if isinstance(refusal, RecordInvalid)
                      else [refusal] if isinstance(refusal, CareBridgeError)
                      else [database_refusal(refusal)])
            results.append(ItemResult(index, "rejected", errors=errors))
            if after_rejection is not None:
                after_rejection()
        else:
            results.append(ItemResult(index, outcome_status(outcome), outcome))
    return results
