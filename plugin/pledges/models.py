"""Guardianship pledges (监护责任承诺书, DOMAIN §4).

Template rows are never changed once a pledge was signed under them: editing a template adds a
new version, and a pledge points at the exact version (and keeps a hash of the text) it was
signed under. Scans and drawn signatures are personal data and are stored encrypted.
"""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.clock import utcnow
from ..core.db import Base, enum_column
from ..core.i18n import N_
from ..core.tasks import Task, TaskKind, TaskStatus
from ..org.models import OrgUnit
from ..privacy.crypto import EncryptedBytes
from ..registry.models import Child, Worker


class PledgeTemplate(Base):
    """One version of the company's pledge text (Chinese, with the English translation)."""

    __tablename__ = "cb_pledge_template"
    __table_args__ = (UniqueConstraint("version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int]
    title_zh: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200))
    body_zh: Mapped[str] = mapped_column(Text)
    body_en: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(64))


class SigningMethod(str, enum.Enum):
    #: Signed on paper, witnessed by an HR officer, the page scanned and uploaded.
    PAPER = "paper"
    #: Signed by the worker with a finger on their own phone.
    PHONE = "phone"


class Pledge(Base):
    __tablename__ = "cb_pledge"
    __table_args__ = (Index("ix_cb_pledge_worker_valid", "worker_id", "valid_until"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("cb_worker.id"))
    template_id: Mapped[int] = mapped_column(ForeignKey("cb_pledge_template.id"), index=True)
    #: SHA-256 of the template text as signed, so the document can prove its wording.
    text_sha256: Mapped[str] = mapped_column(String(64))
    method: Mapped[SigningMethod] = mapped_column(enum_column(SigningMethod, 16))
    signed_on: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date] = mapped_column(Date, index=True)
    #: Paper pledges: the HR officer who witnessed the signature.
    witness: Mapped[str | None] = mapped_column(String(100))
    #: Deferred like the signature: lists never load (and decrypt) them.
    scan: Mapped[bytes | None] = mapped_column(EncryptedBytes("pledge.scan"), deferred=True)
    scan_content_type: Mapped[str | None] = mapped_column(String(64))
    #: Phone pledges: the drawn signature as PNG.
    signature_png: Mapped[bytes | None] = mapped_column(EncryptedBytes("pledge.signature"),
                                                        deferred=True)
    #: Random code in the document's QR link to the public verification page.
    verification_code: Mapped[str] = mapped_column(String(32), unique=True)
    #: The pledge this one renews, if any.
    renews_id: Mapped[int | None] = mapped_column(ForeignKey("cb_pledge.id"), index=True)
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    expiry_reminded_at: Mapped[datetime | None]
    #: Set by the daily job on the first day after ``valid_until``.
    expired_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    revoked_by: Mapped[str | None] = mapped_column(String(64))
    revoke_reason: Mapped[str | None] = mapped_column(String(300))

    worker: Mapped[Worker] = relationship(lazy="joined")
    template: Mapped[PledgeTemplate] = relationship(lazy="joined")
    children: Mapped[list[Child]] = relationship(secondary="cb_pledge_child", lazy="selectin",
                                                 order_by=Child.birth_date)


class PledgeChild(Base):
    """A child the pledge covers."""

    __tablename__ = "cb_pledge_child"

    pledge_id: Mapped[int] = mapped_column(ForeignKey("cb_pledge.id", ondelete="CASCADE"),
                                           primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("cb_child.id", ondelete="CASCADE"),
                                          primary_key=True, index=True)


#: A batch's state is its task's.
BatchStatus = TaskStatus

#: Site zips in the background queue. The zip keeps the encryption context it had before the
#: queue was shared, so zips stored then still read.
SITE_ZIP = TaskKind(
    "pledges.site_zip", work="plugin.pledges.batches:make_zip",
    ended="plugin.pledges.batches:announce",
    internal_error=N_("生成时发生内部错误，请联系系统管理员"), files={"zip": "pledge.batch_zip"})


class PledgeBatch(Base):
    """A zip of the pledge PDFs of one site, made in the background (:data:`SITE_ZIP`).

    The zip holds personal data: its task stores it encrypted in chunks, every download is
    audited, and the daily job deletes it after a few days.
    """

    __tablename__ = "cb_pledge_batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Its background task: state, progress, heartbeat and the zip.
    task_id: Mapped[int] = mapped_column(ForeignKey("cb_task.id"), unique=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("cb_org_unit.id"), index=True)
    #: Only pledges valid on the day the batch was asked for, or every pledge of the site.
    only_valid: Mapped[bool] = mapped_column(default=True)
    #: Local date the batch was asked for (decides which pledges are valid).
    as_of: Mapped[date] = mapped_column(Date)
    #: Absolute URL of the public verification page, ending in ``/`` (the QR codes add the code):
    #: the scheduler that renders the PDFs has no request to build it from.
    verify_url_base: Mapped[str] = mapped_column(String(300))
    created_by: Mapped[str] = mapped_column(String(64), index=True)
    created_by_name: Mapped[str] = mapped_column(String(200))
    #: Size of the finished zip in bytes.
    size_bytes: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: When the stored zip was deleted (kept for a few days only).
    purged_at: Mapped[datetime | None]

    org_unit: Mapped[OrgUnit] = relationship(lazy="joined")
    task: Mapped[Task] = relationship(lazy="joined", innerjoin=True)

    @property
    def status(self) -> TaskStatus:
        return self.task.status

    @property
    def is_finished(self) -> bool:
        return self.task.is_finished

    @property
    def total(self) -> int | None:
        """Pledges in the zip, once counted."""
        return self.task.total

    @property
    def processed(self) -> int:
        return self.task.processed

    @property
    def failure(self) -> dict | None:
        """Why the batch failed: ``{"message": msgid, "params": {...}}``."""
        return self.task.failure

    def __repr__(self) -> str:
        return f"<PledgeBatch {self.id} unit={self.org_unit_id}>"

