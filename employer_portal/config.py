"""Configuration of the standalone portal, from ``CAREBRIDGE_*`` environment variables."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

from plugin.core.urls import public_base_url


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


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
    secure_cookies = _flag("CAREBRIDGE_SECURE_COOKIES", True)
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
        "SESSION_COOKIE_SECURE": secure_cookies,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": secure_cookies,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "PERMANENT_SESSION_LIFETIME": 8 * 3600,
        "WTF_CSRF_TIME_LIMIT": 8 * 3600,
        "BOOTSTRAP_SERVE_LOCAL": True,
        "BABEL_DEFAULT_LOCALE": "zh_CN",
        "MAX_CONTENT_LENGTH": 64 * 1024 * 1024,
    }
    config.update(overrides)
    config["CAREBRIDGE_PUBLIC_URL"] = public_base_url(config.get("CAREBRIDGE_PUBLIC_URL"))
    if not config.get("SECRET_KEY"):
        config["SECRET_KEY"] = secret_key(instance_path)
    return config
