from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.clock import utcnow
from ..core.db import Base, enum_column
from ..org.models import OrgUnit
from .roles import Role


class RoleGrant(Base):
    """A role held by a user on an organisation unit and everything below it."""

    __tablename__ = "cb_role_grant"
    __table_args__ = (UniqueConstraint("user_key", "role", "org_unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The host's user id, as a string (see :class:`plugin.core.host.Actor`).
    user_key: Mapped[str] = mapped_column(String(64), index=True)
    role: Mapped[Role] = mapped_column(enum_column(Role))
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("cb_org_unit.id"), index=True)
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)
    granted_by: Mapped[str | None] = mapped_column(String(64))

    org_unit: Mapped[OrgUnit] = relationship(lazy="joined")
