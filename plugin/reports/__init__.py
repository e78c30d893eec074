"""Statistical reports and sealed filings for SASAC, the federations and Civil Affairs
(DOMAIN §9): templates per recipient, drafts for a subtree and a period, confirmation of each
unit's figures up the tree, PDF and XLSX, and filings sealed with SHA-256 in a chain, with a
public verification page and the records behind every filed figure."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..core.features import Feature, Job, Link
from ..core.roles import Role
from .permissions import REPORTS_CONFIRM, REPORTS_FILE, REPORTS_VIEW

feature = Feature(
    name="reports",
    package=__name__,
    blueprints=("views:bp", "confirm_views:bp", "public_views:bp", "panel:bp"),
    models=("models",),
    audit_text="audit_text:AUDIT_TEXT",
    panels={"home.panels": ("carebridge/reports/_calendar_panel.html",)},
    permissions={
        # Union officers see the reports (they answer for the ACFTU's); HR officers do not.
        REPORTS_VIEW: (Role.REPORT_OFFICER, Role.UNION_OFFICER),
        REPORTS_FILE: (Role.REPORT_OFFICER,),
        REPORTS_CONFIRM: (Role.SITE_MANAGER, Role.REPORT_OFFICER),
    },
    links={
        "navigation": (Link("carebridge.reports.index", _l("统计报表"), REPORTS_VIEW, order=90),
                       Link("carebridge.reports_confirm.index", _l("确认本单位数据"),
                            REPORTS_CONFIRM, order=91)),
    },
    jobs=(
        Job("reports.draft_due", "jobs:draft_due_reports", "cron", {"hour": 1, "minute": 40},
            why="Each period's drafts are ready the morning after it ends; a missed day is "
                "caught up the next."),
    ),
    audit_actions={
        "report.template_copied": _l("复制报表模板"),
        "report.template_saved": _l("修改报表模板"),
        "report.drafted": _l("生成报告草稿"),
        "report.texts_saved": _l("填写报告文字部分"),
        "report.draft_deleted": _l("删除报告草稿"),
        "report.filed": _l("报送统计报告"),
        "report.figures_confirmed": _l("确认本单位数据"),
        "report.records_opened": _l("查看报送数字背后的记录"),
    },
    demo="demo:load",
)
