"""Every list download is audited: who took which list, in which format, with which filters and
how many rows. Features call :func:`audited_export` from their export views (one call: write,
audit, answer)."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import Response, request

from ..core.exports import ExportTable, build_export, send_export
from ..core.host import Actor
from .services import record_event

#: The audit action of a list download.
EXPORT_DOWNLOADED = "export.downloaded"


def list_filters(*ignored: str) -> dict[str, str]:
    """The list's filters as the query string gave them (the page number and ``ignored`` left
    out), for the audit row."""
    skip = {"page", *ignored}
    return {key: value for key, value in request.args.items() if key not in skip}


def audited_export(table: ExportTable, rows: Iterable[Any], fmt: str, *, actor: Actor,
                   filters: dict[str, Any], org_unit_id: int | None = None,
                   scope_paths: list[str] | None = None) -> Response:
    """Write ``rows`` as ``fmt`` (``xlsx``/``csv``), record ``export.downloaded`` with
    ``{list, format, filters, rows}`` and answer the download. The event belongs to
    ``org_unit_id`` (the unit the list was narrowed to), else to the one subtree the list covered
    (``scope_paths`` of a single path), so the auditors of that subtree see it; else to the
    company (whole-company auditors). The audit row is committed with the request (a GET)."""
    if org_unit_id is None and scope_paths and len(scope_paths) == 1:
        org_unit_id = int(scope_paths[0].strip("/").split("/")[-1])
    export = build_export(table, rows, fmt)
    record_event(EXPORT_DOWNLOADED, actor, target_type="list", target_id=table.code,
                 org_unit_id=org_unit_id,
                 details={"list": table.code, "format": fmt, "rows": export.rows,
                          "filters": {key: value for key, value in filters.items()
                                      if value not in (None, "")}})
    return send_export(export)
