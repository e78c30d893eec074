"""Workers' own sign-in on their phones, shared by every worker page (lecture check-in, pledge
signing, applications): employee number + last 4 digits of the phone or ID number once, then the
phone is remembered by a long-lived signed cookie."""
from flask_babel import lazy_gettext as _l

from ..audit.actions import register_action_labels

register_action_labels({
    "worker.phone_remembered": _l("职工手机登记"),
    "worker.sign_in_failed": _l("职工手机登录失败"),
    "worker.sign_in_locked": _l("职工手机登录被锁定"),
    "worker.phone_forgotten": _l("职工手机注销"),
})
