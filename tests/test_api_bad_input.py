"""The HR API under hostile input: deep or huge JSON, absurd page numbers, wrong JSON types.

Every such request answers a 4xx in the API's error format ({"errors": [...]} naming the field,
in Chinese and English), never a 500, and nothing is stored; the OpenAPI document says so.
"""
from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from plugin.core.db import session
from plugin.registry.models import Child, Worker

from .test_api import Api, child_body, sites, tokens, worker_body  # noqa: F401 (fixtures: a read-write token on site A)


@pytest.fixture
def api(client, tokens):  # noqa: F811
    return Api(client, tokens["a"])


def workers() -> int:
    return session.execute(select(func.count(Worker.id))).scalar_one()


def assert_error(response, status: int, field=None):
    assert response.status_code == status, (response.status_code, response.text[:300])
    assert response.is_json
    errors = response.get_json()["errors"]
    assert errors and all(error["message"] and error["message_en"] and error["code"]
                          for error in errors)
    if field is not None:
        assert field in {error["field"] for error in errors}, errors
    return errors


# --- the JSON body -------------------------------------------------------------------------------

@pytest.mark.parametrize("depth", [30, 100_000])
def test_deeply_nested_json_is_a_400_not_a_500(api, depth):
    body = "[" * depth + "]" * depth
    for method, url in (("put", "/workers/E001"), ("post", "/workers/batch"), ("put", "/children"),
                        ("post", "/children/batch")):
        response = getattr(api, method)(url, data=body, content_type="application/json")
        errors = assert_error(response, 400)
        assert "嵌套" in errors[0]["message"]
    nested = {"name": "张大山"}
    for _ in range(depth if depth < 1000 else 0):
        nested = {"x": nested}
    if depth < 1000:
        assert_error(api.put("/workers/E001", json={"workers": [nested]}), 400)
    assert workers() == 0


def test_a_body_that_is_not_json_is_a_400(api):
    for body in ('{"name": "张大山"', "NaN", '{"name": Infinity}', b"\xff\xfe{", "1" * 5000):
        response = api.put("/workers/E001", data=body, content_type="application/json")
        assert_error(response, 400)
    assert workers() == 0


def test_a_body_over_the_size_limit_is_refused_before_it_is_parsed(api):
    from integrations.hr_api.requests import MAX_BODY_BYTES

    body = json.dumps({"workers": [worker_body(employee_number="E1", name="x" * 1000)]
                       * (MAX_BODY_BYTES // 1000 + 10)})
    assert len(body) > MAX_BODY_BYTES
    response = api.post("/workers/batch", data=body, content_type="application/json")
    errors = assert_error(response, 413)
    assert "MB" in errors[0]["message"]
    assert workers() == 0


# --- query parameters -----------------------------------------------------------------------------

@pytest.mark.parametrize("query", [
    "page=1e20", f"page={10**20}", "page=0", "page=-1", "page=abc", "page=1.5", "page=%EF%BC%91",
    "per_page=0", "per_page=501", f"per_page={10**30}", "per_page=ten", "page=²",
])
def test_page_and_per_page_must_be_bounded_positive_integers(api, query):
    field = query.split("=")[0]
    errors = assert_error(api.get(f"/workers?{query}"), 400, field=field)
    # The parameter's name in both languages (English once the catalog has it).
    assert field in errors[0]["message"] and field in errors[0]["message_en"]


def test_pages_far_beyond_the_last_are_empty_not_errors(api):
    api.put("/workers/E001", json=worker_body())
    from integrations.hr_api.requests import MAX_PAGE

    last = api.get(f"/workers?page={MAX_PAGE}&per_page=500")
    assert last.status_code == 200 and last.get_json()["items"] == []
    assert api.get("/workers?page=1&per_page=500").get_json()["total"] == 1
    assert api.get("/workers?page=&per_page=").status_code == 200  # empty means the default


# --- field types ----------------------------------------------------------------------------------

@pytest.mark.parametrize("field,value", [
    ("name", {"$gt": ""}), ("name", ["张", "大山"]), ("phone", 13800138000), ("site", {"a": 1}),
    ("other_parent_capable", "yes"), ("other_parent_capable", [True]), ("entry_date", 20240301),
    ("sex", {"value": "male"}),
])
def test_a_field_of_the_wrong_json_type_is_a_400_naming_it(api, field, value):
    response = api.put("/workers/E001", json=worker_body(**{field: value}))
    errors = assert_error(response, 400, field=field)
    error = next(error for error in errors if error["field"] == field)
    assert field in error["message"] and field in error["message_en"]
    assert workers() == 0


def test_child_fields_are_type_checked_too(api):
    api.put("/workers/E001", json=worker_body())
    assert_error(api.put("/children", json=child_body(name=["张小明"])), 400, field="name")
    assert_error(api.put("/children", json=child_body(parent_employee_number={"$ne": 1})), 400,
                 field="parent_employee_number")
    assert session.execute(select(func.count(Child.id))).scalar_one() == 0


def test_batches_reject_the_records_of_the_wrong_type_and_keep_the_others(api):
    response = api.post("/workers/batch", json={"workers": [
        worker_body(employee_number="E1"),
        worker_body(employee_number="E2", name={"first": "大山"}),
        worker_body(employee_number="E3"),
        worker_body(employee_number=["E4"]),
    ]})
    assert response.status_code == 200
    body = response.get_json()
    assert [result["status"] for result in body["results"]] == [
        "created", "rejected", "created", "rejected"]
    assert [result["index"] for result in body["results"]] == [0, 1, 2, 3]
    assert body["results"][1]["errors"][0]["field"] == "name"
    assert body["results"][1]["errors"][0]["index"] == 1
    assert body["results"][3]["errors"][0]["field"] == "employee_number"
    assert body["summary"] == {"created": 2, "updated": 0, "unchanged": 0, "rejected": 2}
    assert set(session.execute(select(Worker.employee_number)).scalars()) == {"E1", "E3"}


def test_what_a_read_returns_may_still_be_sent_back(api):
    assert api.put("/workers/E001", json=worker_body(team="一班")).status_code == 201
    echoed = api.get("/workers/E001").get_json()
    echoed.pop("id_number")
    assert api.put("/workers/E001", json=echoed).get_json()["status"] == "unchanged"


# --- the OpenAPI document says all of it ----------------------------------------------------------

def test_openapi_document_lists_the_bad_request_answers_and_the_bounds(client, company):
    document = client.get("/api/v1/openapi.json").get_json()
    from integrations.hr_api.requests import MAX_PAGE

    responses = document["components"]["responses"]
    assert {"BadRequest", "TooLarge"} <= set(responses)
    for path, method in (("/api/v1/workers/{employee_number}", "put"), ("/api/v1/children", "put"),
                         ("/api/v1/workers/batch", "post"), ("/api/v1/children/batch", "post")):
        operation = document["paths"][path][method]
        assert {"400", "413"} <= set(operation["responses"]), (path, operation["responses"])
    listing = document["paths"]["/api/v1/workers"]["get"]
    assert "400" in listing["responses"]
    parameters = {parameter["name"]: parameter["schema"] for parameter in listing["parameters"]}
    assert parameters["page"] == {"type": "integer", "minimum": 1, "maximum": MAX_PAGE,
                                  "default": 1}
    assert parameters["per_page"]["maximum"] == 500
    validator = pytest.importorskip("openapi_spec_validator")
    validator.validate(document)
