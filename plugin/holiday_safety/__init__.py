"""Holiday safety campaigns (假期安全教育) before each summer holiday and Spring Festival: the daily
job drafts one per site from the official holiday calendar (or the dates an administrator
entered), the site manager schedules its lecture on drowning, traffic, bullying and sexual
assault, every worker with a child under 16 confirms a safety checklist on the phone, and the
officers follow up those who have not."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..core.features import Feature, Job, Link, Retention, Setting
from ..core.roles import Role
from ..core.settings import positive_int
from .permissions import HOLIDAY_SAFETY_CONFIGURE, HOLIDAY_SAFETY_MANAGE, HOLIDAY_SAFETY_VIEW

feature = Feature(
    name="holiday_safety",
    package=__name__,
    retention=(
        Retention("holiday_safety.checklist_answers", _l("假期安全清单的填写内容"), 12,
                  _l("假期开始满保留期后，清除职工填写的假期照看人和出行说明；保留确认时间、"
                     "是否讲过防溺水规则和出行方式，活动统计不变。"),
                  "retention:purge_checklist_answers"),
    ),
    demo="demo:load",
    blueprints=("views:bp", "phone_views:bp", "todo:bp"),
    panels={"home.todo": ("carebridge/holiday_safety/_todo.html",)},
    models=("models",),
    receivers=("receivers:connect_receivers",),
    indicators="indicators:INDICATORS",
    record_pages={"holiday_safety_campaign": ("carebridge.holiday_safety.campaign",
                                              "campaign_id")},
    label=_l("假期安全教育"),
    audit_text="audit_text:AUDIT_TEXT",
    permissions={
        HOLIDAY_SAFETY_VIEW: (Role.SITE_MANAGER, Role.CARE_WORKER, Role.HR_OFFICER,
                              Role.UNION_OFFICER),
        HOLIDAY_SAFETY_MANAGE: (Role.SITE_MANAGER, Role.CARE_WORKER),
        HOLIDAY_SAFETY_CONFIGURE: (),
    },
    links={
        "navigation": (Link("carebridge.holiday_safety.index", _l("假期安全教育"),
                            HOLIDAY_SAFETY_VIEW, order=45),),
        "phone.home": (Link("carebridge.holiday_safety_phone.mine",
                            _l("假期安全：确认孩子的假期安全清单"),
                            element_id="holiday-safety-link", order=25),),
    },
    jobs=(
        Job("holiday_safety.draft_campaigns", "jobs:draft_campaigns", "cron",
            {"hour": 6, "minute": 30},
            why="Early each day, before the site managers start work: the campaigns due that day "
                "are drafted and their managers told; a site's campaign is drafted once (unique "
                "per site, kind and year), so later runs add nothing."),
    ),
    settings=(
        Setting("CAREBRIDGE_HOLIDAY_SAFETY_LEAD_DAYS", 21, positive_int,
                "Days before a holiday's first day that its safety campaigns are drafted."),
    ),
    audit_actions={
        "holiday_safety.drafted": _l("起草假期安全教育"),
        "holiday_safety.scheduled": _l("安排假期安全教育宣讲"),
        "holiday_safety.lecture_cancelled": _l("假期安全教育宣讲已取消，待重新安排"),
        "holiday_safety.checklist_sent": _l("发送假期安全清单"),
        "holiday_safety.reminded": _l("再次提醒确认假期安全清单"),
        "holiday_safety.closed": _l("结束假期安全教育"),
        "holiday_safety.confirmed": _l("确认假期安全清单"),
        "holiday_safety.confirmations_viewed": _l("查看职工的假期安全清单"),
        "holiday_safety.dates_entered": _l("录入假期日期"),
    },
)
