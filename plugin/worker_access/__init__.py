"""Workers' own sign-in on their phones, shared by every worker page (lecture check-in, pledge
signing, applications): the first time with the employee number, a one-time activation code
(from HR, or by text message) and a personal PIN the worker chooses; on a later new phone with
the employee number and that PIN; then the phone is remembered by a long-lived signed cookie.
Staff never see anything that signs a worker in (see :mod:`.services`)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..core.features import Feature, Job, Link, Retention, Setting
from ..core.roles import Role
from ..core.settings import positive_int
from .permissions import WORKER_PHONES_MANAGE

feature = Feature(
    name="worker_access",
    package=__name__,
    retention=(
        Retention("worker_access.leavers", _l("离职职工的手机登录记录"), 1,
                  _l("职工离职满保留期后，删除其已记住的手机、个人密码和激活码（操作经过留在审计"
                     "日志中）。"),
                  "retention:purge_leavers_sign_in"),
    ),
    blueprints=("views:bp", "staff_views:staff_bp", "children_views:bp"),
    models=("models",),
    permissions={WORKER_PHONES_MANAGE: (Role.HR_OFFICER,)},
    links={"worker": (Link("carebridge.worker_phones.phones", _l("手机登录"), WORKER_PHONES_MANAGE,
                           subject_arg="worker_id", order=90),),
           "phone.home": (Link("carebridge.worker_children.mine",
                               _l("我的子女：阅读告知书，同意或撤回个人信息处理"),
                               element_id="children-consent-link", order=40),)},
    jobs=(Job("worker_access.purge_sign_in_records", "jobs:purge_sign_in_records", "cron",
              {"hour": 3, "minute": 47}),),
    settings=(
        Setting("CAREBRIDGE_WORKER_SIGN_IN_MAX_FAILURES", 5, positive_int,
                "Wrong codes or PINs for one employee number before it is locked."),
        Setting("CAREBRIDGE_WORKER_SIGN_IN_LOCK_MINUTES", 15, positive_int,
                "Minutes a locked employee number or network address stays locked."),
        # A site's WiFi puts a whole lecture behind one address, and only wrong answers count,
        # so it is well above one person's typos.
        Setting("CAREBRIDGE_WORKER_SIGN_IN_ADDRESS_MAX_FAILURES", 30, positive_int,
                "Wrong answers from one network address within 15 minutes before it is locked."),
        Setting("CAREBRIDGE_WORKER_SMS_ADDRESS_MAX", 60, positive_int,
                "Sign-in text messages one network address may ask for per hour."),
    ),
    audit_text="audit_text:AUDIT_TEXT",
    audit_actions={
        "worker.phone_remembered": _l("职工手机登记"),
        "worker.sign_in_failed": _l("职工手机登录失败"),
        "worker.sign_in_locked": _l("职工手机登录被锁定"),
        "worker.sign_in_address_locked": _l("职工手机登录：网络地址被锁定"),
        "worker.phone_forgotten": _l("职工手机注销"),
        "worker.pin_set": _l("职工设置个人密码"),
        "worker.activation_code_issued": _l("发放职工手机激活码"),
        "worker.sign_in_code_sent": _l("发送职工手机登录验证码"),
        "worker.phones_revoked": _l("注销职工已记住的手机"),
        "worker.sign_in_unlocked": _l("解除职工手机登录锁定"),
    },
)
