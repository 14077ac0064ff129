"""Request-wide middleware: a request id on every log line and response; a 503 when the database is away.

`RequestIdMiddleware` goes first in MIDDLEWARE so every log record of the request, Django's own "Internal Server
Error" with its traceback included, carries the id, and the response echoes it as `X-Request-ID`. An id sent by a
trusted proxy (nginx's `$request_id`) is kept so the proxy's access log and ours share it.

`DatabaseUnavailableMiddleware` answers a lost database connection (a PostgreSQL restart, a failover) with a
Chinese 503 page and `Retry-After` instead of a raw 500; `server_error` (handler500) does the same for a
connection lost outside a view (a session save), and otherwise renders the ordinary 500 page.
"""

import logging
import re
import sys
import uuid
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.views import defaults

from wuye.kernel.conf import county_setting

from .clientip import _is_trusted, _parse, trusted_proxies
from .logs import request_id_var

logger = logging.getLogger("wuye.request")

REQUEST_ID_HEADER = "X-Request-ID"
INCOMING_ID_RE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
DB_UNAVAILABLE = (OperationalError, InterfaceError)
BUSY_MESSAGE = "系统繁忙，请稍后再试"
JSON_PREFIXES = ("/api/", "/open311/")


def _incoming_id(request: HttpRequest) -> str | None:
    value = request.META.get("HTTP_X_REQUEST_ID", "")
    if not value or not INCOMING_ID_RE.match(value):
        return None
    remote = _parse(request.META.get("REMOTE_ADDR", "") or "")
    networks = trusted_proxies()
    return value if remote is not None and networks and _is_trusted(remote, networks) else None


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = _incoming_id(request) or uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]  # our own attribute, read by the 500 log below
        token = request_id_var.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response[REQUEST_ID_HEADER] = request_id
        return response


def retry_after() -> int:
    return int(county_setting("RETRY_AFTER_SECONDS"))


def unavailable_response(request: HttpRequest) -> HttpResponse:
    """503 with Retry-After: JSON for the APIs, otherwise a page that needs neither the database nor a session."""
    response: HttpResponse
    if request.path.startswith(JSON_PREFIXES) or "application/json" in request.headers.get("Accept", ""):
        response = JsonResponse(
            {"detail": BUSY_MESSAGE}, status=503, json_dumps_params={"ensure_ascii": False}
        )
    else:
        body = render_to_string(
            "503.html",
            {
                "message": BUSY_MESSAGE,
                "retry_after": retry_after(),
                "request_id": getattr(request, "request_id", ""),
            },
        )
        response = HttpResponse(body, status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(retry_after())
    return response


def is_db_unavailable(exc: BaseException | None) -> bool:
    return isinstance(exc, DB_UNAVAILABLE)


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_db_unavailable(exception):
            return None
        logger.error(
            "database unavailable: %s %s answered 503",
            request.method,
            request.path,
            exc_info=(type(exception), exception, exception.__traceback__),
        )
        return unavailable_response(request)


def server_error(request: HttpRequest, template_name: str = "500.html") -> HttpResponse:
    """handler500: a database outage outside a view still gets the 503 page; anything else Django's 500."""
    if is_db_unavailable(sys.exc_info()[1]):
        return unavailable_response(request)
    return defaults.server_error(request, template_name=template_name)
