"""Labels of the lecture codes for pages and exports."""
from flask_babel import lazy_gettext as _l

from ..attendance.models import CheckInMethod
from .models import LectureFormat, LecturerKind, LectureTopic, SessionStatus

FORMAT_LABELS = {
    LectureFormat.PARENTS_SCHOOL: _l("家长学校"),
    LectureFormat.TALK: _l("专题讲座"),
    LectureFormat.DISCUSSION: _l("座谈讨论"),
    LectureFormat.VIDEO: _l("视频观看"),
    LectureFormat.BROCHURE: _l("发放宣传册"),
    LectureFormat.EXPERT_COURSE: _l("专家课程"),
    LectureFormat.ONLINE: _l("线上学习"),
}

TOPIC_LABELS = {
    LectureTopic.GUARDIANSHIP_LAW: _l("监护法律法规"),
    LectureTopic.CHILD_FIRST: _l("儿童优先"),
    LectureTopic.PROPER_GUARDIANSHIP: _l("正确履行监护职责"),
    LectureTopic.PARENT_CHILD_COMMUNICATION: _l("亲子沟通"),
    LectureTopic.FAMILY_VIRTUES: _l("家庭美德"),
    LectureTopic.DROWNING: _l("假期安全：防溺水"),
    LectureTopic.BULLYING: _l("假期安全：防欺凌"),
    LectureTopic.SEXUAL_ASSAULT: _l("假期安全：防性侵"),
    LectureTopic.TRAFFIC_SAFETY: _l("假期安全：交通安全"),
}

LECTURER_KIND_LABELS = {
    LecturerKind.CADRE: _l("干部"),
    LecturerKind.WORKER: _l("职工"),
    LecturerKind.VOLUNTEER: _l("志愿者"),
    LecturerKind.EXPERT: _l("专家"),
    LecturerKind.SOCIAL_WORKER: _l("社工"),
}

STATUS_LABELS = {
    SessionStatus.SCHEDULED: _l("已安排"),
    SessionStatus.CANCELLED: _l("已取消"),
}

METHOD_LABELS = {
    CheckInMethod.WORKER_SCAN: _l("扫码签到"),
    CheckInMethod.BADGE_SCAN: _l("扫工牌签到"),
    CheckInMethod.MANUAL: _l("人工登记"),
    CheckInMethod.PAPER_SHEET: _l("纸质签到表补录"),
}

#: Column headings of the calendar, Monday first (the Chinese working week).
WEEKDAY_LABELS = (_l("周一"), _l("周二"), _l("周三"), _l("周四"), _l("周五"), _l("周六"), _l("周日"))
