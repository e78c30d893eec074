"""How the standalone portal answers CareBridge's host questions."""
from __future__ import annotations

from collections.abc import Iterable

from flask import url_for
from flask_login import current_user

from plugin import Actor, HostAdapter

from .accounts.queries import display_names, employee_numbers


class PortalAdapter(HostAdapter):
    layout_template = "portal/layout.html"

    def current_user(self) -> Actor | None:
        if not current_user.is_authenticated:
            return None
        return Actor(key=current_user.key, name=current_user.display_name)

    def login_url(self, next_url: str) -> str:
        return url_for("auth.login", next=next_url)

    def user_names(self, keys: Iterable[str]) -> dict[str, str]:
        return display_names(keys)

    def employee_numbers(self, keys: Iterable[str]) -> dict[str, str]:
        return employee_numbers(keys)
