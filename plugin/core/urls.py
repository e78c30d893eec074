"""URLs: redirect targets taken from requests or stored links, and links that leave the screen."""
from __future__ import annotations

import unicodedata
from urllib.parse import urlsplit

from flask import current_app, has_request_context, request, url_for

#: Longest redirect target accepted; longer ones are nobody's bookmark.
MAX_LOCAL_PATH = 2000
#: Unicode categories refused anywhere in a redirect target: controls (C0, DEL, C1), format
#: characters (zero-width, bidi overrides) and separators (spaces, line and paragraph breaks).
_REFUSED_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp"}


def local_path(target: str | None) -> str | None:
    """``target`` if it is a path on this site, else None.

    Only ``/path?query`` on this host passes. Refused: absolute URLs, protocol-relative
    ``//host``; ``/\\host`` (browsers read a backslash as a slash); any control character or
    whitespace, since browsers drop tabs and line breaks from a URL (``/\\t/evil.example`` would
    become ``//evil.example``) and a line break in a ``Location`` header cannot even be sent.
    """
    if not target or len(target) > MAX_LOCAL_PATH or not target.startswith("/"):
        return None
    if target.startswith("//") or "\\" in target:
        return None
    if any(char.isspace() or unicodedata.category(char) in _REFUSED_CATEGORIES for char in target):
        return None
    return target


def public_base_url(value: str | None) -> str | None:
    """``CAREBRIDGE_PUBLIC_URL`` checked and normalised: ``https://host[:port][/prefix]``
    without a trailing slash, or None when not set. Anything else raises ``ValueError``."""
    value = (value or "").strip()
    if not value:
        return None
    parts = urlsplit(value)
    try:
        port_valid = parts.port is None or parts.port > 0
    except ValueError:  # out of range, or not a number
        port_valid = False
    if (parts.scheme not in {"http", "https"} or not parts.hostname or not port_valid
            or parts.query or parts.fragment or parts.username or parts.password
            or local_path(parts.path or "/") is None):
        raise ValueError(f"CAREBRIDGE_PUBLIC_URL must look like https://care.example.com[/prefix], "
                         f"not {value!r}")
    return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"


def public_url(endpoint: str, **values) -> str:
    """Absolute URL of ``endpoint`` for links that leave the screen: QR codes on a projector or
    printed on badges and documents, verification links in stored PDFs.

    Built from the configured ``CAREBRIDGE_PUBLIC_URL`` when there is one, so the ``Host``
    header a request happens to carry never ends up on paper; otherwise (development) from the
    request, like ``url_for(..., _external=True)``. Works outside a request too when the public
    URL is configured (background jobs). ``.endpoint`` is relative to the current blueprint.
    """
    if endpoint.startswith(".") and has_request_context() and request.blueprint:
        endpoint = request.blueprint + endpoint
    base = current_app.extensions["carebridge"].settings["CAREBRIDGE_PUBLIC_URL"]
    if base is None:
        return url_for(endpoint, _external=True, **values)
    parts = urlsplit(base)
    adapter = current_app.url_map.bind(parts.netloc, script_name=parts.path or "/",
                                       url_scheme=parts.scheme)
    current_app.inject_url_defaults(endpoint, values)
    return adapter.build(endpoint, values, force_external=True)
