"""Putting an import's outcome into words: bilingual lines for the shell and error files, and
the errors kept on a job turned back into messages that translate when shown.

The shapes are those of :class:`plugin.core.errors.ErrorList`, the one error list of every
feature; the functions here add only what an import knows (its field labels).
"""
from __future__ import annotations

from ..core.errors import CareBridgeError, ErrorList, ValidationError, bilingual, plain_params
from ..registry.schema import FieldSpec, field_label
from .models import ImportJob

#: ``bilingual`` and ``plain_params`` live in :mod:`plugin.core.errors`; importable from here too.
__all__ = ["bilingual", "describe_error", "job_failure", "job_headline", "plain_params",
           "rejected_row_errors"]


def describe_error(error: CareBridgeError, fields: tuple[FieldSpec, ...]) -> str:
    """One bilingual line for a rejected row: "字段 / Field: 原因 / reason"."""
    return ErrorList.describe(error, lambda code: field_label(fields, code), with_row=False)


def rejected_row_errors(job: ImportJob) -> list[tuple[int, ErrorList]]:
    """The sample of rejected rows kept on the job, as errors that translate when shown."""
    return [(sample["row"], ErrorList.from_json(sample["errors"]))
            for sample in job.sample_errors or []]


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
    from ..registry.schema import CHILD_FIELDS, WORKER_FIELDS

    return CHILD_FIELDS if job.kind.value == "children" else WORKER_FIELDS


def job_failure(job: ImportJob) -> ValidationError | None:
    if not job.failure:
        return None
    return ValidationError(job.failure["message"], **(job.failure.get("params") or {}))
