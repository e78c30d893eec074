"""The one source of "now" for the plugin, so tests can move time."""
from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

from flask import current_app, has_app_context

#: The company's time zone until it says otherwise (CareBridge serves companies in China).
DEFAULT_TIMEZONE = "Asia/Shanghai"


def system_clock() -> datetime:
    return datetime.now(UTC)


def utcnow() -> datetime:
    """Aware UTC now, from the app's clock (``CareBridgeState.clock``) when there is an app."""
    if has_app_context():
        state = current_app.extensions.get("carebridge")
        if state is not None:
            return state.clock()
    return system_clock()


def local_today() -> date:
    """Today's date in the company's time zone (ages and deadlines count in local dates)."""
    from zoneinfo import ZoneInfo

    zone = DEFAULT_TIMEZONE
    if has_app_context() and "carebridge" in current_app.extensions:
        zone = current_app.extensions["carebridge"].company_timezone_name()
    return utcnow().astimezone(ZoneInfo(zone)).date()


class FrozenClock:
    """A controllable clock for tests and benchmarks: call it for now, ``advance`` to move it."""

    def __init__(self, start: datetime):
        if start.tzinfo is None:
            raise ValueError("FrozenClock needs an aware datetime")
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **timedelta_kwargs) -> datetime:
        from datetime import timedelta

        self.now = self.now + timedelta(**timedelta_kwargs)
        return self.now


Clock = Callable[[], datetime]
