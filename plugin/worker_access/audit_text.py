"""How the audit log reads workers' phone sign-in events (the worker is named by the registry's
text): a revoked phone by the day it was remembered, how a phone was remembered and by which
channel a code went, and the locked network address."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..audit.text import AuditTarget, AuditText, Named
from ..core.dates import format_date
from ..core.db import session
from .models import CodeChannel, WorkerDevice

#: How a phone came to be remembered (``worker.phone_remembered``).
_REMEMBERED_BY = {"pin": _l("输入个人密码"), "activation_code": _l("使用激活码并设置个人密码"),
                  "direct": _l("直接登记")}
_CODE_CHANNELS = {CodeChannel.HR.value: _l("人力资源专员当面发放"),
                  CodeChannel.SMS.value: _l("短信")}


def describe_devices(ids: list[str], reader_key: str | None) -> dict[str, Named]:
    """Remembered phones by the day they were first used (their user agent is no name)."""
    rows = session.execute(select(WorkerDevice.id, WorkerDevice.created_at).where(
        WorkerDevice.id.in_([int(i) for i in ids if str(i).isdigit()]))).all()
    return {str(device_id): Named(_("%(date)s 登记的手机", date=format_date(created_at)))
            for device_id, created_at in rows}


def phone_remembered(details, phrase) -> list[str]:
    """``worker.phone_remembered``: how, in words (the shared ``method`` key means a signing
    method elsewhere)."""
    sentences = []
    for key, value in details.items():
        if key == "method" and value:
            sentences.append(_("%(label)s：%(value)s", label=_("登记方式"),
                               value=str(_REMEMBERED_BY.get(value, value))))
        elif text := phrase(key, value):
            sentences.append(text)
    return sentences


def phones_revoked(details, phrase) -> list[str]:
    """``worker.phones_revoked``: one phone, or all of them."""
    sentences = [text for key, value in details.items()
                 if key != "device_id" and (text := phrase(key, value))]
    device = phrase("device_id", details.get("device_id"))
    return ([device] if device else [_("注销全部已记住的手机")]) + sentences


AUDIT_TEXT = AuditText(
    targets={"worker_device": AuditTarget(_l("职工手机"), describe_devices)},
    keys={"device_id": _l("注销的手机"), "address": _l("网络地址")},
    values={"code_channel": _CODE_CHANNELS, "channel": {"sms": _l("短信")}},
    references={"device_id": "worker_device"},
    sentences={"worker.phone_remembered": phone_remembered,
               "worker.phones_revoked": phones_revoked},
)
