"""Errors a service raises when input breaks a rule; views and importers show them to people."""
from __future__ import annotations

from flask_babel import force_locale, gettext


class CareBridgeError(Exception):
    """A rule was broken. ``message`` is a msgid (Chinese source text) with ``%(name)s`` params.

    The message is translated when shown, so the same error reads in Chinese or English, and
    :meth:`bilingual` gives both for files and command-line output.
    """

    def __init__(self, message: str, *, field: str | None = None, row: int | None = None, **params):
        super().__init__(message)
        self.message = message
        self.field = field
        self.row = row
        self.params = params

    def localized(self) -> str:
        return gettext(self.message, **self.params)

    def bilingual(self) -> str:
        with force_locale("zh_CN"):
            chinese = gettext(self.message, **self.params)
        with force_locale("en"):
            english = gettext(self.message, **self.params)
        return chinese if chinese == english else f"{chinese} / {english}"

    def __str__(self) -> str:
        return self.message % self.params if self.params else self.message


class ValidationError(CareBridgeError):
    """Input that cannot be stored as given."""


class NotFound(CareBridgeError):
    """A record the caller named does not exist (or is outside what it may see)."""
