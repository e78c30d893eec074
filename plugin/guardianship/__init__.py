"""Entrusted guardianship (委托照护协议), contact logs and the worker's integrity record (职工诚信)."""
from flask_babel import lazy_gettext as _l

from ..audit.actions import register_action_labels

register_action_labels({
    "agreement.created": _l("登记委托照护协议"),
    "agreement.signed": _l("职工手机签署委托照护协议"),
    "agreement.ended": _l("终止委托照护协议"),
    "agreement.revoked": _l("撤销委托照护协议"),
    "agreement.lapsed": _l("委托照护协议到期"),
    "agreement.downloaded": _l("下载委托照护协议"),
    "agreement.notice_downloaded": _l("下载委托照护告知书"),
    "agreement.scan_viewed": _l("查看委托照护协议扫描件"),
    "contact.logged_on_behalf": _l("代职工登记亲子联系"),
    "integrity.commended": _l("表彰监护模范"),
    "integrity.admonished": _l("批评教育（家庭教育促进法第四十八条）"),
})
