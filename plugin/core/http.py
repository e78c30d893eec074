"""HTTP response policy shared by the plugin and its hosts."""
from __future__ import annotations

from urllib.parse import quote

from flask import request


def forbid_caching(response):
    """``after_request`` hook: no browser, proxy or shared phone keeps a page.

    Nearly every page carries personal data (a staff user's lists, a worker's own page on a
    phone that may be lent), so every response is ``Cache-Control: no-store`` (``Pragma:
    no-cache`` for HTTP/1.0 caches), downloads included, whatever the view or ``send_file``
    set. Static files (the ``static`` endpoints of the app and its blueprints) keep normal
    caching.
    """
    endpoint = request.endpoint or ""
    if endpoint == "static" or endpoint.endswith(".static"):
        return response
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    return response


def attachment_disposition(ascii_filename: str, filename: str) -> str:
    """``Content-Disposition`` of a download: an ASCII ``filename`` for old clients and the
    real (Chinese) one as RFC 5987 ``filename*``."""
    return (f"attachment; filename=\"{ascii_filename}\"; "
            f"filename*=UTF-8''{quote(filename, safe='')}")
