"""Site lectures (宣讲, DOMAIN §5): the lecture team, sessions on sites (planned, cancelled,
rescheduled with notices), the calendar, the statistics and the sign-in sheets. Check-in itself is
:mod:`plugin.attendance`."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..core.features import Feature, Link, Retention
from ..core.roles import Role
from .permissions import LECTURES_MANAGE, LECTURES_VIEW

feature = Feature(
    name="lectures",
    package=__name__,
    retention=(
        Retention("lectures.lecturer_phones", _l("已停用宣讲员的电话"), 24,
                  _l("宣讲员停用后，自其最后一场宣讲（没有宣讲则自登记之日）满保留期，清除其电话；"
                     "保留姓名、类别和单位，以往宣讲的记录不变。"),
                  "retention:purge_lecturer_phones"),
    ),
    subject_data="subject_data:subject_data",
    demo="demo:load",
    indicators="indicators:INDICATORS",
    record_pages={"lecture_session": ("carebridge.lectures.detail", "session_id")},
    label=_l("监护责任宣讲"),
    blueprints=("views:bp", "worker_views:worker_bp", "todo:bp"),
    panels={"home.todo": ("carebridge/lectures/_todo.html",)},
    models=("models",),
    permissions={
        LECTURES_VIEW: (Role.HR_OFFICER, Role.SITE_MANAGER, Role.UNION_OFFICER, Role.CARE_WORKER,
                        Role.REPORT_OFFICER),
        LECTURES_MANAGE: (Role.HR_OFFICER, Role.SITE_MANAGER, Role.CARE_WORKER),
    },
    links={
        "navigation": (Link("carebridge.lectures.index", _l("宣讲活动"), LECTURES_VIEW, order=40),),
        "phone.home": (Link("carebridge.worker_lectures.index", _l("宣讲活动：近期安排和我的签到"),
                            element_id="lectures-link", order=20),),
    },
    audit_text="audit_text:AUDIT_TEXT",
    audit_actions={
        "lecture.created": _l("安排宣讲"),
        "lecture.updated": _l("修改宣讲"),
        "lecture.cancelled": _l("取消宣讲"),
        "lecture.rescheduled": _l("宣讲改期"),
        "lecture.sign_in_sheet_downloaded": _l("下载宣讲签到表"),
        "lecturer.created": _l("新增宣讲员"),
        "lecturer.updated": _l("修改宣讲员"),
        "lecturer.deactivated": _l("停用宣讲员"),
    },
)
