"""HTTP hardening for the portal: security headers on every response, no caching of pages,
proxy awareness. Trusted hosts (``CAREBRIDGE_TRUSTED_HOSTS``) are Flask's ``TRUSTED_HOSTS``."""
from __future__ import annotations

from flask import Flask

from plugin.core.http import forbid_caching

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "img-src 'self' data: blob:",
    # Inline style attributes are used for tree indentation; no inline scripts anywhere.
    "style-src 'self' 'unsafe-inline'",
    "script-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'self'",
])


def init_security(app: Flask) -> None:
    if app.config.get("CAREBRIDGE_PROXY_HOPS"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["CAREBRIDGE_PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    # Every page of a signed-in user or a worker's phone carries personal data: none is stored
    # by browsers or proxies (static files excepted).
    app.after_request(forbid_caching)

    @app.after_request
    def set_security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(self), microphone=(), geolocation=()")
        if app.config.get("SESSION_COOKIE_SECURE"):
            headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response
