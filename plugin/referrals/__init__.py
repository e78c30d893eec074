"""Referral directory (转介资源名录, DOMAIN §8): who to call for a child in a given place — the
village child director, the township child supervisor, the police station, the Civil Affairs
office, the village committee, schools and hotlines — by the child's hukou region; searched by
staff, imported from spreadsheets through the roster importer, and suggested to pre-fill the
referrals of risk reports (:func:`.queries.suggested_contacts`)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..core.features import Feature, Link, RecordImport
from ..core.roles import Role
from .permissions import REFERRALS_MANAGE, REFERRALS_VIEW

feature = Feature(
    name="referrals",
    package=__name__,
    demo="demo:load",
    blueprints=("views:bp",),
    models=("models",),
    label=_l("转介资源名录"),
    permissions={
        REFERRALS_VIEW: (Role.SITE_MANAGER, Role.CARE_WORKER, Role.HR_OFFICER,
                         Role.UNION_OFFICER),
        REFERRALS_MANAGE: (Role.CARE_WORKER,),
    },
    links={
        "navigation": (Link("carebridge.referrals.index", _l("转介资源名录"), REFERRALS_VIEW,
                            order=79),),
    },
    imports=(RecordImport("referrals", _l("转介资源名录"), REFERRALS_MANAGE, "importing:FIELDS",
                          "importing:store_row",
                          key_fields=("kind", "region_code", "township", "village",
                                      "organisation", "person_name"),
                          example="importing:EXAMPLE"),),
    audit_text="audit_text:AUDIT_TEXT",
    audit_actions={
        "referrals.contact_created": _l("添加转介资源"),
        "referrals.contact_updated": _l("修改转介资源"),
        "referrals.contact_deactivated": _l("停用转介资源"),
        "referrals.contact_imported": _l("导入转介资源"),
    },
)
