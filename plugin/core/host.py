"""The interface a host application implements so CareBridge can run inside it.

The plugin never imports its host. A host (the standalone portal, or a company's own HR app)
passes an adapter to :meth:`plugin.CareBridge.init_app` that answers the few questions the plugin
cannot answer itself: who is signed in, where to send someone who is not, which layout to wrap
pages in, how to show user names and which staff users are also employees on the roster.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlencode

from flask import request


@dataclass(frozen=True)
class Actor:
    """Someone acting in CareBridge: a staff user, a worker on a phone, an API client or the system.

    ``key`` is the host's stable user id as a string; role grants and audit entries refer to it.
    """

    key: str
    name: str
    ip: str | None = None
    user_agent: str | None = None

    @classmethod
    def system(cls, name: str = "system") -> Actor:
        return cls(key=f"system:{name}", name=name)


class HostAdapter:
    """Default adapter: nobody is signed in. Hosts subclass it and override what they support."""

    #: Template every CareBridge page extends. It must define the blocks ``title`` and ``content``
    #: (and may define ``scripts``). The default is the plugin's own minimal layout.
    layout_template: str = "carebridge/layout.html"

    def current_user(self) -> Actor | None:
        """The signed-in staff user, or ``None``."""
        return None

    def login_url(self, next_url: str) -> str:
        """Where to send an anonymous visitor of a CareBridge page."""
        return "/login?" + urlencode({"next": next_url})

    def user_names(self, keys: Iterable[str]) -> dict[str, str]:
        """Display names for user keys (used by audit and role lists). Unknown keys may be left
        out."""
        return {}

    def employee_numbers(self, keys: Iterable[str]) -> dict[str, str]:
        """The employee number (工号) of each staff user who is also on the roster, by user key;
        unknown keys, and users the host links to no employee, left out.

        The plugin matches the number against the roster's (``Worker.employee_number``) to know
        who a staff user is as a worker: nobody decides an aid application of their own. A host
        that does not link accounts to employees answers ``{}`` (the default), and such checks
        then rest on the user key alone."""
        return {}

    def current_actor(self) -> Actor | None:
        """The signed-in user with the request's address and browser, for the audit log."""
        user = self.current_user()
        if user is None:
            return None
        return Actor(
            key=user.key,
            name=user.name,
            ip=request.remote_addr,
            user_agent=(request.user_agent.string or "")[:300] or None,
        )


