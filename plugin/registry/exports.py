"""The workers list as a file (XLSX/CSV): the page's rows, filters and scope, all of them.

ID numbers are not on the workers list, so not in its file either; phone numbers follow the one
rule of :mod:`.phones` (in full only where the user holds ``WORKERS_CONTACT_VIEW``)."""
from __future__ import annotations

from collections.abc import Iterator

from flask_babel import lazy_gettext as _l

from ..core.exports import NUMBER, Column, ExportTable, stream_chunks
from ..privacy.masking import mask_phone
from . import queries

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
