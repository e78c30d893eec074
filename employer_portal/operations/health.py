"""``/healthz`` (liveness) and ``/readyz`` (readiness): no sign-in, no personal data, JSON.

* ``/healthz``: 200 ``{"status": "ok"}`` whenever the process answers; it touches no database,
  so a database outage never makes an orchestrator restart healthy web processes.
* ``/readyz``: 200 ``{"status": "ready", ...}`` when ``SELECT 1`` works and both migration
  histories (the plugin's and the portal's) are at this code's head; 503
  ``{"status": "not ready", ...}`` otherwise, each check saying ``ok``, ``unavailable``,
  ``behind`` or ``unknown`` (never an error text, which could name the database's address).
"""
from __future__ import annotations

import logging

from flask import Response, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from plugin.core.db import session

from ..database import needs_upgrade

log = logging.getLogger(__name__)


def healthz() -> Response:
    return jsonify(status="ok")


def readyz() -> tuple[Response, int]:
    checks = {"database": "unavailable", "migrations": "unknown"}
    try:
        session.execute(text("SELECT 1")).scalar_one()
        checks["database"] = "ok"
        checks["migrations"] = "behind" if needs_upgrade() else "ok"
    except (SQLAlchemyError, OSError):
        session.rollback()
        log.warning("readiness: the database check failed", exc_info=True)
    ready = all(value == "ok" for value in checks.values())
    return jsonify(status="ready" if ready else "not ready", checks=checks), 200 if ready else 503
