"""Site lectures (宣讲, DOMAIN §5): the lecture team, sessions on sites (planned, cancelled,
rescheduled with notices), the calendar, the statistics and the sign-in sheets. Check-in itself is
:mod:`plugin.attendance`."""
from flask_babel import lazy_gettext as _l

from ..audit.actions import register_action_labels

register_action_labels({
    "lecture.created": _l("安排宣讲"),
    "lecture.updated": _l("修改宣讲"),
    "lecture.cancelled": _l("取消宣讲"),
    "lecture.rescheduled": _l("宣讲改期"),
    "lecture.sign_in_sheet_downloaded": _l("下载宣讲签到表"),
    "lecturer.created": _l("新增宣讲员"),
    "lecturer.updated": _l("修改宣讲员"),
    "lecturer.deactivated": _l("停用宣讲员"),
})
