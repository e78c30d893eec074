"""The HR-system API: token-authenticated JSON under ``/api/v1``, for any host of CareBridge.

::

    CareBridge().init_app(app, ...)
    init_hr_api(app)                  # after CareBridge (and after CSRFProtect, if the host has it)

Tokens are issued on CareBridge's "API 令牌" page (:mod:`plugin.api_tokens`). The OpenAPI
document, generated from the views and from the registry's field tables, is served at
``/api/v1/openapi.json``.
"""
from __future__ import annotations

from flask import Flask

from .views import bp

DEFAULT_URL_PREFIX = "/api/v1"


def init_hr_api(app: Flask, *, url_prefix: str = DEFAULT_URL_PREFIX) -> None:
    if "carebridge" not in app.extensions:
        raise RuntimeError("initialise CareBridge on the app before the HR API")
    app.register_blueprint(bp, url_prefix=url_prefix.rstrip("/"))
    # Clients authenticate with a bearer token, never a cookie, so there is no cross-site request
    # to forge; a host's CSRFProtect would otherwise refuse every PUT and POST.
    csrf = app.extensions.get("csrf")
    if csrf is not None:
        csrf.exempt(bp)


__all__ = ["init_hr_api", "DEFAULT_URL_PREFIX"]
