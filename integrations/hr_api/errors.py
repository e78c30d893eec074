"""The error shape the API shares with the roster importer, in Chinese and English::

    {"errors": [{"index": 3, "field": "id_number", "code": "<msgid>",
                 "message": "…", "message_en": "…"}]}

``index`` (the record's position in a batch) is left out for single records. ``code`` is the
message id: stable as long as the wording is, and what both languages are made from.
"""
from __future__ import annotations

from typing import Iterable

from flask import Response, jsonify
from flask_babel import force_locale

from plugin.core.errors import CareBridgeError


def error_entry(error: CareBridgeError, index: int | None = None) -> dict:
    with force_locale("zh_CN"):
        chinese = error.localized()
    with force_locale("en"):
        english = error.localized()
    entry = {"field": error.field, "code": getattr(error, "code", None) or error.message,
             "message": chinese, "message_en": english}
    return entry if index is None else {"index": index, **entry}


def error_entries(errors: Iterable[CareBridgeError], index: int | None = None) -> list[dict]:
    return [error_entry(error, index) for error in errors]


def error_response(status: int, errors: Iterable[CareBridgeError], *,
                   headers: dict | None = None) -> Response:
    response = jsonify({"errors": error_entries(errors)})
    response.status_code = status
    response.headers.update(headers or {})
    return response
