"""Standard wording of agreements: the parent's declaration about the carer (versioned, since a
parent declares a specific text) and the default duties an officer may adapt."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

#: The version new agreements are declared under. Add a version rather than editing one.
CURRENT_DECLARATION_VERSION = "2026-1"

DECLARATIONS = {
    "2026-1": _l(
        "委托人郑重声明：受托人是具有照护能力的完全民事行为能力人，且不存在《中华人民共和国未成年人保护法》"
        "第二十二条规定的不得作为被委托人的情形：（一）曾实施性侵害、虐待、遗弃、拐卖、暴力伤害等违法犯罪行为；"
        "（二）有吸毒、酗酒、赌博等恶习；（三）曾拒不履行或者长期怠于履行监护、照护职责；"
        "（四）其他不适宜担任被委托人的情形。"),
}

DEFAULT_DUTIES = _l(
    "受托人负责被照护儿童的日常生活照料、安全看护和上学接送；督促儿童按时上学、完成学业；关注儿童的身心健康，"
    "发现心理、行为异常或安全风险，及时告知委托人、学校和村（居）民委员会；不得让未满八周岁的儿童无人看护，"
    "不得让儿童单独居住，不得将儿童转托他人照护。")


def contact_commitment(agreement) -> str:
    """The parent's weekly-contact commitment (MPL Art. 23) in the agreement's numbers."""
    return _("依据《中华人民共和国未成年人保护法》第二十三条，"
             "委托人每周至少与被照护儿童联系交流 %(child)s 次、"
             "与受托人联系交流 %(carer)s 次，"
             "了解儿童的生活、学习、心理等情况，并给予儿童亲情关爱。",
             child=agreement.child_contacts_per_week, carer=agreement.carer_contacts_per_week)


def declaration_text(version: str) -> str:
    return str(DECLARATIONS[version])
