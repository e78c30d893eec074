"""Errors a service raises when input breaks a rule; views and importers show them to people.

One error is a :class:`CareBridgeError` (a msgid with parameters, the field and the row it is
about). Several are an :class:`ErrorList`, the one shape every feature collects them in (a form's
fields, a roster's rows, an API batch): it renders them as text in either language or both, and
serialises them for the API and for storage.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from flask_babel import force_locale, gettext

from .boundary import note_refusal


class CareBridgeError(Exception):
    """A rule was broken. ``message`` is a msgid (Chinese source text) with ``%(name)s`` params.

    The message is translated when shown, so the same error reads in Chinese or English, and
    :meth:`bilingual` gives both for files and command-line output.

    Made during a request that may write, an error refuses the request: the boundary stores
    none of it, whether or not a view catches the error (:func:`plugin.core.boundary.note_refusal`).
    """

    def __init__(self, message: str, *, field: str | None = None, row: int | None = None, **params):
        super().__init__(message)
        note_refusal(self)
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


def bilingual(render: Callable[[], Any]) -> str:
    """``render()`` in Chinese and in English, as "中文 / English" (once when they are equal)."""
    with force_locale("zh_CN"):
        chinese = str(render())
    with force_locale("en"):
        english = str(render())
    return chinese if chinese == english else f"{chinese} / {english}"


def plain_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """Message parameters as JSON can store them (a lazy label becomes its text now)."""
    plain = (str, int, float, bool, type(None))
    return {key: value if isinstance(value, plain) else str(value) for key, value in params.items()}


class InputInvalid(ValidationError):
    """Every error of one submission (a form, a record), raised at once so the form shows them
    all; nothing is stored. Reads as its first error where only one fits."""

    def __init__(self, errors: list[CareBridgeError]):
        first = errors[0]
        super().__init__(first.message, field=first.field, **first.params)
        self.errors = ErrorList(errors)

    @classmethod
    def raise_if_any(cls, errors: list[CareBridgeError]) -> None:
        if errors:
            raise cls(list(errors))


#: Gives the label of a field code (a msgid or lazy string), for the text of an error.
FieldLabel = Callable[[str], Any]


class ErrorList(list):
    """The errors found in one piece of input, each with its field and row, in the order found.

    Services collect into one (``errors.collect(step)`` keeps going after a refusal, so a form
    shows all its problems at once), raise their own exception carrying it, and views, the API,
    the importer and the command line turn it into words or data with the methods below.
    """

    def add(self, error: CareBridgeError) -> CareBridgeError:
        self.append(error)
        return error

    def collect(self, step: Callable[[], Any]) -> Any:
        """``step()``'s result; a :class:`CareBridgeError` it raises is kept and gives None."""
        try:
            return step()
        except CareBridgeError as error:
            self.append(error)
            return None

    # -- words -------------------------------------------------------------------------------

    @staticmethod
    def describe(error: CareBridgeError, label: FieldLabel | None = None, *,
                 with_row: bool = True) -> str:
        """One bilingual line: "第 3 行 / Row 3, 字段 / Field: 原因 / reason" (row and field when
        known; the field by ``label``, else by its code)."""
        line = error.bilingual()
        if error.field:
            name = bilingual(lambda: label(error.field)) if label else error.field
            line = f"{name}: {line}"
        if with_row and error.row is not None:
            line = f"{bilingual(lambda: gettext('第 %(row)s 行', row=error.row))}, {line}"
        return line

    def lines(self, label: FieldLabel | None = None, *, with_row: bool = True) -> list[str]:
        """Each error as :meth:`describe` puts it (error files, the command line, logs)."""
        return [self.describe(error, label, with_row=with_row) for error in self]

    def text(self, label: FieldLabel | None = None, *, with_row: bool = True) -> str:
        return "\n".join(self.lines(label, with_row=with_row))

    def localized(self) -> list[str]:
        """The messages in the reader's language (a form's list of errors)."""
        return [error.localized() for error in self]

    def by_field(self) -> dict[str | None, list[str]]:
        """Messages in the reader's language by field code (None: about the whole input)."""
        fields: dict[str | None, list[str]] = {}
        for error in self:
            fields.setdefault(error.field, []).append(error.localized())
        return fields

    # -- data --------------------------------------------------------------------------------

    def entries(self, index: int | None = None) -> list[dict[str, Any]]:
        """The API's error objects: ``{"index"?, "row"?, "field", "code", "message",
        "message_en"}``, ``index`` (a record's place in a batch) first when given, ``row`` only
        for an error about a row."""
        result = []
        for error in self:
            with force_locale("zh_CN"):
                chinese = error.localized()
            with force_locale("en"):
                english = error.localized()
            entry = {"field": error.field, "code": getattr(error, "code", None) or error.message,
                     "message": chinese, "message_en": english}
            if error.row is not None:
                entry = {"row": error.row, **entry}
            result.append(entry if index is None else {"index": index, **entry})
        return result

    def to_json(self) -> list[dict[str, Any]]:
        """What a job keeps in a JSON column, to become errors again with :meth:`from_json`
        (and translate when shown, in the reader's language)."""
        return [{"field": error.field, "message": error.message,
                 "params": plain_params(error.params),
                 **({"row": error.row} if error.row is not None else {})} for error in self]

    @classmethod
    def from_json(cls, items: Iterable[Mapping[str, Any]] | None) -> ErrorList:
        return cls(ValidationError(item["message"], field=item.get("field"), row=item.get("row"),
                                   **(item.get("params") or {})) for item in items or ())
