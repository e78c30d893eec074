"""The OpenAPI document, generated from the code so it cannot drift from it.

Paths and operations come from the views: apispec's ``FlaskPlugin`` reads each URL rule and the
YAML at the end of the view's docstring; :class:`RulePlugin` adds the path parameters the rule
declares and a summary from the docstring's first line. The record schemas are built from the
registry's field tables (:data:`~plugin.registry.schema.WORKER_FIELDS`, ``CHILD_FIELDS``), the
same tables the parser uses: field code, label as description, required flag, ``format: date``
for dates, ``enum`` for choices.
"""
from __future__ import annotations

import re
from typing import Any

from apispec import APISpec
from apispec_webframeworks.flask import FlaskPlugin
from flask import Flask
from flask_babel import force_locale

from plugin.api_tokens.records import MAX_BATCH
from plugin.registry.models import ParentRole
from plugin.registry.schema import CHILD_FIELDS, WORKER_FIELDS, FieldSpec
from plugin.registry.services import CHILD_LINK_FIELDS, CONSENT_FIELDS

from .serialize import CATEGORY_KEYS, MASKED_WORKER_FIELDS

OPENAPI_VERSION = "3.1.0"
API_VERSION = "1"
HTTP_METHODS = ("get", "put", "post", "patch", "delete")
#: ``<name>`` or ``<converter:name>`` (converter arguments allowed) in a Flask URL rule.
RULE_ARGUMENT = re.compile(r"<(?:([A-Za-z_]\w*)(?:\([^)]*\))?:)?([A-Za-z_]\w*)>")
BOOLEAN_CHOICES = {"true", "false"}

DESCRIPTION = """\
JSON API for HR systems. Send `Authorization: Bearer <token>`; tokens are issued per integration
on CareBridge's "API 令牌" page. A token sees only the workers and children of its unit and the
units below it: anything else answers 404. Records use the field codes and the validation of the
roster import; refusals answer `{"errors": [{"index", "field", "code", "message", "message_en"}]}`
(`index` only in batches). ID numbers and other sensitive fields are returned masked, and every
read of a child's record is entered in the audit log.

供人力资源系统对接的 JSON 接口。请求头发送 `Authorization: Bearer <令牌>`，\
令牌由管理员在“API 令牌”页面按对接系统签发。
令牌只能访问其所属单位及下级单位的职工和儿童，其他记录一律返回 404。\
字段代码和校验规则与花名册导入相同；
身份证号码等敏感信息打码返回，每次读取儿童档案都记入审计日志。
"""


class RulePlugin(FlaskPlugin):
    """apispec's Flask plugin, plus what the URL rule and docstring already say: the path
    parameters, an ``operationId`` and a ``summary``."""

    def path_helper(self, path=None, operations=None, parameters=None, *, view=None, app=None,
                    **kwargs):
        openapi_path = super().path_helper(path, operations, parameters, view=view, app=app,
                                           **kwargs)
        endpoint = next(name for name, function in app.view_functions.items() if function is view)
        rule = next(app.url_map.iter_rules(endpoint))
        for converter, name in RULE_ARGUMENT.findall(rule.rule):
            parameters.append({"name": name, "in": "path", "required": True,
                               "schema": {"type": "integer" if converter == "int" else "string"}})
        summary = (view.__doc__ or "").strip().splitlines()[0].strip()
        for method in HTTP_METHODS:
            if method in operations:
                operations[method].setdefault("summary", summary)
                operations[method].setdefault("operationId", view.__name__)
        return openapi_path


def build_spec(app: Flask, blueprint_name: str) -> dict:
    """The document for the blueprint's routes on ``app`` (built once per app)."""
    cache = app.extensions.setdefault("carebridge_hr_api_openapi", {})
    if blueprint_name not in cache:
        cache[blueprint_name] = _build(app, blueprint_name)
    return cache[blueprint_name]


def _build(app: Flask, blueprint_name: str) -> dict:
    spec = APISpec(title="CareBridge HR API", version=API_VERSION, openapi_version=OPENAPI_VERSION,
                   plugins=[RulePlugin()], info={"description": DESCRIPTION},
                   security=[{"bearerAuth": []}])
    spec.components.security_scheme("bearerAuth", {
        "type": "http", "scheme": "bearer",
        "description": "API token issued on the \"API 令牌\" page / 在“API 令牌”页面签发的令牌"})
    spec.tag({"name": "workers", "description": "职工 / Workers"})
    spec.tag({"name": "children", "description": "儿童 / Children"})
    spec.tag({"name": "figures", "description": "统计数字（与报表、首页一致）/ Figures, as the "
                                                "reports and the dashboard show them"})
    spec.tag({"name": "meta", "description": "接口说明 / About the API"})
    for name, schema in _schemas().items():
        spec.components.schema(name, schema)
    for name, (description, _status) in {
        "BadRequest": ("The request cannot be read: not JSON, nested too deep, a field of the "
                       "wrong JSON type, a page number out of range / 请求无法读取：不是 JSON、"
                       "嵌套太深、字段类型不对或页码超出范围", 400),
        "Unauthorized": ("Missing, invalid or revoked token / 令牌缺失、无效或已撤销", 401),
        "Forbidden": ("The token may only read / 令牌只有读取权限", 403),
        "NotFound": ("Not in the token's scope / 不在令牌的授权范围内", 404),
        "TooLarge": ("The request body is over 10 MB / 请求体超过 10 MB", 413),
        "Invalid": ("The record or request was refused / 记录或请求未通过校验", 422),
    }.items():
        spec.components.response(name, {"description": description, "content": {
            "application/json": {"schema": _ref("ErrorList")}}})
    prefix = f"{blueprint_name}."
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule):
        if rule.endpoint.startswith(prefix):
            spec.path(view=app.view_functions[rule.endpoint], app=app)
    return spec.to_dict()


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _bilingual(label: Any) -> str:
    with force_locale("zh_CN"):
        chinese = str(label)
    with force_locale("en"):
        english = str(label)
    return chinese if chinese == english else f"{chinese} / {english}"


def _nullable(schema: dict) -> dict:
    schema = dict(schema)
    schema["type"] = [schema["type"], "null"]
    if "enum" in schema:
        schema["enum"] = [*schema["enum"], None]
    return schema


def field_schema(spec: FieldSpec, *, nullable: bool, returned: bool = False) -> dict:
    """JSON Schema of one field as clients send it (``returned``: as the API answers it)."""
    values = [value for value, _label in spec.choices]
    if returned and spec.sensitive:
        schema: dict = {"type": "string"}
    elif spec.input == "date":
        schema = {"type": "string", "format": "date"}
    elif spec.input == "choice" and set(values) == BOOLEAN_CHOICES:
        # Yes/no fields: the parser takes JSON booleans (and 是/否 for rosters).
        schema = {"type": "boolean"}
    elif spec.input == "choice":
        schema = {"type": "string", "enum": values}
    else:
        schema = {"type": "string"}
    if nullable:
        schema = _nullable(schema)
    description = _bilingual(spec.label)
    if spec.sensitive:
        description += " (sensitive: returned masked / 敏感信息，返回时打码)"
    elif spec in WORKER_FIELDS and spec.code in MASKED_WORKER_FIELDS:
        description += " (returned masked / 返回时打码)"
    schema["description"] = description
    return schema


def record_schema(fields: tuple[FieldSpec, ...], *, optional: tuple[str, ...] = ()) -> dict:
    """An input record: every field of the table; required ones may not be null."""
    required = [spec.code for spec in fields if spec.required and spec.code not in optional]
    return {
        "type": "object",
        "properties": {spec.code: field_schema(spec, nullable=spec.code not in required)
                       for spec in fields},
        "required": required,
        "additionalProperties": False,
    }


def _object(properties: dict, required: list[str] | None = None) -> dict:
    """An object schema; every property is required unless ``required`` says otherwise."""
    return {"type": "object", "properties": properties,
            "required": list(properties) if required is None else required}


def _array(items: dict, **limits) -> dict:
    return {"type": "array", "items": items, **limits}


def _returned(fields: tuple[FieldSpec, ...], extra: dict, *, leave_out=()) -> dict:
    """A record as the API returns it: every field (null when unknown or withheld), and more."""
    properties = {spec.code: field_schema(spec, nullable=True, returned=True)
                  for spec in fields if spec.code not in leave_out}
    return _object({"id": {"type": "integer"}, **properties, **extra})


def _schemas() -> dict[str, dict]:
    strings = _array({"type": "string"})
    integer = {"type": "integer"}
    upserted = {"type": "string", "enum": ["created", "updated", "unchanged"]}
    timestamps = {"created_at": {"type": "string", "format": "date-time"},
                  "updated_at": {"type": "string", "format": "date-time"}}
    return {
        "Error": _object({
            "index": {"type": "integer", "description": (
                "Position of the record in a batch, from 0 / 记录在批量请求中的序号（从 0 开始）")},
            "field": {"type": ["string", "null"], "description": "Field code / 字段代码"},
            "code": {"type": "string", "description": "Stable code of the error / 错误代码"},
            "message": {"type": "string", "description": "中文说明"},
            "message_en": {"type": "string", "description": "English message"},
        }, required=["field", "code", "message", "message_en"]),
        "ErrorList": _object({"errors": _array(_ref("Error"))}),
        "OrgUnit": _object({"id": integer, "name": {"type": "string"}, "kind": {
            "type": "string", "enum": ["group", "subsidiary", "site", "team"]}}),
        "WorkerRecord": record_schema(WORKER_FIELDS),
        "WorkerPutBody": record_schema(WORKER_FIELDS, optional=("employee_number",)),
        "ChildRecord": record_schema(CHILD_FIELDS),
        "Worker": _returned(WORKER_FIELDS, {"org_unit": _ref("OrgUnit"), **timestamps}),
        "Child": _returned(CHILD_FIELDS, {
            "parents": _array(_object({
                "employee_number": {"type": "string"},
                "role": {"type": "string", "enum": [role.value for role in ParentRole]}})),
            "categories": _object({key: {"type": ["boolean", "null"]} for key in CATEGORY_KEYS}),
            "focus_flags": strings,
            "categories_missing": strings,
            "categories_as_of": {"type": ["string", "null"], "format": "date"},
            "consent_given": {"type": "boolean",
                              "description": "监护人同意 / Guardian's consent on record"},
            "org_unit": _ref("OrgUnit"), **timestamps},
            leave_out=CHILD_LINK_FIELDS + CONSENT_FIELDS),
        "WorkerUpsertResult": _object({"status": upserted, "changed": strings,
                                       "worker": _ref("Worker")}),
        "ChildUpsertResult": _object({"status": upserted, "id": integer, "changed": strings,
                                      "withheld": {**strings, "description": (
                                          "Fields given but not stored on the record: a child "
                                          "under 14 without a guardian's consent. They are held, "
                                          "encrypted, and applied when consent arrives (or give "
                                          "consent_given_on) / 未满 14 周岁且无监护人同意，"
                                          "未写入档案的字段：已加密暂存，同意后补入")}}),
        "BatchItemResult": _object({
            "index": integer,
            "status": {"type": "string", "enum": ["created", "updated", "unchanged", "rejected"]},
            "employee_number": {"type": ["string", "null"]},
            "id": {"type": ["integer", "null"]},
            "withheld": strings,
            "errors": _array(_ref("Error")),
        }, required=["index", "status", "errors"]),
        "BatchResult": _object({
            "results": _array(_ref("BatchItemResult")),
            "summary": {"type": "object", "additionalProperties": integer},
            "errors": _array(_ref("Error"))}),
        "WorkerBatchBody": _object({"workers": _array(_ref("WorkerRecord"), minItems=1,
                                                      maxItems=MAX_BATCH)}),
        "ChildBatchBody": _object({"children": _array(_ref("ChildRecord"), minItems=1,
                                                      maxItems=MAX_BATCH)}),
        "WorkerPage": _object({"items": _array(_ref("Worker")), "page": integer,
                               "per_page": integer, "total": integer, "pages": integer}),
        "ChildList": _object({"items": _array(_ref("Child"))}),
        "Figure": _object({
            "code": {"type": "string", "description": "Indicator code / 指标代码"},
            "name": {"type": "string"}, "name_en": {"type": "string"},
            "unit": {"type": "string"}, "unit_en": {"type": "string"},
            "kind": {"type": "string", "enum": ["flow", "stock"], "description": (
                "flow: what happened in the period; stock: what stood on its last day / "
                "flow 为期间内发生数，stock 为期末数")},
            "money": {"type": "boolean", "description": "The value is in fen / 金额，单位为分"},
            "value": integer}, required=["code", "name", "kind", "money", "value"]),
        "Figures": _object({"org_unit": _ref("OrgUnit"),
                            "start": {"type": "string", "format": "date"},
                            "end": {"type": "string", "format": "date"},
                            "figures": _array(_ref("Figure"))}),
    }
