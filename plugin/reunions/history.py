"""What the officers' pages show of an application's history: each step in words, and who
took it (an officer by name, the worker on the phone, the system)."""
from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _

from . import queries
from .forms import BAND_LABELS, HISTORY_ACTION_LABELS
from .models import Application, ApplicationStatus


def history_context(application: Application) -> dict:
    """The template values :func:`history_table` (``_officer_macros.html``) reads."""
    history = queries.history_of(application)
    adapter = current_app.extensions["carebridge"].adapter
    names = {**adapter.user_names({event.actor_key for event in history}),
             f"worker:{application.worker_id}": _("职工本人（手机）")}
    names.update({event.actor_key: _("系统") for event in history
                  if event.actor_key.startswith("system:")})
    return {"history": history, "names": names, "band_labels": BAND_LABELS,
            "action_labels": HISTORY_ACTION_LABELS,
            "status_labels": {status.value: status.label for status in ApplicationStatus}}
