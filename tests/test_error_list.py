"""The one error-list type (plugin.core.errors.ErrorList): collected with rows and fields,
rendered in either language or both, serialised for the API and for storage."""
from __future__ import annotations

from datetime import date

import pytest
from flask_babel import force_locale

from plugin.core.errors import ErrorList, NotFound, ValidationError
from plugin.registry.schema import WORKER_FIELDS, RecordInvalid, field_label, parse_record


def label(code):
    return field_label(WORKER_FIELDS, code)


def test_collect_keeps_going_after_a_refusal():
    errors = ErrorList()

    def refuse():
        raise ValidationError("请填写见证人", field="witness")

    assert errors.collect(refuse) is None and errors.collect(lambda: 3) == 3
    errors.add(NotFound("找不到这名儿童"))
    assert [error.field for error in errors] == ["witness", None] and len(errors) == 2


def test_a_line_names_the_row_and_the_field_in_both_languages(app):
    error = ValidationError("必填项不能为空", field="name", row=7)
    with app.test_request_context():
        line = ErrorList.describe(error, label)
        without_row = ErrorList.describe(error, label, with_row=False)
    assert line == "第 7 行 / Row 7, 姓名 / Full name: 必填项不能为空 / This field is required"
    assert without_row == "姓名 / Full name: 必填项不能为空 / This field is required"
    assert ErrorList.describe(ValidationError("必填项不能为空")).startswith("必填项不能为空")


def test_messages_in_the_readers_language_by_field(app):
    errors = ErrorList([ValidationError("必填项不能为空", field="name"),
                        ValidationError("不能超过 %(max)s 个字符", field="name", max=100),
                        ValidationError("请至少填写一个工号")])
    with app.test_request_context(), force_locale("en"):
        by_field = errors.by_field()
    assert by_field == {"name": ["This field is required", "At most 100 characters"],
                        None: ["Enter at least one employee number"]}


def test_api_entries_keep_the_api_shape(app):
    errors = ErrorList([ValidationError("必填项不能为空", field="name"),
                        ValidationError("扫描时间不对", field="scanned_at", row=2)])
    with app.test_request_context():
        single, batch = errors.entries(), errors.entries(index=3)
    assert single[0] == {"field": "name", "code": "必填项不能为空", "message": "必填项不能为空",
                         "message_en": "This field is required"}
    assert list(batch[0]) == ["index", "field", "code", "message", "message_en"]
    assert single[1]["row"] == 2 and batch[1]["index"] == 3


def test_stored_errors_come_back_and_translate_when_shown(app):
    errors = ErrorList([ValidationError("不能超过 %(max)s 个字符", field="note", row=4, max=500)])
    stored = errors.to_json()
    assert stored == [{"field": "note", "message": "不能超过 %(max)s 个字符", "params": {"max": 500},
                       "row": 4}]
    again = ErrorList.from_json(stored)
    assert (again[0].field, again[0].row, again[0].params, str(again[0])) == (
        "note", 4, {"max": 500}, "不能超过 500 个字符")
    assert ErrorList.from_json(None) == []


def test_a_record_reports_all_its_field_errors_as_one_list():
    with pytest.raises(RecordInvalid) as invalid:
        parse_record({"employee_number": " ", "name": "张" * 101, "phone": "12"},
                     WORKER_FIELDS, today=date(2026, 12, 1))
    errors = invalid.value.errors
    assert isinstance(errors, ErrorList)
    assert [error.field for error in errors] == ["employee_number", "name", "phone"]
