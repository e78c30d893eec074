"""How holiday safety campaigns follow their lectures (:mod:`plugin.signals`): a rescheduled
lecture moves the day the campaign counts in; a cancelled one makes the campaign a draft again."""
from __future__ import annotations

from flask import Flask

from ..signals import lecture_cancelled, lecture_rescheduled
from . import campaigns


def _rescheduled(sender, *, lecture, actor, **_extra) -> None:
    campaigns.on_lecture_rescheduled(lecture, actor)


def _cancelled(sender, *, lecture, actor, **_extra) -> None:
    campaigns.on_lecture_cancelled(lecture, actor)


def connect_receivers(app: Flask) -> None:
    lecture_rescheduled.connect(_rescheduled, sender=app)
    lecture_cancelled.connect(_cancelled, sender=app)
