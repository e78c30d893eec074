"""Lecture attendance (DOMAIN §5): one row per (session, worker), whatever the retries, plus a
log of every scan attempt, accepted or refused."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.clock import utcnow
from ..core.db import Base, enum_column
from ..lectures.models import LectureSession
from ..registry.models import Worker


class CheckInMethod(str, enum.Enum):
    #: The worker scanned the venue's rotating code on their own phone.
    WORKER_SCAN = "worker_scan"
    #: An officer scanned the worker's printed badge.
    BADGE_SCAN = "badge_scan"
    #: An officer picked the worker by name or employee number.
    MANUAL = "manual"
    #: Entered afterwards from a paper sign-in sheet.
    PAPER_SHEET = "paper_sheet"


class Attendance(Base):
    __tablename__ = "cb_attendance"
    __table_args__ = (UniqueConstraint("session_id", "worker_id"),
                      Index("ix_cb_attendance_worker", "worker_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("cb_lecture_session.id"))
    worker_id: Mapped[int] = mapped_column(ForeignKey("cb_worker.id"))
    method: Mapped[CheckInMethod] = mapped_column(enum_column(CheckInMethod, 16))
    #: When the worker was there: the scan time (for offline uploads, the device's scan time).
    checked_in_at: Mapped[datetime]
    #: When the server stored it.
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Scanned offline and uploaded after the check-in window or later than a minute after.
    late_upload: Mapped[bool] = mapped_column(default=False)
    #: The officer who scanned or entered it (user key); None when the worker scanned.
    officer: Mapped[str | None] = mapped_column(String(64))
    device: Mapped[str | None] = mapped_column(String(120))
    annulled_at: Mapped[datetime | None]
    annulled_by: Mapped[str | None] = mapped_column(String(64))
    annul_reason: Mapped[str | None] = mapped_column(String(300))

    session: Mapped[LectureSession] = relationship()
    worker: Mapped[Worker] = relationship(lazy="joined")


class AttemptOutcome(str, enum.Enum):
    ACCEPTED = "accepted"
    ALREADY = "already"
    REFUSED = "refused"


class CheckInAttempt(Base):
    """Every scan or entry attempt, refused ones included, with the reason."""

    __tablename__ = "cb_check_in_attempt"
    __table_args__ = (Index("ix_cb_check_in_attempt_session", "session_id", "attempted_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: None when the code was too damaged to name a session.
    session_id: Mapped[int | None] = mapped_column(ForeignKey("cb_lecture_session.id"))
    worker_id: Mapped[int | None] = mapped_column(ForeignKey("cb_worker.id"), index=True)
    method: Mapped[CheckInMethod] = mapped_column(enum_column(CheckInMethod, 16))
    outcome: Mapped[AttemptOutcome] = mapped_column(enum_column(AttemptOutcome, 16))
    #: Machine code of the refusal reason (``expired``, ``forged``, ``not_open`` …).
    reason: Mapped[str | None] = mapped_column(String(32))
    attempted_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: For offline badge scans: when the device scanned (``attempted_at`` is the upload).
    scanned_at: Mapped[datetime | None]
    #: The device's random id of an offline scan, so a re-sent queue is recognised.
    nonce: Mapped[str | None] = mapped_column(String(64), index=True)
    officer: Mapped[str | None] = mapped_column(String(64))
    device: Mapped[str | None] = mapped_column(String(120))
    ip: Mapped[str | None] = mapped_column(String(64))


class CheckInLogThrottle(Base):
    """How many scans of invalid codes were logged per client address and minute
    (:mod:`plugin.attendance.throttle`), so a flood of made-up codes writes a bounded number of rows."""

    __tablename__ = "cb_check_in_log_throttle"

    #: The client's address, or ``*`` for all clients together.
    client: Mapped[str] = mapped_column(String(64), primary_key=True)
    #: The minute counted, as whole minutes since 1970 (UTC).
    unix_minute: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    attempts: Mapped[int] = mapped_column(default=0)
