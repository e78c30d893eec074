"""Holiday-reunion campaigns run by unions (DOMAIN §7): Spring Festival and National Day trips
home, 小候鸟 summer visits (children come to the parent's site) and 反探亲 (the family visits the
worker). Campaigns with places per site and a budget held by the database, applications from
the phone or by officers for whole households, priority bands with reasons, a reproducible
lottery, a waiting list whose offers lapse, bookings and results."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..core.features import Feature, Job, Link, Retention
from ..core.roles import Role
from .audit_booking import AUDIT_ACTIONS as BOOKING_AUDIT_ACTIONS
from .audit_officer import AUDIT_ACTIONS as OFFICER_AUDIT_ACTIONS
from .audit_results import AUDIT_ACTIONS as RESULTS_AUDIT_ACTIONS
from .permissions import REUNIONS_BOOK, REUNIONS_MANAGE, REUNIONS_VIEW, REUNIONS_VISITS

feature = Feature(
    name="reunions",
    package=__name__,
    subject_data="subject_data:subject_data",
    retention=(
        Retention("reunions.travellers", _l("团聚活动的出行人和来访儿童联系人"), 12,
                  _l("活动出行期结束满保留期后，清除出行人的姓名、身份证号码、票号和座位，以及来访"
                     "儿童的负责人、紧急联系人、电话和保险单号；保留申请、补贴金额和来访日期，活动"
                     "统计不变。"),
                  "retention:purge_travellers"),
    ),
    demo="demo:load",
    blueprints=("views:bp", "phone_views:bp", "booking_views:bp", "results_views:bp",
                "visits_views:bp", "todo:bp"),
    panels={"home.todo": ("carebridge/reunions/_todo.html",)},
    models=("models",),
    indicators="indicators:INDICATORS",
    record_pages={"reunion_application": ("carebridge.reunions.application", "application_id")},
    label=_l("节假日团聚"),
    permissions={
        REUNIONS_VIEW: (Role.HR_OFFICER, Role.UNION_OFFICER, Role.SITE_MANAGER,
                        Role.CARE_WORKER, Role.REPORT_OFFICER),
        REUNIONS_MANAGE: (Role.UNION_OFFICER,),
        # Booking needs full ID numbers (real-name tickets): by default the HR officers, who
        # may see them anyway; union officers never see ID numbers (plugin.registry.id_access).
        REUNIONS_BOOK: (Role.HR_OFFICER,),
        REUNIONS_VISITS: (Role.UNION_OFFICER, Role.SITE_MANAGER, Role.CARE_WORKER),
    },
    links={
        "navigation": (Link("carebridge.reunions.index", _l("团聚活动"), REUNIONS_VIEW,
                            order=70),
                       Link("carebridge.reunions_visits.on_site", _l("今天在工地的孩子"),
                            REUNIONS_VISITS, order=75),),
        "worker": (Link("carebridge.reunions.worker", _l("团聚申请"), REUNIONS_VIEW,
                        subject_arg="worker_id", element_id="reunions-worker-link"),),
        "phone.home": (Link("carebridge.reunions_phone.mine",
                            _l("团聚活动：申请回家或接孩子来团聚"), element_id="reunions-link",
                            order=40),),
    },
    jobs=(
        Job("reunions.lapse_offers", "jobs:lapse_due_offers", "interval", {"minutes": 10},
            why="An offer from the waiting list holds places for hours; within ten minutes of "
                "lapsing they go to the next household."),
    ),
    audit_actions={
        "reunion.campaign_created": _l("创建团聚活动"),
        "reunion.quota_changed": _l("调整团聚活动名额"),
        "reunion.applied": _l("申请团聚活动"),
        "reunion.approved": _l("批准团聚申请"),
        "reunion.waitlisted": _l("团聚申请列入候补"),
        "reunion.rejected": _l("团聚申请未通过"),
        "reunion.cancelled": _l("取消团聚申请"),
        "reunion.priority_changed": _l("调整团聚申请优先级"),
        "reunion.allocated": _l("按顺序分配团聚名额"),
        "reunion.offered": _l("候补递补团聚名额"),
        "reunion.offer_accepted": _l("确认递补团聚名额"),
        "reunion.offer_declined": _l("放弃递补团聚名额"),
        "reunion.offer_lapsed": _l("递补团聚名额过期"),
        "reunion.lottery_seed_published": _l("公布团聚活动抽签种子"),
        "reunion.lottery_drawn": _l("团聚活动抽签"),
        "reunion.travelled": _l("登记已出行"),
        "reunion.no_show": _l("登记未出行"),
        "reunion.visit_registered": _l("登记孩子到访工地"),
        "reunion.activity_added": _l("安排来访孩子的活动"),
        "reunion.attendance_recorded": _l("登记来访孩子的活动到场情况"),
        **OFFICER_AUDIT_ACTIONS, **BOOKING_AUDIT_ACTIONS, **RESULTS_AUDIT_ACTIONS,
    },
)
