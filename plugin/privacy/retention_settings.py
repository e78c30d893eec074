"""``CAREBRIDGE_RETENTION``: the months each retention rule keeps, parsed when the app starts.

Kept apart from :mod:`.retention` (which runs the rules) so that declaring the privacy feature
imports nothing but the declarations.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from ..core.features import Feature, Retention, declared_features

SETTING = "CAREBRIDGE_RETENTION"
_ENTRY = re.compile(r"\s*([A-Za-z0-9_]+\.[A-Za-z0-9_]+)\s*=\s*(-?\d+)\s*")


def declared_rules(features: Iterable[Feature]) -> dict[str, tuple[Feature, Retention]]:
    found: dict[str, tuple[Feature, Retention]] = {}
    for feature in features:
        for rule in feature.retention:
            if not rule.code.startswith(f"{feature.name}."):
                raise ValueError(f"retention rule {rule.code} of feature {feature.name} must be "
                                 f"named {feature.name}.<name>")
            if rule.code in found:
                raise ValueError(f"two retention rules are called {rule.code}")
            found[rule.code] = (feature, rule)
    return found


def parse_retention(value: Any) -> dict[str, int]:
    """``CAREBRIDGE_RETENTION``: ``code=months`` entries separated by commas, each naming a
    declared rule, at least its minimum (1 month, 36 for the audit log). Raises ``ValueError``
    naming every bad entry, so the app does not start with a retention nobody meant."""
    if isinstance(value, Mapping):
        entries = [f"{code}={months}" for code, months in value.items()]
    else:
        entries = [entry for entry in str(value).split(",") if entry.strip()]
    rules = declared_rules(declared_features())
    months_by_code: dict[str, int] = {}
    problems: list[str] = []
    for entry in entries:
        match = _ENTRY.fullmatch(entry)
        if match is None:
            problems.append(f"{entry.strip()!r} is not 'rule.code=months'")
            continue
        code, months = match.group(1), int(match.group(2))
        if code not in rules:
            problems.append(f"unknown rule {code!r} (known: {', '.join(sorted(rules))})")
        elif code in months_by_code:
            problems.append(f"{code} is given twice")
        elif months < rules[code][1].minimum_months:
            problems.append(f"{code}={months}: keep at least {rules[code][1].minimum_months} "
                            "months")
        else:
            months_by_code[code] = months
    if problems:
        raise ValueError("; ".join(problems))
    return months_by_code
