"""Personal-information protection impact assessments (PIPL Art. 55–56) and the exports of
personal data to third parties that rely on them.

**Assessments.** An administrator (permission :data:`.permissions.PRIVACY_ASSESSMENTS`) records
one per recipient and purpose: the kind of recipient, its name, the purpose, the data shared,
the legal basis, why it is necessary, the risks and the measures, who assessed it and when, and
until when it holds, for the exports of one unit's subtree. It may be changed until an export
has used it; after that it is a record of what an export relied on, so it can only be ended
early (withdrawn) and a new one made. No page deletes one: it is kept at least three years
after it was last used (Art. 56), and :func:`earliest_purge_on` says from when the retention
rules may remove it.

**Exports.** A feature that sends personal data outside the company declares an
:class:`ExportKind` (what it exports and which recipients may get it). Its export form offers
the assessments :func:`usable_assessments` finds and asks for the purpose; its service calls
:func:`check_export` among its own checks (errors name the form's ``assessment`` and
``purpose`` fields, so a refused export writes nothing) and, once the export is made,
:func:`record_export`, which leaves an :class:`ExportRecord` and marks the assessment used.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from ..audit.services import record_event
from ..core.clock import utcnow
from ..core.db import session
from ..core.errors import CareBridgeError, InputInvalid, ValidationError
from ..core.host import Actor
from ..core.i18n import N_
from ..core.pagination import Page, paginate
from ..core.text import clean_free_text
from ..org.models import OrgUnit
from ..org.queries import in_subtrees
from .assessments_models import ExportRecord, ImpactAssessment, RecipientKind

CREATED = "privacy.assessment_created"
UPDATED = "privacy.assessment_updated"
WITHDRAWN = "privacy.assessment_withdrawn"
EXPORT_RECORDED = "privacy.export_recorded"

#: Years an assessment and its export records are kept after the last use (Art. 56).
KEPT_YEARS = 3
#: Longest text of each field, by field code.
LIMITS = {"recipient_name": 200, "purpose": 1000, "data_categories": 1000, "legal_basis": 1000,
          "necessity": 2000, "risks_and_measures": 4000, "assessed_by": 200}
PURPOSE_MAX = 300
REASON_MAX = 300

REQUIRED = N_("请填写这一项")
UNIT_REQUIRED = N_("请选择适用单位")
KIND_REQUIRED = N_("请选择接收方类型")
ASSESSED_ON_REQUIRED = N_("请填写评估日期")
ASSESSED_IN_FUTURE = N_("评估日期不能晚于今天")
VALID_UNTIL_REQUIRED = N_("请填写有效期")
VALID_BEFORE_ASSESSED = N_("有效期不能早于评估日期")
VALID_IN_PAST = N_("有效期不能早于今天")
USED_NOT_CHANGED = N_("已有导出依据这份评估，不能再修改；情况有变请终止它并新建一份评估")
NOTHING_CHANGED = N_("内容没有变化")
ALREADY_ENDED = N_("这份评估已经失效，无需终止")
ASSESSMENT_REQUIRED = N_("请选择这次对外提供所依据的个人信息保护影响评估")
ASSESSMENT_UNKNOWN = N_("所选的影响评估不存在，请重新选择")
ASSESSMENT_NOT_CURRENT = N_("所选的影响评估今天不在有效期内（%(start)s 至 %(end)s），"
                            "请选择有效的评估或先完成新的评估")
ASSESSMENT_WITHDRAWN = N_("所选的影响评估已于 %(date)s 终止，请选择有效的评估")
ASSESSMENT_WRONG_RECIPIENT = N_("所选的影响评估是针对“%(kind)s”的，不适用于向%(wanted)s提供")
ASSESSMENT_WRONG_UNIT = N_("所选的影响评估适用于%(unit)s，不包括这次导出的单位")
PURPOSE_REQUIRED = N_("请填写这次对外提供的目的")


@dataclass(frozen=True)
class ExportKind:
    """A kind of export of personal data to a third party, declared by the exporting feature."""

    #: Stored on :class:`ExportRecord` (``family_contact.carrier_batch``), up to 48 characters.
    code: str
    label: Any
    #: The recipients it may go to: an assessment of another kind does not fit.
    recipients: tuple[RecipientKind, ...]

    def __post_init__(self) -> None:
        if not 0 < len(self.code) <= 48:
            raise ValueError(f"export kind code {self.code!r} must be 1 to 48 characters")
        _KINDS[self.code] = self


#: Every export kind declared so far, by code (the assessment page names exports by label).
_KINDS: dict[str, ExportKind] = {}


def declared_export_kinds() -> tuple[str, ...]:
    return tuple(_KINDS)


def export_kind_label(code: str) -> str:
    kind = _KINDS.get(code)
    return str(kind.label) if kind is not None else code


@dataclass
class AssessmentInput:
    unit: OrgUnit | None = None
    recipient_kind: str | None = None
    recipient_name: str | None = None
    purpose: str | None = None
    data_categories: str | None = None
    legal_basis: str | None = None
    necessity: str | None = None
    risks_and_measures: str | None = None
    assessed_by: str | None = None
    assessed_on: date | None = None
    valid_until: date | None = None


@dataclass
class ExportCheck:
    """What :func:`check_export` found: the assessment and purpose, or the errors."""

    assessment: ImpactAssessment | None = None
    purpose: str | None = None
    errors: list[CareBridgeError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and self.assessment is not None


# -- rules ------------------------------------------------------------------------------------

def ends_on(assessment: ImpactAssessment) -> date:
    """The last day an export may use it: its ``valid_until``, or the day before withdrawal."""
    if assessment.withdrawn_on is not None:
        return min(assessment.valid_until, assessment.withdrawn_on - timedelta(days=1))
    return assessment.valid_until


def is_usable_on(assessment: ImpactAssessment, day: date) -> bool:
    return assessment.assessed_on <= day <= ends_on(assessment)


def covers(assessment: ImpactAssessment, unit: OrgUnit) -> bool:
    """Exports of ``unit`` may rely on it: the unit lies in the assessment's subtree."""
    return unit.path.startswith(assessment.org_unit.path)


def earliest_purge_on(assessment: ImpactAssessment) -> date:
    """The first day a retention rule may remove it and its export records: three years after
    the later of its last use and the end of its validity (Art. 56: at least three years)."""
    last = max(ends_on(assessment), assessment.last_used_on or assessment.assessed_on)
    return _years_after(last, KEPT_YEARS) + timedelta(days=1)


def _years_after(day: date, years: int) -> date:
    """The same day ``years`` later; 29 February becomes 1 March in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 3, 1)


# -- assessments ------------------------------------------------------------------------------

def _checked(data: AssessmentInput, today: date) -> tuple[dict, list[CareBridgeError]]:
    errors: list[CareBridgeError] = []
    values: dict[str, Any] = {}
    if data.unit is None:
        errors.append(ValidationError(UNIT_REQUIRED, field="unit"))
    try:
        values["recipient_kind"] = RecipientKind(data.recipient_kind)
    except ValueError:
        errors.append(ValidationError(KIND_REQUIRED, field="recipient_kind"))
    for name, limit in LIMITS.items():
        try:
            text = clean_free_text(getattr(data, name), max_length=limit, field=name,
                                   multiline=name not in ("recipient_name", "assessed_by"))
        except ValidationError as error:
            errors.append(error)
            continue
        if not text:
            errors.append(ValidationError(REQUIRED, field=name))
        values[name] = text
    if data.assessed_on is None:
        errors.append(ValidationError(ASSESSED_ON_REQUIRED, field="assessed_on"))
    elif data.assessed_on > today:
        errors.append(ValidationError(ASSESSED_IN_FUTURE, field="assessed_on"))
    if data.valid_until is None:
        errors.append(ValidationError(VALID_UNTIL_REQUIRED, field="valid_until"))
    elif data.assessed_on is not None and data.valid_until < data.assessed_on:
        errors.append(ValidationError(VALID_BEFORE_ASSESSED, field="valid_until"))
    elif data.valid_until < today:
        errors.append(ValidationError(VALID_IN_PAST, field="valid_until"))
    values.update(assessed_on=data.assessed_on, valid_until=data.valid_until)
    return values, errors


def create_assessment(data: AssessmentInput, *, actor: Actor, today: date) -> ImpactAssessment:
    values, errors = _checked(data, today)
    InputInvalid.raise_if_any(errors)
    assessment = ImpactAssessment(org_unit_id=data.unit.id, created_by=actor.key[:64],
                                  created_at=utcnow(), **values)
    session.add(assessment)
    session.flush()
    record_event(CREATED, actor, target_type="privacy_assessment", target_id=assessment.id,
                 org_unit_id=data.unit.id,
                 details={"recipient_kind": values["recipient_kind"].value,
                          "valid_until": values["valid_until"].isoformat()})
    return assessment


def update_assessment(assessment: ImpactAssessment, data: AssessmentInput, *, actor: Actor,
                      today: date) -> ImpactAssessment:
    """Change an assessment no export has used yet."""
    values, errors = _checked(data, today)
    if assessment.last_used_on is not None:
        errors.insert(0, ValidationError(USED_NOT_CHANGED))
    InputInvalid.raise_if_any(errors)
    values["org_unit_id"] = data.unit.id
    changed = sorted(name for name, value in values.items()
                     if getattr(assessment, name) != value)
    if not changed:
        raise ValidationError(NOTHING_CHANGED)
    for name in changed:
        setattr(assessment, name, values[name])
    session.flush()
    record_event(UPDATED, actor, target_type="privacy_assessment", target_id=assessment.id,
                 org_unit_id=assessment.org_unit_id, details={"fields": changed})
    return assessment


def withdraw_assessment(assessment: ImpactAssessment, *, reason: str | None, actor: Actor,
                        today: date) -> ImpactAssessment:
    """End it from today on: no export may rely on it any more."""
    errors: list[CareBridgeError] = []
    try:
        reason = clean_free_text(reason, max_length=REASON_MAX, field="reason")
    except ValidationError as error:
        errors.append(error)
    else:
        if not reason:
            errors.append(ValidationError(REQUIRED, field="reason"))
    if ends_on(assessment) < today:
        errors.insert(0, ValidationError(ALREADY_ENDED))
    InputInvalid.raise_if_any(errors)
    assessment.withdrawn_on = today
    assessment.withdraw_reason = reason
    session.flush()
    record_event(WITHDRAWN, actor, target_type="privacy_assessment", target_id=assessment.id,
                 org_unit_id=assessment.org_unit_id, details={"reason": reason})
    return assessment


def get_assessment(assessment_id: int) -> ImpactAssessment | None:
    return session.get(ImpactAssessment, assessment_id)


def assessments_page(*, scope_paths: list[str], page: int = 1, per_page: int = 50) -> Page:
    """Assessments of units in ``scope_paths``, latest valid first."""
    statement = (select(ImpactAssessment).join(OrgUnit, OrgUnit.id == ImpactAssessment.org_unit_id)
                 .where(in_subtrees(OrgUnit.path, scope_paths))
                 .order_by(ImpactAssessment.valid_until.desc(), ImpactAssessment.id.desc()))
    return paginate(statement, page, per_page)


def exports_page(assessment: ImpactAssessment, page: int = 1, per_page: int = 50) -> Page:
    """The exports that relied on it, newest first."""
    return paginate(select(ExportRecord).where(ExportRecord.assessment_id == assessment.id)
                    .order_by(ExportRecord.exported_at.desc(), ExportRecord.id.desc()),
                    page, per_page)


# -- exports ----------------------------------------------------------------------------------

def usable_assessments(kind: ExportKind, unit_paths: list[str],
                       today: date) -> list[ImpactAssessment]:
    """The assessments an export of ``kind`` from the units at ``unit_paths`` (or below them)
    may choose today: usable today, for one of its recipients, covering one of those units or a
    unit below one of them (the service checks the chosen unit)."""
    candidates = session.execute(
        select(ImpactAssessment).where(ImpactAssessment.recipient_kind.in_(kind.recipients),
                                       ImpactAssessment.assessed_on <= today,
                                       ImpactAssessment.valid_until >= today)
        .order_by(ImpactAssessment.recipient_name, ImpactAssessment.id)).scalars()
    return [assessment for assessment in candidates if is_usable_on(assessment, today)
            and any(path.startswith(assessment.org_unit.path)
                    or assessment.org_unit.path.startswith(path) for path in unit_paths)]


def check_export(kind: ExportKind, assessment_id: int | None, purpose: str | None, *,
                 unit: OrgUnit | None, today: date) -> ExportCheck:
    """Whether an export of ``kind`` from ``unit`` may rely on the chosen assessment today, with
    ``purpose``: every problem as an error on the ``assessment`` or ``purpose`` field. ``unit``
    None (the form's unit is missing, the feature says so) checks only the rest."""
    check = ExportCheck()
    try:
        check.purpose = clean_free_text(purpose, max_length=PURPOSE_MAX, field="purpose")
    except ValidationError as error:
        check.errors.append(error)
    else:
        if not check.purpose:
            check.errors.append(ValidationError(PURPOSE_REQUIRED, field="purpose"))
    if not assessment_id:
        check.errors.insert(0, ValidationError(ASSESSMENT_REQUIRED, field="assessment"))
        return check
    assessment = get_assessment(assessment_id) if 0 < assessment_id < 2**31 else None
    problem = None
    if assessment is None:
        problem = ValidationError(ASSESSMENT_UNKNOWN, field="assessment")
    elif assessment.recipient_kind not in kind.recipients:
        problem = ValidationError(ASSESSMENT_WRONG_RECIPIENT, field="assessment",
                                  kind=assessment.recipient_kind.label,
                                  wanted="、".join(str(each.label) for each in kind.recipients))
    elif assessment.withdrawn_on is not None and assessment.withdrawn_on <= today:
        problem = ValidationError(ASSESSMENT_WITHDRAWN, field="assessment",
                                  date=assessment.withdrawn_on.isoformat())
    elif not is_usable_on(assessment, today):
        problem = ValidationError(ASSESSMENT_NOT_CURRENT, field="assessment",
                                  start=assessment.assessed_on.isoformat(),
                                  end=assessment.valid_until.isoformat())
    elif unit is not None and not covers(assessment, unit):
        problem = ValidationError(ASSESSMENT_WRONG_UNIT, field="assessment",
                                  unit=assessment.org_unit.name)
    if problem is not None:
        check.errors.insert(0, problem)
    else:
        check.assessment = assessment
    return check


def require_export(kind: ExportKind, assessment_id: int | None, purpose: str | None, *,
                   unit: OrgUnit | None, today: date) -> ExportCheck:
    """:func:`check_export`, raising :class:`~plugin.core.errors.InputInvalid` when refused."""
    check = check_export(kind, assessment_id, purpose, unit=unit, today=today)
    InputInvalid.raise_if_any(check.errors)
    return check


def record_export(check: ExportCheck, kind: ExportKind, *, unit: OrgUnit, people: int,
                  actor: Actor, today: date, reference: str | None = None,
                  file_format: str | None = None) -> ExportRecord:
    """The export was made: tie it to its assessment (which is now used) and audit it."""
    if not check.ok:
        raise ValueError("record_export needs a check without errors")
    assessment = check.assessment
    record = ExportRecord(assessment_id=assessment.id, org_unit_id=unit.id, kind=kind.code,
                          reference=reference, file_format=file_format, purpose=check.purpose,
                          people=people, exported_at=utcnow(), exported_by=actor.key[:64],
                          exported_by_name=actor.name[:200])
    session.add(record)
    if assessment.last_used_on is None or assessment.last_used_on < today:
        assessment.last_used_on = today
    session.flush()
    record_event(EXPORT_RECORDED, actor, target_type="privacy_assessment",
                 target_id=assessment.id, org_unit_id=unit.id,
                 details={"export_kind": kind.code, "people": people})
    return record
