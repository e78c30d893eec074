"""The portal's error pages: every error of the site, CareBridge's pages and the portal's own
(sign-in, users, set-up) and URLs that match no route, is a page in the user's language inside
the layout (:mod:`plugin.core.error_pages`); the HR API keeps answering JSON."""
from __future__ import annotations

from flask import Flask, request
from werkzeug.exceptions import HTTPException

from integrations.hr_api import DEFAULT_URL_PREFIX
from integrations.hr_api.views import http_error as api_error
from plugin.core.error_pages import error_page


def _api_request() -> bool:
    path = request.path
    return path == DEFAULT_URL_PREFIX or path.startswith(DEFAULT_URL_PREFIX + "/")


def portal_error(error: HTTPException):
    # Errors of the API's own views are answered by its blueprint; these are the ones Flask
    # raises before a view is known (no such URL, wrong method), which an API client reads too.
    if _api_request():
        return api_error(error)
    return error_page(error)


def init_error_pages(app: Flask) -> None:
    # For the class, not per code: a blueprint's own handler (the HR API's) wins over the app's.
    app.register_error_handler(HTTPException, portal_error)
