"""The error shape the API shares with the roster importer, in Chinese and English::

    {"errors": [{"index": 3, "field": "id_number", "code": "<msgid>",
                 "message": "…", "message_en": "…"}]}

``index`` (the record's position in a batch) is left out for single records. ``code`` is the
message id: stable as long as the wording is, and what both languages are made from. The
objects are :meth:`plugin.core.errors.ErrorList.entries`, the shape every error list has.
"""
from __future__ import annotations

from collections.abc import Iterable

from flask import Response, jsonify

from plugin.core.errors import CareBridgeError, ErrorList


def error_entry(error: CareBridgeError, index: int | None = None) -> dict:
    return ErrorList([error]).entries(index)[0]


def error_entries(errors: Iterable[CareBridgeError], index: int | None = None) -> list[dict]:
    return ErrorList(errors).entries(index)


def error_response(status: int, errors: Iterable[CareBridgeError], *,
                   headers: dict | None = None) -> Response:
    response = jsonify({"errors": error_entries(errors)})
    response.status_code = status
    response.headers.update(headers or {})
    return response
