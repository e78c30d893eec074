"""The list behind each figure of the home page, for the users who may open it.

Each feature declares the list behind its figures on the indicator
(:class:`plugin.core.indicators.ListPage`); a list whose endpoint is not mounted, or that the
user may not open, gets no link.
"""
from __future__ import annotations

from datetime import date

from flask import current_app, url_for

from ..access.checks import has_permission
from ..core import indicators
from ..core.roles import Permission


class ListLinks:
    """``links(code, start, end)``: the URL of the list behind the figure ``code`` (of the days
    ``start`` to ``end`` where the list takes dates; None for the list as it stands), or None
    when there is none or ``user_key`` may not open it."""

    def __init__(self, user_key: str | None):
        self.user_key = user_key
        self.declared = indicators.declared_indicators()
        self._allowed: dict[str, bool] = {}

    def may_open(self, permission: str) -> bool:
        if permission not in self._allowed:
            self._allowed[permission] = has_permission(self.user_key, Permission(permission))
        return self._allowed[permission]

    def __call__(self, code: str, start: date | None, end: date | None) -> str | None:
        target = self.declared[code][1].list_page if code in self.declared else None
        if (target is None or target.endpoint not in current_app.view_functions
                or not self.may_open(target.permission)):
            return None
        args = dict(target.args)
        if target.dated and start is not None and end is not None:
            args.update(start=start.isoformat(), end=end.isoformat())
        return url_for(target.endpoint, **args)
