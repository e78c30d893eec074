"""Where a notification points: stored as an endpoint and its arguments, made a URL when shown.

A URL written into a row would keep the URL prefix (and the routes) of the day it was written;
an endpoint is turned into a URL by ``url_for`` each time the notification is shown, so it
follows the host's prefix as it is now. A link whose endpoint or arguments no longer build (a
page removed or renamed since) shows as no link, never as an error page.
"""
from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

from flask import current_app, has_request_context, url_for
from werkzeug.routing import BuildError

from ..core.urls import public_url

log = logging.getLogger(__name__)

#: ``(endpoint, arguments)``, e.g. ``("carebridge.pledges.batch", {"batch_id": 7})``.
Link = tuple[str, dict[str, Any]]

#: Argument names ``url_for`` keeps for itself.
_RESERVED = frozenset({"endpoint", "values"})


def check_link(link: Link | None) -> tuple[str | None, dict[str, Any] | None]:
    """``link`` split into what is stored (endpoint, arguments), or ValueError.

    A link that names no endpoint of the app, takes arguments that do not survive JSON, or does
    not build a URL now is a programming error, refused before anything is written.
    """
    if link is None:
        return None, None
    if not (isinstance(link, (tuple, list)) and len(link) == 2
            and isinstance(link[1], (Mapping, type(None)))):
        raise ValueError(f"a link is (endpoint, arguments), not {link!r}")
    endpoint, arguments = link[0], dict(link[1] or {})
    if not isinstance(endpoint, str) or endpoint not in current_app.view_functions:
        raise ValueError(f"no endpoint {endpoint!r} to link to")
    if any(not isinstance(name, str) or name.startswith("_") or name in _RESERVED
           for name in arguments):
        raise ValueError(f"link arguments need plain names: {sorted(map(str, arguments))}")
    try:
        survives_json = json.loads(json.dumps(arguments)) == arguments
    except (TypeError, ValueError):
        survives_json = False
    if not survives_json:
        raise ValueError(f"link arguments must be JSON values: {arguments!r}")
    if _path(endpoint, arguments) is None:
        raise ValueError(f"{endpoint!r} does not build a URL from {arguments!r}")
    return endpoint, arguments or None


def link_path(endpoint: str, arguments: dict[str, Any] | None) -> str | None:
    """The path of the link on this site as mounted now (the request's script root and the
    host's URL prefix included), or None if it no longer builds."""
    if has_request_context():
        try:
            return url_for(endpoint, **(arguments or {}))
        except (BuildError, ValueError, TypeError):
            log.warning("notification link to %s%r no longer builds", endpoint, arguments)
            return None
    return _path(endpoint, arguments or {})


def link_url(endpoint: str, arguments: dict[str, Any] | None) -> str | None:
    """The absolute URL of the link, for messages read outside the site (``CAREBRIDGE_PUBLIC_URL``,
    see :func:`plugin.core.urls.public_url`), or None if it does not build here."""
    try:
        return public_url(endpoint, **(arguments or {}))
    except (BuildError, ValueError, TypeError, RuntimeError):
        # RuntimeError: no public URL configured and no request to take the host from.
        return None


def _path(endpoint: str, arguments: dict[str, Any]) -> str | None:
    """The path outside any request (a scheduled job), at the app's configured root."""
    adapter = current_app.url_map.bind(
        "localhost", script_name=current_app.config.get("APPLICATION_ROOT") or "/")
    values = dict(arguments)
    current_app.inject_url_defaults(endpoint, values)
    try:
        return adapter.build(endpoint, values)
    except (BuildError, ValueError, TypeError):
        return None
