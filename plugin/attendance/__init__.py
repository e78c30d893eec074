"""Lecture attendance by QR code (DOMAIN §5): workers scan the venue's rotating code on their own
phones; officers scan printed badges (also offline), enter workers by hand or from a paper sheet,
and may annul a check-in within 15 minutes."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..core.features import Feature, Retention
from ..core.roles import Role
from .permissions import ATTENDANCE_RECORD

feature = Feature(
    name="attendance",
    package=__name__,
    retention=(
        Retention("attendance.check_in_attempts", _l("扫码签到尝试记录"), 6,
                  _l("签到尝试（网络地址、设备、被拒绝的扫码）满保留期后删除；签到记录本身保留，"
                     "宣讲统计不变。"),
                  "retention:purge_old_attempts"),
    ),
    demo="demo:load",
    blueprints=("views:bp",),
    models=("models",),
    permissions={ATTENDANCE_RECORD: (Role.HR_OFFICER, Role.SITE_MANAGER, Role.CARE_WORKER)},
    panels={"lecture": ("carebridge/attendance/_session_panel.html",)},
    audit_text="audit_text:AUDIT_TEXT",
    audit_actions={
        "attendance.manual_entry": _l("手工登记签到"),
        "attendance.paper_sheet": _l("录入纸质签到表"),
        "attendance.annulled": _l("作废签到"),
        "attendance.badges_downloaded": _l("下载职工签到胸卡"),
    },
)
