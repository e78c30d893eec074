"""The lifecycle rules of a pledge: how long it is valid, when it counts as expiring, its status.

*Product rule* (DOMAIN §4): a pledge is valid for ``CAREBRIDGE_PLEDGE_VALIDITY_DAYS`` (365) days
from the day it is signed, that day included (``valid_until = signed_on + days - 1``); HR officers
are reminded when ``CAREBRIDGE_PLEDGE_REMINDER_DAYS`` (30) days or fewer are left. Status is
computed from the dates on the day asked, so a list is right even before the nightly job has
marked anything.
"""
from __future__ import annotations

import enum
import secrets
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_

from ..core.settings import setting
from ..core.text import clean_code
from ..privacy.masking import mask_name  # noqa: F401 (the one masking rule, kept importable)
from .models import Pledge

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


def validity_days() -> int:
    return setting("CAREBRIDGE_PLEDGE_VALIDITY_DAYS")


def reminder_days() -> int:
    return setting("CAREBRIDGE_PLEDGE_REMINDER_DAYS")


def scan_max_bytes() -> int:
    return setting("CAREBRIDGE_PLEDGE_SCAN_MAX_BYTES")


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
    """A code as typed or scanned: case, full width, spaces and dashes do not matter (the rule
    of every code, :func:`plugin.core.text.clean_code`, then letters and digits only)."""
    code = clean_code(text, upper=True) or ""
    return "".join(ch for ch in code if ch.isascii() and ch.isalnum())[:CODE_LENGTH * 2]


def display_code(code: str) -> str:
    """``ABCD-EFGH-JKMN-PQRS``: easier to read off paper."""
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))

