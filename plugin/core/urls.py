"""Redirect targets taken from requests or stored links."""
from __future__ import annotations


def local_path(target: str | None) -> str | None:
    """``target`` if it is a path on this site, else None.

    Refuses absolute URLs, protocol-relative ``//host`` and ``/\\host`` (which browsers treat as
    ``//host``), so ``?next=`` and stored links can never send someone to another site.
    """
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None
