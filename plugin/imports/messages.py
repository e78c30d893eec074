"""Putting an import's outcome into words: bilingual lines for the shell and error files, and
the errors kept on a job turned back into messages that translate when shown.

The shapes are those of :class:`plugin.core.errors.ErrorList`, the one error list of every
feature; the functions here add only what an import knows (its field labels).
"""
from __future__ import annotations

from ..core.errors import CareBridgeError, ErrorList, ValidationError, bilingual, plain_params
from ..core.i18n import N_
from ..registry.held_details import hold_days
from ..registry.schema import FieldSpec, field_label
from .kinds import kind_spec
from .models import ImportJob

#: ``bilingual`` and ``plain_params`` live in :mod:`plugin.core.errors`; importable from here too.
__all__ = ["awaiting_consent", "bilingual", "describe_error", "job_failure", "job_headline",
           "plain_params", "rejected_row_errors"]


def describe_error(error: CareBridgeError, fields: tuple[FieldSpec, ...]) -> str:
    """One bilingual line for a rejected row: "字段 / Field: 原因 / reason"."""
    return ErrorList.describe(error, lambda code: field_label(fields, code), with_row=False)


def rejected_row_errors(job: ImportJob) -> list[tuple[int, ErrorList]]:
    """The sample of rejected rows kept on the job, as errors that translate when shown."""
    return [(sample["row"], ErrorList.from_json(sample["errors"]))
            for sample in job.sample_errors or []]


AWAITING_CONSENT = N_(
    "%(count)s 名 14 岁以下儿童尚无监护人同意：只保存了统计所需的最少信息，身份证号码等其余信息"
    "已加密暂存 %(days)s 天。请职工在手机上打开“我的子女”阅读告知书并同意，或在儿童档案中登记"
    "纸质同意（也可在花名册中填写“监护人同意日期”后重新导入），同意后自动补入，无需重新导入；"
    "逾期未同意的暂存信息将被删除。")
AWAITING_CONSENT_DRY_RUN = N_(
    "试运行：%(count)s 名 14 岁以下儿童尚无监护人同意，正式导入时只保存统计所需的最少信息，"
    "其余信息加密暂存 %(days)s 天，等监护人同意后补入。")


def awaiting_consent(job: ImportJob) -> ValidationError | None:
    """What an import says of the children stored without their guardian's consent, and what
    to do about them (a message, so it translates when shown)."""
    if not job.withheld_count:
        return None
    return ValidationError(AWAITING_CONSENT_DRY_RUN if job.is_dry_run else AWAITING_CONSENT,
                           count=job.withheld_count, days=hold_days())


def job_headline(job: ImportJob) -> ValidationError | None:
    """The one line that explains a file that failed as a whole (every row rejected for the
    same field), shown before the rows' errors."""
    headline = (job.column_check or {}).get("headline")
    if not headline:
        return None
    fields = _fields(job)
    return ValidationError(headline["message"], field=headline.get("field"),
                           **{**headline["params"],
                              "label": field_label(fields, headline.get("field"))})


def _fields(job: ImportJob) -> tuple[FieldSpec, ...]:
    return kind_spec(job.kind).fields


def job_failure(job: ImportJob) -> ValidationError | None:
    if not job.failure:
        return None
    return ValidationError(job.failure["message"], **(job.failure.get("params") or {}))
