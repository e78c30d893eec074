"""A revealed ID number is shown once, on the page the reveal redirects to (POST-redirect-GET).

The reveal (a POST, audited once by :func:`plugin.registry.services.reveal_id_number`) notes in
the user's session *which* record was revealed, never the number: the session cookie is signed,
not encrypted, and the number stays out of URLs too. The record's page takes the note (once) and
shows the full number read from the database; reloading the page shows it masked again, and no
second reveal is audited. A note not taken within :data:`REVEAL_DISPLAY_SECONDS` lapses.
"""
from __future__ import annotations

from flask import session as http_session

from ..core.clock import utcnow

#: The session key holding ``{"<kind>:<id>": expiry (Unix seconds)}``.
SESSION_KEY = "cb_revealed_ids"
#: How long a reveal waits for its one display.
REVEAL_DISPLAY_SECONDS = 120


def remember_reveal(kind: str, record_id: int) -> None:
    """Note that the record's full ID number is to be shown on its next page view."""
    now = int(utcnow().timestamp())
    pending = {key: expires for key, expires in (http_session.get(SESSION_KEY) or {}).items()
               if expires > now}
    pending[f"{kind}:{record_id}"] = now + REVEAL_DISPLAY_SECONDS
    http_session[SESSION_KEY] = pending


def take_reveal(kind: str, record_id: int) -> bool:
    """Whether the record's full ID number is to be shown now; the note is used up."""
    pending = http_session.get(SESSION_KEY)
    if not pending:
        return False
    pending = dict(pending)
    expires = pending.pop(f"{kind}:{record_id}", None)
    if pending:
        http_session[SESSION_KEY] = pending
    else:
        http_session.pop(SESSION_KEY, None)
    return expires is not None and expires > int(utcnow().timestamp())
