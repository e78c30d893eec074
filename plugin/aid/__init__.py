"""Hardship aid (困难帮扶, DOMAIN §7): funds with a ledger that never goes below zero, applications
from the phone or by care workers with evidence, approval chains by amount tier with separation
of duties, one-off and monthly payments, pairing aid (结对帮扶) and union visits (工会慰问)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..core.features import Feature, Job, Link, Retention, Setting
from ..core.roles import Role
from ..core.settings import positive_int
from .permissions import (
    AID_APPLY,
    AID_CONFIGURE,
    AID_DECIDE,
    AID_FUNDS,
    AID_PAIRING,
    AID_PAY,
    AID_VIEW,
    AID_VISITS,
)

feature = Feature(
    name="aid",
    package=__name__,
    subject_data="subject_data:subject_data",
    retention=(
        Retention("aid.closed_applications", _l("已结束的困难帮扶申请"), 36,
                  _l("申请办结（已发放、按月救助结案、未通过或撤销）满保留期后，清除家庭困难情况、"
                     "收款账户、证明材料和审批意见；保留申请原因、金额、日期、状态、发放记录和基金"
                     "流水（会计记录），以往各期的统计数不变。默认 36 个月：民事诉讼时效为三年。"),
                  "retention:purge_closed_applications"),
        Retention("aid.ended_pairings", _l("已结束的结对帮扶"), 36,
                  _l("结对期满或提前结束满保留期后，清除帮扶人的电话、提前结束的原因和每次联系的"
                     "记录内容；保留帮扶人、结对期限和每次联系的日期与方式，结对统计不变。"),
                  "retention:purge_ended_pairings"),
        Retention("aid.visit_notes", _l("工会慰问的记录和照片"), 36,
                  _l("慰问之日满保留期后，清除慰问记录的内容和照片；保留日期、慰问人、慰问金"
                     "（基金流水）和物品。"),
                  "retention:purge_visit_notes"),
    ),
    demo="demo:load",
    blueprints=("views:bp", "phone_views:bp", "fund_views:bp", "pairing_views:bp",
                "visit_views:bp", "decision_views:bp", "chain_views:bp", "risk_panel:bp"),
    panels={"risk_report": ("carebridge/aid/_risk_report.html",)},
    models=("models",),
    indicators="indicators:INDICATORS",
    record_pages={
        "aid_application": ("carebridge.aid.application", "application_id"),
        "aid_pairing": ("carebridge.aid_pairings.pairing", "pairing_id"),
        "aid_visit": ("carebridge.aid_visits.visit", "visit_id"),
    },
    label=_l("困难帮扶"),
    permissions={
        AID_VIEW: (Role.UNION_OFFICER, Role.SITE_MANAGER, Role.CARE_WORKER),
        AID_APPLY: (Role.UNION_OFFICER, Role.SITE_MANAGER, Role.CARE_WORKER),
        AID_DECIDE: (Role.UNION_OFFICER, Role.SITE_MANAGER),
        AID_PAY: (Role.UNION_OFFICER,),
        AID_FUNDS: (Role.UNION_OFFICER,),
        AID_CONFIGURE: (),
        AID_PAIRING: (Role.UNION_OFFICER, Role.SITE_MANAGER, Role.CARE_WORKER),
        AID_VISITS: (Role.UNION_OFFICER,),
    },
    links={
        "navigation": (Link("carebridge.aid.index", _l("困难帮扶"), AID_VIEW, order=80),
                       Link("carebridge.aid_pairings.index", _l("结对帮扶"), AID_VIEW, order=81),
                       Link("carebridge.aid_visits.index", _l("工会慰问"), AID_VIEW, order=82),
                       Link("carebridge.aid_funds.index", _l("帮扶基金"), AID_VIEW, order=83)),
        "worker": (Link("carebridge.aid.apply", _l("代为申请困难帮扶"), AID_APPLY,
                        subject_arg="worker_id", element_id="aid-worker-link"),
                   Link("carebridge.aid_pairings.new", _l("结对帮扶"), AID_PAIRING,
                        subject_arg="worker_id", element_id="aid-pairing-worker-link"),
                   Link("carebridge.aid_visits.new", _l("工会慰问"), AID_VISITS,
                        subject_arg="worker_id", element_id="aid-visit-worker-link")),
        "risk_report": (Link("carebridge.aid.apply", _l("为这个家庭申请困难帮扶"), AID_APPLY,
                             subject_arg="worker_id", element_id="aid-risk-link"),),
        "phone.home": (Link("carebridge.aid_phone.mine", _l("困难帮扶：申请救助、查看进度"),
                            element_id="aid-link", order=50),),
    },
    jobs=(
        Job("aid.pay_recurring", "jobs:pay_recurring_aid", "cron", {"hour": 2, "minute": 10},
            why="Early each day: a month of recurring aid is paid on the first run of that "
                "month, so families have it in the morning; later runs find it paid."),
        Job("aid.remind_pairings", "pairing_jobs:remind_overdue_pairings", "cron",
            {"hour": 7, "minute": 50},
            why="At the start of the working day, so helpers can visit or call that day; each "
                "lapse is reminded once (Pairing.reminded_on), so a second run sends nothing."),
    ),
    settings=(
        Setting("CAREBRIDGE_AID_EVIDENCE_MAX_BYTES", 10 * 1024 * 1024, positive_int,
                "Largest evidence file accepted with an aid application, in bytes."),
        Setting("CAREBRIDGE_AID_VISIT_PHOTO_MAX_BYTES", 5 * 1024 * 1024, positive_int,
                "Largest photo accepted with a union visit, in bytes (up to five per visit)."),
    ),
    audit_actions={
        "aid.applied": _l("提交困难帮扶申请"),
        "aid.resubmitted": _l("重新提交困难帮扶申请"),
        "aid.approved": _l("审批同意困难帮扶申请"),
        "aid.rejected": _l("审批不同意困难帮扶申请"),
        "aid.sent_back": _l("退回困难帮扶申请"),
        "aid.paid": _l("发放困难帮扶"),
        "aid.month_paid": _l("发放一个月的按月救助"),
        "aid.cancelled": _l("撤销困难帮扶申请"),
        "aid.closed": _l("按月救助结案"),
        "aid.chain_configured": _l("设置困难帮扶审批流程"),
        "aid.account_revealed": _l("查看完整收款账号"),
        "aid.application_viewed": _l("查看困难帮扶申请"),
        "aid.evidence_viewed": _l("查看困难帮扶证明材料"),
        "aid.fund_created": _l("设立帮扶基金"),
        "aid.fund_closed": _l("关闭帮扶基金"),
        "aid.income_recorded": _l("登记基金收入（拨款或捐赠）"),
        "aid.entry_reversed": _l("冲正基金流水"),
        "aid.statement_downloaded": _l("下载基金对账单"),
        "aid.pairing_created": _l("新建结对帮扶"),
        "aid.pairing_ended": _l("结束结对帮扶"),
        "aid.pairing_contact_logged": _l("登记结对帮扶联系"),
        "aid.pairing_notes_viewed": _l("查看结对帮扶联系记录"),
        "aid.visit_recorded": _l("登记工会慰问"),
        "aid.visit_notes_viewed": _l("查看工会慰问情况记录"),
        "aid.visit_photo_viewed": _l("查看工会慰问照片"),
    },
)
