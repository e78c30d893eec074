"""Roster import jobs and the column mappings saved per source.

A job runs as a background task (:mod:`plugin.core.tasks`, kind :data:`ROSTER_IMPORT`), which
holds its state and progress and stores the uploaded roster and the error file encrypted in the
database, so the scheduler that runs the import may be on another machine.
"""
from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.clock import utcnow
from ..core.db import Base
from ..core.i18n import N_
from ..core.tasks import Task, TaskKind, TaskStatus
from ..org.models import OrgUnit


class ImportKind(str, enum.Enum):
    """The HR rosters; features declare more kinds (:mod:`plugin.imports.kinds`), so a job's
    :attr:`ImportJob.kind` is the kind's code as a string."""

    WORKERS = "workers"
    CHILDREN = "children"


class ImportStatus(str, enum.Enum):
    """The job's state as the import pages name it: its task's, "held" being "mapping"."""

    #: Waiting for the user to say which field an unrecognised column holds (the task is held).
    MAPPING = "mapping"
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class FileRole(str, enum.Enum):
    """The job's files (its task's, :mod:`plugin.core.task_files`)."""

    UPLOAD = "upload"
    ERRORS = "errors"


#: Roster imports in the background queue. Their files keep the encryption context they had
#: before the queue was shared, so files stored then still read.
ROSTER_IMPORT = TaskKind(
    "imports.roster", work="plugin.imports.processing:import_claimed",
    ended="plugin.imports.processing:import_ended",
    internal_error=N_("导入时发生内部错误，请联系系统管理员"),
    files={FileRole.UPLOAD.value: "import.file", FileRole.ERRORS.value: "import.file"})


class ImportJob(Base):
    """One roster import: the file, what it found, and (:attr:`task`) where its run stands."""

    __tablename__ = "cb_import_job"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Its background task: state, progress, heartbeat, the upload and the error file.
    task_id: Mapped[int] = mapped_column(ForeignKey("cb_task.id"), unique=True)
    #: The kind's code (:func:`plugin.imports.kinds.kind_spec`).
    kind: Mapped[str] = mapped_column(String(16))
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
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    org_unit: Mapped[OrgUnit] = relationship(lazy="joined")
    task: Mapped[Task] = relationship(lazy="joined", innerjoin=True)

    @property
    def status(self) -> ImportStatus:
        status = self.task.status
        return ImportStatus.MAPPING if status == TaskStatus.HELD else ImportStatus(status.value)

    @property
    def is_finished(self) -> bool:
        return self.task.is_finished

    @property
    def total_rows(self) -> int | None:
        """Data rows in the file: estimated when it is opened, exact once the job is done."""
        return self.task.total

    @property
    def processed_rows(self) -> int:
        return self.task.processed

    @property
    def failure(self) -> dict[str, Any] | None:
        """Why the whole job failed: ``{"message": msgid, "params": {...}}``."""
        return self.task.failure

    def __repr__(self) -> str:
        return f"<ImportJob {self.id} {self.kind} {self.filename!r}>"


class ColumnMapping(Base):
    """How the rosters of one source name their columns, saved when a user maps them by hand."""

    __tablename__ = "cb_import_column_mapping"
    __table_args__ = (UniqueConstraint("source", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16))
    #: Normalised column header → field code ("" for a column to ignore).
    columns: Mapped[dict[str, str]] = mapped_column(JSON)
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
