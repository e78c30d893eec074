"""Workers, their children and who is whose parent (DOMAIN §3).

Sensitive fields are encrypted at rest (:class:`plugin.privacy.crypto.EncryptedText`); ID numbers
also get a keyed blind index for exact lookup and de-duplication. A child's categories are
computed by :func:`plugin.registry.categories.decide_categories` and stored here only so lists
can filter and count them; nobody types them in.
"""
from __future__ import annotations

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, orm_insert_sentinel, relationship

from ..core.clock import utcnow
from ..core.db import Base, enum_column, postgresql_only, prefix_searched
from ..org.models import OrgUnit
from ..privacy.crypto import EncryptedText
from .categories import ParentStatus


class Sex(str, enum.Enum):
    MALE = "male"
    FEMALE = "female"

    @property
    def label(self):
        return SEX_LABELS[self]


#: The one label of each value, for every page, form and document (also ``.label``).
SEX_LABELS = {Sex.MALE: _l("男"), Sex.FEMALE: _l("女")}


class EmploymentStatus(str, enum.Enum):
    ACTIVE = "active"
    LEFT = "left"

    @property
    def label(self):
        return EMPLOYMENT_STATUS_LABELS[self]


EMPLOYMENT_STATUS_LABELS = {EmploymentStatus.ACTIVE: _l("在职"), EmploymentStatus.LEFT: _l("离职")}


class ParentRole(str, enum.Enum):
    MOTHER = "mother"
    FATHER = "father"

    @property
    def label(self):
        return PARENT_ROLE_LABELS[self]


PARENT_ROLE_LABELS = {ParentRole.MOTHER: _l("母亲"), ParentRole.FATHER: _l("父亲")}


class LivesWith(str, enum.Enum):
    BOTH_PARENTS = "both_parents"
    MOTHER = "mother"
    FATHER = "father"
    GRANDPARENTS = "grandparents"
    OTHER_RELATIVES = "other_relatives"
    ENTRUSTED_CARER = "entrusted_carer"
    INSTITUTION = "institution"
    ALONE = "alone"

    @property
    def label(self):
        return LIVES_WITH_LABELS[self]


LIVES_WITH_LABELS = {
    LivesWith.BOTH_PARENTS: _l("父母"), LivesWith.MOTHER: _l("母亲"), LivesWith.FATHER: _l("父亲"),
    LivesWith.GRANDPARENTS: _l("（外）祖父母"), LivesWith.OTHER_RELATIVES: _l("其他亲属"),
    LivesWith.ENTRUSTED_CARER: _l("受委托人"), LivesWith.INSTITUTION: _l("福利机构"),
    LivesWith.ALONE: _l("独居"),
}


class PovertyStatus(str, enum.Enum):
    NONE = "none"
    SUBSISTENCE_ALLOWANCE = "subsistence_allowance"
    EXTREME_POVERTY = "extreme_poverty"
    LOW_INCOME = "low_income"

    @property
    def label(self):
        return POVERTY_STATUS_LABELS[self]


POVERTY_STATUS_LABELS = {
    PovertyStatus.NONE: _l("无"), PovertyStatus.SUBSISTENCE_ALLOWANCE: _l("低保"),
    PovertyStatus.EXTREME_POVERTY: _l("特困"), PovertyStatus.LOW_INCOME: _l("低收入"),
}


class Worker(Base):
    __tablename__ = "cb_worker"
    #: The worker list searches these three by prefix (plugin.registry.queries.search_workers).
    __table_args__ = (
        prefix_searched("ix_cb_worker_name_initials", "name_initials"),
        prefix_searched("ix_cb_worker_phone", "phone"),
        # SQLite's prefix search is a range the unique constraint's index serves already.
        postgresql_only(prefix_searched("ix_cb_worker_employee_number_prefix", "employee_number")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The HR system's employee number; the key imports and the API upsert on.
    employee_number: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    #: Pinyin initials of the name (张伟 → zw) for search.
    name_initials: Mapped[str] = mapped_column(String(40))
    sex: Mapped[Sex | None] = mapped_column(enum_column(Sex, 8))
    id_number: Mapped[str | None] = mapped_column(EncryptedText("worker.id_number"))
    #: Keyed hash of the ID number (exact lookup without decrypting).
    id_number_index: Mapped[str | None] = mapped_column(String(32), unique=True)
    phone: Mapped[str | None] = mapped_column(String(20))
    hukou_region_code: Mapped[str | None] = mapped_column(String(6))
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("cb_org_unit.id"), index=True)
    #: Labour subcontractor (劳务分包单位) the worker is employed through, if any.
    subcontractor: Mapped[str | None] = mapped_column(String(200))
    entry_date: Mapped[date | None] = mapped_column(Date)
    employment_status: Mapped[EmploymentStatus] = mapped_column(
        enum_column(EmploymentStatus, 16), default=EmploymentStatus.ACTIVE, index=True)
    left_on: Mapped[date | None] = mapped_column(Date)
    #: Start of the current period of working away across county lines (usually the entry date).
    works_away_since: Mapped[date | None] = mapped_column(Date)
    #: Facts about the children's other parent when that parent is not a worker here.
    other_parent_status: Mapped[ParentStatus | None] = mapped_column(enum_column(ParentStatus, 24))
    other_parent_since: Mapped[date | None] = mapped_column(Date)
    other_parent_capable: Mapped[bool | None]
    #: The worker's own situation as a parent when it is no longer "working here": HR records a
    #: worker who died (工亡), is detained, went home to care, or cannot care (serious illness or
    #: disability, ``own_parent_capable`` false). Empty: an active worker works away and can care.
    own_parent_status: Mapped[ParentStatus | None] = mapped_column(enum_column(ParentStatus, 24))
    own_parent_status_since: Mapped[date | None] = mapped_column(Date)
    own_parent_capable: Mapped[bool | None]
    #: When the retention rule ``registry.leavers`` blanked the worker's personal data (the row
    #: stays: figures of past periods count it).
    anonymised_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    org_unit: Mapped[OrgUnit] = relationship(lazy="joined")
    child_links: Mapped[list[ChildParent]] = relationship(back_populates="worker")


class Child(Base):
    __tablename__ = "cb_child"
    __table_args__ = (
        Index("ix_cb_child_categories", "left_behind", "in_difficulty", "migrant"),
        # The few children whose categories rest on a presumption or a missing fact: the home
        # page's notes and to-do count them without reading every child (plugin.registry.notes).
        Index("ix_cb_child_uncertain", "org_unit_id",
              postgresql_where=text("categories_missing <> '' OR categories_presumed <> ''"),
              sqlite_where=text("categories_missing <> '' OR categories_presumed <> ''")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Lets a batch INSERT of children return their ids in row order in one statement, on
    #: SQLite too (SQLAlchemy's "insertmanyvalues" sentinel; only ever set by such inserts).
    _sentinel: Mapped[int | None] = orm_insert_sentinel()
    name: Mapped[str] = mapped_column(String(100))
    name_initials: Mapped[str] = mapped_column(String(40), index=True)
    sex: Mapped[Sex | None] = mapped_column(enum_column(Sex, 8))
    ethnicity: Mapped[str | None] = mapped_column(String(32))
    id_number: Mapped[str | None] = mapped_column(EncryptedText("child.id_number"))
    id_number_index: Mapped[str | None] = mapped_column(String(32), unique=True)
    birth_date: Mapped[date | None] = mapped_column(Date)
    hukou_region_code: Mapped[str | None] = mapped_column(String(6))
    hukou_rural: Mapped[bool | None]
    address: Mapped[str | None] = mapped_column(EncryptedText("child.address"))
    lives_with: Mapped[LivesWith | None] = mapped_column(enum_column(LivesWith, 24))
    #: The child's situation as a roster put it ("与祖父母同住", "父母均外出"), kept as written;
    #: :mod:`plugin.registry.situations` reads the facts in it.
    living_situation: Mapped[str | None] = mapped_column(String(200))
    #: True when the child lives in its home (hukou) area, not with the parents where they work.
    lives_in_home_area: Mapped[bool | None]
    #: Since when the child has lived with a parent or guardian outside its hukou county.
    outside_hukou_county_since: Mapped[date | None] = mapped_column(Date)
    school: Mapped[str | None] = mapped_column(String(200))
    grade: Mapped[str | None] = mapped_column(String(32))
    boarding: Mapped[bool | None]
    health_note: Mapped[str | None] = mapped_column(EncryptedText("child.health_note"))
    has_disability: Mapped[bool | None]
    family_poverty: Mapped[PovertyStatus | None] = mapped_column(enum_column(PovertyStatus, 32))
    #: Guardianship lacking or improper, leading to abuse, abandonment or harm (or its threat).
    guardianship_lacking_with_harm: Mapped[bool | None]
    wandering: Mapped[bool] = mapped_column(default=False)
    psychological_anomaly: Mapped[bool] = mapped_column(default=False)
    asked_for_help: Mapped[bool] = mapped_column(default=False)
    carer_name: Mapped[str | None] = mapped_column(String(100))
    carer_relation: Mapped[str | None] = mapped_column(String(32))
    carer_phone: Mapped[str | None] = mapped_column(EncryptedText("child.carer_phone"))
    village_committee_contact: Mapped[str | None] = mapped_column(String(200))
    village_child_director: Mapped[str | None] = mapped_column(String(200))
    #: Unit of the child's parent(s) at the company; decides who may see the child.
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("cb_org_unit.id"), index=True)

    # Computed by plugin.registry.categories; None means "unknown (facts missing)".
    left_behind: Mapped[bool | None]
    migrant: Mapped[bool | None]
    in_difficulty: Mapped[bool | None]
    de_facto_unsupported: Mapped[bool | None]
    orphan: Mapped[bool | None]
    in_three_areas: Mapped[bool | None]
    #: Space-separated focus flag codes, e.g. ``family_hardship own_disability``.
    focus_flags: Mapped[str] = mapped_column(String(200), default="")
    #: Space-separated codes of the facts whose absence left a category unknown.
    categories_missing: Mapped[str] = mapped_column(String(400), default="")
    #: Presumed facts each decided category rests on (DOMAIN §3, "Presumptions"), e.g.
    #: ``left_behind=mother.since,father.since in_difficulty=mother.since``.
    categories_presumed: Mapped[str] = mapped_column(String(600), default="")
    categories_as_of: Mapped[date | None] = mapped_column(Date)
    #: First date on which time alone may change the categories (a birthday, a 6-month mark).
    categories_next_change: Mapped[date | None] = mapped_column(Date, index=True)
    #: When a retention rule (``registry.children_of_leavers``, ``registry.adult_children``)
    #: blanked the child's personal data, keeping what figures and filings count.
    anonymised_at: Mapped[datetime | None]

    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    org_unit: Mapped[OrgUnit] = relationship(lazy="joined")
    parent_links: Mapped[list[ChildParent]] = relationship(
        back_populates="child", cascade="all, delete-orphan", lazy="selectin")


class ChildParent(Base):
    """A worker of the company who is the child's mother or father."""

    __tablename__ = "cb_child_parent"
    __table_args__ = (UniqueConstraint("child_id", "role"),
                      UniqueConstraint("child_id", "worker_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("cb_child.id", ondelete="CASCADE"))
    worker_id: Mapped[int] = mapped_column(ForeignKey("cb_worker.id"), index=True)
    role: Mapped[ParentRole] = mapped_column(enum_column(ParentRole, 8))

    child: Mapped[Child] = relationship(back_populates="parent_links")
    worker: Mapped[Worker] = relationship(back_populates="child_links", lazy="joined")


class ConsentMethod(str, enum.Enum):
    PAPER = "paper"
    PHONE_SIGNATURE = "phone_signature"
    IN_PERSON = "in_person"
    #: The guardian, signed in on their own phone, read the notice and confirmed.
    PHONE = "phone"

    @property
    def label(self):
        return CONSENT_METHOD_LABELS[self]


CONSENT_METHOD_LABELS = {
    ConsentMethod.PAPER: _l("纸质签字"), ConsentMethod.PHONE_SIGNATURE: _l("手机签名"),
    ConsentMethod.IN_PERSON: _l("当面确认"), ConsentMethod.PHONE: _l("监护人手机确认"),
}


class ChildConsent(Base):
    """A guardian's separate consent to process the data of a child under 14 (PIPL Art. 31)."""

    __tablename__ = "cb_child_consent"

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("cb_child.id", ondelete="CASCADE"), index=True)
    guardian_name: Mapped[str] = mapped_column(String(100))
    guardian_worker_id: Mapped[int | None] = mapped_column(ForeignKey("cb_worker.id"), index=True)
    method: Mapped[ConsentMethod] = mapped_column(enum_column(ConsentMethod, 24))
    #: Version of the privacy notice the guardian was shown.
    notice_version: Mapped[str] = mapped_column(String(32))
    given_on: Mapped[date] = mapped_column(Date)
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    recorded_by: Mapped[str] = mapped_column(String(64))
    withdrawn_at: Mapped[datetime | None]
    withdrawn_by: Mapped[str | None] = mapped_column(String(64))
    withdrawal_reason: Mapped[str | None] = mapped_column(String(300))


class ChildHeldDetails(Base):
    """Details of a child under 14 given without a guardian's consent, kept encrypted for a
    stated time instead of being dropped (:mod:`plugin.registry.held_details`): applied to the
    record when consent arrives, erased when the time runs out or consent is refused."""

    __tablename__ = "cb_child_held_details"

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("cb_child.id", ondelete="CASCADE"),
                                          unique=True)
    #: JSON object of field code → value as given (the ID number as its 18 characters).
    payload: Mapped[str] = mapped_column(EncryptedText("child.held_details"))
    held_on: Mapped[date] = mapped_column(Date)
    #: Last day the details are kept; the daily job erases them after it.
    expires_on: Mapped[date] = mapped_column(Date, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ChildHistory(Base):
    """What a child's record said at the end of each day from ``held_from`` until the day before
    ``held_until`` (open: still so): the unit, the categories and flags, and the facts the
    reports break figures down by. Written by the nightly job (:mod:`plugin.registry.history`),
    so "left-behind children on 31 December" is answerable on any later day."""

    __tablename__ = "cb_child_history"
    __table_args__ = (
        Index("ix_cb_child_history_day", "held_from", "held_until"),
        # At most one open row per child (the state the next night compares with).
        Index("uq_cb_child_history_open", "child_id", unique=True,
              postgresql_where=text("held_until IS NULL"),
              sqlite_where=text("held_until IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("cb_child.id"), index=True)
    held_from: Mapped[date] = mapped_column(Date)
    held_until: Mapped[date | None] = mapped_column(Date)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("cb_org_unit.id"), index=True)
    sex: Mapped[Sex | None] = mapped_column(enum_column(Sex, 8))
    birth_date: Mapped[date | None] = mapped_column(Date)
    hukou_region_code: Mapped[str | None] = mapped_column(String(6))
    hukou_rural: Mapped[bool | None]
    left_behind: Mapped[bool | None]
    migrant: Mapped[bool | None]
    in_difficulty: Mapped[bool | None]
    de_facto_unsupported: Mapped[bool | None]
    orphan: Mapped[bool | None]
    in_three_areas: Mapped[bool | None]
    focus_flags: Mapped[str] = mapped_column(String(200), default="")


#: The columns a history row copies from the child's record.
HISTORY_COLUMNS = ("org_unit_id", "sex", "birth_date", "hukou_region_code", "hukou_rural",
                   "left_behind", "migrant", "in_difficulty", "de_facto_unsupported", "orphan",
                   "in_three_areas", "focus_flags")
