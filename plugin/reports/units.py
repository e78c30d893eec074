"""Confirmation up the tree: each subsidiary's or site's responsible person confirms the unit's
own figures for a period before the group files (issue 18).

A unit's figures are every declared indicator for its subtree and the period; their SHA-256 is
kept with the confirmation, so the unit's page can say when its figures changed since.
"""
from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy import select

from ..core import indicators
from ..core.dates import format_datetime
from ..core.db import reads_from_replica, session
from ..org.models import OrgKind, OrgUnit
from .models import ReportConfirmation
from .periods import Period

#: The kinds of unit that confirm their own figures (teams report through their site).
CONFIRMING_KINDS = (OrgKind.SUBSIDIARY, OrgKind.SITE)


def confirming_units(unit: OrgUnit) -> list[OrgUnit]:
    """The subsidiaries and sites below ``unit`` (not itself), in tree order."""
    return list(session.execute(
        select(OrgUnit).where(OrgUnit.path.startswith(unit.path), OrgUnit.id != unit.id,
                              OrgUnit.kind.in_(CONFIRMING_KINDS))
        .order_by(OrgUnit.path)).scalars())


def confirmations_for(unit_ids: list[int], period: Period) -> dict[int, ReportConfirmation]:
    if not unit_ids:
        return {}
    rows = session.execute(select(ReportConfirmation).where(
        ReportConfirmation.org_unit_id.in_(unit_ids),
        ReportConfirmation.period_start == period.start,
        ReportConfirmation.period_end == period.end)).scalars()
    return {row.org_unit_id: row for row in rows}


def confirmation_rows(unit: OrgUnit, period: Period) -> list[dict[str, Any]]:
    """For the report's content: each confirming unit below ``unit`` and whether it confirmed."""
    units = confirming_units(unit)
    found = confirmations_for([each.id for each in units], period)
    rows = []
    for each in units:
        confirmation = found.get(each.id)
        rows.append({"unit_id": each.id, "unit": each.name, "confirmed": confirmation is not None,
                     "by": confirmation.confirmed_by_name if confirmation else None,
                     "at": format_datetime(confirmation.confirmed_at) if confirmation else None})
    return rows


def unit_figures(unit: OrgUnit, period: Period) -> dict[str, int]:
    """Every declared indicator of ``unit``'s subtree for ``period``: code → value (read from
    the reports' replica, where there is one)."""
    with reads_from_replica():
        return {code: indicators.compute(code, [unit.path], period.start, period.end)
                for code in indicators.declared_indicators()}


def figures_sha256(figures: dict[str, int]) -> str:
    text = json.dumps(figures, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()
