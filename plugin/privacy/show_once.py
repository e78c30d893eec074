"""A secret shown once, on the page a POST redirects to (POST-redirect-GET).

Issuing something secret (an API token, an activation code) is an audited action; answering the
POST with the secret's page would make a reload issue (and audit) it again. So the POST stashes
the secret in the user's session, encrypted with the data key (the session cookie is signed, not
encrypted) and bound to what it belongs to, and redirects; the page takes it once. A reload then
shows the page without it. A stash not taken within :data:`SHOW_ONCE_SECONDS` lapses.
"""
from __future__ import annotations

import json

from flask import session as http_session

from ..core.clock import utcnow
from .crypto import DecryptionError, current_cipher

SESSION_KEY = "cb_show_once"
SHOW_ONCE_SECONDS = 120


def _context(purpose: str) -> str:
    return f"show_once:{purpose}"


def stash(purpose: str, value: dict) -> None:
    """Keep ``value`` (JSON-able) for one display under ``purpose`` (e.g. ``"api_token:7"``)."""
    now = int(utcnow().timestamp())
    pending = {key: entry for key, entry in (http_session.get(SESSION_KEY) or {}).items()
               if isinstance(entry, list) and len(entry) == 2 and entry[0] > now}
    sealed = current_cipher().encrypt(json.dumps(value), context=_context(purpose))
    pending[purpose] = [now + SHOW_ONCE_SECONDS, sealed]
    http_session[SESSION_KEY] = pending


def take(purpose: str) -> dict | None:
    """The value stashed under ``purpose``, once; None when there is none (or it lapsed)."""
    pending = http_session.get(SESSION_KEY)
    if not pending or purpose not in pending:
        return None
    pending = dict(pending)
    entry = pending.pop(purpose)
    if pending:
        http_session[SESSION_KEY] = pending
    else:
        http_session.pop(SESSION_KEY, None)
    try:
        expires, sealed = entry
        if expires <= int(utcnow().timestamp()):
            return None
        return json.loads(current_cipher().decrypt(sealed, context=_context(purpose)))
    except (DecryptionError, TypeError, ValueError):
        return None
