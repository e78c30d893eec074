from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.clock import utcnow
from ..core.db import Base, enum_column
from ..registry.models import Worker


class WorkerDevice(Base):
    """A phone a worker identified on; its cookie signs the worker in from then on."""

    __tablename__ = "cb_worker_device"

    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("cb_worker.id"), index=True)
    #: SHA-256 of the random device token (the cookie holds the token, signed).
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_agent: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
    #: Actor key of who revoked it: ``worker:<id>`` (signed out on the phone) or a staff user.
    revoked_by: Mapped[str | None] = mapped_column(String(64))

    worker: Mapped[Worker] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return (f"<WorkerDevice {self.id} worker={self.worker_id}"
                f"{' revoked' if self.revoked_at else ''}>")


class WorkerPin(Base):
    """The personal PIN a worker chose on their phone. Only its hash is stored, and no staff page
    shows anything of it but whether it is set: it is the factor staff can never see."""

    __tablename__ = "cb_worker_pin"

    worker_id: Mapped[int] = mapped_column(ForeignKey("cb_worker.id"), primary_key=True)
    #: werkzeug password hash of the 6-digit PIN (``CAREBRIDGE_PASSWORD_HASH_METHOD``).
    pin_hash: Mapped[str] = mapped_column(String(255))
    set_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<WorkerPin worker={self.worker_id}>"


class CodeChannel(str, enum.Enum):
    #: Issued by an HR officer on the worker's page and handed over in person (shown once).
    HR = "hr"
    #: Sent by text message to the worker's registered phone number.
    SMS = "sms"


class WorkerActivationCode(Base):
    """A one-time code that lets a worker sign in on a new phone and choose their PIN."""

    __tablename__ = "cb_worker_activation_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("cb_worker.id"), index=True)
    #: HMAC-SHA256 of worker id and code under a key derived from the app's secret key.
    code_hash: Mapped[str] = mapped_column(String(64))
    channel: Mapped[CodeChannel] = mapped_column(enum_column(CodeChannel, 8))
    #: Actor key of the HR officer who issued it, or of the worker who asked for a text message.
    issued_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    #: Set when a newer code of the same channel replaced it, or staff revoked the worker's phones.
    cancelled_at: Mapped[datetime | None]

    def __repr__(self) -> str:
        return f"<WorkerActivationCode {self.id} worker={self.worker_id} {self.channel.value}>"


class WorkerSignInThrottle(Base):
    """Sign-in attempts per key in the current window; several app servers share the counts.

    Keys: ``number:<SHA-256 of the employee number>`` (known or not, so a lock says nothing about
    whether a number exists), ``address:<client address>`` (IPv6 by /64), and the ``sms:`` /
    ``sms-address:`` counterparts for text-message codes. An attempt is counted before its secret
    is checked, in one atomic statement, so concurrent guesses can never overtake the limit.
    """

    __tablename__ = "cb_worker_sign_in_throttle"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    #: Attempts in the window not known to have succeeded (a success takes its own back).
    failures: Mapped[int] = mapped_column(default=0)
    window_started_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    locked_until: Mapped[datetime | None]

    def __repr__(self) -> str:
        return f"<WorkerSignInThrottle {self.key} {self.failures}>"
