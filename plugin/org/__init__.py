"""The company and its organisation tree: group → subsidiary → site → team (DOMAIN §2)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..core.features import Feature
from ..core.roles import Role
from .permissions import COMPANY_MANAGE, ORG_MANAGE, ORG_VIEW

feature = Feature(
    name="org",
    package=__name__,
    models=("models",),
    permissions={
        ORG_VIEW: (Role.HR_OFFICER, Role.SITE_MANAGER, Role.UNION_OFFICER, Role.CARE_WORKER,
                   Role.REPORT_OFFICER, Role.AUDITOR),
        ORG_MANAGE: (Role.HR_OFFICER,),
        COMPANY_MANAGE: (),
    },
    audit_text="audit_text:AUDIT_TEXT",
    audit_actions={
        "company.created": _l("创建公司"),
        "company.updated": _l("修改公司设置"),
        "org.unit_created": _l("新建组织单位"),
        "org.unit_updated": _l("修改组织单位"),
    },
)
