"""Protecting children's personal information (PIPL): encryption, masking, consent, read audit,
and retention: the features' rules erase or anonymise what has been kept long enough."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..core.features import Feature, Job, Link, Setting
from ..core.roles import Role
from .assessments_permissions import PRIVACY_ASSESSMENTS
from .corrections_permissions import PRIVACY_CORRECTIONS
from .retention_permissions import RETENTION_MANAGE
from .retention_settings import SETTING as RETENTION_SETTING
from .retention_settings import parse_retention

feature = Feature(
    name="privacy",
    package=__name__,
    demo="demo:load",
    blueprints=("retention_views:bp", "subject_data_views:bp", "corrections_views:bp",
                "assessments_views:bp"),
    models=("subject_data_models", "corrections_models", "assessments_models"),
    permissions={RETENTION_MANAGE: (), PRIVACY_CORRECTIONS: (Role.HR_OFFICER,),
                 PRIVACY_ASSESSMENTS: ()},
    links={"navigation": (Link("carebridge.privacy_retention.index", _l("个人信息保留期限"),
                               RETENTION_MANAGE, order=95),
                       Link("carebridge.privacy_corrections.index", _l("个人信息更正申请"),
                            PRIVACY_CORRECTIONS, order=93),
                       Link("carebridge.privacy_assessments.index",
                            _l("个人信息保护影响评估"), PRIVACY_ASSESSMENTS, order=94)),
           "phone.home": (Link("carebridge.privacy_phone.mine",
                               _l("我的个人信息：下载副本、申请更正"),
                               element_id="privacy-link", order=90),)},
    commands=("cli:rotate_keys_command", "purge_cli:purge_command"),
    jobs=(
        Job("privacy.purge", "jobs:purge_expired_personal_data", "cron",
            {"hour": 3, "minute": 30},
            why="At night, when nobody works with the records it anonymises; after the "
                "registry's history of yesterday is recorded (00:05), so the last day a child "
                "was as it was is kept. Idempotent: a second run finds nothing."),
    ),
    settings=(
        Setting(RETENTION_SETTING, {}, parse_retention,
                "Months each retention rule keeps its data, overriding the defaults: "
                "'registry.leavers=48,aid.closed_applications=60'. An unknown rule or fewer "
                "months than a rule's minimum stops the start."),
    ),
    audit_actions={
        "privacy.purged": _l("按保留期限清除个人信息"),
        "privacy.subject_data_downloaded": _l("职工下载本人个人信息副本"),
        "privacy.correction_requested": _l("职工申请更正个人信息"),
        "privacy.correction_made": _l("个人信息更正申请：已更正"),
        "privacy.correction_refused": _l("个人信息更正申请：不予更正"),
        "privacy.assessment_created": _l("新建个人信息保护影响评估"),
        "privacy.assessment_updated": _l("修改个人信息保护影响评估"),
        "privacy.assessment_withdrawn": _l("终止个人信息保护影响评估"),
        "privacy.export_recorded": _l("依据影响评估向外部提供个人信息"),
    },
    audit_text="assessments_audit_text:AUDIT_TEXT",
)
