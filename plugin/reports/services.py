"""Report templates, drafts, confirmations, filing and corrections.

Functions take plain values and model objects, check every rule (``ValidationError`` naming the
form field), change, flush, audit, send the documented signal and never commit. Access to the
records named is the caller's (the views load them in the actor's scope).
"""
from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from typing import Any

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..audit.services import record_event
from ..core import indicators
from ..core.clock import utcnow
from ..core.dates import format_datetime
from ..core.db import lock_rows, reads_from_replica, session
from ..core.errors import ValidationError
from ..core.host import Actor
from ..core.i18n import N_
from ..core.text import clean_free_text
from ..core.urls import public_url
from ..org.models import Company, OrgUnit
from ..signals import report_figures_confirmed, report_filed
from .content import REPORT_LOCALE, build_content
from .documents import render_report_pdf
from .models import FiledRecords, ReportConfirmation, ReportDraft, ReportFiling, ReportTemplate
from .periods import Period, PeriodKind
from .recipients import BUILTIN_TEMPLATES, TEXT_SECTIONS, Recipient
from .sealing import canonical_json, chain_hash, filed_at_text, pack_ids, sha256
from .units import CONFIRMING_KINDS, figures_sha256, unit_figures
from .workbook import render_report_xlsx

NAME_MAX = 200
TEXT_MAX = 20_000
REASON_MAX = 500


def _sender():
    return current_app._get_current_object()


# -- templates --------------------------------------------------------------------------------

def ensure_builtin_templates() -> list[ReportTemplate]:
    """The built-in template of each recipient, created on first use (one row each)."""
    existing = {row.builtin: row for row in session.execute(
        select(ReportTemplate).where(ReportTemplate.builtin.is_not(None))).scalars()}
    for recipient, (name, lines, texts, schedule) in BUILTIN_TEMPLATES.items():
        if recipient in existing:
            continue
        with force_locale(REPORT_LOCALE):
            title = str(name)
        try:
            with session.begin_nested():
                row = ReportTemplate(recipient=recipient, builtin=recipient, name=title,
                                     lines=lines, text_sections=list(texts), schedule=schedule,
                                     created_by="system:carebridge", created_at=utcnow(),
                                     updated_at=utcnow())
                session.add(row)
        except IntegrityError:  # made by another request at the same moment
            continue
        existing[recipient] = row
    return [existing[recipient] for recipient in Recipient if recipient in existing]


def _clean_lines(lines: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    declared = indicators.declared_indicators()
    cleaned = []
    for line in lines:
        code = line.get("code")
        if code not in declared:
            raise ValidationError(N_("没有这个指标：%(code)s"), field="indicators", code=code)
        allowed = declared[code][1].breakdowns
        breakdowns = [by for by in line.get("breakdowns", ()) if by]
        unknown = [by for by in breakdowns if by not in allowed]
        if unknown:
            raise ValidationError(N_("指标 %(code)s 不能按 %(by)s 分组"), field="indicators",
                                  code=code, by=unknown[0])
        cleaned.append({"code": code, "breakdowns": breakdowns})
    if not cleaned:
        raise ValidationError(N_("请至少选择一项指标"), field="indicators")
    return cleaned


def copy_template(source: ReportTemplate, actor: Actor, unit: OrgUnit) -> ReportTemplate:
    """A company's own copy of a template, to adjust, belonging to ``unit``."""
    now = utcnow()
    copy = ReportTemplate(recipient=source.recipient, name=f"{source.name}（副本）"[:NAME_MAX],
                          copied_from_id=source.id, lines=[dict(line) for line in source.lines],
                          text_sections=list(source.text_sections), schedule=None,
                          org_unit_id=unit.id, created_by=actor.key, created_at=now,
                          updated_at=now)
    session.add(copy)
    session.flush()
    record_event("report.template_copied", actor, target_type="report_template",
                 target_id=copy.id, details={"copied_from": source.id, "name": copy.name})
    return copy


def update_template(template: ReportTemplate, actor: Actor, *, name: str,
                    lines: Iterable[Mapping[str, Any]], text_sections: Iterable[str],
                    schedule: PeriodKind | None, org_unit: OrgUnit | None) -> ReportTemplate:
    if template.builtin is not None:
        raise ValidationError(N_("内置模板不能修改，请先复制一份再调整"), field="name")
    cleaned_name = clean_free_text(name, max_length=NAME_MAX, field="name")
    if not cleaned_name:
        raise ValidationError(N_("请填写模板名称"), field="name")
    cleaned_lines = _clean_lines(lines)
    texts = [key for key in text_sections if key]
    unknown = [key for key in texts if key not in TEXT_SECTIONS]
    if unknown:
        raise ValidationError(N_("没有这个文字部分：%(key)s"), field="text_sections",
                              key=unknown[0])
    if schedule is PeriodKind.CUSTOM:
        raise ValidationError(N_("定期生成只能按月、季、半年或年"), field="schedule")
    template.name = cleaned_name
    template.lines = cleaned_lines
    template.text_sections = texts
    template.schedule = schedule
    template.org_unit_id = org_unit.id if org_unit else None
    template.updated_at = utcnow()
    session.flush()
    record_event("report.template_saved", actor, target_type="report_template",
                 target_id=template.id,
                 details={"name": template.name,
                          "indicators": [line["code"] for line in cleaned_lines],
                          "report_schedule": schedule.value if schedule else None})
    return template


# -- drafts ------------------------------------------------------------------------------------

def create_draft(template: ReportTemplate, unit: OrgUnit, period: Period, actor: Actor, *,
                 supersedes: ReportFiling | None = None, texts: Mapping[str, str] | None = None,
                 schedule_key: str | None = None) -> ReportDraft:
    if template.archived_at is not None:
        raise ValidationError(N_("这个模板已停用"), field="template")
    if supersedes is not None and superseded_by(supersedes) is not None:
        raise ValidationError(N_("第 %(number)s 号报送已被更正，请更正最新的一份"),
                              field="supersedes", number=supersedes.number)
    now = utcnow()
    draft = ReportDraft(template_id=template.id, org_unit_id=unit.id, period_kind=period.kind,
                        period_start=period.start, period_end=period.end,
                        texts=dict(texts or {}),
                        supersedes_id=supersedes.id if supersedes else None,
                        schedule_key=schedule_key, created_by=actor.key, created_at=now,
                        updated_at=now)
    session.add(draft)
    session.flush()
    record_event("report.drafted", actor, target_type="report_draft", target_id=draft.id,
                 org_unit_id=unit.id,
                 details={"report_template": template.name, "period": period.label,
                          "supersedes_number": supersedes.number if supersedes else None})
    return draft


def _check_open(draft: ReportDraft) -> None:
    if draft.filing_id is not None:
        raise ValidationError(N_("这份报告已经报送，不能再修改"), field="draft")


def save_texts(draft: ReportDraft, actor: Actor, texts: Mapping[str, str | None]) -> ReportDraft:
    _check_open(draft)
    cleaned = {}
    for key in draft.template.text_sections:
        text = clean_free_text(texts.get(key), max_length=TEXT_MAX, field=f"text_{key}",
                               multiline=True)
        if text:
            cleaned[key] = text
    draft.texts = cleaned
    draft.updated_at = utcnow()
    session.flush()
    record_event("report.texts_saved", actor, target_type="report_draft", target_id=draft.id,
                 org_unit_id=draft.org_unit_id, details={"text_sections": sorted(cleaned)})
    return draft


def draft_content(draft: ReportDraft, *, filing: dict[str, Any] | None = None) -> dict:
    return build_content(draft.template, draft.org_unit, draft.period, draft.texts,
                         now=utcnow(), filing=filing)


def delete_draft(draft: ReportDraft, actor: Actor) -> None:
    _check_open(draft)
    record_event("report.draft_deleted", actor, target_type="report_draft", target_id=draft.id,
                 org_unit_id=draft.org_unit_id, details={"period": draft.period.label})
    session.delete(draft)
    session.flush()


# -- filing ------------------------------------------------------------------------------------

def superseded_by(filing: ReportFiling) -> ReportFiling | None:
    return session.execute(select(ReportFiling).where(
        ReportFiling.supersedes_id == filing.id)).scalar_one_or_none()


def _last_filing() -> ReportFiling | None:
    return session.execute(select(ReportFiling).order_by(ReportFiling.number.desc())
                           .limit(1)).scalar_one_or_none()


def verification_url(public_code: str) -> str:
    """The public verification page's address, as the QR code on the PDF carries it: from
    ``CAREBRIDGE_PUBLIC_URL`` (or the request); outside a request with no public URL configured
    (a command line), the path alone."""
    try:
        return public_url("carebridge.reports_public.verify", code=public_code)
    except RuntimeError:
        return current_app.url_map.bind("localhost").build("carebridge.reports_public.verify",
                                                           {"code": public_code})


def file_draft(draft: ReportDraft, actor: Actor, *, reason: str | None = None) -> ReportFiling:
    """Seal and file the draft: freeze its content, PDF, XLSX and the records behind each figure,
    chained to the company's previous filing. A correction (the draft supersedes a filing) needs
    its reason."""
    _check_open(draft)
    supersedes = session.get(ReportFiling, draft.supersedes_id) if draft.supersedes_id else None
    reason = clean_free_text(reason, max_length=REASON_MAX, field="reason", multiline=True)
    if supersedes is not None and not reason:
        raise ValidationError(N_("请说明更正的原因"), field="reason")
    # One filing at a time per company: the company row is the lock, so the numbers and the
    # chain follow the filings' order (the unique previous_id holds it whatever happens).
    company_ids = list(session.execute(select(Company.id)).scalars())
    lock_rows(Company, company_ids)
    lock_rows(ReportDraft, [draft.id])
    session.refresh(draft)
    _check_open(draft)
    if supersedes is not None and superseded_by(supersedes) is not None:
        raise ValidationError(N_("第 %(number)s 号报送已被更正，请更正最新的一份"),
                              field="supersedes", number=supersedes.number)
    previous = _last_filing()
    number = previous.number + 1 if previous else 1
    public_code = secrets.token_urlsafe(18)
    filed_at = utcnow().replace(microsecond=0)
    filing_block = {"number": number, "filed_at": format_datetime(filed_at),
                    "filed_by": actor.name,
                    "supersedes": supersedes.number if supersedes else None, "reason": reason,
                    "verify_url": verification_url(public_code)}
    content = build_content(draft.template, draft.org_unit, draft.period, draft.texts,
                            now=filed_at, filing=filing_block)
    content_json = canonical_json(content)
    pdf = render_report_pdf(content)
    xlsx = render_report_xlsx(content)
    filing = ReportFiling(
        number=number, public_code=public_code, recipient=draft.template.recipient,
        template_id=draft.template_id, org_unit_id=draft.org_unit_id,
        period_kind=draft.period_kind, period_start=draft.period_start,
        period_end=draft.period_end, title=content["title"][:300], content_json=content_json,
        content_sha256=sha256(content_json), pdf=pdf, pdf_sha256=sha256(pdf), xlsx=xlsx,
        xlsx_sha256=sha256(xlsx), previous_id=previous.id if previous else None,
        previous_chain_sha256=previous.chain_sha256 if previous else None,
        supersedes_id=supersedes.id if supersedes else None, correction_reason=reason,
        filed_by=actor.key, filed_by_name=actor.name[:100], filed_at=filed_at, chain_sha256="")
    filing.chain_sha256 = chain_hash(
        number=number, public_code=public_code, content_sha256=filing.content_sha256,
        pdf_sha256=filing.pdf_sha256, xlsx_sha256=filing.xlsx_sha256,
        supersedes_number=supersedes.number if supersedes else None,
        filed_at_iso=filed_at_text(filing), previous_chain_sha256=filing.previous_chain_sha256)
    session.add(filing)
    session.flush()
    _freeze_records(filing, content, draft)
    draft.filing_id = filing.id
    draft.updated_at = filed_at
    session.flush()
    record_event("report.filed", actor, target_type="report_filing", target_id=filing.id,
                 org_unit_id=filing.org_unit_id,
                 details={"number": number, "report_recipient": filing.recipient.value,
                          "period": draft.period.label, "sha256": filing.content_sha256,
                          "supersedes_number": supersedes.number if supersedes else None})
    report_filed.send(_sender(), filing=filing, actor=actor)
    return filing


def _freeze_records(filing: ReportFiling, content: dict, draft: ReportDraft) -> None:
    declared = indicators.declared_indicators()
    paths = [draft.org_unit.path]
    codes = [item["code"] for section in content["sections"]
             for item in section.get("figures", ())]
    with reads_from_replica():  # read where the figures were read; written on the primary
        counted = {code: indicators.counted_records(code, paths, draft.period_start,
                                                    draft.period_end) for code in codes}
    for code in codes:
        ids = counted[code]
        session.add(FiledRecords(filing_id=filing.id, indicator_code=code,
                                 record_type=declared[code][1].record_type,
                                 count=len(ids), packed_ids=pack_ids(ids)))
    session.flush()


def start_correction(filing: ReportFiling, actor: Actor) -> ReportDraft:
    """A draft that, filed, supersedes ``filing``: same template, unit, period and texts."""
    from .queries import filing_texts

    template = session.get(ReportTemplate, filing.template_id)
    return create_draft(template, filing.org_unit, filing.period, actor, supersedes=filing,
                        texts=filing_texts(filing))


# -- confirmations -----------------------------------------------------------------------------

def confirm_figures(unit: OrgUnit, period: Period, actor: Actor, *,
                    note: str | None = None) -> ReportConfirmation:
    """The unit's responsible person confirms its figures for the period (again, after they
    changed: the confirmation is replaced)."""
    if unit.kind not in CONFIRMING_KINDS:
        raise ValidationError(N_("只有分子公司和项目部/厂区确认本单位的数据"), field="unit")
    note = clean_free_text(note, max_length=REASON_MAX, field="note", multiline=True)
    figures = unit_figures(unit, period)
    digest = figures_sha256(figures)
    now = utcnow()
    lock_rows(OrgUnit, [unit.id])
    confirmation = session.execute(select(ReportConfirmation).where(
        ReportConfirmation.org_unit_id == unit.id,
        ReportConfirmation.period_start == period.start,
        ReportConfirmation.period_end == period.end)).scalar_one_or_none()
    if confirmation is None:
        confirmation = ReportConfirmation(org_unit_id=unit.id, period_start=period.start,
                                          period_end=period.end)
        session.add(confirmation)
    confirmation.figures = figures
    confirmation.figures_sha256 = digest
    confirmation.note = note
    confirmation.confirmed_by = actor.key
    confirmation.confirmed_by_name = actor.name[:100]
    confirmation.confirmed_at = now
    session.flush()
    record_event("report.figures_confirmed", actor, target_type="report_confirmation",
                 target_id=confirmation.id, org_unit_id=unit.id,
                 details={"period": period.label, "sha256": digest})
    report_figures_confirmed.send(_sender(), confirmation=confirmation, actor=actor)
    return confirmation

