"""`/healthz/`: the load balancer's and the operator's probe. 200 when this process reaches the database and the
cache, 503 (naming what failed) when it does not. No session, no login, no personal data; never cached."""

import time

from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    checks: dict[str, str] = {}
    started = time.monotonic()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - any failure is the answer
        checks["database"] = type(exc).__name__
    try:
        cache.set("wuye:healthz", "1", 10)
        checks["cache"] = "ok" if cache.get("wuye:healthz") == "1" else "unreadable"
    except Exception as exc:  # noqa: BLE001
        checks["cache"] = type(exc).__name__
    ok = all(v == "ok" for v in checks.values())
    body = {
        "status": "ok" if ok else "unavailable",
        **checks,
        "ms": round((time.monotonic() - started) * 1000, 1),
    }
    return JsonResponse(body, status=200 if ok else 503)
