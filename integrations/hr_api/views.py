"""The API's views: authenticate, call one service of :mod:`plugin.api_tokens.records`, answer JSON.

Each view's docstring ends with its OpenAPI operation (YAML after ``---``), read by
:mod:`.openapi`; schemas named there are generated from the registry's field tables.
"""
from __future__ import annotations

from collections.abc import Mapping
from functools import wraps
from typing import Any

from flask import Blueprint, current_app, g, jsonify, request
from sqlalchemy.exc import DataError, IntegrityError
from werkzeug.exceptions import HTTPException

from plugin.api_tokens import records
from plugin.api_tokens.models import ApiToken
from plugin.api_tokens.services import authenticate, check_may_write, token_refused_error
from plugin.core.boundary import commit_on_success, refusable_part
from plugin.core.clock import local_today
from plugin.core.errors import CareBridgeError, NotFound, ValidationError
from plugin.core.host import Actor
from plugin.registry.schema import CHILD_FIELDS, WORKER_FIELDS, RecordInvalid
from plugin.registry.services import record_child_view

from .errors import error_entries, error_response
from .requests import (
    MAX_PAGE,
    RequestRefused,
    check_field_types,
    field_type_errors,
    json_body,
    positive_int,
)
from .serialize import CHILD_OUTPUT_KEYS, WORKER_OUTPUT_KEYS, child_json, worker_json

bp = Blueprint("hr_api", __name__)
# Single records: committed when the answer is a success, rolled back otherwise. Batches answer
# 200 and commit the records that were accepted; each rejected one was undone by its savepoint.
bp.after_request(commit_on_success)

MAX_PER_PAGE = 500


def public(view):
    """Mark a view that needs no token (the OpenAPI document)."""
    view.hr_api_public = True
    return view


@bp.before_request
def authenticate_request():
    view = current_app.view_functions.get(request.endpoint)
    if getattr(view, "hr_api_public", False):
        return None
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    token = authenticate(secret.strip()) if scheme.lower() == "bearer" else None
    if token is None:
        return error_response(401, [token_refused_error()],
                              headers={"WWW-Authenticate": 'Bearer realm="CareBridge"'})
    g.hr_api_token = token
    g.hr_api_actor = Actor(key=f"api:{token.id}", name=f"API: {token.name}", ip=request.remote_addr,
                           user_agent=(request.user_agent.string or "")[:300] or None)
    return None


@bp.errorhandler(RequestRefused)
def unreadable_request(refusal: RequestRefused):
    return error_response(refusal.status, refusal.errors)


@bp.errorhandler(RecordInvalid)
def record_invalid(invalid: RecordInvalid):
    return error_response(422, invalid.errors)


@bp.errorhandler(CareBridgeError)
def refused(error: CareBridgeError):
    if isinstance(error, NotFound):
        return error_response(404, [error])
    return error_response(422 if isinstance(error, ValidationError) else 403, [error])


@bp.errorhandler(DataError)
@bp.errorhandler(IntegrityError)
def refused_by_database(error):
    return error_response(422, [records.database_refusal(error)])


@bp.errorhandler(HTTPException)
def http_error(error: HTTPException):
    response = jsonify({"errors": [{"field": None, "code": f"http.{error.code}",
                                    "message": error.description,
                                    "message_en": error.description}]})
    response.status_code = error.code or 500
    return response


def _token() -> ApiToken:
    return g.hr_api_token


def _actor() -> Actor:
    return g.hr_api_actor


def writes(view):
    """Refuse (403) a read-only token before the view runs."""
    @wraps(view)
    def checked(*args, **kwargs):
        check_may_write(_token())
        return view(*args, **kwargs)
    return checked


def _body() -> Any:
    """The JSON body, bounded in size and depth (:func:`.requests.json_body`)."""
    return json_body()


def _record(fields, ignore) -> Any:
    """The body of a single-record request, its fields' JSON types checked (400 otherwise)."""
    body = _body()
    check_field_types(body, fields, ignore=ignore)
    return body


def _typed_batch(items: list, fields, ignore, save) -> list[records.ItemResult]:
    """``save(items)`` for the records whose fields have the right JSON types; the others are
    rejected with one error per such field, in their place (every record on its own, as ever)."""
    with refusable_part():  # each mistyped record is refused on its own, not the request
        mistyped = {index: errors for index, raw in enumerate(items)
                    if (errors := field_type_errors(raw, fields, ignore=ignore))}
    if not mistyped:
        return save(items)
    kept = [index for index in range(len(items)) if index not in mistyped]
    results = save([items[index] for index in kept]) if kept else []
    for result in results:
        result.index = kept[result.index]
    results += [records.ItemResult(index, "rejected", errors=errors)
                for index, errors in mistyped.items()]
    return sorted(results, key=lambda result: result.index)


def _batch_json(results: list[records.ItemResult], items: list, describe) -> dict:
    counts = dict.fromkeys(("created", "updated", "unchanged", "rejected"), 0)
    answers = []
    for result in results:
        counts[result.status] += 1
        raw = items[result.index]
        answers.append({"index": result.index, "status": result.status,
                        **describe(result, raw if isinstance(raw, Mapping) else {}),
                        "errors": error_entries(result.errors, result.index)})
    return {"results": answers, "summary": counts,
            "errors": [error for answer in answers for error in answer["errors"]]}


@bp.get("/openapi.json")
@public
def openapi_document():
    """The OpenAPI document of this API.
    ---
    get:
      tags: [meta]
      security: []
      responses:
        200:
          description: OpenAPI 3.1 document / 接口说明文档
          content:
            application/json:
              schema: {type: object}
    """
    from .openapi import build_spec

    return jsonify(build_spec(current_app._get_current_object(), request.blueprint))


@bp.get("/workers/<employee_number>")
def get_worker(employee_number: str):
    """Read one worker.
    ---
    get:
      tags: [workers]
      responses:
        200:
          description: The worker / 职工
          content:
            application/json:
              schema: Worker
        401: Unauthorized
        404: NotFound
    """
    return jsonify(worker_json(records.worker_in_scope(_token(), employee_number)))


@bp.put("/workers/<employee_number>")
@writes
def put_worker(employee_number: str):
    """Create or update one worker.
    ---
    put:
      tags: [workers]
      description: >
        Fields left out are left as they are; `null` clears a field. Without `site`/`team`
        a new worker is placed in the token's unit and an existing one stays where it is.
        不提交的字段保持不变，提交
        null 表示清空；不提交项目部/班组时，新职工放在令牌所属单位，已有职工保持原单位。
      requestBody:
        required: true
        content:
          application/json:
            schema: WorkerPutBody
      responses:
        200:
          description: Updated or unchanged / 已更新或无变化
          content:
            application/json:
              schema: WorkerUpsertResult
        201:
          description: Created / 已新建
          content:
            application/json:
              schema: WorkerUpsertResult
        400: BadRequest
        401: Unauthorized
        403: Forbidden
        404: NotFound
        413: TooLarge
        422: Invalid
    """
    outcome = records.save_worker(_record(WORKER_FIELDS, WORKER_OUTPUT_KEYS),
                                  employee_number=employee_number, token=_token(),
                                  actor=_actor(), today=local_today(), ignore=WORKER_OUTPUT_KEYS)
    answer = {"status": records.outcome_status(outcome), "changed": outcome.changed,
              "worker": worker_json(outcome.record)}
    return jsonify(answer), 201 if outcome.created else 200


@bp.post("/workers/batch")
@writes
def post_workers():
    """Create or update many workers, each on its own.
    ---
    post:
      tags: [workers]
      description: >
        Up to 1000 records. Each is stored or rejected on its own: the valid ones are saved
        even when others are rejected, and a rejected one leaves nothing behind. A record with
        a field of the wrong JSON type is rejected with the others (its error names the field).
        每次最多 1000 条；每条单独处理，有效的保存，被拒绝的不留下任何数据；字段的
        JSON 类型不对的记录同样被拒绝。
      requestBody:
        required: true
        content:
          application/json:
            schema: WorkerBatchBody
      responses:
        200:
          description: One result per record / 逐条结果
          content:
            application/json:
              schema: BatchResult
        400: BadRequest
        401: Unauthorized
        403: Forbidden
        413: TooLarge
        422: Invalid
    """
    items = records.batch_items(_body(), "workers")
    results = _typed_batch(
        items, WORKER_FIELDS, WORKER_OUTPUT_KEYS, lambda valid: records.save_workers(
            valid, token=_token(), actor=_actor(), today=local_today(), ignore=WORKER_OUTPUT_KEYS))

    def describe(result, raw):
        if result.outcome is not None:
            return {"employee_number": result.outcome.record.employee_number}
        return {"employee_number": raw.get("employee_number")}

    return jsonify(_batch_json(results, items, describe))


@bp.get("/figures")
def get_figures():
    """The figures of the token's subtree for a period: every indicator the reports and the
    dashboard show, the same numbers.
    ---
    get:
      tags: [figures]
      parameters:
        - name: start
          in: query
          required: true
          description: First day of the period (YYYY-MM-DD, local) / 统计期起始日
          schema: {type: string, format: date}
        - name: end
          in: query
          required: true
          description: Last day of the period, included / 统计期截止日（含）
          schema: {type: string, format: date}
      responses:
        200:
          description: The figures / 统计数字
          content:
            application/json:
              schema: Figures
        401: Unauthorized
        422: Invalid
    """
    token = _token()
    start, end = records.parse_figure_period(request.args.get("start"), request.args.get("end"))
    return jsonify({"org_unit": {"id": token.org_unit.id, "name": token.org_unit.name,
                                 "kind": token.org_unit.kind.value},
                    "start": start.isoformat(), "end": end.isoformat(),
                    "figures": records.figures_in_scope(token, start, end)})


@bp.get("/workers")
def list_workers():
    """List the workers in the token's scope, least recently updated first.
    ---
    get:
      tags: [workers]
      parameters:
        - name: updated_since
          in: query
          description: >
            Only workers changed at or after this ISO 8601 date or time; without an offset it
            is read in the company's time zone. 只列出此后变更的职工（不带时区时按公司时区）。
          schema: {type: string}
        - name: page
          in: query
          schema: {type: integer, minimum: 1, maximum: 10000000, default: 1}
        - name: per_page
          in: query
          schema: {type: integer, minimum: 1, maximum: 500, default: 100}
      responses:
        200:
          description: One page of workers / 一页职工
          content:
            application/json:
              schema: WorkerPage
        400: BadRequest
        401: Unauthorized
        422: Invalid
    """
    state = current_app.extensions["carebridge"]
    since = records.parse_updated_since(request.args.get("updated_since"),
                                        zone=state.company_timezone_name())
    per_page = positive_int("per_page", default=100, maximum=MAX_PER_PAGE)
    page = records.workers_in_scope(_token(), updated_since=since, per_page=per_page,
                                    page=positive_int("page", default=1, maximum=MAX_PAGE))
    return jsonify({"items": [worker_json(worker) for worker in page.items], "page": page.page,
                    "per_page": page.per_page, "total": page.total, "pages": page.pages})


@bp.get("/workers/<employee_number>/children")
def get_worker_children(employee_number: str):
    """Read a worker's children (each read is audited).
    ---
    get:
      tags: [children]
      responses:
        200:
          description: The worker's children / 职工的子女
          content:
            application/json:
              schema: ChildList
        401: Unauthorized
        404: NotFound
    """
    worker = records.worker_in_scope(_token(), employee_number)
    children = records.children_in_scope(_token(), worker)
    for child in children:
        record_child_view(child, _actor())
    return jsonify({"items": [child_json(child) for child in children]})


@bp.put("/children")
@writes
def put_child():
    """Create or update one child of a worker.
    ---
    put:
      tags: [children]
      description: >
        The child is recognised by its ID number, else by parent, name and birth date. For a
        child under 14 without a guardian's recorded consent only the minimum is stored; the
        other fields given are listed in `withheld`.
        以身份证号码识别儿童，没有号码时按家长、姓名和出生日期识别。未满
        14 周岁且尚无监护人同意的儿童只保存最少信息，其余字段列在 withheld 中。
      requestBody:
        required: true
        content:
          application/json:
            schema: ChildRecord
      responses:
        200:
          description: Updated or unchanged / 已更新或无变化
          content:
            application/json:
              schema: ChildUpsertResult
        201:
          description: Created / 已新建
          content:
            application/json:
              schema: ChildUpsertResult
        400: BadRequest
        401: Unauthorized
        403: Forbidden
        413: TooLarge
        422: Invalid
    """
    today = local_today()
    outcome = records.save_child(_record(CHILD_FIELDS, CHILD_OUTPUT_KEYS), token=_token(),
                                 actor=_actor(), today=today, ignore=CHILD_OUTPUT_KEYS)
    answer = {"status": records.outcome_status(outcome), "id": outcome.record.id,
              "changed": outcome.changed, "withheld": outcome.withheld}
    return jsonify(answer), 201 if outcome.created else 200


@bp.post("/children/batch")
@writes
def post_children():
    """Create or update many children, each on its own.
    ---
    post:
      tags: [children]
      description: Up to 1000 records, each stored or rejected on its own.
        每次最多 1000 条，逐条处理。
      requestBody:
        required: true
        content:
          application/json:
            schema: ChildBatchBody
      responses:
        200:
          description: One result per record / 逐条结果
          content:
            application/json:
              schema: BatchResult
        400: BadRequest
        401: Unauthorized
        403: Forbidden
        413: TooLarge
        422: Invalid
    """
    items = records.batch_items(_body(), "children")
    results = _typed_batch(
        items, CHILD_FIELDS, CHILD_OUTPUT_KEYS, lambda valid: records.save_children(
            valid, token=_token(), actor=_actor(), today=local_today(), ignore=CHILD_OUTPUT_KEYS))

    def describe(result, raw):
        outcome = result.outcome
        return {"id": outcome.record.id if outcome else None,
                "withheld": outcome.withheld if outcome else []}

    return jsonify(_batch_json(results, items, describe))


@bp.get("/children/<int:child_id>")
def get_child(child_id: int):
    """Read one child's record (audited).
    ---
    get:
      tags: [children]
      responses:
        200:
          description: The child / 儿童档案
          content:
            application/json:
              schema: Child
        401: Unauthorized
        404: NotFound
    """
    child = records.child_in_scope(_token(), child_id)
    record_child_view(child, _actor())
    return jsonify(child_json(child))
