"""The check-in's own records (DOMAIN §5): a log of every scan attempt, accepted or refused, and
the counters that bound how many refused scans are logged. The register itself — one row per
(session, worker), whatever the retries — belongs to the lecture (:class:`plugin.lectures.models.
Attendance`): a lecture's figures count it, and this feature is how rows get into it."""
from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ..core.clock import utcnow
from ..core.db import Base, enum_column
from ..lectures.models import CheckInMethod


class AttemptOutcome(str, enum.Enum):
    ACCEPTED = "accepted"
    ALREADY = "already"
    REFUSED = "refused"

    @property
    def label(self):
        return ATTEMPT_OUTCOME_LABELS[self]


ATTEMPT_OUTCOME_LABELS = {
    AttemptOutcome.ACCEPTED: _l("已签到"),
    AttemptOutcome.ALREADY: _l("重复"),
    AttemptOutcome.REFUSED: _l("拒绝"),
}


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
    (:mod:`plugin.attendance.throttle`), so a flood of made-up codes writes a bounded number of
    rows."""

    __tablename__ = "cb_check_in_log_throttle"

    #: The client's address, or ``*`` for all clients together.
    client: Mapped[str] = mapped_column(String(64), primary_key=True)
    #: The minute counted, as whole minutes since 1970 (UTC).
    unix_minute: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    attempts: Mapped[int] = mapped_column(default=0)
