"""How risk reports answer other features (:mod:`plugin.signals`)."""
from __future__ import annotations

from flask import Flask

from ..signals import open_concerns_asked
from .queries import open_report_worker_ids


def answer_open_concerns(sender, *, worker_ids, **_extra) -> set[int]:
    """``open_concerns_asked``: those of ``worker_ids`` with a case open about their child
    (hardship aid puts their families first)."""
    return open_report_worker_ids(worker_ids)


def connect_receivers(app: Flask) -> None:
    open_concerns_asked.connect(answer_open_concerns, sender=app)
