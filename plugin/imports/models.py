"""Roster import jobs, their files, and the column mappings saved per source.

Uploaded files and error files are stored in the database (:class:`ImportFile`, in chunks), not
on the web server's disk, so the scheduler that runs the import may be on another machine.
"""
from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.clock import utcnow
from ..core.db import Base, enum_column
from ..privacy.crypto import EncryptedBytes
from ..org.models import OrgUnit


class ImportKind(str, enum.Enum):
    WORKERS = "workers"
    CHILDREN = "children"


class ImportStatus(str, enum.Enum):
    #: Waiting for the user to say which field an unrecognised column holds.
    MAPPING = "mapping"
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class FileRole(str, enum.Enum):
    UPLOAD = "upload"
    ERRORS = "errors"


class ImportJob(Base):
    __tablename__ = "cb_import_job"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ImportKind] = mapped_column(enum_column(ImportKind, 16))
    status: Mapped[ImportStatus] = mapped_column(enum_column(ImportStatus, 16), index=True)
    #: Process everything, store nothing: the counts say what would change.
    is_dry_run: Mapped[bool] = mapped_column(default=False)
    filename: Mapped[str] = mapped_column(String(255))
    #: Name of the registered roster format (``csv``, ``xlsx``).
    format_name: Mapped[str] = mapped_column(String(16))
    #: The HR office or system the file comes from; picks the saved column mapping.
    source: Mapped[str | None] = mapped_column(String(100))
    #: The importing unit: sites and teams named in the roster are found or created under it.
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("cb_org_unit.id"), index=True)
    #: User key (and display name, for the audit log) of who started the import.
    created_by: Mapped[str] = mapped_column(String(64), index=True)
    created_by_name: Mapped[str] = mapped_column(String(200))
    #: Data rows in the file: estimated when it is opened, exact once the job is done.
    total_rows: Mapped[int | None]
    processed_rows: Mapped[int] = mapped_column(default=0)
    created_count: Mapped[int] = mapped_column(default=0)
    updated_count: Mapped[int] = mapped_column(default=0)
    unchanged_count: Mapped[int] = mapped_column(default=0)
    rejected_count: Mapped[int] = mapped_column(default=0)
    #: Children stored with only the minimum fields for lack of a guardian's consent.
    withheld_count: Mapped[int] = mapped_column(default=0)
    #: "parent / name" of each site or team the import created (or would create, in a dry run).
    created_units: Mapped[list[str] | None] = mapped_column(JSON)
    #: Column headers that matched no field and were ignored.
    unknown_columns: Mapped[list[str] | None] = mapped_column(JSON)
    #: Header row and column matching, as checked when the file was uploaded (for the mapping form).
    column_check: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    #: The first rejected rows: ``{"row", "field", "message", "params"}`` with msgids.
    sample_errors: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    #: Why the whole job failed: ``{"message": msgid, "params": {...}}``.
    failure: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    #: Last sign of life of the process running the job (a stale one is taken over).
    heartbeat_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]

    org_unit: Mapped[OrgUnit] = relationship(lazy="joined")

    @property
    def is_finished(self) -> bool:
        return self.status in (ImportStatus.DONE, ImportStatus.FAILED)


class ImportFile(Base):
    """One chunk of an uploaded roster or of an error file (read and written in order)."""

    __tablename__ = "cb_import_file"
    __table_args__ = (UniqueConstraint("job_id", "role", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("cb_import_job.id", ondelete="CASCADE"))
    role: Mapped[FileRole] = mapped_column(enum_column(FileRole, 16))
    #: Position of the chunk in the file, from 0.
    seq: Mapped[int]
    #: Encrypted: rosters and error files carry ID numbers and children's data.
    data: Mapped[bytes] = mapped_column(EncryptedBytes("import.file"))


class ColumnMapping(Base):
    """How the rosters of one source name their columns, saved when a user maps them by hand."""

    __tablename__ = "cb_import_column_mapping"
    __table_args__ = (UniqueConstraint("source", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(100))
    kind: Mapped[ImportKind] = mapped_column(enum_column(ImportKind, 16))
    #: Normalised column header → field code ("" for a column to ignore).
    columns: Mapped[dict[str, str]] = mapped_column(JSON)
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
