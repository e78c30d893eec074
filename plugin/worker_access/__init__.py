"""Workers' own sign-in on their phones, shared by every worker page (lecture check-in, pledge
signing, applications): the first time with the employee number, a one-time activation code
(from HR, or by text message) and a personal PIN the worker chooses; on a later new phone with
the employee number and that PIN; then the phone is remembered by a long-lived signed cookie.
Staff never see anything that signs a worker in (see :mod:`.services`)."""
from flask_babel import lazy_gettext as _l

from ..audit.actions import register_action_labels

register_action_labels({
    "worker.phone_remembered": _l("职工手机登记"),
    "worker.sign_in_failed": _l("职工手机登录失败"),
    "worker.sign_in_locked": _l("职工手机登录被锁定"),
    "worker.sign_in_address_locked": _l("职工手机登录：网络地址被锁定"),
    "worker.phone_forgotten": _l("职工手机注销"),
    "worker.pin_set": _l("职工设置个人密码"),
    "worker.activation_code_issued": _l("发放职工手机激活码"),
    "worker.sign_in_code_sent": _l("发送职工手机登录验证码"),
    "worker.phones_revoked": _l("注销职工已记住的手机"),
})
