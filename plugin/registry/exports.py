"""The workers list as a file (XLSX/CSV): the page's rows, filters and scope, all of them; and
the children of those workers, one row per child.

ID numbers are not on the workers list, so not in its file either; phone numbers follow the one
rule of :mod:`.phones` (in full only where the user holds ``WORKERS_CONTACT_VIEW``). A child in
the children's file is a read of its record: each is audited (``child.viewed``, page
``export``), as opening the record would be."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import insert

from ..audit.models import AuditEvent
from ..core.clock import utcnow
from ..core.db import session
from ..core.exports import DATE, NUMBER, Column, ExportTable, stream_chunks
from ..core.host import Actor
from ..privacy.masking import mask_name, mask_phone
from . import queries
from .consent import active_consents, needs_consent
from .labels import CATEGORY_LABELS, FACT_LABELS, FLAG_LABELS, PRESUMED_LABELS
from .review import review_rows, review_statement
from .services import parse_presumed

WORKERS_TABLE = ExportTable("workers", _l("职工"), (
    Column(_l("工号"), lambda row: row[0].employee_number),
    Column(_l("姓名"), lambda row: row[0].name),
    Column(_l("项目部/班组"), lambda row: row[0].org_unit.name),
    Column(_l("手机号码"), lambda row: row[2]),
    Column(_l("子女"), lambda row: row[1].get("children", 0), NUMBER),
    Column(_l("其中留守儿童"), lambda row: row[1].get("left_behind", 0), NUMBER),
    Column(_l("其中困境儿童"), lambda row: row[1].get("in_difficulty", 0), NUMBER),
    Column(_l("状态"), lambda row: row[0].employment_status.label),
))


def worker_rows(criteria: queries.WorkerFilter, *, scope_paths: list[str],
                full_phone_paths: list[str]) -> Iterator[tuple]:
    """(worker, children counts, phone as shown) of every worker the list shows, in its order;
    read a chunk at a time, one count query per chunk."""
    statement, _counted = queries.worker_statements(criteria, scope_paths=scope_paths)
    for chunk in stream_chunks(statement):
        counts = queries.children_counts([worker.id for worker in chunk])
        for worker in chunk:
            yield worker, counts.get(worker.id, {}), phone_as_shown(worker, full_phone_paths)


def phone_as_shown(worker, full_paths: list[str]) -> str | None:
    """The phone as the list shows it: in full within ``full_paths``
    (:func:`.phones.full_phone_paths`, read once per export, not per row), masked elsewhere."""
    if not worker.phone:
        return None
    if any(worker.org_unit.path.startswith(path) for path in full_paths):
        return worker.phone
    return mask_phone(worker.phone)


def _decided(value: bool | None):
    return _l("待定") if value is None else (_l("是") if value else _l("否"))


def _category(code: str) -> Column:
    return Column(CATEGORY_LABELS[code], lambda row: _decided(getattr(row[0], code)))


CHILDREN_TABLE = ExportTable("children", _l("儿童"), (
    Column(_l("儿童姓名"), lambda row: row[0].name),
    Column(_l("性别"), lambda row: row[0].sex.label if row[0].sex else None),
    Column(_l("出生日期"), lambda row: row[0].birth_date, DATE),
    Column(_l("家长"), lambda row: "、".join(
        f"{link.worker.name}（{link.worker.employee_number}）" for link in row[0].parent_links)),
    Column(_l("项目部/班组"), lambda row: row[0].org_unit.name),
    *(_category(code) for code in ("left_behind", "migrant", "in_difficulty",
                                   "de_facto_unsupported", "orphan")),
    Column(_l("三区三州"), lambda row: _decided(row[0].in_three_areas)),
    Column(_l("关注标记"), lambda row: "、".join(
        str(FLAG_LABELS.get(code, code)) for code in row[0].focus_flags.split())),
    Column(_l("判定依据的推定"), lambda row: "；".join(
        str(PRESUMED_LABELS.get(fact, fact))
        for fact in dict.fromkeys(fact for facts in parse_presumed(
            row[0].categories_presumed).values() for fact in facts))),
    Column(_l("无法判定：缺少的信息"), lambda row: "、".join(
        str(FACT_LABELS.get(code, code)) for code in row[0].categories_missing.split())),
    Column(_l("监护人同意"), lambda row: row[1]),
))


def child_rows(criteria: queries.WorkerFilter, *, scope_paths: list[str],
               child_scope_paths: list[str], actor: Actor, today: date) -> Iterator[tuple]:
    """(child, its consent in words) of every child :func:`queries.children_statement` finds,
    a chunk at a time (parents by ``selectin``, consents in one query a chunk); each chunk's
    children are audited as read, with one statement."""
    statement = queries.children_statement(criteria, scope_paths=scope_paths,
                                           child_scope_paths=child_scope_paths)
    for chunk in stream_chunks(statement):
        consents = active_consents([child.id for child in chunk])
        _audit_reads(chunk, actor)
        for child in chunk:
            yield child, (_l("已同意") if child.id in consents
                          else _l("待同意") if needs_consent(child.birth_date, today)
                          else _l("无需单独同意"))


def _audit_reads(children, actor: Actor) -> None:
    now = utcnow()
    session.execute(insert(AuditEvent), [
        {"occurred_at": now, "action": "child.viewed", "actor_key": actor.key,
         "actor_name": actor.name[:200], "target_type": "child", "target_id": str(child.id),
         "org_unit_id": child.org_unit_id, "ip": actor.ip, "user_agent": actor.user_agent,
         "details": {"page": "export"}}
        for child in children])


REVIEW_TABLE = ExportTable("children_review", _l("推定待核实"), (
    Column(_l("儿童"), lambda row: mask_name(row[0].child.name)),
    Column(_l("项目部/班组"), lambda row: row[0].child.org_unit.name),
    Column(_l("家长"), lambda row: row[1]),
    Column(_l("判定依据的推定"), lambda row: "；".join(
        f"{CATEGORY_LABELS[code]}：{_decided(value)}（"
        + "、".join(str(PRESUMED_LABELS.get(fact, fact)) for fact in facts) + "）"
        for code, value, facts in row[0].presumed)),
    Column(_l("无法判定的类别"), lambda row: "、".join(
        str(CATEGORY_LABELS[code]) for code in row[0].undetermined)),
    Column(_l("无法判定：缺少的信息"), lambda row: "、".join(
        str(FACT_LABELS.get(code, code)) for code in row[0].missing)),
))


def review_export_rows(criteria, *, scope, parents_seen) -> Iterator[tuple]:
    """(review row, parents as the list shows them) of every child of the presumptions list, a
    chunk at a time; names masked as on the page, parents outside ``parents_seen`` unnamed."""
    for chunk in stream_chunks(review_statement(criteria, scope=scope)):
        for row in review_rows(chunk):
            yield row, "、".join(
                (f"{link.worker.name}（{link.worker.employee_number}）"
                 if parents_seen.sees_worker(link.worker) else str(_l("其他单位的职工")))
                + f"·{link.role.label}" for link in row.child.parent_links)
