"""What each kind of notice says (msgids, translated when shown, with the notice's parameters)."""
from __future__ import annotations

from flask_babel import gettext

from ..core.i18n import N_, translate_params

NEXT_LECTURE = "lectures.next"
SIGN_PLEDGE = "pledges.sign"
GUARDIAN_CONSENT = "children.consent"
REUNION_APPROVED = "reunions.approved"
REUNION_BOOKED = "reunions.booked"
REUNION_WAITLISTED = "reunions.waitlisted"
REUNION_REJECTED = "reunions.rejected"
REUNION_OFFERED = "reunions.offered"
REUNION_LAPSED = "reunions.lapsed"
AID_APPROVED = "aid.approved"
AID_SENT_BACK = "aid.sent_back"
AID_REJECTED = "aid.rejected"
AID_PAID = "aid.paid"
PRIVACY_CORRECTION_ANSWERED = "privacy.correction_answered"
HOLIDAY_SAFETY_CHECKLIST = "holiday_safety.checklist"
POSITIONS_TRANSFER_APPROVED = "positions.transfer_approved"
POSITIONS_TRANSFER_DECLINED = "positions.transfer_declined"

NOTICE_TEXTS = {
    NEXT_LECTURE: N_("请参加下一次关爱宣讲：%(title)s，%(time)s"),
    SIGN_PLEDGE: N_("您还没有有效的监护责任承诺书，请在手机上阅读并签署"),
    GUARDIAN_CONSENT: N_("请阅读子女个人信息处理告知书，并为 14 岁以下的子女确认是否同意"),
    REUNION_APPROVED: N_("您的团聚申请（%(campaign)s）已批准，工会将为您订票"),
    REUNION_BOOKED: N_("%(campaign)s：车票已订好，请在手机上查看车次、座位和出发日期"),
    REUNION_WAITLISTED: N_("您的团聚申请（%(campaign)s）已列入候补，有名额空出时会通知您"),
    REUNION_REJECTED: N_("您的团聚申请（%(campaign)s）未通过，请查看原因"),
    REUNION_OFFERED: N_("候补递补：%(campaign)s 为您全家保留了名额，请在时限内确认"),
    REUNION_LAPSED: N_("您的递补名额（%(campaign)s）未在时限内确认，已让给下一户"),
    AID_APPROVED: N_("您家的困难帮扶申请已批准，工会将尽快发放"),
    AID_SENT_BACK: N_("您家的困难帮扶申请需要补充材料，请查看审批意见后重新提交"),
    AID_REJECTED: N_("您家的困难帮扶申请未通过，请查看审批意见"),
    AID_PAID: N_("您家的困难帮扶已发放，请查收"),
    PRIVACY_CORRECTION_ANSWERED: N_("您的个人信息更正申请已有答复，请查看"),
    HOLIDAY_SAFETY_CHECKLIST: N_("%(holiday)s快到了：请在手机上确认孩子的假期安全清单（谁照看孩子、"
                                 "防溺水、出行安排）"),
    POSITIONS_TRANSFER_APPROVED: N_("您申请调往%(site)s（%(trade)s）已同意，请留意单位的调动安排"),
    POSITIONS_TRANSFER_DECLINED: N_("您申请调往%(site)s（%(trade)s）未获同意，请查看原因"),
}


def notice_text(kind: str, params: dict | None) -> str:
    msgid = NOTICE_TEXTS.get(kind)
    if msgid is None:
        return kind
    return gettext(msgid, **translate_params(params))
