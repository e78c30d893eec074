from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.clock import utcnow
from ..core.db import Base, enum_column
from ..org.models import OrgUnit


class TokenScope(str, enum.Enum):
    #: Read workers and children.
    READ_ONLY = "read_only"
    #: Read, create and update workers and children.
    READ_WRITE = "read_write"

    @property
    def label(self):
        return SCOPE_LABELS[self]


#: The one label of each scope, for the form and the pages (also ``.label``).
SCOPE_LABELS = {
    TokenScope.READ_ONLY: _l("只读：读取职工和儿童"),
    TokenScope.READ_WRITE: _l("读写：读取、新增和更新职工和儿童"),
}


class ApiToken(Base):
    """A secret an HR system sends as ``Authorization: Bearer …``; valid in one subtree."""

    __tablename__ = "cb_api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The integration it was issued for, e.g. "金蝶HR".
    name: Mapped[str] = mapped_column(String(100))
    #: First characters of the secret, shown in lists so people can tell tokens apart.
    prefix: Mapped[str] = mapped_column(String(8), index=True)
    #: SHA-256 (hex) of the secret; the secret itself is never stored.
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: Root of the subtree whose workers and children the token may see.
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("cb_org_unit.id"), index=True)
    scope: Mapped[TokenScope] = mapped_column(enum_column(TokenScope, 16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(64))
    #: Updated at most once a minute, so API traffic does not write on every request.
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    revoked_by: Mapped[str | None] = mapped_column(String(64))

    org_unit: Mapped[OrgUnit] = relationship(lazy="joined")

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @property
    def may_write(self) -> bool:
        return self.is_active and self.scope == TokenScope.READ_WRITE

    def covers(self, unit: OrgUnit) -> bool:
        """True when ``unit`` lies in the token's subtree."""
        return self.org_unit.contains(unit)
