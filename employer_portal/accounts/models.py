from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from plugin.core.clock import utcnow
from plugin.core.db import Base


class User(UserMixin, Base):
    """A staff sign-in of the standalone portal. Roles are CareBridge role grants keyed by id."""

    __tablename__ = "cb_portal_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    #: Consecutive failed sign-ins; reset by a successful one or an unlock.
    failed_login_count: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def key(self) -> str:
        return str(self.id)

    def is_locked(self, now: datetime) -> bool:
        return self.locked_until is not None and self.locked_until > now
