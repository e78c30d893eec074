"""Configuration of the standalone portal, from ``CAREBRIDGE_*`` environment variables."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

from plugin.core.urls import public_base_url

#: ``CAREBRIDGE_SECURE_COOKIES``: which cookies are marked ``Secure``.
SECURE_COOKIE_MODES = {
    # Secure when the request came over HTTPS: directly, or through a trusted reverse proxy that
    # says so in X-Forwarded-Proto (CAREBRIDGE_PROXY_HOPS). Phones on the site's WiFi reaching
    # http://192.168.1.10:5000 keep their cookies; behind HTTPS every cookie is Secure.
    "auto": "auto",
    # Always Secure: for deployments reached only over HTTPS (plain HTTP then cannot sign in).
    "1": "always", "true": "always", "yes": "always", "on": "always", "always": "always",
    # Never Secure (not recommended; "auto" already serves plain HTTP).
    "0": "never", "false": "never", "no": "never", "off": "never", "never": "never",
}


def secure_cookie_mode(value: str | None) -> str:
    """``auto`` (the default), ``always`` or ``never``; anything else raises ``ValueError``."""
    if value is None or not value.strip():
        return "auto"
    mode = SECURE_COOKIE_MODES.get(value.strip().lower())
    if mode is None:
        raise ValueError(f"CAREBRIDGE_SECURE_COOKIES must be auto, 1 or 0, not {value!r}")
    return mode


def secret_key(instance_path: Path) -> str:
    """``CAREBRIDGE_SECRET_KEY``, else a key generated once into the instance folder."""
    configured = os.environ.get("CAREBRIDGE_SECRET_KEY")
    if configured:
        return configured
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
    return key_file.read_text().strip()


def trusted_hosts(value: str | None) -> list[str] | None:
    """``CAREBRIDGE_TRUSTED_HOSTS``: comma-separated host names (``.example.com`` also accepts
    its subdomains); None when unset, which accepts any host."""
    hosts = [host.strip() for host in (value or "").split(",") if host.strip()]
    return hosts or None


def load_config(instance_path: Path, overrides: dict) -> dict:
    """Settings from the environment, then ``overrides`` (a test or an embedding app's config)."""
    database_url = os.environ.get("CAREBRIDGE_DATABASE_URL") or (
        f"sqlite:///{instance_path / 'carebridge.db'}")
    cookie_mode = secure_cookie_mode(os.environ.get("CAREBRIDGE_SECURE_COOKIES"))
    config = {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "CAREBRIDGE_LOGIN_MAX_FAILURES": int(os.environ.get("CAREBRIDGE_LOGIN_MAX_FAILURES", 5)),
        "CAREBRIDGE_LOGIN_LOCK_MINUTES": int(os.environ.get("CAREBRIDGE_LOGIN_LOCK_MINUTES", 15)),
        "CAREBRIDGE_LOGIN_ADDRESS_MAX_FAILURES": int(
            os.environ.get("CAREBRIDGE_LOGIN_ADDRESS_MAX_FAILURES", 30)),
        "CAREBRIDGE_LOGIN_ADDRESS_WINDOW_MINUTES": int(
            os.environ.get("CAREBRIDGE_LOGIN_ADDRESS_WINDOW_MINUTES", 15)),
        # The address printed in QR codes and documents (plugin.core.urls.public_url).
        "CAREBRIDGE_PUBLIC_URL": os.environ.get("CAREBRIDGE_PUBLIC_URL") or None,
        # Host names the portal answers to; any other Host header gets 400.
        "TRUSTED_HOSTS": trusted_hosts(os.environ.get("CAREBRIDGE_TRUSTED_HOSTS")),
        "CAREBRIDGE_PROXY_HOPS": int(os.environ.get("CAREBRIDGE_PROXY_HOPS", 0)),
        # "auto": the session interface (employer_portal.security) decides per request.
        "CAREBRIDGE_SECURE_COOKIES": cookie_mode,
        "SESSION_COOKIE_SECURE": cookie_mode == "always",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": cookie_mode == "always",  # unused: no "remember me"
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "PERMANENT_SESSION_LIFETIME": 8 * 3600,
        "WTF_CSRF_TIME_LIMIT": 8 * 3600,
        "BOOTSTRAP_SERVE_LOCAL": True,
        "BABEL_DEFAULT_LOCALE": "zh_CN",
        "MAX_CONTENT_LENGTH": 64 * 1024 * 1024,
    }
    config.update(overrides)
    mode = config.get("CAREBRIDGE_SECURE_COOKIES")
    config["CAREBRIDGE_SECURE_COOKIES"] = secure_cookie_mode(None if mode is None else str(mode))
    config["SESSION_COOKIE_SECURE"] = config["REMEMBER_COOKIE_SECURE"] = (
        config["CAREBRIDGE_SECURE_COOKIES"] == "always")
    config["CAREBRIDGE_PUBLIC_URL"] = public_base_url(config.get("CAREBRIDGE_PUBLIC_URL"))
    if not config.get("SECRET_KEY"):
        config["SECRET_KEY"] = secret_key(instance_path)
    return config
