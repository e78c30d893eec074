"""One date and time format per language, in the company's time zone (issue #16)."""
import pathlib
import re
from datetime import UTC, date, datetime

from plugin.core.dates import format_date, format_datetime, format_time

ROOT = pathlib.Path(__file__).resolve().parent.parent
#: Machine formats left in templates on purpose: (template, the expression, why).
ALLOWED = {
    ("family_contact/rooms_schedule.html", "day.isoformat()"): "value of an <input type=date>",
    ("family_contact/rooms_schedule.html", "previous_day.isoformat()"): "URL argument",
    ("family_contact/rooms_schedule.html", "next_day.isoformat()"): "URL argument",
    ("family_contact/rooms_phone.html", "each.isoformat()"): "URL argument and data attribute "
                                                             "for tests",
    ("lectures/statistics.html", "start.isoformat()"): "value of an <input type=date>",
    ("lectures/statistics.html", "end.isoformat()"): "value of an <input type=date>",
    ("lectures/calendar.html", "calendar.previous_month.strftime('%Y-%m')"): "URL argument",
    ("lectures/calendar.html", "calendar.next_month.strftime('%Y-%m')"): "URL argument",
    ("lectures/calendar.html", "calendar.month.strftime('%Y-%m')"): "hidden form value",
    ("lectures/calendar.html", "day.day.isoformat()"): "data attribute for scripts and tests",
    ("guardianship/phone_contacts.html", "today.isoformat()"): "max of an <input type=date>",
    ("reunions/phone_apply.html", "campaign.travel_from.isoformat()"):
        "min of an <input type=date>",
    ("reunions/phone_apply.html", "campaign.travel_until.isoformat()"):
        "max of an <input type=date>",
    ("dashboard/home.html", "point.start.isoformat()"): "data attribute for tests",
}


def test_formats(app_context):
    moment = datetime(2026, 12, 3, 20, 57, 59, tzinfo=UTC)
    assert format_datetime(moment) == "2026-12-04 04:57"
    assert format_datetime(moment, "seconds") == "2026-12-04 04:57:59"
    assert format_datetime(moment, "short") == "2026-12-04 04:57"
    assert format_time(moment) == "04:57"
    assert format_date(date(2026, 12, 4)) == "2026-12-04"
    assert format_date(None) == format_datetime(None) == ""


def test_near_midnight_utc_shows_the_shanghai_date(app_context):
    assert format_date(datetime(2026, 12, 3, 17, 30, tzinfo=UTC)) == "2026-12-04"
    assert format_date(datetime(2026, 12, 3, 17, 30)) == "2026-12-04"  # naive is UTC
    assert format_date("2026-12-03T17:30:00+00:00") == "2026-12-04"


def test_filters_in_templates(app):
    with app.test_request_context("/"):
        render = app.jinja_env.from_string(
            "{{ m|cb_datetime }}|{{ m|cb_date }}|{{ m|cb_time }}|{{ d|cb_date }}|{{ none|cb_date }}")
        assert render.render(m=datetime(2026, 12, 3, 16, 5, tzinfo=UTC), d=date(2026, 1, 2),
                             none=None) == "2026-12-04 00:05|2026-12-04|00:05|2026-01-02|"


def test_english_uses_the_same_format(app):
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert format_datetime(datetime(2026, 12, 3, 16, 5, tzinfo=UTC)) == "2026-12-04 00:05"


def test_no_raw_date_formatting_left_in_templates():
    found = []
    templates = [*ROOT.glob("plugin/*/templates/**/*.html"),
                 *ROOT.glob("employer_portal/templates/**/*.html")]
    for path in templates:
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"[\w.\[\]]+\.(?:isoformat|strftime)\([^)]*\)", text):
            key = ("/".join(path.parts[-2:]), match.group(0))
            if key not in ALLOWED:
                found.append(key)
        if re.search(r"cb_datetime\(\"(?:short|medium|long|HH:mm)\"\)", text):
            found.append((str(path), "Babel style"))
    assert not found, found
