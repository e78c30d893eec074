"""Hashes of the secrets people type: staff passwords and workers' PINs.

The method is the setting ``CAREBRIDGE_PASSWORD_HASH_METHOD`` (werkzeug's, default ``scrypt``):
a stored hash names its own method, so changing the setting changes new hashes only and every
stored one still checks. The test suite sets a cheap method; one scrypt costs ~0.1 s of CPU.
Checking stays with :func:`werkzeug.security.check_password_hash`.
"""
from __future__ import annotations

import functools
import hashlib
import secrets
from typing import Any

from werkzeug.security import generate_password_hash

from .settings import setting

__all__ = ["DEFAULT_PASSWORD_HASH_METHOD", "hash_of_nothing", "hash_secret",
           "password_hash_method", "unknown_account_hash"]

DEFAULT_PASSWORD_HASH_METHOD = "scrypt"
SETTING = "CAREBRIDGE_PASSWORD_HASH_METHOD"


def password_hash_method(value: Any) -> str:
    """``scrypt[:N:r:p]`` or ``pbkdf2[:hash[:iterations]]``, as werkzeug spells them."""
    method = str(value).strip()
    name, *parameters = method.split(":")
    if name == "scrypt" and len(parameters) in (0, 3) and all(p.isdigit() for p in parameters):
        return method
    if name == "pbkdf2" and len(parameters) <= 2:
        if parameters:
            try:
                hashlib.new(parameters[0])
            except ValueError:
                raise ValueError(f"unknown hash {parameters[0]!r} in {method!r}") from None
        if len(parameters) < 2 or parameters[1].isdigit():
            return method
    raise ValueError(f"expected scrypt[:N:r:p] or pbkdf2[:hash[:iterations]], got {method!r}")


def hash_secret(secret: str) -> str:
    return generate_password_hash(secret, method=setting(SETTING))


def unknown_account_hash() -> str:
    """A hash of the configured cost that no typed secret matches: checked in place of an
    account or PIN that does not exist, so its answer takes as long as a real one's."""
    return hash_of_nothing(setting(SETTING))


@functools.cache
def hash_of_nothing(method: str) -> str:
    """Made once per method and process (CareBridge makes it when mounted)."""
    return generate_password_hash(secrets.token_hex(16), method=method)
