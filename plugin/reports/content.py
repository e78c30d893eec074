"""What a report says: its figures and texts as one plain dict (the canonical content).

The same dict is shown on the page, drawn into the PDF (:mod:`.documents`) and the XLSX
(:mod:`.workbook`), and, when filed, frozen as canonical JSON (:mod:`.sealing`). Figures come
only through :mod:`plugin.core.indicators`; an indicator a template names whose feature is not
mounted is left out (never a made-up zero). Reports to recipients are in Chinese whatever the
officer's language, so the content is built under the zh_CN locale.

Its keys, for the renderers: ``format``, ``title``, ``company``, ``recipient`` {code, name},
``template`` {id, name}, ``unit`` {id, name, kind}, ``period`` {kind, start, end, label},
``responsible`` {department, person, phone}, ``generated_at`` (local time text), ``sections``
[{type "figures", title, figures [{code, name, unit, kind, definition, value, money,
breakdowns [{by, title, rows [{key, label, value}]}]}]} | {type "text", key, title, text}],
``confirmations`` {total, confirmed, rows [{unit_id, unit, confirmed, by, at}]}, ``filing``
None | {number, filed_at, filed_by, supersedes, reason, verify_url}.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _

from ..core import indicators
from ..core.dates import format_datetime
from ..core.db import reads_from_replica
from ..core.indicators import Indicator
from ..org.models import OrgUnit
from ..org.queries import get_company
from .models import ReportTemplate
from .periods import Period
from .recipients import TEXT_SECTIONS
from .units import confirmation_rows

FORMAT = 1
REPORT_LOCALE = "zh_CN"


def report_title(company: str, period: Period) -> str:
    return _("%(company)s%(period)s关爱农村留守儿童和困境儿童工作情况报告", company=company,
             period=period.label)


def template_sections(lines: Iterable[Mapping[str, Any]]) -> list[tuple[Any, list]]:
    """The template's declared indicator lines grouped by feature, in the features' order:
    ``[(feature label, [(indicator, breakdowns)])]``. Undeclared codes are left out."""
    declared = indicators.declared_indicators()
    wanted = {line["code"]: list(line.get("breakdowns", ())) for line in lines}
    sections: dict[str, tuple[Any, list]] = {}
    for code, (feature, indicator) in declared.items():
        if code not in wanted:
            continue
        breakdowns = [by for by in wanted[code] if by in indicator.breakdowns]
        sections.setdefault(feature.name, (feature.label or feature.name, []))[1].append(
            (indicator, breakdowns))
    return list(sections.values())


def figure(indicator: Indicator, breakdowns: list[str], paths: list[str],
           period: Period) -> dict[str, Any]:
    value = indicators.compute(indicator.code, paths, period.start, period.end)
    parts = []
    for by in breakdowns:
        counts = indicators.breakdown(indicator.code, by, paths, period.start, period.end)
        title, labels = indicators.describe_breakdown(indicator.code, by, counts)
        rows = sorted(({"key": key, "label": labels[key], "value": count}
                       for key, count in counts.items()), key=lambda row: (-row["value"],
                                                                          row["label"]))
        parts.append({"by": by, "title": title, "rows": rows})
    return {"code": indicator.code, "name": str(indicator.name), "unit": str(indicator.unit),
            "kind": indicator.kind, "definition": str(indicator.definition), "value": value,
            "money": indicator.is_money, "breakdowns": parts}


def build_content(template: ReportTemplate, unit: OrgUnit, period: Period,
                  texts: Mapping[str, str], *, now: datetime,
                  filing: dict[str, Any] | None = None) -> dict[str, Any]:
    """The report's content for ``unit``'s subtree and ``period`` (see the module doc)."""
    with force_locale(REPORT_LOCALE):
        company = get_company()
        company_name = company.name if company else ""
        paths = [unit.path]
        with reads_from_replica():  # figures only: the reports' replica, where there is one
            sections: list[dict[str, Any]] = [
                {"type": "figures", "title": str(title),
                 "figures": [figure(indicator, breakdowns, paths, period)
                             for indicator, breakdowns in lines]}
                for title, lines in template_sections(template.lines)]
        sections += [{"type": "text", "key": key, "title": str(TEXT_SECTIONS[key]),
                      "text": (texts.get(key) or "").strip()}
                     for key in template.text_sections if key in TEXT_SECTIONS]
        rows = confirmation_rows(unit, period)
        return {
            "format": FORMAT,
            "title": report_title(company_name, period),
            "company": company_name,
            "recipient": {"code": template.recipient.value, "name": str(template.recipient.label)},
            "template": {"id": template.id, "name": template.name},
            "unit": {"id": unit.id, "name": unit.name, "kind": unit.kind.value},
            "period": period.to_json(),
            "responsible": {"department": unit.responsible_department,
                            "person": unit.responsible_person, "phone": unit.responsible_phone},
            "generated_at": format_datetime(now),
            "sections": sections,
            "confirmations": {"total": len(rows),
                              "confirmed": sum(1 for row in rows if row["confirmed"]),
                              "rows": rows},
            "filing": filing,
        }


def figure_values(content: Mapping[str, Any]) -> dict[str, int]:
    """Indicator code → value, of every figure in the content."""
    return {item["code"]: item["value"] for section in content["sections"]
            if section["type"] == "figures" for item in section["figures"]}
