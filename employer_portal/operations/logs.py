"""Request ids and structured logs.

Every request gets an id: the ``X-Request-ID`` header its proxy sent, when it is short and made
of safe characters (:data:`REQUEST_ID`), else a new one. It is echoed in the response's
``X-Request-ID`` and put on every log record made while the request runs (a context variable
read by :class:`RequestContextFilter`), so one request's lines can be found together.

With ``CAREBRIDGE_LOG_FORMAT=json`` the root logger writes one JSON object per line to stderr
(:class:`JsonFormatter`): ``time``, ``level``, ``logger``, ``message``, ``request_id``,
``method``, ``endpoint``, ``status``, ``duration_ms``; and the portal writes one line per
request (logger ``carebridge.access``) in place of the web server's own.

Never personal data: the access line names the endpoint (``registry.child``), never the path
(``/children/123``), and carries no query string, form value, user name or ID number. Werkzeug's
request lines, which quote the path and query string, are silenced in JSON mode; don't turn on
gunicorn's access log (``--access-logfile``) for the same reason. An exception's message is left
out (a database error quotes the values of the row); its type and the traceback's frames stay.
"""
from __future__ import annotations

import json
import logging
import re
import sys
import time
import traceback
import uuid
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import Flask, Response, g, request

#: A request id we accept from the client or proxy: 1 to 64 letters, digits and ``._:-``.
REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
REQUEST_ID_HEADER = "X-Request-ID"
ACCESS_LOGGER = "carebridge.access"
#: The fields every JSON line has, in this order (None when they do not apply).
FIELDS = ("time", "level", "logger", "message", "request_id", "method", "endpoint", "status",
          "duration_ms")


@dataclass(frozen=True)
class RequestInfo:
    request_id: str
    method: str
    endpoint: str | None = None


_current: ContextVar[RequestInfo | None] = ContextVar("carebridge_request", default=None)
access_log = logging.getLogger(ACCESS_LOGGER)


def request_id_from(header: str | None) -> str:
    """The header's id when acceptable, else a new random one (32 hex characters)."""
    if header is not None and REQUEST_ID.fullmatch(header):
        return header
    return uuid.uuid4().hex


def current_request_id() -> str | None:
    info = _current.get()
    return info.request_id if info else None


class RequestContextFilter(logging.Filter):
    """Puts the running request's id, method and endpoint on every record (None outside one);
    fields a record already carries (the access line's) are kept."""

    def filter(self, record: logging.LogRecord) -> bool:
        info = _current.get()
        for name in ("request_id", "method", "endpoint"):
            if not hasattr(record, name):
                setattr(record, name, getattr(info, name) if info else None)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: :data:`FIELDS`, then ``exception`` (type and frames, no
    message) when the record carries one."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(
                timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
            "method": getattr(record, "method", None),
            "endpoint": getattr(record, "endpoint", None),
            "status": getattr(record, "status", None),
            "duration_ms": getattr(record, "duration_ms", None),
        }
        if record.exc_info and record.exc_info[0] is not None:
            kind, _value, trace = record.exc_info
            entry["exception"] = {
                "type": f"{kind.__module__}.{kind.__qualname__}",
                "frames": [f"{frame.filename}:{frame.lineno} in {frame.name}"
                           for frame in traceback.extract_tb(trace)],
            }
        if record.stack_info:
            entry["stack"] = record.stack_info
        return json.dumps(entry, ensure_ascii=False, default=str)


class _JsonHandler(logging.StreamHandler):
    """The root handler JSON mode installs (one, however many apps a process creates)."""


def configure_json_logging(stream=None) -> logging.Handler:
    """Send every log record to ``stream`` (stderr) as JSON lines, at INFO and above; replaces
    the handler an earlier call installed. Werkzeug's request lines are silenced."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(handler, _JsonHandler):
            root.removeHandler(handler)
    handler = _JsonHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestContextFilter())
    root.addHandler(handler)
    if root.level == logging.NOTSET or root.level > logging.INFO:
        root.setLevel(logging.INFO)
    # Its lines quote the path with the query string; the access line replaces them.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    return handler


def init_request_logging(app: Flask) -> None:
    """Request ids on every request, the access line after it, JSON lines if configured."""
    if app.config.get("CAREBRIDGE_LOG_FORMAT") == "json":
        configure_json_logging()

    def start_request() -> None:
        g._carebridge_started = time.perf_counter()
        info = RequestInfo(request_id=request_id_from(request.headers.get(REQUEST_ID_HEADER)),
                           method=request.method, endpoint=request.endpoint)
        g._carebridge_request_token = _current.set(info)

    # First of all: whatever the other hooks log carries the id.
    app.before_request_funcs.setdefault(None, []).insert(0, start_request)

    @app.after_request
    def finish_request(response: Response) -> Response:
        info = _current.get()
        if info is None:  # a request that failed before its first hook ran
            return response
        response.headers[REQUEST_ID_HEADER] = info.request_id
        started = g.get("_carebridge_started")
        duration = round((time.perf_counter() - started) * 1000, 1) if started else None
        access_log.info("%s %s %s", info.method, info.endpoint or "-", response.status_code,
                        extra={"status": response.status_code, "duration_ms": duration})
        return response

    @app.teardown_request
    def end_request(_error=None) -> None:
        token = g.pop("_carebridge_request_token", None)
        if token is not None:
            try:
                _current.reset(token)
            except ValueError:  # set in another context (a copied one): just clear it
                _current.set(None)
