"""The REST API at /api/v1: one NinjaAPI, one router per domain app, one error shape.

Errors are ``{"error": {"message": …, "field": …, "code": …}}`` with the HTTP
status of the error (400 input, 401 not signed in, 403 refused, 404 missing,
422 schema validation).
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import APIKeyCookie, HttpBearer

from ipoc.core.errors import ApplicationError


class TokenAuth(HttpBearer):
    """``Authorization: Bearer ipoc_…`` personal API tokens (``ipoc token create``)."""

    def authenticate(self, request: HttpRequest, token: str):
        from ipoc.core.services import api_token_authenticate

        user = api_token_authenticate(token)
        if user is not None:
            request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """The browser session, with CSRF protection on unsafe methods."""

    param_name = "sessionid"

    def _get_key(self, request: HttpRequest) -> str | None:
        # No signed-in session: nothing for CSRF to protect, and the answer is 401 (sign in), not 403 (CSRF).
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None):
        user = getattr(request, "user", None)
        return user if user is not None and user.is_authenticated else None


ERROR_SCHEMA = {
    "title": "Error",
    "type": "object",
    "properties": {"error": {
        "type": "object",
        "properties": {
            "message": {"type": "string", "description": "给人看的中文说明 / what went wrong"},
            "field": {"anyOf": [{"type": "string"}, {"type": "null"}],
                      "description": "出错的字段或参数 / the field or parameter concerned"},
            "code": {"type": "string"},
        },
        "required": ["message", "code"],
    }},
    "required": ["error"],
}
ERROR_RESPONSES = {
    400: "输入有误（含超出范围的数值、日期）/ bad input",
    401: "未登录或令牌无效 / not authenticated",
    403: "无权操作 / permission denied",
    404: "记录不存在或无权查看 / not found",
    409: "与当前状态冲突 / conflict",
    413: "上传文件过大 / upload too large",
    422: "参数校验失败 / validation error",
    429: "后台任务已达上限，请稍后再试 / too many running jobs",
}


class IpocAPI(NinjaAPI):
    """The schema documents the error answers (one shared error shape) of every operation."""

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
        content = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
        for methods in schema.get("paths", {}).values():
            for method, operation in methods.items():
                statuses = [400, 403, 404, 422]
                if operation.get("security"):
                    statuses.append(401)
                if method in ("post", "put", "patch", "delete"):
                    statuses += [409, 429]
                if "multipart/form-data" in operation.get("requestBody", {}).get("content", {}):
                    statuses.append(413)
                responses = operation.setdefault("responses", {})
                for status in sorted(statuses):
                    responses.setdefault(status, {"description": ERROR_RESPONSES[status], "content": content})
        return schema


api = IpocAPI(
    title="IPOC 产业知识产权运营中心平台 API",
    version="1",
    description="产业知识产权运营中心平台 REST API. Authenticate with a browser session or "
                "`Authorization: Bearer <token>` (create one with `ipoc token create`).",
    auth=[TokenAuth(), SessionAuth()],
    urls_namespace="api",
    docs_url="/docs",
)


def _error(request: HttpRequest, status: int, message: str, field: str | None = None, code: str = "invalid",
           **extra):
    body = {"message": message, "field": field, "code": code, **extra}
    return api.create_response(request, {"error": body}, status=status)


@api.exception_handler(ApplicationError)
def application_error(request: HttpRequest, exc: ApplicationError):
    return api.create_response(request, {"error": exc.as_dict()}, status=exc.status)


def validation_message(error: dict) -> str:
    """A request-validation error in the user's language (Chinese first) instead of the parser's English:
    what is wrong with the value, with the limit it broke."""
    from django.utils.translation import gettext as _

    kind, ctx, msg = error.get("type", ""), error.get("ctx") or {}, str(error.get("msg") or "")
    limit = next((ctx[k] for k in ("max_length", "min_length", "gt", "ge", "lt", "le") if k in ctx), "")
    messages = {
        "missing": _("此项必填"),
        "int_parsing": _("请输入整数"), "int_type": _("请输入整数"), "int_from_float": _("请输入整数"),
        "float_parsing": _("请输入数字"), "float_type": _("请输入数字"), "decimal_parsing": _("请输入数字"),
        "decimal_type": _("请输入数字"), "finite_number": _("请输入有限的数字"),
        "bool_parsing": _("请输入 true 或 false"), "bool_type": _("请输入 true 或 false"),
        "string_type": _("请输入文本"), "list_type": _("请输入列表"),
        "dict_type": _("格式不正确：应为对象"), "model_type": _("格式不正确：应为对象"),
        "model_attributes_type": _("格式不正确：应为对象"),
        "date_parsing": _("请输入日期（YYYY-MM-DD）"), "date_from_datetime_parsing": _("请输入日期（YYYY-MM-DD）"),
        "date_type": _("请输入日期（YYYY-MM-DD）"), "datetime_parsing": _("请输入日期时间（ISO 8601）"),
        "datetime_type": _("请输入日期时间（ISO 8601）"), "json_invalid": _("请求内容不是有效的 JSON"),
        "string_too_long": _("最多 %(n)s 个字符") % {"n": limit}, "string_too_short": _("至少 %(n)s 个字符") % {"n": limit},
        "too_long": _("最多 %(n)s 项") % {"n": limit}, "too_short": _("至少 %(n)s 项") % {"n": limit},
        "greater_than": _("须大于 %(n)s") % {"n": limit}, "greater_than_equal": _("须不小于 %(n)s") % {"n": limit},
        "less_than": _("须小于 %(n)s") % {"n": limit}, "less_than_equal": _("须不大于 %(n)s") % {"n": limit},
    }
    if kind in messages:
        return str(messages[kind])
    if kind in ("enum", "literal_error"):
        return _("请从以下选项中选择：%(e)s") % {"e": ctx.get("expected", "")}
    if kind in ("value_error", "assertion_error"):  # our own validators' words
        return msg.split(", ", 1)[1] if msg.startswith(("Value error, ", "Assertion failed, ")) else msg
    return _("输入无效（%(m)s）") % {"m": msg} if msg else _("输入无效")


@api.exception_handler(NinjaValidationError)
def validation_error(request: HttpRequest, exc: NinjaValidationError):
    first = exc.errors[0] if exc.errors else {}
    loc = [str(p) for p in first.get("loc", []) if p not in ("body", "query", "path", "form", "payload")]
    return _error(request, 422, validation_message(first) if first else "输入无效", ".".join(loc) or None,
                  "validation",
                  errors=[{"field": ".".join(str(p) for p in e.get("loc", [])), "message": validation_message(e)}
                          for e in exc.errors])


@api.exception_handler(AuthenticationError)
def authentication_error(request: HttpRequest, exc: AuthenticationError):
    return _error(request, 401, "请先登录或提供有效的 API 令牌 (authentication required)", None,
                  "not_authenticated")


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError):
    return _error(request, exc.status_code, str(exc), None, "http_error")


@api.exception_handler(OverflowError)
@api.exception_handler(ValueError)
def bad_input(request: HttpRequest, exc: Exception):
    """Last resort: a number, date or year past what can be stored is a 400 naming the parameter."""
    from ipoc.core.bounds import bad_input_error

    error = bad_input_error(request, exc)
    if error is None:
        raise exc
    return api.create_response(request, {"error": error.as_dict()}, status=error.status)


def _register_routers() -> None:
    from ipoc.core.api import router as core_router

    api.add_router("/", core_router)
    for app, prefix in ROUTERS:
        module = __import__(f"ipoc.{app}.api", fromlist=["router"])
        api.add_router(prefix, module.router)


# (app, url prefix) of every domain app's router, in menu order.
ROUTERS: list[tuple[str, str]] = [
    ("patents", "/patents"),
    ("search", "/search"),
    ("search.similar", "/patents"),  # GET /patents/{id}/similar
    ("valuation", "/valuation"),
    ("demands", "/demands"),
    ("matching", "/matching"),
    ("centers", "/centers"),
    ("revitalization", "/stock"),
    ("events", "/events"),
    ("deals", "/deals"),
    ("licensing", "/licensing"),
    ("pools", "/pools"),
    ("alliances", "/alliances"),
    ("risk", "/risk"),
    ("industrialization", "/industrialization"),
    ("analytics", "/analytics"),
]

_register_routers()
