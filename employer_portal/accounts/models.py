from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from plugin.core.clock import utcnow

from ..database import PortalBase


class User(UserMixin, PortalBase):
    """A staff sign-in of the standalone portal. Roles are CareBridge role grants keyed by id
    (:attr:`key`); no table refers to this one by a foreign key."""

    __tablename__ = "portal_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    #: The holder's employee number (工号) when they are also on the roster (``Worker
    #: .employee_number``), cleaned by :func:`plugin.core.text.clean_code`; one account per
    #: number. The plugin asks for it (:meth:`.adapter.PortalAdapter.employee_numbers`) to keep
    #: people from deciding their own aid applications.
    employee_number: Mapped[str | None] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    #: Failed sign-ins since the last success, unlock or expired lock, counted before the
    #: password is checked (:func:`.services.sign_in`).
    failed_login_count: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Part of the id kept in the session cookie; raised on sign-out, a new password and
    #: deactivation, so every session signed in before stops working, wherever its cookie is.
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def key(self) -> str:
        return str(self.id)

    def get_id(self) -> str:
        """What Flask-Login keeps in the session: ``"<id>:<session version>"``."""
        return f"{self.id}:{self.session_version}"

    def is_locked(self, now: datetime) -> bool:
        return self.locked_until is not None and self.locked_until > now

    def __repr__(self) -> str:
        return f"<User {self.id} {self.username}>"


class SignInThrottle(PortalBase):
    """Failed staff sign-ins counted by something other than an existing account.

    ``address:<ip>``: failures from one client address across all accounts in a window of
    ``CAREBRIDGE_LOGIN_ADDRESS_WINDOW_MINUTES``; past ``CAREBRIDGE_LOGIN_ADDRESS_MAX_FAILURES``
    nothing more from that address is checked until the window ends. ``username:<name>``: a
    name nobody holds is counted and locked exactly like an account, so the answers do not tell
    which usernames exist. One row per key, counted with one atomic upsert.
    """

    __tablename__ = "portal_sign_in_throttle"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: ``address:<client ip>`` or ``username:<lower-cased username>``.
    key: Mapped[str] = mapped_column(String(100), unique=True)
    failures: Mapped[int] = mapped_column(default=0)
    #: Addresses: when the current window began. Usernames: the first counted failure.
    window_started_at: Mapped[datetime]
    #: Usernames only: refused without a check until then.
    locked_until: Mapped[datetime | None]
    #: The last counted attempt; rows idle for :data:`.services.THROTTLE_ROW_TTL` are deleted.
    last_failure_at: Mapped[datetime] = mapped_column(index=True)

    def __repr__(self) -> str:
        return f"<SignInThrottle {self.key} {self.failures}>"
