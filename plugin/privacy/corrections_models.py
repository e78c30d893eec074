"""A worker's request to correct their or their children's data (PIPL Art. 46), and its answer.

The worker writes, in their own words, which record or field is wrong, what is wrong and what is
right; an HR officer changes the record through the normal pages and marks the request made
(saying what was changed), or refuses it with a reason the worker reads on the phone.
"""
from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.clock import utcnow
from ..core.db import Base, enum_column
from ..registry.models import Worker


class CorrectionStatus(str, enum.Enum):
    OPEN = "open"
    MADE = "made"
    REFUSED = "refused"

    @property
    def label(self):
        return CORRECTION_STATUS_LABELS[self]


CORRECTION_STATUS_LABELS = {
    CorrectionStatus.OPEN: _l("待处理"),
    CorrectionStatus.MADE: _l("已更正"),
    CorrectionStatus.REFUSED: _l("不予更正"),
}


class CorrectionRequest(Base):
    __tablename__ = "cb_privacy_correction"
    __table_args__ = (Index("ix_cb_privacy_correction_status_asked", "status", "asked_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("cb_worker.id", ondelete="CASCADE"),
                                           index=True)
    #: Which record or field, in the worker's words ("大女儿的学校").
    record: Mapped[str] = mapped_column(String(200))
    #: What is wrong, and what is right, as the worker wrote it.
    wrong: Mapped[str] = mapped_column(Text)
    right: Mapped[str] = mapped_column(Text)
    status: Mapped[CorrectionStatus] = mapped_column(enum_column(CorrectionStatus, 16),
                                                     default=CorrectionStatus.OPEN)
    asked_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: What was changed (made) or why not (refused): shown to the worker.
    answer: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None]
    answered_by: Mapped[str | None] = mapped_column(String(64))
    answered_by_name: Mapped[str | None] = mapped_column(String(200))

    worker: Mapped[Worker] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"<CorrectionRequest {self.id} worker={self.worker_id} {self.status.value}>"
