"""The platform's own staff pages: the organisation tree with its units, role grants and the
company's settings, and the audit log. They sit above :mod:`plugin.access` (they check
permissions) while the tree (:mod:`plugin.org`) and the log (:mod:`plugin.audit`) sit below it."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..audit.permissions import AUDIT_VIEW
from ..core.features import Feature, Link
from ..org.permissions import ORG_VIEW

feature = Feature(
    name="administration",
    package=__name__,
    blueprints=("org_views:bp", "audit_views:bp"),
    audit_text="audit_text:AUDIT_TEXT",
    links={"navigation": (
        Link("carebridge.org.tree", _l("组织架构"), ORG_VIEW, order=20),
        Link("carebridge.audit.events", _l("审计日志"), AUDIT_VIEW, order=90),
    )},
)
