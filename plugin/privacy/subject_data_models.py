"""How often a worker downloaded their own data (PIPL Art. 45), counted per local day.

The limit is the database's: one row per worker and day, raised by one ``INSERT … ON CONFLICT
DO UPDATE … RETURNING`` (:mod:`.subject_data`), so concurrent downloads on any number of app
servers never pass it.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from ..core.db import Base


class SubjectDataDownloads(Base):
    """The own-data files one worker downloaded on one day (the company's day)."""

    __tablename__ = "cb_privacy_subject_downloads"

    worker_id: Mapped[int] = mapped_column(ForeignKey("cb_worker.id", ondelete="CASCADE"),
                                           primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    downloads: Mapped[int] = mapped_column(default=0)

    def __repr__(self) -> str:
        return f"<SubjectDataDownloads worker={self.worker_id} {self.day} {self.downloads}>"
