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


#: ``CAREBRIDGE_LOG_FORMAT``: ``text`` leaves logging as Python sets it up; ``json`` writes one
#: JSON object per line (employer_portal.operations.logs).
LOG_FORMATS = ("text", "json")


def log_format(value: str | None) -> str:
    """``text`` (the default) or ``json``; anything else raises ``ValueError``."""
    if value is None or not value.strip():
        return "text"
    if value.strip().lower() not in LOG_FORMATS:
        raise ValueError(f"CAREBRIDGE_LOG_FORMAT must be text or json, not {value!r}")
    return value.strip().lower()


def reports_database_url(value: str | None) -> str | None:
    """``CAREBRIDGE_REPORTS_DATABASE_URL``: a SQLAlchemy URL of a streaming replica the reports
    and the dashboard read figures from (plugin.core.db.reads_from_replica); None: the primary."""
    if value is None or not str(value).strip():
        return None
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        make_url(str(value).strip())
    except ArgumentError:
        raise ValueError("CAREBRIDGE_REPORTS_DATABASE_URL is not a database URL") from None
    return str(value).strip()


def per_server_key_warnings(config: dict, environ=os.environ) -> list[str]:
    """What would differ between app servers because it was generated into this server's
    instance folder: on PostgreSQL (a database several servers may share) each such key is a
    warning (sessions, or children's encrypted fields, would not work across servers)."""
    if str(config.get("SQLALCHEMY_DATABASE_URI", "")).startswith("sqlite"):
        return []
    warnings = []
    if not environ.get("CAREBRIDGE_SECRET_KEY") and config.get("_CAREBRIDGE_SECRET_KEY_FILE"):
        warnings.append("CAREBRIDGE_SECRET_KEY is not set: this server signs sessions with a key "
                        "generated into instance/secret_key; set the same key on every app server")
    if not (environ.get("CAREBRIDGE_DATA_KEY") or config.get("CAREBRIDGE_DATA_KEY")):
        warnings.append("CAREBRIDGE_DATA_KEY is not set: this server encrypts children's data "
                        "with instance/data_keys; set the same key on every app server")
    return warnings


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
        # Operations (employer_portal.operations): the bearer token /metrics asks for (none:
        # loopback only), the log format, where pg_dump / pg_restore / psql are.
        "CAREBRIDGE_METRICS_TOKEN": os.environ.get("CAREBRIDGE_METRICS_TOKEN") or None,
        "CAREBRIDGE_LOG_FORMAT": log_format(os.environ.get("CAREBRIDGE_LOG_FORMAT")),
        "CAREBRIDGE_PG_BINDIR": os.environ.get("CAREBRIDGE_PG_BINDIR") or None,
        # Scaling: a streaming replica for report and dashboard figures (none: the primary).
        "CAREBRIDGE_REPORTS_DATABASE_URL": os.environ.get("CAREBRIDGE_REPORTS_DATABASE_URL"),
    }
    config.update(overrides)
    mode = config.get("CAREBRIDGE_SECURE_COOKIES")
    config["CAREBRIDGE_SECURE_COOKIES"] = secure_cookie_mode(None if mode is None else str(mode))
    config["SESSION_COOKIE_SECURE"] = config["REMEMBER_COOKIE_SECURE"] = (
        config["CAREBRIDGE_SECURE_COOKIES"] == "always")
    config["CAREBRIDGE_LOG_FORMAT"] = log_format(config.get("CAREBRIDGE_LOG_FORMAT"))
    config["CAREBRIDGE_PUBLIC_URL"] = public_base_url(config.get("CAREBRIDGE_PUBLIC_URL"))
    config["CAREBRIDGE_REPORTS_DATABASE_URL"] = reports_database_url(
        config.get("CAREBRIDGE_REPORTS_DATABASE_URL"))
    if not config.get("SECRET_KEY"):
        config["SECRET_KEY"] = secret_key(instance_path)
        config["_CAREBRIDGE_SECRET_KEY_FILE"] = not os.environ.get("CAREBRIDGE_SECRET_KEY")
    return config
