"""How the audit log reads reports: a filing by its number and title, a draft by its template and
period, a template by its name, a confirmation by its unit and period; each linked for readers
who may open it."""
from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..access.checks import has_permission
from ..audit.text import AuditTarget, AuditText, Named
from ..core.db import session
from ..org.models import OrgUnit
from .models import ReportConfirmation, ReportDraft, ReportFiling, ReportTemplate
from .periods import Period, PeriodKind
from .permissions import REPORTS_VIEW
from .recipients import RECIPIENT_LABELS, TEXT_SECTIONS


def _ints(ids: list[str]) -> list[int]:
    return [int(i) for i in ids if i.isdigit()]


def describe_filings(ids: list[str], reader_key: str | None) -> dict[str, Named]:
    rows = session.execute(select(ReportFiling.id, ReportFiling.number, ReportFiling.title,
                                  OrgUnit).join(OrgUnit, OrgUnit.id == ReportFiling.org_unit_id)
                           .where(ReportFiling.id.in_(_ints(ids)))).all()
    return {str(filing_id): Named(
                _("第 %(number)s 号报送：%(title)s", number=number, title=title),
                url_for("carebridge.reports.filing", filing_id=filing_id)
                if has_permission(reader_key, REPORTS_VIEW, unit) else None)
            for filing_id, number, title, unit in rows}


def describe_drafts(ids: list[str], reader_key: str | None) -> dict[str, Named]:
    drafts = session.execute(select(ReportDraft).where(
        ReportDraft.id.in_(_ints(ids)))).scalars()
    return {str(draft.id): Named(
                _("%(template)s（%(period)s）", template=draft.template.name,
                  period=draft.period.label),
                url_for("carebridge.reports.draft", draft_id=draft.id)
                if has_permission(reader_key, REPORTS_VIEW, draft.org_unit) else None)
            for draft in drafts}


def describe_templates(ids: list[str], reader_key: str | None) -> dict[str, Named]:
    rows = session.execute(select(ReportTemplate.id, ReportTemplate.name).where(
        ReportTemplate.id.in_(_ints(ids)))).all()
    return {str(template_id): Named(
                name, url_for("carebridge.reports.template", template_id=template_id)
                if has_permission(reader_key, REPORTS_VIEW) else None)
            for template_id, name in rows}


def describe_confirmations(ids: list[str], reader_key: str | None) -> dict[str, Named]:
    rows = session.execute(select(ReportConfirmation).where(
        ReportConfirmation.id.in_(_ints(ids)))).scalars()
    named = {}
    for row in rows:
        # The kind does not matter for the label of a period given by its dates.
        period = Period.custom(row.period_start, row.period_end)
        named[str(row.id)] = Named(_("%(unit)s %(start)s 至 %(end)s", unit=row.org_unit.name,
                                     start=period.start.isoformat(), end=period.end.isoformat()))
    return named


AUDIT_TEXT = AuditText(
    targets={"report_filing": AuditTarget(_l("报送的统计报告"), describe_filings),
             "report_draft": AuditTarget(_l("报告草稿"), describe_drafts),
             "report_template": AuditTarget(_l("报表模板"), describe_templates),
             "report_confirmation": AuditTarget(_l("本单位数据确认"), describe_confirmations)},
    keys={"number": _l("报送编号"), "report_recipient": _l("报送对象"), "period": _l("报告期"),
          "sha256": _l("SHA-256"), "supersedes_number": _l("更正的报送编号"),
          "report_template": _l("模板"), "indicators": _l("指标"),
          "report_schedule": _l("定期生成"), "text_sections": _l("文字部分"),
          "copied_from": _l("复制自模板"), "indicator": _l("指标")},
    values={"report_recipient": {recipient.value: label
                                 for recipient, label in RECIPIENT_LABELS.items()},
            "report_schedule": {kind.value: kind.label for kind in PeriodKind},
            "text_sections": TEXT_SECTIONS},
    references={"copied_from": "report_template"},
)
