"""Child-protection risk reports (强制报告, DOMAIN §8): anyone with an account, and any worker from
a phone (anonymously if they wish), raises a concern about a worker's child; the case goes at once
to the officers of the parent's site and of the company with the duty to report to the police;
a case not reported, or not followed up, in time climbs the organisation tree; follow-ups,
notices, closure and, where the guardianship duty was neglected, an admonition in the parent's
integrity record. The reporter's identity is seen only by the case's officers, never when
anonymous, and never in the audit log."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..core.features import Feature, Job, Link, Retention, Setting
from ..core.roles import Role
from ..core.settings import positive_int
from .permissions import RISK_HANDLE, RISK_RAISE, RISK_VIEW

feature = Feature(
    name="risk_reports",
    package=__name__,
    demo="demo:load",
    blueprints=("views:bp", "phone_views:bp"),
    receivers=("receivers:connect_receivers",),
    retention=(
        Retention("risk_reports.reporters", _l("风险报告的报告人身份"), 12,
                  _l("风险报告结案满保留期后，清除署名报告人的身份（账号、姓名和联系方式）；"
                     "匿名报告本来就没有保存报告人。报告本身和统计数不变。"),
                  "retention:purge_reporters"),
        Retention("risk_reports.closed_cases", _l("已结案的风险报告"), 60,
                  _l("风险报告结案满保留期后，清除描述儿童和家庭的内容：情况说明、所描述的儿童、"
                     "家长和所在地、获知方式说明、跟进情况记录、结案说明和训诫内容，以及告知对象的"
                     "联系人和电话；保留情形、各时间点、结案结果、接警单位和回执号、逐级上报记录和"
                     "跟进评估，以往各期的统计数不变。"
                     "默认 60 个月：儿童保护个案需要较长时间备查。"),
                  "retention:purge_closed_cases"),
    ),
    models=("models",),
    indicators="indicators:INDICATORS",
    record_pages={"risk_report": ("carebridge.risk_reports.case", "report_id")},
    label=_l("儿童安全风险报告"),
    permissions={
        RISK_RAISE: (Role.HR_OFFICER, Role.SITE_MANAGER, Role.UNION_OFFICER, Role.CARE_WORKER,
                     Role.REPORT_OFFICER, Role.AUDITOR),
        RISK_VIEW: (Role.SITE_MANAGER, Role.CARE_WORKER),
        RISK_HANDLE: (Role.SITE_MANAGER, Role.CARE_WORKER),
    },
    links={
        "navigation": (Link("carebridge.risk_reports.index", _l("风险报告"), RISK_VIEW, order=75),
                       Link("carebridge.risk_reports.raise_concern", _l("报告儿童安全隐患"),
                            RISK_RAISE, order=76)),
        "worker": (Link("carebridge.risk_reports.raise_for_worker", _l("报告儿童安全隐患"),
                        RISK_RAISE, subject_arg="worker_id", element_id="risk-worker-link",
                        order=90),),
        "phone.home": (Link("carebridge.risk_reports_phone.mine", _l("报告儿童安全隐患"),
                            element_id="risk-link", order=60),),
    },
    jobs=(
        Job("risk_reports.escalate", "jobs:escalate_risk_reports", "interval", {"minutes": 5},
            why="The police must be told within hours: a case left unreported climbs the tree "
                "within five minutes of its deadline; a step taken is never taken again."),
    ),
    settings=(
        Setting("CAREBRIDGE_RISK_POLICE_REPORT_HOURS", 2, positive_int,
                "Hours after a risk report is raised within which the police report must be "
                "recorded; each further such interval escalates the case one level up."),
        Setting("CAREBRIDGE_RISK_FOLLOW_UP_DAYS", 7, positive_int,
                "Days without a follow-up after which an open risk report escalates (and again "
                "after each further such interval)."),
    ),
    audit_actions={
        "risk.raised": _l("提交儿童安全风险报告"),
        "risk.case_viewed": _l("查看儿童安全风险报告"),
        "risk.police_reported": _l("登记向公安机关报告"),
        "risk.notice_recorded": _l("登记告知民政、学校或村委会"),
        "risk.followed_up": _l("登记风险报告跟进"),
        "risk.escalated": _l("风险报告逐级上报"),
        "risk.closed": _l("风险报告结案"),
    },
    audit_text="audit_text:AUDIT_TEXT",
)
