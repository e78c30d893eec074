"""Reading reports: templates, drafts and filings in a scope, a filing's content and status,
the difference between two filings, the records behind a filed figure, the filing calendar."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from ..access.scope import Scope
from ..core.dates import to_local
from ..core.db import session
from ..core.pagination import Page, paginate
from ..org.models import OrgUnit
from ..org.queries import get_company
from .models import FiledRecords, ReportConfirmation, ReportDraft, ReportFiling, ReportTemplate
from .periods import Period
from .sealing import SealCheck, check_filing, unpack_ids
from .units import confirming_units

#: A report is due this many days after its period ends (the filing calendar's "due" date).
DUE_AFTER_DAYS = 15
#: Periods of each scheduled template shown on the filing calendar, the latest first.
CALENDAR_PERIODS = 4


def get_template(template_id: int) -> ReportTemplate | None:
    return session.get(ReportTemplate, template_id)


def template_unit(template: ReportTemplate) -> OrgUnit | None:
    """The unit a template belongs to (the company's root when it names none)."""
    if template.org_unit is not None:
        return template.org_unit
    return root_unit()


def root_unit() -> OrgUnit | None:
    return session.execute(select(OrgUnit).where(OrgUnit.parent_id.is_(None))
                           .order_by(OrgUnit.id).limit(1)).scalar_one_or_none()


def templates(scope: Scope) -> list[ReportTemplate]:
    """Built-in templates and the company's own whose unit lies in ``scope``, in use first."""
    rows = session.execute(select(ReportTemplate).order_by(
        ReportTemplate.archived_at.is_not(None), ReportTemplate.builtin.is_(None),
        ReportTemplate.recipient, ReportTemplate.id)).scalars()
    return [row for row in rows if row.builtin is not None or scope.covers(template_unit(row))]


def get_draft(draft_id: int) -> ReportDraft | None:
    return session.get(ReportDraft, draft_id)


def open_drafts(scope: Scope, page: int = 1) -> Page:
    statement = (select(ReportDraft).where(ReportDraft.filing_id.is_(None),
                                           scope.contains_unit_id(ReportDraft.org_unit_id))
                 .order_by(ReportDraft.period_end.desc(), ReportDraft.id.desc()))
    return paginate(statement, page, 20)


def get_filing(filing_id: int) -> ReportFiling | None:
    return session.get(ReportFiling, filing_id)


def filing_by_code(code: str) -> ReportFiling | None:
    if not code or len(code) > 32:
        return None
    return session.execute(select(ReportFiling).where(
        ReportFiling.public_code == code)).scalar_one_or_none()


def filings(scope: Scope, page: int = 1) -> Page:
    statement = (select(ReportFiling).where(scope.contains_unit_id(ReportFiling.org_unit_id))
                 .order_by(ReportFiling.number.desc()))
    return paginate(statement, page, 20)


def superseding_numbers(filing_ids: list[int]) -> dict[int, int]:
    """Filing id → the number of the filing that corrects it, for those corrected."""
    if not filing_ids:
        return {}
    return dict(session.execute(select(ReportFiling.supersedes_id, ReportFiling.number).where(
        ReportFiling.supersedes_id.in_(filing_ids))).all())


def filing_content(filing: ReportFiling) -> dict[str, Any]:
    return json.loads(filing.content_json)


def filing_texts(filing: ReportFiling) -> dict[str, str]:
    return {section["key"]: section["text"] for section in filing_content(filing)["sections"]
            if section["type"] == "text" and section["text"]}


@dataclass(frozen=True)
class FilingStatus:
    check: SealCheck
    superseded_by: ReportFiling | None
    supersedes: ReportFiling | None

    @property
    def current(self) -> bool:
        return self.superseded_by is None


def filing_status(filing: ReportFiling) -> FilingStatus:
    previous = session.get(ReportFiling, filing.previous_id) if filing.previous_id else None
    supersedes = session.get(ReportFiling, filing.supersedes_id) if filing.supersedes_id else None
    later = session.execute(select(ReportFiling).where(
        ReportFiling.supersedes_id == filing.id)).scalar_one_or_none()
    check = check_filing(filing, previous, supersedes.number if supersedes else None)
    return FilingStatus(check, later, supersedes)


def chain_breaks() -> list[int]:
    """Numbers of the filings whose seal or link to the previous one does not hold, walking the
    whole chain (and gaps in the numbering: a filing removed from the end of a run)."""
    rows = list(session.execute(select(ReportFiling).order_by(ReportFiling.number)).scalars())
    by_id = {row.id: row for row in rows}
    numbers = {row.id: row.number for row in rows}
    broken = []
    for expected, row in enumerate(rows, start=1):
        check = check_filing(row, by_id.get(row.previous_id),
                             numbers.get(row.supersedes_id) if row.supersedes_id else None)
        if not check.genuine or row.number != expected:
            broken.append(row.number)
    return broken


# -- the difference between two filings --------------------------------------------------------

@dataclass(frozen=True)
class Difference:
    where: str
    label: str
    before: Any
    after: Any


def _flatten(content: dict[str, Any]) -> dict[str, tuple[str, Any]]:
    """Path → (label, value) of every figure, breakdown part, text and cover field."""
    fields: dict[str, tuple[str, Any]] = {
        "title": ("标题", content["title"]),
        "responsible.department": ("负责部门", content["responsible"]["department"]),
        "responsible.person": ("负责人", content["responsible"]["person"]),
        "responsible.phone": ("联系电话", content["responsible"]["phone"]),
        "confirmations": ("已确认单位", f'{content["confirmations"]["confirmed"]} / '
                                        f'{content["confirmations"]["total"]}'),
    }
    for section in content["sections"]:
        if section["type"] == "text":
            fields[f"text.{section['key']}"] = (section["title"], section["text"])
            continue
        for item in section["figures"]:
            fields[f"figure.{item['code']}"] = (item["name"], item["value"])
            for part in item["breakdowns"]:
                for row in part["rows"]:
                    fields[f"figure.{item['code']}.{part['by']}.{row['key']}"] = (
                        f"{item['name']}（{part['title']}：{row['label']}）", row["value"])
    return fields


def differences(before: dict[str, Any], after: dict[str, Any]) -> list[Difference]:
    """Field by field, what a correction changed (added and removed fields included)."""
    old, new = _flatten(before), _flatten(after)
    found = []
    for key in list(old) + [key for key in new if key not in old]:
        label = (new.get(key) or old.get(key))[0]
        was = old.get(key, (None, None))[1]
        now = new.get(key, (None, None))[1]
        if was != now:
            found.append(Difference(key, label, was, now))
    return found


# -- the records behind a filed figure ---------------------------------------------------------

def filed_records(filing: ReportFiling, code: str) -> tuple[FiledRecords | None, list[int]]:
    row = session.execute(select(FiledRecords).where(
        FiledRecords.filing_id == filing.id, FiledRecords.indicator_code == code)
    ).scalar_one_or_none()
    return row, (unpack_ids(row.packed_ids) if row else [])


# -- the filing calendar -----------------------------------------------------------------------

@dataclass
class CalendarEntry:
    template: ReportTemplate
    unit: OrgUnit
    period: Period
    due_on: date
    draft: ReportDraft | None
    filing: ReportFiling | None
    confirmed: int
    to_confirm: int
    #: Past its due date and not filed (and the template was in use then).
    overdue: bool


def filing_calendar(scope: Scope, today: date) -> list[CalendarEntry]:
    """For each scheduled template whose unit is in ``scope``: its last periods (the current
    one first) with what is drafted, confirmed and filed."""
    entries: list[CalendarEntry] = []
    for template in templates(scope):
        unit = template_unit(template)
        if template.schedule is None or template.archived_at is not None or unit is None:
            continue
        if not scope.covers(unit):
            continue
        period = Period.containing(template.schedule, today)
        # Due from the period that had just ended when the template came into use (the one the
        # nightly job drafts first), not from years before the company used CareBridge.
        created_on = to_local(template.created_at).date()
        first = Period.containing(template.schedule, created_on).previous()
        units = confirming_units(unit)
        for _step in range(CALENDAR_PERIODS):
            if period.end < first.end:
                break
            entries.append(_entry(template, unit, period, units, today, created_on))
            period = period.previous()
    entries.sort(key=lambda entry: (entry.filing is not None, entry.due_on))
    return entries


def _entry(template, unit, period, units, today, created_on) -> CalendarEntry:
    same = (ReportDraft.template_id == template.id, ReportDraft.org_unit_id == unit.id,
            ReportDraft.period_start == period.start, ReportDraft.period_end == period.end)
    draft = session.execute(select(ReportDraft).where(*same, ReportDraft.filing_id.is_(None))
                            .order_by(ReportDraft.id.desc()).limit(1)).scalar_one_or_none()
    filing = session.execute(select(ReportFiling).where(
        ReportFiling.template_id == template.id, ReportFiling.org_unit_id == unit.id,
        ReportFiling.period_start == period.start, ReportFiling.period_end == period.end)
        .order_by(ReportFiling.number.desc()).limit(1)).scalar_one_or_none()
    confirmed = 0
    if units:
        confirmed = len(session.execute(select(ReportConfirmation.id).where(
            ReportConfirmation.org_unit_id.in_([each.id for each in units]),
            ReportConfirmation.period_start == period.start,
            ReportConfirmation.period_end == period.end)).all())
    due_on = period.end + timedelta(days=DUE_AFTER_DAYS)
    # Overdue only where the template was in use when the report fell due.
    return CalendarEntry(template, unit, period, due_on, draft, filing, confirmed, len(units),
                         overdue=filing is None and created_on <= due_on < today)


def company_name() -> str:
    company = get_company()
    return company.name if company else ""
