"""The referral directory (转介资源名录, DOMAIN §8): whom to call about a child in a given place —
the village child director (儿童主任), the township child supervisor (儿童督导员), the police
station, the Civil Affairs office, the village committee, the school and local hotlines — by the
region code (GB/T 2260) of the child's hukou, with the township and village where they serve.

The national hotlines (110, 12355, 12338) are not rows: they are constants of
:mod:`.queries`, the same for every company.

One entry per (kind, region, township, village, organisation, person): the database keeps it
(``match_key``, a digest of those values, is unique), so two officers or an import and an officer
saving the same entry at once cannot make two.
"""
from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.clock import utcnow
from ..core.db import Base, UTCDateTime, enum_column
from ..org.models import OrgUnit


class ContactKind(str, enum.Enum):
    CHILD_DIRECTOR = "child_director"
    TOWNSHIP_SUPERVISOR = "township_supervisor"
    POLICE_STATION = "police_station"
    CIVIL_AFFAIRS = "civil_affairs"
    VILLAGE_COMMITTEE = "village_committee"
    SCHOOL = "school"
    HOTLINE = "hotline"
    OTHER = "other"

    @property
    def label(self):
        return CONTACT_KIND_LABELS[self]


CONTACT_KIND_LABELS = {
    ContactKind.CHILD_DIRECTOR: _l("村（居）儿童主任"),
    ContactKind.TOWNSHIP_SUPERVISOR: _l("乡镇（街道）儿童督导员"),
    ContactKind.POLICE_STATION: _l("派出所"),
    ContactKind.CIVIL_AFFAIRS: _l("民政部门"),
    ContactKind.VILLAGE_COMMITTEE: _l("村（居）民委员会"),
    ContactKind.SCHOOL: _l("学校"),
    ContactKind.HOTLINE: _l("热线"),
    ContactKind.OTHER: _l("其他"),
}

#: Where each kind stands among entries of the same place: the order of the enum.
KIND_ORDER = {kind: position for position, kind in enumerate(ContactKind)}


class ReferralContact(Base):
    """One entry of the directory, kept by a unit (usually the company root) and seen by every
    holder of ``referrals.view`` in the company."""

    __tablename__ = "cb_referral_contact"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The unit that maintains the entry: who may change it (``referrals.manage`` over it).
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("cb_org_unit.id"), index=True)
    kind: Mapped[ContactKind] = mapped_column(enum_column(ContactKind, 32))
    #: County, prefecture or province code (GB/T 2260) the entry serves; withdrawn codes too.
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    #: 乡镇/街道 it serves, when narrower than the region.
    township: Mapped[str | None] = mapped_column(String(100))
    #: 村/社区 it serves.
    village: Mapped[str | None] = mapped_column(String(100))
    organisation: Mapped[str | None] = mapped_column(String(200))
    person_name: Mapped[str | None] = mapped_column(String(100))
    phone: Mapped[str] = mapped_column(String(32))
    address: Mapped[str | None] = mapped_column(String(300))
    notes: Mapped[str | None] = mapped_column(Text)
    #: A deactivated entry is kept (the referrals made with it name it) but no longer suggested.
    active: Mapped[bool] = mapped_column(default=True)
    #: Digest of (kind, region, township, village, organisation, person): one entry each.
    match_key: Mapped[str] = mapped_column(String(64), unique=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(timezone=True), default=utcnow)
    #: The key of the actor who last changed it.
    updated_by: Mapped[str] = mapped_column(String(100))

    org_unit: Mapped[OrgUnit] = relationship(lazy="joined")

    @property
    def kind_label(self):
        return self.kind.label

    def __repr__(self) -> str:
        return f"<ReferralContact {self.id} {self.kind.value} {self.region_code}>"
