"""One settings object per app, built when CareBridge is mounted.

Each feature declares its settings next to its code (``Feature.settings``, a tuple of
:class:`~plugin.core.features.Setting`); :func:`build_settings` reads every declared key once —
from the app's config, else from the environment variable of the same name, else the declared
default — parses it, and refuses to start with one message listing every unusable value. Code
reads a value with :func:`setting`; the resolved values are also written back to ``app.config``
so a host sees what CareBridge uses.
"""
from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Flask, current_app

from .clock import DEFAULT_TIMEZONE
from .features import Setting

__all__ = ["DEFAULT_TIMEZONE", "Settings", "SettingsError", "build_settings", "positive_int",
           "setting", "time_zone_name"]


def positive_int(value: Any) -> int:
    """A whole number of at least 1 (days, minutes, bytes, attempts)."""
    try:
        number = int(str(value).strip())
    except ValueError:
        raise ValueError(f"expected a whole number, got {value!r}") from None
    if number < 1:
        raise ValueError(f"expected a number of at least 1, got {number}")
    return number


def time_zone_name(value: Any) -> str:
    """An IANA time zone name, e.g. ``Asia/Shanghai``."""
    name = str(value).strip()
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r}") from None
    return name


class SettingsError(RuntimeError):
    """Some configured values are unusable; the app does not start."""


class Settings(Mapping[str, Any]):
    """The parsed value of every declared setting, by name."""

    def __init__(self, values: dict[str, Any], declared: dict[str, Setting]) -> None:
        self._values = values
        self._declared = declared

    def __getitem__(self, name: str) -> Any:
        return self._values[name]

    def __iter__(self):
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def override(self, name: str, value: Any) -> None:
        """Change one value while the app runs (tests), parsed like a configured one; ``None``
        puts the declared default back."""
        declared = self._declared[name]
        self._values[name] = declared.default if value is None else declared.parse(value)

    def restore(self, name: str, parsed_value: Any) -> None:
        """Put back a value taken from this object earlier (tests)."""
        self._values[name] = parsed_value


def build_settings(app: Flask, declared: Iterable[Setting]) -> Settings:
    by_name: dict[str, Setting] = {}
    for item in declared:
        if item.name in by_name:
            raise SettingsError(f"the setting {item.name} is declared twice")
        by_name[item.name] = item
    values: dict[str, Any] = {}
    problems: list[str] = []
    for name, item in by_name.items():
        raw = app.config.get(name)
        if raw in (None, "") and item.from_environment:
            raw = os.environ.get(name)
        if raw in (None, ""):
            values[name] = item.default
            continue
        try:
            values[name] = item.parse(raw)
        except (TypeError, ValueError) as error:
            problems.append(f"{name}: {error}")
    if problems:
        raise SettingsError("CareBridge cannot start; fix these settings:\n  "
                            + "\n  ".join(problems))
    app.config.update(values)
    return Settings(values, by_name)


def setting(name: str) -> Any:
    """The value of a declared setting for the current app."""
    return current_app.extensions["carebridge"].settings[name]


def settings_of(app: Flask) -> Mapping[str, Any]:
    return app.extensions["carebridge"].settings
