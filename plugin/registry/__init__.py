"""Workers and their children: the registry every other feature reads."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..core.features import Feature, Job, Link, Retention, Setting
from ..core.roles import Role
from ..core.settings import positive_int
from .permissions import (
    CHILDREN_ID_VIEW,
    CHILDREN_MANAGE,
    CHILDREN_VIEW,
    WORKERS_CONTACT_VIEW,
    WORKERS_MANAGE,
    WORKERS_VIEW,
)

_STAFF_WHO_SEE_PEOPLE = (Role.HR_OFFICER, Role.SITE_MANAGER, Role.UNION_OFFICER, Role.CARE_WORKER)

feature = Feature(
    name="registry",
    package=__name__,
    subject_data="subject_data:subject_data",
    demo="demo:load",
    indicators="indicators:INDICATORS",
    record_pages={"worker": ("carebridge.registry.worker", "worker_id"),
                  "child": ("carebridge.registry.child", "child_id")},
    label=_l("职工与儿童"),
    blueprints=("views:bp", "review_views:bp", "todo:bp"),
    panels={"home.todo": ("carebridge/registry/_todo.html",)},
    models=("models",),
    permissions={
        WORKERS_VIEW: _STAFF_WHO_SEE_PEOPLE,
        WORKERS_MANAGE: (Role.HR_OFFICER,),
        WORKERS_CONTACT_VIEW: (Role.HR_OFFICER,),
        CHILDREN_VIEW: _STAFF_WHO_SEE_PEOPLE,
        CHILDREN_MANAGE: (Role.HR_OFFICER,),
        # Union officers and the care team never see ID numbers, not even masked.
        CHILDREN_ID_VIEW: (Role.HR_OFFICER,),
    },
    links={
        "navigation": (Link("carebridge.registry.workers", _l("职工"), WORKERS_VIEW, order=30),
                       Link("carebridge.registry_review.index", _l("推定待核实"), CHILDREN_VIEW,
                            order=35, element_id="review-link")),
    },
    jobs=(
        Job("registry.recompute_categories", "jobs:recompute_categories_due_today", "cron",
            {"hour": 0, "minute": 5},
            why="Just after local midnight: yesterday's records go into the children's history "
                "first, then a child turning 16 leaves the left-behind list that day."),
        Job("registry.discard_expired_held_details", "jobs:discard_expired_held_details", "cron",
            {"hour": 0, "minute": 15},
            why="After midnight: details held until yesterday for lack of consent go first thing "
                "today."),
        Job("core.refresh_planner_statistics", "jobs:refresh_planner_statistics", "cron",
            {"hour": 4, "minute": 10},
            why="Night: API upserts add rows a few at a time, and no import refreshes for them."),
    ),
    audit_actions={
        "worker.created": _l("新建职工"),
        "worker.updated": _l("修改职工"),
        "worker.id_revealed": _l("查看职工完整身份证号码"),
        "child.created": _l("新建儿童档案"),
        "child.updated": _l("修改儿童档案"),
        "child.viewed": _l("查看儿童档案"),
        "child.id_revealed": _l("查看儿童完整身份证号码"),
        "child.consent_recorded": _l("登记监护人同意"),
        "child.consent_withdrawn": _l("撤回监护人同意"),
        "child.held_details_applied": _l("同意后补入暂存的儿童信息"),
        "child.held_details_discarded": _l("删除逾期未获同意的暂存信息"),
    },
    audit_text="audit_text:AUDIT_TEXT",
    retention=(
        Retention("registry.children_of_leavers", _l("已离职职工的子女"), 12,
                  _l("子女的父母（本单位职工）全部离职满保留期后，匿名化儿童档案：姓名、身份证号码、"
                     "住址、学校、健康情况、照护人和村（居）联系人等清除，暂存信息和监护人同意书上的"
                     "姓名一并清除；保留单位、性别、出生日期、户籍地区、类别和认定类别所需的情况，"
                     "以往各期的统计数和已封存的报告不变。"),
                  "retention:purge_children_of_leavers"),
        Retention("registry.adult_children", _l("已年满 18 周岁的子女"), 12,
                  _l("儿童年满 18 周岁满保留期后，按同样方式匿名化其档案（本系统服务未成年人，"
                     "成年后不再需要其个人信息）。"),
                  "retention:purge_adult_children"),
        Retention("registry.leavers", _l("已离职职工本人"), 36,
                  _l("职工离职满保留期后，匿名化职工本人信息：姓名、身份证号码、手机号码、性别清除，"
                     "户籍地只保留到省，工号改为“已清除-编号”（今后的花名册不会再对上这个人）；"
                     "保留入职和离职日期、单位和劳务分包单位，供以往各期的统计使用。"),
                  "retention:purge_leavers"),
    ),
    settings=(
        Setting("CAREBRIDGE_CONSENT_HOLD_DAYS", 30, positive_int,
                "Days the details of a child under 14 given without a guardian's consent are "
                "kept, encrypted, waiting for the consent."),
    ),
)
