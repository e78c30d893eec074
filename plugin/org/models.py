from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.clock import DEFAULT_TIMEZONE, utcnow
from ..core.db import Base, enum_column


class OrgKind(str, enum.Enum):
    GROUP = "group"
    SUBSIDIARY = "subsidiary"
    SITE = "site"
    TEAM = "team"


#: Which kinds of unit may sit directly under which (product rule: bureaus may nest, a group may
#: run sites directly, teams are leaves).
ALLOWED_CHILD_KINDS: dict[OrgKind, tuple[OrgKind, ...]] = {
    OrgKind.GROUP: (OrgKind.SUBSIDIARY, OrgKind.SITE),
    OrgKind.SUBSIDIARY: (OrgKind.SUBSIDIARY, OrgKind.SITE),
    OrgKind.SITE: (OrgKind.TEAM,),
    OrgKind.TEAM: (),
}


class Company(Base):
    """The employer running this deployment; one row. Settings that apply company-wide live here."""

    __tablename__ = "cb_company"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    #: IANA zone in which times are shown (stored times are always UTC).
    timezone: Mapped[str] = mapped_column(String(64), default=DEFAULT_TIMEZONE)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class OrgUnit(Base):
    __tablename__ = "cb_org_unit"
    __table_args__ = (UniqueConstraint("parent_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("cb_org_unit.id"), index=True)
    kind: Mapped[OrgKind] = mapped_column(enum_column(OrgKind))
    name: Mapped[str] = mapped_column(String(200))
    #: Materialised path of ids, e.g. ``/1/4/9/``: a subtree is ``path LIKE '/1/4/%'``.
    path: Mapped[str] = mapped_column(String(400), index=True, default="")
    depth: Mapped[int] = mapped_column(default=0)
    #: The department responsible for child care work in this unit (2019 guidance).
    responsible_department: Mapped[str | None] = mapped_column(String(200))
    responsible_person: Mapped[str | None] = mapped_column(String(100))
    responsible_phone: Mapped[str | None] = mapped_column(String(30))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    parent: Mapped[OrgUnit | None] = relationship(remote_side=[id], lazy="joined", innerjoin=False)

    def __repr__(self) -> str:
        return f"<OrgUnit {self.id} {self.kind.value} {self.name!r}>"

    @property
    def ancestor_ids(self) -> list[int]:
        return [int(part) for part in self.path.strip("/").split("/") if part]

    def contains(self, other: OrgUnit) -> bool:
        """True when ``other`` is this unit or lies below it."""
        return other.path.startswith(self.path)
