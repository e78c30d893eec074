"""The remembered-phone cookie and the signed-in worker of the current request.

The cookie holds the device token signed with the app's secret key, so a forged or damaged cookie
is recognised without a database query; the token's hash is what the database knows.
"""
from __future__ import annotations

import functools

from flask import abort, current_app, g, redirect, request, url_for
from itsdangerous import BadSignature, URLSafeSerializer

from ..core.host import Actor
from ..registry.models import Worker
from .services import worker_actor, worker_for_token

COOKIE_NAME = "cb_worker_device"
COOKIE_MAX_AGE = 400 * 24 * 3600  # browsers cap cookie lifetimes at about 400 days


def _serializer() -> URLSafeSerializer:
    return _serializer_for(current_app.secret_key)


@functools.lru_cache(maxsize=4)
def _serializer_for(secret_key: str | bytes) -> URLSafeSerializer:
    """Built once per key: every scan of a lecture reads the cookie."""
    return URLSafeSerializer(secret_key, salt="carebridge.worker-device")


def device_token() -> str | None:
    signed = request.cookies.get(COOKIE_NAME)
    if not signed:
        return None
    try:
        return _serializer().loads(signed)
    except BadSignature:
        return None


def current_worker() -> Worker | None:
    """The worker whose remembered phone this is, once per request."""
    if "_carebridge_worker" not in g:
        g._carebridge_worker = worker_for_token(device_token())
    return g._carebridge_worker


def require_worker() -> Worker:
    """For worker pages: the signed-in worker, or a redirect to the phone sign-in and back."""
    worker = current_worker()
    if worker is None:
        target = request.full_path if request.query_string else request.path
        abort(redirect(url_for("carebridge.worker_access.sign_in", next=target)))
    return worker


def request_worker_actor(worker: Worker) -> Actor:
    """``worker`` acting in this request (for audit entries and records made on the phone)."""
    return worker_actor(worker, ip=request.remote_addr, user_agent=request.user_agent.string)


def secure_cookies() -> bool:
    """Whether this response's cookies are ``Secure``: as the host's session cookie is. The
    standalone portal marks them Secure when the request came over HTTPS (directly or through a
    trusted proxy), so a phone on the site's WiFi over plain ``http://`` keeps them; a host with
    Flask's own session interface decides by ``SESSION_COOKIE_SECURE``."""
    return bool(current_app.session_interface.get_cookie_secure(current_app))


def remember_phone(response, token: str):
    response.set_cookie(COOKIE_NAME, _serializer().dumps(token), max_age=COOKIE_MAX_AGE,
                        secure=secure_cookies(), httponly=True, samesite="Lax", path="/")
    return response


def forget_phone(response):
    response.delete_cookie(COOKIE_NAME, path="/")
    return response
