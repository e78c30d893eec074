"""The care team (关爱服务队伍), its service records and commendations: the roster of staff,
volunteers and social workers (in-house or purchased service) with their trainings and
availability; counselling, tutoring, ability building and social integration delivered to
workers' families and children; model guardians (依法履行监护职责模范), outstanding volunteers and
collectives, written into the integrity record when awarded."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..core.features import Feature, IntegrityKind, Link, Retention
from ..core.roles import Role
from .permissions import CARE_COMMEND, CARE_MANAGE, CARE_SERVICES, CARE_VIEW

feature = Feature(
    name="care_team",
    package=__name__,
    subject_data="subject_data:subject_data",
    demo="demo:load",
    blueprints=("views:bp", "service_views:bp", "commendation_views:bp"),
    models=("models",),
    indicators="indicators:INDICATORS",
    audit_text="audit_text:AUDIT_TEXT",
    record_pages={
        "care_team_member": ("carebridge.care_team.member", "member_id"),
        "care_service": ("carebridge.care_team_services.service", "service_id"),
        "care_commendation": ("carebridge.care_team_commendations.commendation",
                              "commendation_id"),
    },
    label=_l("关爱服务队伍"),
    permissions={
        CARE_VIEW: (Role.SITE_MANAGER, Role.CARE_WORKER, Role.UNION_OFFICER),
        CARE_MANAGE: (Role.CARE_WORKER, Role.UNION_OFFICER),
        CARE_SERVICES: (Role.CARE_WORKER, Role.UNION_OFFICER, Role.SITE_MANAGER),
        CARE_COMMEND: (Role.UNION_OFFICER,),
    },
    links={
        "navigation": (Link("carebridge.care_team.index", _l("关爱服务队伍"), CARE_VIEW, order=76),
                       Link("carebridge.care_team_services.index", _l("关爱服务记录"), CARE_VIEW,
                            order=77),
                       Link("carebridge.care_team_commendations.index", _l("表彰"), CARE_VIEW,
                            order=78)),
        "worker": (Link("carebridge.care_team_services.worker_history", _l("关爱服务记录"),
                        CARE_VIEW, subject_arg="worker_id", element_id="care-services-worker-link",
                        order=50),),
    },
    integrity_kinds=(IntegrityKind("volunteer_award", _l("表彰：优秀志愿者"), "primary"),),
    retention=(
        Retention("care_team.service_notes", _l("关爱服务内容"), 36,
                  _l("关爱服务提供满保留期后，清除服务内容和效果的文字记录；保留服务类别、日期、"
                     "服务人员和服务对象，以往各期的统计数不变。"),
                  "retention:purge_service_notes"),
        Retention("care_team.former_members", _l("已离开的队伍成员"), 36,
                  _l("队伍成员离开满保留期后，匿名化其信息：姓名改为“已清除”，电话、可服务时间说明"
                     "和对应的职工清除；保留类别、单位和起止日期，供以往各期的统计使用。"),
                  "retention:purge_former_members"),
    ),
    audit_actions={
        "care_team.member_added": _l("添加关爱服务队伍成员"),
        "care_team.member_updated": _l("修改关爱服务队伍成员"),
        "care_team.training_recorded": _l("登记队伍成员培训"),
        "care_team.service_recorded": _l("登记关爱服务"),
        "care_team.service_notes_viewed": _l("查看关爱服务内容"),
        "care_team.history_notes_viewed": _l("查看关爱服务记录（含服务内容）"),
        "care_team.nominated": _l("推荐表彰"),
        "care_team.awarded": _l("授予表彰"),
        "care_team.not_awarded": _l("表彰未获评"),
    },
)
