"""Error pages: every HTTP error a person can meet (400, 403, 404, 405, 413, 429, 500, a refused
CSRF token, an expired session) is a page in the user's language inside the layout, saying what
happened and offering a way back; never Werkzeug's English one-liner, never a traceback.

CareBridge registers :func:`handle_http_error` on its own blueprint (errors raised by its pages,
in any host); a host adds it for the rest of the site (``app.register_error_handler(
HTTPException, handle_http_error)``, as the standalone portal does), so that URLs matching no
route, and wrong methods, get the same page. Registered for the class ``HTTPException``, never per
status code: a blueprint that answers its errors itself (the HR API's JSON errors) keeps doing so,
since Flask prefers a handler of the request's blueprint to one of the app for the same class.

Phone pages (the worker's pages under ``/w``, the venue-code check-in ``/c/…`` and the public
verification pages scanned from a document's QR code) get the phone layout, also for a URL there
that matches nothing; every other page gets the host's layout.
"""
from __future__ import annotations

import logging
from urllib.parse import urlsplit

from flask import current_app, render_template, request, url_for
from flask.globals import request_ctx
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from jinja2 import TemplateNotFound
from werkzeug.exceptions import HTTPException
from werkzeug.routing import BuildError

from .urls import local_path

logger = logging.getLogger(__name__)

PHONE_LAYOUT = "carebridge/worker_access/layout.html"
TEMPLATE = "carebridge/errors/error.html"
BARE_TEMPLATE = "carebridge/errors/bare.html"

#: Paths (below CareBridge's URL prefix) shown on phones, with the endpoint of their "home".
PHONE_AREAS = (
    ("/w", "carebridge.worker_access.home"),            # the worker's own pages
    ("/c/", "carebridge.worker_access.home"),           # a lecture's venue code, scanned
    ("/v", "carebridge.pledges_public.index"),          # a pledge's QR code: the public check
    ("/guardianship/verify/", None),                    # an agreement's QR code
)

#: Title and explanation per status code (msgids; the fallback is for codes not listed).
MESSAGES = {
    400: (_l("请求有误"),
          _l("这个请求无法处理：链接可能不完整，或者被改动过。请回到上一页重新操作。")),
    401: (_l("需要登录"), _l("请先登录，再打开这个页面。")),
    403: (_l("没有权限"), _l("您没有权限查看这个页面或进行这个操作。如果需要，请联系管理员。")),
    404: (_l("页面不存在"), _l("找不到这个页面：链接可能输错了、已经过期，或者您无权查看。")),
    405: (_l("不能这样打开这个页面"),
          _l("这个地址不能直接打开。请从页面上的按钮或链接进入。")),
    413: (_l("文件太大"), _l("上传的文件或填写的内容太大，没有收到。请换一个小一些的文件再试。")),
    429: (_l("尝试太频繁"), _l("短时间内尝试的次数太多了。请过一会儿再试。")),
    500: (_l("系统出错了"), _l("服务器处理这个请求时出了问题，刚才的操作没有保存。请稍后再试；"
                             "如果一直这样，请联系管理员。")),
}
FALLBACK = (_l("无法完成请求"), _l("这个请求没有完成。请回到上一页重新操作。"))
CSRF_MESSAGE = (_l("页面已过期，请重新提交"),
                _l("页面打开太久了，或者浏览器阻止了 Cookie，所以这次提交没有被接受，"
                   "什么也没有保存。请刷新页面后再试一次；"
                   "如果还是这样，请在浏览器设置中允许本网站的 Cookie。"))


def phone_area() -> tuple[bool, str | None]:
    """Whether the current request is a phone page, and the endpoint of that area's home."""
    state = current_app.extensions.get("carebridge")
    prefix = state.url_prefix if state is not None else ""
    path = request.path
    if prefix:
        if path != prefix and not path.startswith(prefix + "/"):
            return False, None
        path = path[len(prefix):] or "/"
    for area, home in PHONE_AREAS:
        if path == area.rstrip("/") or path.startswith(area.rstrip("/") + "/"):
            return True, home
    return False, None


def _url(endpoint: str | None) -> str | None:
    if endpoint is None or endpoint not in current_app.view_functions:
        return None
    try:
        return url_for(endpoint)
    except BuildError:
        return None


def _came_from() -> str | None:
    """The page the user came from, when it is a page of this site (not the failing one)."""
    referrer = request.referrer
    if not referrer:
        return None
    parts = urlsplit(referrer)
    if parts.netloc != request.host:
        return None
    target = local_path(parts.path + (f"?{parts.query}" if parts.query else ""))
    if target is None or parts.path == request.path and request.method == "GET":
        return None
    return target


def _layout(phone: bool) -> str:
    if phone:
        try:
            current_app.jinja_env.get_template(PHONE_LAYOUT)
            return PHONE_LAYOUT
        except TemplateNotFound:  # the worker_access feature is not mounted
            pass
    return current_app.extensions["carebridge"].adapter.layout_template


def error_page(error: HTTPException):
    """The page for ``error``, with its status code (and headers, e.g. ``Allow`` for 405)."""
    code = error.code or 500
    csrf = isinstance(error, CSRFError)
    title, message = CSRF_MESSAGE if csrf else MESSAGES.get(code, FALLBACK)
    headers = [(name, value) for name, value in error.get_headers()
               if name.lower() not in ("content-type", "content-length")]
    context = {"error_code": code, "error_title": title, "error_message": message,
               "error_kind": "csrf" if csrf else str(code), "back_url": None, "home_url": None,
               "reload": csrf, "phone": False}
    if request_ctx.url_adapter is None:
        # The request was refused before it was routed (a Host not in TRUSTED_HOSTS): no URL
        # can be built for it, and nothing of it is to be trusted. The bare page, no links.
        return render_template(BARE_TEMPLATE, **context), code, headers
    phone, home_endpoint = phone_area()
    if code >= 500:
        _discard_the_transaction()
    back = _came_from()
    if csrf and back is None and request.method not in ("GET", "HEAD"):
        back = local_path(request.full_path.rstrip("?"))  # the form's own page, fresh
    home = _url(home_endpoint) if phone else (request.script_root or "") + "/"
    context.update(back_url=back, home_url=home if home != back else None, phone=phone,
                   error_layout=_layout(phone))
    try:
        body = render_template(TEMPLATE, **context)
    except Exception:  # the layout itself may be what fails (the database is down)
        logger.exception("the error page could not be rendered; answering the bare one")
        body = render_template(BARE_TEMPLATE, **context)
    return body, code, headers


def handle_http_error(error: HTTPException):
    """Error handler for ``HTTPException`` (a blueprint's, or a host app's)."""
    return error_page(error)


def _discard_the_transaction() -> None:
    """After a failure the session may be unusable (a failed flush); the page still reads the
    signed-in user for the layout. Nothing of the request is kept anyway (see boundary)."""
    try:
        from .db import session

        session.rollback()
    except Exception:
        logger.exception("rolling back before the error page failed")


def register_error_pages(blueprint) -> None:
    """Error pages for a blueprint's (and its children's) views: CareBridge's, in any host."""
    blueprint.register_error_handler(HTTPException, handle_http_error)


__all__ = ["error_page", "handle_http_error", "phone_area", "register_error_pages"]
