"""How the audit log reads the platform's own events: organisation units by name (linked for
those who see the tree there), the company, staff accounts by the host's names, roles by label."""
from __future__ import annotations

from dataclasses import replace

from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..access.checks import has_permission
from ..audit.text import AuditTarget, AuditText, EventText, Named, describe_events
from ..core.db import session
from ..core.roles import ROLE_LABELS
from ..org.labels import KIND_LABELS
from ..org.models import OrgUnit
from ..org.permissions import ORG_VIEW
from ..privacy.masking import mask_name


def describe_units(ids: list[str], reader_key: str | None) -> dict[str, Named]:
    units = session.execute(select(OrgUnit).where(
        OrgUnit.id.in_([int(i) for i in ids if i.isdigit()]))).scalars()
    return {str(unit.id): Named(unit.name, url_for("carebridge.org.unit", unit_id=unit.id)
                                if has_permission(reader_key, ORG_VIEW, unit) else None)
            for unit in units}


def describe_users(ids: list[str], reader_key: str | None) -> dict[str, Named]:
    """Staff accounts by the host's display names (staff names are not masked)."""
    names = current_app.extensions["carebridge"].adapter.user_names(set(ids))
    return {key: Named(name) for key, name in names.items() if name}


AUDIT_TEXT = AuditText(
    targets={"org_unit": AuditTarget(_l("组织单位"), describe_units),
             "company": AuditTarget(_l("公司")),
             "user": AuditTarget(_l("用户账号"), describe_users),
             "address": AuditTarget(_l("来源地址"))},
    keys={"parent": _l("上级单位"), "kind": _l("类型")},
    values={"role": {role.value: label for role, label in ROLE_LABELS.items()},
            "kind": {kind.value: label for kind, label in KIND_LABELS.items()}},
    references={"parent": "org_unit"},
)


def read_events(events, reader_key: str | None) -> list[EventText]:
    """The events as the log shows them (:func:`~plugin.audit.text.describe_events`), a worker
    who acted on their own phone named masked like every worker on the page (staff are not)."""
    return [replace(text, actor=mask_name(text.actor))
            if (text.event.actor_key or "").startswith("worker:") else text
            for text in describe_events(events, reader_key)]
