"""HTTP hardening for the portal: security headers on every response, no caching of pages,
proxy awareness, cookies that follow the scheme. Trusted hosts (``CAREBRIDGE_TRUSTED_HOSTS``) are
Flask's ``TRUSTED_HOSTS``."""
from __future__ import annotations

from flask import Flask, has_request_context, request
from flask.sessions import SecureCookieSessionInterface

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


class SchemeSessionInterface(SecureCookieSessionInterface):
    """The signed session cookie, ``Secure`` as ``CAREBRIDGE_SECURE_COOKIES`` says: ``auto``
    (the default) marks it Secure when the request came over HTTPS, so a phone on the site's WiFi
    reaching ``http://192.168.1.10:5000`` keeps its session (and its CSRF token), and nothing
    reached over HTTPS ever sends a cookie over plain HTTP. Behind a reverse proxy, "came over
    HTTPS" is the proxy's ``X-Forwarded-Proto``, trusted only with ``CAREBRIDGE_PROXY_HOPS``.

    The plugin's own cookies (the remembered phone, the check-in detour) ask this interface too
    (:func:`plugin.worker_access.cookies.secure_cookies`)."""

    def get_cookie_secure(self, app: Flask) -> bool:
        mode = app.config.get("CAREBRIDGE_SECURE_COOKIES", "auto")
        if mode == "auto":
            return has_request_context() and request.is_secure
        return mode == "always"


def init_security(app: Flask) -> None:
    hops = app.config.get("CAREBRIDGE_PROXY_HOPS")
    if hops:
        # The client's address, scheme and host as the trusted proxies saw them: the sign-in
        # limits count the real client, cookies are Secure behind HTTPS, CSRF's referrer check
        # and url_for see the public host. Only the last ``hops`` entries are trusted.
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)
    app.session_interface = SchemeSessionInterface()

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
        # HSTS only over HTTPS (browsers ignore it on plain HTTP, as on the site's WiFi).
        if request.is_secure and app.config.get("CAREBRIDGE_SECURE_COOKIES") != "never":
            headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response
