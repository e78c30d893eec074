"""Risk reports: raising a concern (staff or a worker's phone), routing it to the officers of the
child's site and the company, the police report, notices, follow-ups and the closure. Each
service checks everything first, then changes, flushes, audits and notifies; the caller commits.

Confidentiality: every raise, anonymous or not, is audited under one pseudonymous actor
(:data:`REPORTER`, no address, no browser) with the case's number and situation only, so the
audit log never shows who raised a case. Who reported is kept only on the case, encrypted, and
only when the reporter did not choose anonymity; an anonymous case keeps nothing that points at
its reporter (no account, no worker, no address, no phone). Notifications name no reporter.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ..access.checks import has_permission
from ..access.queries import grants_on_unit
from ..access.roles import roles_holding
from ..audit.services import record_event
from ..core.clock import local_today, utcnow
from ..core.dates import format_datetime
from ..core.db import lock_rows, session
from ..core.errors import ErrorList, InputInvalid, ValidationError
from ..core.host import Actor
from ..core.i18n import N_, translatable_label
from ..core.text import clean_code, clean_free_text, clean_person_name
from ..guardianship.integrity import add_entry
from ..notifications.services import notify
from ..org.models import OrgKind, OrgUnit
from ..org.queries import get_root_unit, get_unit
from ..privacy.crypto import current_cipher
from ..registry.models import Child, Worker
from ..registry.queries import get_worker
from . import rules
from .models import (
    Care,
    FollowUpAction,
    LearnedHow,
    NoticeMethod,
    NoticeRecipient,
    Outcome,
    ReporterKind,
    ReportStatus,
    RiskFollowUp,
    RiskNotice,
    RiskReport,
    Safety,
    Situation,
)
from .permissions import RISK_HANDLE

#: Who the audit log says raised a case: always this, so it never tells who did.
REPORTER = Actor(key="risk_reports:reporter", name="报告人（保密）")
#: The purpose of the reporter's blind index (a reporter finds their own reports).
REPORTER_INDEX_PURPOSE = "risk.reporter"
CATEGORY = "risk_reports"

FACTS_MAX = 2000
NOTES_MAX = 2000
ADMONITION_MIN = 4
ADMONITION_MAX = 1000

NEED_SITUATION = N_("请选择孩子遇到的情况")
NEED_FACTS = N_("请写明了解到的情况")
NEED_LEARNED_AT = N_("请填写什么时候知道的")
LEARNED_IN_FUTURE = N_("知道的时间不能晚于现在")
NEED_LEARNED_HOW = N_("请选择怎么知道的")
NEED_LEARNED_HOW_TEXT = N_("选择“其他途径”时请写明是怎么知道的")
NEED_CHILD_NAME = N_("请填写孩子的姓名（不知道全名可以写小名或称呼）")
NEED_LOCATION = N_("请填写孩子现在在哪里（省市县、乡镇、村或详细地址）")
NEED_SITE = N_("请选择由哪个项目部或厂区负责")
CHILD_NOT_THEIRS = N_("所选的孩子不是这名职工登记的子女")
BAD_REGION = N_("户籍地区代码是 6 位数字，例如 511302")
ANONYMOUS_WITH_CONTACT = N_("选择匿名报告时请不要留联系电话（留了电话就不再是匿名）")
NOT_OPEN = N_("这个案件已经结案，不能再修改")
ALREADY_REPORTED = N_("已经登记过向公安机关报告的情况")
NEED_REPORTED_AT = N_("请填写报警时间")
REPORTED_IN_FUTURE = N_("报警时间不能晚于现在")
REPORTED_BEFORE_LEARNED = N_("报警时间不能早于知道情况的时间（%(learned)s）")
NEED_STATION = N_("请填写接警的公安机关（派出所）")
NEED_RECIPIENT = N_("请选择告知的单位类别")
NEED_ORGANISATION = N_("请填写告知的单位名称")
NEED_NOTIFIED_AT = N_("请填写告知时间")
NOTIFIED_IN_FUTURE = N_("告知时间不能晚于现在")
NEED_METHOD = N_("请选择告知方式")
NEED_OCCURRED_AT = N_("请填写跟进时间")
OCCURRED_IN_FUTURE = N_("跟进时间不能晚于现在")
OCCURRED_BEFORE_LEARNED = N_("跟进时间不能早于知道情况的时间（%(learned)s）")
NEED_SAFETY = N_("请评估孩子是否安全")
NEED_CARE = N_("请评估孩子的照料情况")
BAD_AID_NUMBER = N_("请填写困难帮扶申请的编号（数字）")
NEED_OUTCOME = N_("请选择结案结果")
NEED_SUMMARY = N_("请写明结案情况")
NEED_POLICE_FIRST = N_("结案前请先登记向公安机关报告的情况（经核实情况不属实的除外）")
UNFOUNDED_NOT_NEGLECT = N_("经核实情况不属实时，不能认定父母未履行监护职责")
NEGLECT_NEEDS_WORKER = N_("只有从职工子女登记中选择的孩子，才能对其父母批评教育并记入诚信档案")
NEED_ADMONITION = N_("请写明批评教育的内容（至少 %(min)s 个字）")


@dataclass
class ConcernInput:
    """What a reporter fills in. ``learned_at`` is an aware UTC moment."""

    situation: Situation | None
    facts: str | None
    learned_at: datetime | None
    learned_how: LearnedHow | None
    learned_how_text: str | None = None
    #: A child of the chosen worker picked from the registry (staff only).
    child_id: int | None = None
    child_name: str | None = None
    parent: str | None = None
    child_location: str | None = None
    hukou_region_code: str | None = None
    #: The site the reporter chose (a child not picked from the registry).
    site_id: int | None = None
    anonymous: bool = False
    contact: str | None = None


@dataclass
class PoliceReportInput:
    reported_at: datetime | None
    station: str | None
    officer: str | None = None
    receipt: str | None = None


@dataclass
class NoticeInput:
    recipient: NoticeRecipient | None
    organisation: str | None
    notified_at: datetime | None
    method: NoticeMethod | None
    person: str | None = None
    phone: str | None = None
    note: str | None = None


@dataclass
class FollowUpInput:
    occurred_at: datetime | None
    safety: Safety | None
    care: Care | None
    actions: Sequence[FollowUpAction] = field(default_factory=tuple)
    notes: str | None = None
    aid_application: str | None = None


@dataclass
class CloseInput:
    outcome: Outcome | None
    summary: str | None
    guardianship_neglected: bool = False
    admonition: str | None = None


def reporter_index(reporter_key: str) -> str:
    return current_cipher().blind_index(reporter_key, purpose=REPORTER_INDEX_PURPOSE)


# --- raising ------------------------------------------------------------------------------------

def raise_concern(data: ConcernInput, *, reporter: Actor, reporter_kind: ReporterKind,
                  worker: Worker | None = None, children: Sequence[Child] = ()) -> RiskReport:
    """A new case. ``worker``: the parent, when the reporter picked them from the registry (the
    view checked they may); ``children``: the worker's children the reporter may pick from.
    ``reporter`` is who raised it, kept on the case only when not anonymous."""
    errors = ErrorList()
    now = utcnow()
    if data.situation is None:
        errors.add(ValidationError(NEED_SITUATION, field="situation"))
    facts = errors.collect(lambda: clean_free_text(data.facts, max_length=FACTS_MAX,
                                                   field="facts", multiline=True))
    if not facts and not _has(errors, "facts"):
        errors.add(ValidationError(NEED_FACTS, field="facts"))
    if data.learned_at is None:
        errors.add(ValidationError(NEED_LEARNED_AT, field="learned_at"))
    elif data.learned_at > now + timedelta(minutes=1):
        errors.add(ValidationError(LEARNED_IN_FUTURE, field="learned_at"))
    if data.learned_how is None:
        errors.add(ValidationError(NEED_LEARNED_HOW, field="learned_how"))
    how_text = errors.collect(lambda: clean_free_text(data.learned_how_text, max_length=200,
                                                      field="learned_how_text"))
    if data.learned_how == LearnedHow.OTHER and not how_text \
            and not _has(errors, "learned_how_text"):
        errors.add(ValidationError(NEED_LEARNED_HOW_TEXT, field="learned_how_text"))
    child = None
    if data.child_id is not None:
        child = next((each for each in children if each.id == data.child_id), None)
        if child is None:
            errors.add(ValidationError(CHILD_NOT_THEIRS, field="child_id"))
    described = parent = location = region = None
    location = errors.collect(lambda: clean_free_text(data.child_location, max_length=300,
                                                      field="child_location"))
    if child is None:
        described = errors.collect(lambda: clean_person_name(data.child_name, max_length=100,
                                                             field="child_name"))
        if not described and not _has(errors, "child_name") and not _has(errors, "child_id"):
            errors.add(ValidationError(NEED_CHILD_NAME, field="child_name"))
        if not location and not _has(errors, "child_location"):
            errors.add(ValidationError(NEED_LOCATION, field="child_location"))
        region = clean_code(data.hukou_region_code) or None
        if region is not None and not (len(region) == 6 and region.isdigit()):
            errors.add(ValidationError(BAD_REGION, field="hukou_region_code"))
    if worker is None:
        parent = errors.collect(lambda: clean_free_text(data.parent, max_length=100,
                                                        field="parent"))
    site = _site_for(worker, data.site_id, errors)
    contact = errors.collect(lambda: clean_code(data.contact, max_length=30, field="contact"))
    if data.anonymous and contact:
        errors.add(ValidationError(ANONYMOUS_WITH_CONTACT, field="contact"))
    InputInvalid.raise_if_any(errors)

    report = RiskReport(
        org_unit_id=site.id, child_id=child.id if child else None,
        worker_id=worker.id if worker else None, described_child=described,
        described_parent=parent, child_location=location,
        hukou_region_code=child.hukou_region_code if child else region,
        situation=data.situation, facts=facts, learned_at=data.learned_at,
        learned_how=data.learned_how, learned_how_text=how_text, raised_at=now,
        police_due_at=rules.police_due_at(now), anonymous=data.anonymous,
        reporter_kind=reporter_kind, status=ReportStatus.OPEN, escalation_level=0)
    if not data.anonymous:
        report.reporter_key = reporter.key
        report.reporter_name = reporter.name[:100]
        report.reporter_contact = contact
        report.reporter_index = reporter_index(reporter.key)
    session.add(report)
    session.flush()
    record_event("risk.raised", REPORTER, target_type="risk_report", target_id=report.id,
                 org_unit_id=report.org_unit_id, details={"risk_situation": report.situation.value})
    _notify_raised(report, site)
    return report


def _has(errors: ErrorList, field_name: str) -> bool:
    return any(error.field == field_name for error in errors)


def _site_for(worker: Worker | None, site_id: int | None, errors: ErrorList) -> OrgUnit | None:
    if worker is not None:
        return rules.responsible_site(worker.org_unit)
    unit = get_unit(site_id) if site_id is not None and 0 < site_id < 2**31 else None
    if unit is None or unit.kind != OrgKind.SITE:
        errors.add(ValidationError(NEED_SITE, field="site_id"))
        return None
    return unit


def handlers_on(unit_ids: Iterable[int]) -> list[str]:
    """User keys of those holding ``risk_reports.handle`` by a grant on one of these units
    themselves (not above them), in the units' order."""
    roles = {getattr(role, "value", role) for role in roles_holding(RISK_HANDLE)}
    keys: list[str] = []
    for unit_id in dict.fromkeys(unit_ids):
        keys.extend(grant.user_key for grant in grants_on_unit(unit_id)
                    if getattr(grant.role, "value", grant.role) in roles)
    return list(dict.fromkeys(keys))


def raise_recipients(site: OrgUnit) -> list[str]:
    """Who is told of a new case: the handlers on its site and at the company's root."""
    root = get_root_unit()
    return handlers_on([site.id] + ([root.id] if root else []))


def escalation_recipients(site: OrgUnit, level: int) -> list[str]:
    """Who is told when a case reaches ``level``: the handlers on the unit that many steps above
    the site, and again those at the root and on the site."""
    root = get_root_unit()
    return handlers_on([rules.unit_at_level(site, level)] + ([root.id] if root else [])
                       + [site.id])


def _notify_raised(report: RiskReport, site: OrgUnit) -> None:
    notify(raise_recipients(site),
           N_("儿童安全风险报告（%(site)s）：请立即向公安机关报告"),
           body=N_("收到一份儿童安全风险报告：%(situation)s。依法应当立即向公安机关报告（拨打 "
                   "110 或到当地派出所），并在 %(due)s 前登记报警时间、接警单位和回执号；"
                   "超时未登记将逐级上报。"),
           params={"site": site.name, "situation": translatable_label(report.situation.label),
                   "due": format_datetime(report.police_due_at)},
           link=("carebridge.risk_reports.case", {"report_id": report.id}), category=CATEGORY)


# --- the police report and notices ---------------------------------------------------------------

def _check_open(report: RiskReport) -> None:
    lock_rows(RiskReport, [report.id])
    session.refresh(report)
    if report.status != ReportStatus.OPEN:
        raise ValidationError(NOT_OPEN)


def record_police_report(report: RiskReport, data: PoliceReportInput, actor: Actor) -> None:
    """When and to whom the case was reported to the police; stops the police clock."""
    _check_open(report)
    if report.reported_to_police_at is not None:
        raise ValidationError(ALREADY_REPORTED)
    errors = ErrorList()
    now = utcnow()
    if data.reported_at is None:
        errors.add(ValidationError(NEED_REPORTED_AT, field="reported_at"))
    elif data.reported_at > now + timedelta(minutes=1):
        errors.add(ValidationError(REPORTED_IN_FUTURE, field="reported_at"))
    elif data.reported_at < report.learned_at:
        errors.add(ValidationError(REPORTED_BEFORE_LEARNED, field="reported_at",
                                   learned=format_datetime(report.learned_at)))
    station = errors.collect(lambda: clean_free_text(data.station, max_length=200,
                                                     field="station"))
    if not station and not _has(errors, "station"):
        errors.add(ValidationError(NEED_STATION, field="station"))
    officer = errors.collect(lambda: clean_person_name(data.officer, max_length=100,
                                                       field="officer"))
    receipt = errors.collect(lambda: clean_code(data.receipt, max_length=100, field="receipt"))
    InputInvalid.raise_if_any(errors)
    report.reported_to_police_at = data.reported_at
    report.police_station, report.police_officer, report.police_receipt = \
        station, officer, receipt
    report.police_recorded_by, report.police_recorded_by_name = actor.key, actor.name[:100]
    session.flush()
    record_event("risk.police_reported", actor, target_type="risk_report", target_id=report.id,
                 org_unit_id=report.org_unit_id,
                 details={"risk_station": station, "risk_receipt": receipt,
                          "minutes": int((data.reported_at - report.learned_at)
                                         .total_seconds() // 60)})


def add_notice(report: RiskReport, data: NoticeInput, actor: Actor) -> RiskNotice:
    _check_open(report)
    errors = ErrorList()
    if data.recipient is None:
        errors.add(ValidationError(NEED_RECIPIENT, field="recipient"))
    organisation = errors.collect(lambda: clean_free_text(data.organisation, max_length=200,
                                                          field="organisation"))
    if not organisation and not _has(errors, "organisation"):
        errors.add(ValidationError(NEED_ORGANISATION, field="organisation"))
    person = errors.collect(lambda: clean_person_name(data.person, max_length=100,
                                                      field="person"))
    phone = errors.collect(lambda: clean_code(data.phone, max_length=30, field="phone"))
    if data.notified_at is None:
        errors.add(ValidationError(NEED_NOTIFIED_AT, field="notified_at"))
    elif data.notified_at > utcnow() + timedelta(minutes=1):
        errors.add(ValidationError(NOTIFIED_IN_FUTURE, field="notified_at"))
    if data.method is None:
        errors.add(ValidationError(NEED_METHOD, field="method"))
    note = errors.collect(lambda: clean_free_text(data.note, max_length=500, field="note"))
    InputInvalid.raise_if_any(errors)
    notice = RiskNotice(report_id=report.id, recipient=data.recipient, organisation=organisation,
                        person=person, phone=phone, notified_at=data.notified_at,
                        method=data.method, note=note, recorded_at=utcnow(),
                        recorded_by=actor.key, recorded_by_name=actor.name[:100])
    session.add(notice)
    session.flush()
    record_event("risk.notice_recorded", actor, target_type="risk_report", target_id=report.id,
                 org_unit_id=report.org_unit_id,
                 details={"risk_recipient": data.recipient.value,
                          "risk_organisation": organisation})
    return notice


# --- follow-up and closure ----------------------------------------------------------------------

def add_follow_up(report: RiskReport, data: FollowUpInput, actor: Actor) -> RiskFollowUp:
    """A follow-up of the child; it starts a new follow-up lapse (see :mod:`.rules`)."""
    _check_open(report)
    errors = ErrorList()
    if data.occurred_at is None:
        errors.add(ValidationError(NEED_OCCURRED_AT, field="occurred_at"))
    elif data.occurred_at > utcnow() + timedelta(minutes=1):
        errors.add(ValidationError(OCCURRED_IN_FUTURE, field="occurred_at"))
    elif data.occurred_at < report.learned_at:
        errors.add(ValidationError(OCCURRED_BEFORE_LEARNED, field="occurred_at",
                                   learned=format_datetime(report.learned_at)))
    if data.safety is None:
        errors.add(ValidationError(NEED_SAFETY, field="safety"))
    if data.care is None:
        errors.add(ValidationError(NEED_CARE, field="care"))
    notes = errors.collect(lambda: clean_free_text(data.notes, max_length=NOTES_MAX,
                                                   field="notes", multiline=True))
    aid = clean_code(data.aid_application) or None
    aid = aid.lstrip("#") if aid else None
    if aid is not None and not (aid.isdigit() and 0 < int(aid) < 2**31):
        errors.add(ValidationError(BAD_AID_NUMBER, field="aid_application"))
    InputInvalid.raise_if_any(errors)
    actions = ",".join(action.value for action in FollowUpAction if action in set(data.actions))
    follow_up = RiskFollowUp(report_id=report.id, occurred_at=data.occurred_at,
                             safety=data.safety, care=data.care, actions=actions, notes=notes,
                             aid_application_id=int(aid) if aid else None,
                             recorded_at=utcnow(), recorded_by=actor.key,
                             recorded_by_name=actor.name[:100])
    session.add(follow_up)
    session.flush()
    record_event("risk.followed_up", actor, target_type="risk_report", target_id=report.id,
                 org_unit_id=report.org_unit_id,
                 details={"risk_safety": data.safety.value, "risk_care": data.care.value})
    return follow_up


def close_report(report: RiskReport, data: CloseInput, actor: Actor) -> None:
    """Close the case with its outcome. A parent who neglected the guardianship duty is
    admonished: the admonition goes into their integrity record (家庭教育促进法第四十八条),
    naming the case but never its reporter."""
    _check_open(report)
    errors = ErrorList()
    if data.outcome is None:
        errors.add(ValidationError(NEED_OUTCOME, field="outcome"))
    summary = errors.collect(lambda: clean_free_text(data.summary, max_length=NOTES_MAX,
                                                     field="summary", multiline=True))
    if not summary and not _has(errors, "summary"):
        errors.add(ValidationError(NEED_SUMMARY, field="summary"))
    if data.outcome is not None and data.outcome != Outcome.UNFOUNDED \
            and report.reported_to_police_at is None:
        errors.add(ValidationError(NEED_POLICE_FIRST, field="outcome"))
    admonition = None
    if data.guardianship_neglected:
        if data.outcome == Outcome.UNFOUNDED:
            errors.add(ValidationError(UNFOUNDED_NOT_NEGLECT, field="guardianship_neglected"))
        elif report.worker_id is None:
            errors.add(ValidationError(NEGLECT_NEEDS_WORKER, field="guardianship_neglected"))
        admonition = errors.collect(lambda: clean_free_text(
            data.admonition, max_length=ADMONITION_MAX, field="admonition", multiline=True))
        if (not admonition or len(admonition) < ADMONITION_MIN) \
                and not _has(errors, "admonition"):
            errors.add(ValidationError(NEED_ADMONITION, field="admonition",
                                       min=ADMONITION_MIN))
    InputInvalid.raise_if_any(errors)
    report.status = ReportStatus.CLOSED
    report.closed_at = utcnow()
    report.closed_by, report.closed_by_name = actor.key, actor.name[:100]
    report.outcome, report.closure_summary = data.outcome, summary
    report.guardianship_neglected = bool(data.guardianship_neglected)
    report.admonition = admonition
    session.flush()
    if data.guardianship_neglected:
        add_entry(report.worker_id, "admonition", local_today(), reason=admonition,
                  issued_by=actor, reference=("risk_report", report.id))
    record_event("risk.closed", actor, target_type="risk_report", target_id=report.id,
                 org_unit_id=report.org_unit_id,
                 details={"risk_outcome": data.outcome.value,
                          "risk_admonished": bool(data.guardianship_neglected)})


# --- reading ------------------------------------------------------------------------------------

def read_case(report: RiskReport, actor: Actor) -> None:
    """Audit that ``actor`` opened the case (it holds a child's safety and what was learned)."""
    record_event("risk.case_viewed", actor, target_type="risk_report", target_id=report.id,
                 org_unit_id=report.org_unit_id)


@dataclass(frozen=True)
class ReporterView:
    anonymous: bool
    kind: ReporterKind
    name: str | None = None
    contact: str | None = None
    #: The worker's employee number when a worker reported from the phone.
    employee_number: str | None = None


def reporter_for(report: RiskReport, actor: Actor) -> ReporterView | None:
    """Who reported, for ``actor``: only a handler of the case sees it (None for others);
    an anonymous case shows only that it is anonymous."""
    if not has_permission(actor.key, RISK_HANDLE, report.org_unit):
        return None
    if report.anonymous:
        return ReporterView(True, report.reporter_kind)
    number = None
    key = report.reporter_key or ""
    if key.startswith("worker:") and key[7:].isdigit():
        worker = get_worker(int(key[7:]))
        number = worker.employee_number if worker else None
    return ReporterView(False, report.reporter_kind, report.reporter_name,
                        report.reporter_contact, number)
