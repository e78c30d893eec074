"""Changing a record and saying what changed, for the audit log: one helper for every service.

:func:`apply_changes` sets the attributes it is given and returns only the real changes as
``{field: [old, new]}``, in the order given, which a service puts in its audit entry as it is
(``details=changes``) or by name only (``details={"fields": list(changes)}``) when the values
are personal data. Values named in ``mask`` appear in the diff masked, never in clear::

    changes = apply_changes(unit, {"name": "二号项目部", "responsible_phone": "13800135678"},
                            mask={"responsible_phone": mask_phone})
    # {"responsible_phone": ["139****0000", "138****5678"]} when only the phone changed
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

#: What a masked value without its own masking function reads as in a diff.
HIDDEN = "***"

Masks = Iterable[str] | Mapping[str, Callable[[Any], Any]]


def apply_changes(obj: Any, values: Mapping[str, Any], *, mask: Masks = ()) -> dict[str, list]:
    """Set each attribute of ``obj`` named in ``values`` that differs; return the differences.

    ``mask``: names whose old and new values are shown as :data:`HIDDEN`, or a mapping from
    name to a function giving the shown value (``mask_phone``). Nothing is flushed: the service
    flushes, then audits.
    """
    maskers = _maskers(mask)
    changes: dict[str, list] = {}
    for name, new in values.items():
        old = getattr(obj, name)
        if old == new:
            continue
        setattr(obj, name, new)
        shown = maskers.get(name)
        changes[name] = [old, new] if shown is None else [_masked(shown, old), _masked(shown, new)]
    return changes


def _maskers(mask: Masks) -> dict[str, Callable[[Any], Any]]:
    if isinstance(mask, Mapping):
        return dict(mask)
    return {name: (lambda value: HIDDEN) for name in mask}


def _masked(shown: Callable[[Any], Any], value: Any) -> Any:
    return None if value is None else shown(value)
