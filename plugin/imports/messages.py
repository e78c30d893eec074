"""Putting an import's outcome into words: bilingual lines for the shell and error files, and
the errors kept on a job turned back into messages that translate when shown."""
from __future__ import annotations

from typing import Any, Callable

from flask_babel import force_locale

from ..core.errors import CareBridgeError, ValidationError
from ..registry.schema import FieldSpec, field_label
from .models import ImportJob


def plain_params(params: dict[str, Any]) -> dict[str, Any]:
    """Message parameters as JSON can store them."""
    return {key: value if isinstance(value, (str, int, float, bool)) or value is None else str(value)
            for key, value in params.items()}


def bilingual(render: Callable[[], Any]) -> str:
    """``render()`` in Chinese and in English, as "中文 / English" (once when they are equal)."""
    with force_locale("zh_CN"):
        chinese = str(render())
    with force_locale("en"):
        english = str(render())
    return chinese if chinese == english else f"{chinese} / {english}"


def describe_error(error: CareBridgeError, fields: tuple[FieldSpec, ...]) -> str:
    """One bilingual line for a rejected row: "字段 / Field: 原因 / reason"."""
    if not error.field:
        return error.bilingual()
    return f"{bilingual(lambda: field_label(fields, error.field))}: {error.bilingual()}"


def rejected_row_errors(job: ImportJob) -> list[tuple[int, list[ValidationError]]]:
    """The sample of rejected rows kept on the job, as errors that translate when shown."""
    return [(sample["row"], [ValidationError(item["message"], field=item["field"], **(item["params"] or {}))
                             for item in sample["errors"]])
            for sample in job.sample_errors or []]


def job_failure(job: ImportJob) -> ValidationError | None:
    if not job.failure:
        return None
    return ValidationError(job.failure["message"], **(job.failure.get("params") or {}))
