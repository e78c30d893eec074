"""What each kind of notice says (msgids, translated when shown, with the notice's parameters)."""
from __future__ import annotations

from flask_babel import gettext

from ..core.i18n import N_

NEXT_LECTURE = "lectures.next"
SIGN_PLEDGE = "pledges.sign"
GUARDIAN_CONSENT = "children.consent"

NOTICE_TEXTS = {
    NEXT_LECTURE: N_("请参加下一次关爱宣讲：%(title)s，%(time)s"),
    SIGN_PLEDGE: N_("您还没有有效的监护责任承诺书，请在手机上阅读并签署"),
    GUARDIAN_CONSENT: N_("请阅读子女个人信息处理告知书，并为 14 岁以下的子女确认是否同意"),
}


def notice_text(kind: str, params: dict | None) -> str:
    msgid = NOTICE_TEXTS.get(kind)
    if msgid is None:
        return kind
    return gettext(msgid, **(params or {}))
