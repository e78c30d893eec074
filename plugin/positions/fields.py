"""The fields of a site's opening as people send them: one table (:data:`FIELDS`) for the
spreadsheet import and the officers' form, parsed by :func:`plugin.registry.schema.parse_record`,
so both accept and refuse the same input.

*Product rules* for the values:

- **Site** (import only): the name of a site (项目部/厂区) under the unit the file is imported
  into, exactly as the organisation tree names it; left empty when the file is imported into
  the site itself.
- **County code**: a 6-digit county-level code (GB/T 2260) that is or ever was in use. The
  import records it as the site's location when the site has none yet.
- **Trade**: free text (钢筋工, 电工, 普工), at most 50 characters; **headcount**: a whole
  number from 1 to 10 000; **from** and **until**: dates (until is optional, not before from).
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..core.errors import ValidationError
from ..core.i18n import N_
from ..core.text import clean_code, clean_free_text
from ..registry.regions import is_known_region
from ..registry.schema import FieldSpec
from ..registry.values import parse_date
from .rules import is_county_code

SITE_MAX = 200
TRADE_MAX = 50
ADDRESS_MAX = 300
NOTES_MAX = 1000
HEADCOUNT_MAX = 10_000

UNKNOWN_COUNTY = N_("未知的县级行政区划代码：%(value)s（请填写6位县、县级市或区的代码，如 511321）")
HEADCOUNT_INVALID = N_("招用人数要填 1 到 %(max)s 之间的整数：%(value)s")
ENDS_BEFORE_START = N_("结束日期不能早于开始日期")


def parse_county(value, today=None, field: str = "county_code") -> str | None:
    """A county-level region code that is or ever was in use (see the module's rules)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    code = clean_code(value, field=field)
    if code is None:
        return None
    if not (is_county_code(code) and is_known_region(code)):
        raise ValidationError(UNKNOWN_COUNTY, field=field, value=code)
    return code


def parse_headcount(value, today=None, field: str = "headcount") -> int | None:
    if isinstance(value, bool):
        raise ValidationError(HEADCOUNT_INVALID, field=field, value=value, max=HEADCOUNT_MAX)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = clean_code(value, field=field)
    if text is None:
        return None
    if not text.isdigit() or not 1 <= int(text) <= HEADCOUNT_MAX:
        raise ValidationError(HEADCOUNT_INVALID, field=field, value=text, max=HEADCOUNT_MAX)
    return int(text)


def _date(value, today, field):
    return parse_date(value, field=field)


def _text(max_length: int):
    return lambda value, today, field: clean_free_text(value, max_length=max_length, field=field)


def _notes(value, today, field):
    return clean_free_text(value, max_length=NOTES_MAX, field=field, multiline=True)


FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("site", _l("项目部（厂区）"), ("项目部（厂区）", "项目部", "厂区", "工地", "项目",
                                          "site", "site name"), _text(SITE_MAX)),
    FieldSpec("county_code", _l("所在县（市、区）代码"),
              ("所在县（市、区）代码", "所在地区代码", "行政区划代码", "区划代码", "县区代码",
               "county code", "county_code", "region code"), parse_county),
    FieldSpec("trade", _l("工种"), ("工种", "岗位", "招用工种", "trade", "position", "job"),
              _text(TRADE_MAX), True),
    FieldSpec("headcount", _l("招用人数"), ("招用人数", "人数", "需求人数", "headcount",
                                          "number"), parse_headcount, True),
    FieldSpec("starts_on", _l("开始日期"), ("开始日期", "用工开始日期", "进场日期", "起始日期",
                                          "from", "starts on", "start"), _date, True,
              input="date"),
    FieldSpec("ends_on", _l("结束日期"), ("结束日期", "用工结束日期", "截止日期", "until",
                                        "ends on", "end"), _date, input="date"),
    FieldSpec("notes", _l("备注"), ("备注", "说明", "要求", "notes", "remarks"), _notes),
)

#: The fields of an opening itself (the form's), in the order of the form.
OPENING_FIELDS = ("trade", "headcount", "starts_on", "ends_on", "notes")
#: The fields that identify a row of a file (a second row with the same values is refused).
KEY_FIELDS = ("site", "trade", "starts_on")

#: A row of the blank template that imports as it is (into the company: the demo's site).
EXAMPLE = {"site": "成都天府装配式构件厂", "county_code": "510116", "trade": "焊工",
           "headcount": "6", "starts_on": "2027-03-01", "ends_on": "2027-12-31",
           "notes": "持焊工证，包住宿"}


def check_period(values, errors) -> None:
    """The rule across fields: the last day is not before the first."""
    starts_on, ends_on = values.get("starts_on"), values.get("ends_on")
    if starts_on is not None and ends_on is not None and ends_on < starts_on:
        errors.add(ValidationError(ENDS_BEFORE_START, field="ends_on"))
