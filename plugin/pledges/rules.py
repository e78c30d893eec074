"""The lifecycle rules of a pledge: how long it is valid, when it counts as expiring, its status.

*Product rule* (DOMAIN §4): a pledge is valid for ``CAREBRIDGE_PLEDGE_VALIDITY_DAYS`` (365) days
from the day it is signed, that day included (``valid_until = signed_on + days - 1``); HR officers
are reminded when ``CAREBRIDGE_PLEDGE_REMINDER_DAYS`` (30) days or fewer are left. Status is computed from the dates
on the day asked, so a list is right even before the nightly job has marked anything.
"""
from __future__ import annotations

import enum
import os
import secrets
from datetime import date, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_

from .models import Pledge

DEFAULT_VALIDITY_DAYS = 365
DEFAULT_REMINDER_DAYS = 30
#: Largest scan of a paper pledge accepted (``CAREBRIDGE_PLEDGE_SCAN_MAX_BYTES`` overrides it).
DEFAULT_SCAN_MAX_BYTES = 10 * 1024 * 1024
#: Verification codes: no 0/O, 1/I/L, so a code read off paper can be typed in.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 16


class PledgeStatus(str, enum.Enum):
    VALID = "valid"
    #: Still valid, but lapses within the reminder window: time to renew.
    EXPIRING = "expiring"
    EXPIRED = "expired"
    REVOKED = "revoked"

    @property
    def label(self):
        return STATUS_LABELS[self]

    @property
    def is_valid(self) -> bool:
        return self in (PledgeStatus.VALID, PledgeStatus.EXPIRING)


STATUS_LABELS = {
    PledgeStatus.VALID: _l("有效"),
    PledgeStatus.EXPIRING: _l("即将到期"),
    PledgeStatus.EXPIRED: _l("已过期"),
    PledgeStatus.REVOKED: _l("已撤销"),
}


def _setting(name: str, default: int) -> int:
    """An integer setting from the app's config, else the environment, else ``default``."""
    value = current_app.config.get(name, os.environ.get(name))
    return int(value) if value not in (None, "") else default


def validity_days() -> int:
    return _setting("CAREBRIDGE_PLEDGE_VALIDITY_DAYS", DEFAULT_VALIDITY_DAYS)


def reminder_days() -> int:
    return _setting("CAREBRIDGE_PLEDGE_REMINDER_DAYS", DEFAULT_REMINDER_DAYS)


def scan_max_bytes() -> int:
    return _setting("CAREBRIDGE_PLEDGE_SCAN_MAX_BYTES", DEFAULT_SCAN_MAX_BYTES)


def valid_until_for(signed_on: date) -> date:
    return signed_on + timedelta(days=validity_days() - 1)


def expiring_before(today: date) -> date:
    """Pledges valid until this day or earlier (and not yet expired) are expiring."""
    return today + timedelta(days=reminder_days())


def status_of(pledge: Pledge, today: date) -> PledgeStatus:
    if pledge.revoked_at is not None:
        return PledgeStatus.REVOKED
    if pledge.valid_until < today:
        return PledgeStatus.EXPIRED
    if pledge.valid_until <= expiring_before(today):
        return PledgeStatus.EXPIRING
    return PledgeStatus.VALID


def status_condition(status: PledgeStatus, today: date):
    """SQL condition on :class:`Pledge` matching :func:`status_of` (for filtered lists)."""
    live = Pledge.revoked_at.is_(None)
    if status == PledgeStatus.REVOKED:
        return Pledge.revoked_at.is_not(None)
    if status == PledgeStatus.EXPIRED:
        return and_(live, Pledge.valid_until < today)
    if status == PledgeStatus.EXPIRING:
        return and_(live, Pledge.valid_until >= today, Pledge.valid_until <= expiring_before(today))
    return and_(live, Pledge.valid_until > expiring_before(today))


def valid_condition(today: date):
    """SQL condition: the pledge is in force on ``today`` (valid or expiring)."""
    return and_(Pledge.revoked_at.is_(None), Pledge.valid_until >= today, Pledge.signed_on <= today)


def new_verification_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(text: str | None) -> str:
    """A code as typed or scanned: case, spaces and dashes do not matter."""
    return "".join(ch for ch in (text or "").upper() if ch.isalnum())[:CODE_LENGTH * 2]


def display_code(code: str) -> str:
    """``ABCD-EFGH-JKMN-PQRS``: easier to read off paper."""
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def mask_name(name: str) -> str:
    """张三山 → 张*山, 张三 → 张*: enough to recognise one's own document, no more."""
    name = (name or "").strip()
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]
