"""Figures of closed periods the home page computed today, shared by every app server.

A figure whose period ended before today (last month, the months of a trend, a stock at a past
month's end) is computed once a day per scope and kept here; the figures of today and this
month are always computed live. Reports never read this table: a filing computes everything.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import BigInteger, Date, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..core.db import Base


class DashboardFigure(Base):
    __tablename__ = "cb_dashboard_figure"
    __table_args__ = (
        UniqueConstraint("code", "scope", "period_start", "period_end"),
        Index("ix_cb_dashboard_figure_computed_on", "computed_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(80))
    #: SHA-256 of the scope's sorted subtree paths.
    scope: Mapped[str] = mapped_column(String(64))
    #: A flow's first day; a stock's figure has only its last day (stored as that day).
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    value: Mapped[int] = mapped_column(BigInteger)
    #: The local day it was computed on: only today's rows are read.
    computed_on: Mapped[date] = mapped_column(Date)
