"""One way to write dates and times, per language, everywhere: pages, PDFs, XLSX, notifications.

Every moment is stored in UTC (:class:`plugin.core.db.UTCDateTime`) and shown in the company's
time zone (the company's setting, :func:`company_zone`), never in UTC and never in the server's
zone. A naive datetime is taken to be UTC.

The formats, by UI language (ISO 8601 order, 24-hour clock, the same in both languages so a
printed list reads the same whoever printed it):

========  ===============  =====================  ========  ==========================
language  date             date and time          time      date and time with seconds
========  ===============  =====================  ========  ==========================
zh        ``2026-12-04``   ``2026-12-04 04:57``   ``04:57``  ``2026-12-04 04:57:59``
en        ``2026-12-04``   ``2026-12-04 04:57``   ``04:57``  ``2026-12-04 04:57:59``
========  ===============  =====================  ========  ==========================

Templates use the filters ``cb_date``, ``cb_datetime`` and ``cb_time`` (registered by the
extension, :func:`register_filters`); code uses :func:`format_date`, :func:`format_datetime` and
:func:`format_time`. Machine formats are not display formats: an ``<input type="date">`` value,
a URL argument, a file name, an audit detail or an API field keep ``date.isoformat()``.
"""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context, has_request_context

from .clock import DEFAULT_TIMEZONE

#: strftime patterns by language: date, date and time, time, date and time with seconds.
FORMATS = {
    "zh": {"date": "%Y-%m-%d", "datetime": "%Y-%m-%d %H:%M", "time": "%H:%M",
           "seconds": "%Y-%m-%d %H:%M:%S"},
    "en": {"date": "%Y-%m-%d", "datetime": "%Y-%m-%d %H:%M", "time": "%H:%M",
           "seconds": "%Y-%m-%d %H:%M:%S"},
}
DEFAULT_LANGUAGE = "zh"


def company_zone() -> ZoneInfo:
    """The company's time zone (Asia/Shanghai outside an app or before the company exists)."""
    name = DEFAULT_TIMEZONE
    if has_app_context() and "carebridge" in current_app.extensions:
        name = current_app.extensions["carebridge"].company_timezone_name()
    return ZoneInfo(name)


def to_local(value: datetime, zone: ZoneInfo | None = None) -> datetime:
    """``value`` (aware, or naive UTC) in the company's time zone."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(zone or company_zone())


def _language() -> str:
    if has_request_context():
        from flask_babel import get_locale

        locale = get_locale()
        if locale is not None and locale.language in FORMATS:
            return locale.language
    return DEFAULT_LANGUAGE


def _pattern(kind: str) -> str:
    return FORMATS[_language()][kind]


def _parse(value):
    """ISO strings (as audit details and JSON keep them) become dates and datetimes."""
    if isinstance(value, str):
        try:
            return date.fromisoformat(value) if len(value) == 10 else datetime.fromisoformat(value)
        except ValueError:
            return None
    return value


def format_date(value) -> str:
    """``2026-12-04``. A datetime is first moved to the company's zone, so 2026-12-03 17:30 UTC
    is 2026-12-04 in Shanghai. ``None`` and ``""`` give ``""``."""
    value = _parse(value)
    if not value:
        return ""
    if isinstance(value, datetime):
        value = to_local(value).date()
    return value.strftime(_pattern("date"))


def format_datetime(value, style: str | None = None) -> str:
    """``2026-12-04 04:57`` in the company's zone; ``style="seconds"`` adds the seconds.

    ``style`` also accepts the older Babel names (``"short"``, ``"medium"``), which all mean the
    one format, and ``"HH:mm"``, which means :func:`format_time`. A date alone prints as a date.
    """
    value = _parse(value)
    if not value:
        return ""
    if not isinstance(value, datetime):
        return format_date(value)
    if style == "HH:mm":
        return format_time(value)
    return to_local(value).strftime(_pattern("seconds" if style == "seconds" else "datetime"))


def format_time(value) -> str:
    """``04:57`` in the company's zone (a ``time`` prints as it is)."""
    value = _parse(value)
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        value = to_local(value).time()
    if isinstance(value, time):
        return value.strftime(_pattern("time"))
    return str(value)


def register_filters(app) -> None:
    """``cb_date``, ``cb_datetime`` and ``cb_time`` for every template of the app."""
    app.jinja_env.filters["cb_date"] = format_date
    app.jinja_env.filters["cb_datetime"] = format_datetime
    app.jinja_env.filters["cb_time"] = format_time


def day_bounds(start: date, end: date, zone: ZoneInfo | None = None) -> tuple[datetime, datetime]:
    """The whole local days ``start`` to ``end`` as ``[start 00:00, the day after end 00:00)``
    in UTC (the company's time zone unless ``zone``): how periods of days count moments."""
    zone = zone or company_zone()
    return (datetime.combine(start, time.min, tzinfo=zone).astimezone(UTC),
            datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone).astimezone(UTC))
