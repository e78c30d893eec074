"""Labels of the organisation tree's values, one table per enum, used by every page."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from .models import OrgKind

KIND_LABELS = {
    OrgKind.GROUP: _l("集团"),
    OrgKind.SUBSIDIARY: _l("子公司/工程局"),
    OrgKind.SITE: _l("项目部/厂区"),
    OrgKind.TEAM: _l("班组"),
}
