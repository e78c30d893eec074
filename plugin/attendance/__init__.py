"""Lecture attendance by QR code (DOMAIN §5): workers scan the venue's rotating code on their own
phones; officers scan printed badges (also offline), enter workers by hand or from a paper sheet,
and may annul a check-in within 15 minutes."""
from flask_babel import lazy_gettext as _l

from ..audit.actions import register_action_labels

register_action_labels({
    "attendance.manual_entry": _l("手工登记签到"),
    "attendance.paper_sheet": _l("录入纸质签到表"),
    "attendance.annulled": _l("作废签到"),
    "attendance.badges_downloaded": _l("下载职工签到胸卡"),
})
