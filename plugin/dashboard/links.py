"""The list behind each figure of the home page, for the users who may open it.

Lists belong to the features publishing the figures; the dashboard names their endpoints and
permissions by string, so it imports none of them, and a list whose feature is not mounted (no
such endpoint) gets no link.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from flask import current_app, url_for

from ..access.checks import has_permission
from ..core.roles import Permission


@dataclass(frozen=True)
class ListBehind:
    endpoint: str
    #: The permission the list requires (``"lectures.view"``).
    permission: str
    #: Filters of the list that select the figure's records (``category=left_behind``).
    args: Mapping[str, str] = field(default_factory=dict)
    #: The list takes the period as ``start`` and ``end`` (ISO dates).
    dated: bool = False


_WORKERS = "carebridge.registry.workers"

#: Indicator code → the list behind its figure. Figures not named here have no list to open.
LISTS: dict[str, ListBehind] = {
    "registry.workers_employed": ListBehind(_WORKERS, "workers.view", {"status": "active"}),
    # The workers list filtered by a category of their children.
    **{f"registry.children_{category}": ListBehind(_WORKERS, "workers.view",
                                                   {"category": category})
       for category in ("left_behind", "migrant", "in_difficulty", "de_facto_unsupported",
                        "orphan")},
    "lectures.sessions_held": ListBehind("carebridge.lectures.index", "lectures.view",
                                         dated=True),
    "lectures.attendances": ListBehind("carebridge.lectures.statistics_page", "lectures.view",
                                       dated=True),
    "lectures.workers_reached": ListBehind("carebridge.lectures.statistics_page",
                                           "lectures.view", dated=True),
    "pledges.signed": ListBehind("carebridge.pledges.index", "pledges.view"),
    "pledges.workers_covered": ListBehind("carebridge.pledges.coverage", "pledges.view"),
    "guardianship.agreements_in_force": ListBehind("carebridge.guardianship.agreements",
                                                   "guardianship.view", {"status": "active"}),
    "reunions.households_travelled": ListBehind("carebridge.reunions.index", "reunions.view"),
    "reunions.people_reunited": ListBehind("carebridge.reunions.index", "reunions.view"),
    "reunions.children_reunited": ListBehind("carebridge.reunions.index", "reunions.view"),
}


class ListLinks:
    """``links(code, start, end)``: the URL of the list behind the figure ``code`` (of the days
    ``start`` to ``end`` where the list takes dates; None for the list as it stands), or None
    when there is none or ``user_key`` may not open it."""

    def __init__(self, user_key: str | None, lists: Mapping[str, ListBehind] = LISTS):
        self.user_key = user_key
        self.lists = lists
        self._allowed: dict[str, bool] = {}

    def may_open(self, permission: str) -> bool:
        if permission not in self._allowed:
            self._allowed[permission] = has_permission(self.user_key, Permission(permission))
        return self._allowed[permission]

    def __call__(self, code: str, start: date | None, end: date | None) -> str | None:
        target = self.lists.get(code)
        if (target is None or target.endpoint not in current_app.view_functions
                or not self.may_open(target.permission)):
            return None
        args = dict(target.args)
        if target.dated and start is not None and end is not None:
            args.update(start=start.isoformat(), end=end.isoformat())
        return url_for(target.endpoint, **args)
