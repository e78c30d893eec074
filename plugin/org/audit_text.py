"""How the audit log reads changes to the company and its units (their object types are named by
the administration's text): each changed value as "label: old → new"."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..audit.text import COMMON, AuditText, readable

_KEYS = {"responsible_department": _l("负责部门"), "responsible_person": _l("负责人"),
         "responsible_phone": _l("负责人电话")}


def changes(details, phrase) -> list[str]:
    """``company.updated``, ``org.unit_updated``: details are ``{field: [old, new]}``."""
    sentences = []
    for key, value in details.items():
        if isinstance(value, list | tuple) and len(value) == 2:
            label = _KEYS.get(key) or COMMON.keys.get(key) or readable(key)
            old, new = (item if item not in (None, "") else "—" for item in value)
            sentences.append(_("%(label)s：%(old)s → %(new)s", label=label, old=old, new=new))
        elif text := phrase(key, value):
            sentences.append(text)
    return sentences


AUDIT_TEXT = AuditText(keys=_KEYS,
                       sentences={"company.updated": changes, "org.unit_updated": changes})
