"""Reading what a client sends, before any service sees it: the JSON body, query integers, and
the JSON type of every field of a record.

A request the API cannot even read is refused as a whole (:class:`RequestRefused`: 400, or 413
for a body over :data:`MAX_BODY_BYTES`), in the API's error format; what it can read but does
not accept (a wrong ID number, a date in the future) is the services' business (422). The JSON
types a field accepts are those the OpenAPI document publishes (:func:`.openapi.field_schema`),
so the check and the document cannot disagree.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from flask import request
from werkzeug.exceptions import RequestEntityTooLarge

from plugin.core.errors import CareBridgeError, ValidationError
from plugin.registry.schema import FieldSpec

MB = 1024 * 1024
#: Largest request body: a full batch (1,000 records) of long Chinese values fits.
MAX_BODY_BYTES = 10 * MB
#: Deepest nesting of arrays and objects: a batch of records returned by a read is 4 deep.
MAX_JSON_DEPTH = 10
#: Highest page number: with 500 records a page, far beyond any register.
MAX_PAGE = 10_000_000
_DIGITS = re.compile(r"[0-9]{1,20}")
_JSON_TYPES = {"string": (str,), "boolean": (bool,), "null": (type(None),)}


class RequestRefused(Exception):
    """A request the API cannot read; answered with ``status`` and ``errors``."""

    def __init__(self, status: int, errors: list[CareBridgeError]):
        super().__init__("; ".join(str(error) for error in errors))
        self.status = status
        self.errors = errors


def _too_large() -> RequestRefused:
    return RequestRefused(413, [ValidationError("请求体太大：最多 %(megabytes)s MB，请分批提交",
                                                megabytes=MAX_BODY_BYTES // MB)])


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def json_body() -> Any:
    """The request's JSON, or ``None`` when it says it sends something else (the services then
    refuse it, 422). Too large: 413; not JSON, or nested deeper than :data:`MAX_JSON_DEPTH`: 400."""
    if not request.is_json:
        return None
    if (request.content_length or 0) > MAX_BODY_BYTES:
        raise _too_large()
    request.max_content_length = MAX_BODY_BYTES  # also bounds a body sent without a length
    try:
        data = request.get_data(cache=True)
    except RequestEntityTooLarge:
        raise _too_large() from None
    if not data:
        return None
    try:
        value = json.loads(data, parse_constant=_refuse_constant)
    except RecursionError:
        raise _too_deep() from None
    except ValueError:  # not JSON, not UTF-8/16/32, NaN, a number of thousands of digits
        raise RequestRefused(400, [ValidationError("请求体不是有效的 JSON")]) from None
    if _deeper_than(value, MAX_JSON_DEPTH):
        raise _too_deep()
    return value


def _too_deep() -> RequestRefused:
    return RequestRefused(400, [ValidationError("JSON 嵌套太深：最多 %(max)s 层",
                                                max=MAX_JSON_DEPTH)])


def _deeper_than(value: Any, limit: int) -> bool:
    """Whether arrays and objects nest more than ``limit`` deep (walked without recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


def positive_int(name: str, *, default: int, maximum: int) -> int:
    """A query parameter that must be a whole number from 1 to ``maximum`` (ASCII digits only);
    absent or empty gives ``default``."""
    text = request.args.get(name, "")
    if text == "":
        return default
    if _DIGITS.fullmatch(text) and 1 <= int(text) <= maximum:
        return int(text)
    raise RequestRefused(400, [ValidationError("参数 %(name)s 应为 1 到 %(max)s 之间的整数",
                                               field=name, name=name, max=maximum)])


def field_type_errors(raw: Any, fields: tuple[FieldSpec, ...], *,
                      ignore: Iterable[str] = ()) -> list[ValidationError]:
    """One error per field of ``raw`` whose JSON type the document does not allow (``null`` is
    left to the parser, which says when a field is required). Not an object: no errors here."""
    if not isinstance(raw, Mapping):
        return []
    from .openapi import field_schema

    ignored = set(ignore)
    errors = []
    for spec in fields:
        if spec.code not in raw or spec.code in ignored:
            continue
        value = raw[spec.code]
        allowed = field_schema(spec, nullable=True)["type"]
        if not isinstance(value, tuple(kind for name in allowed for kind in _JSON_TYPES[name])):
            errors.append(ValidationError(
                "字段 %(name)s 的类型不对：应为 JSON %(expected)s，收到的是 JSON %(given)s",
                field=spec.code, name=spec.code, expected=" / ".join(allowed),
                given=_json_type(value)))
    return errors


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def check_field_types(raw: Any, fields: tuple[FieldSpec, ...], *,
                      ignore: Iterable[str] = ()) -> None:
    """Refuse (400) a single record with a field of the wrong JSON type."""
    errors = field_type_errors(raw, fields, ignore=ignore)
    if errors:
        raise RequestRefused(400, errors)
