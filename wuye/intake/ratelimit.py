"""Per-client rate limits for public endpoints (no CAPTCHA, §13): a fixed window counter in Django's cache.

Limits are the county setting `INTAKE_RATE_LIMITS[scope]` as (requests, seconds), declared in wuye.kernel.conf.
The client is the address the trusted proxy saw (`wuye.common.clientip`), not REMOTE_ADDR (the proxy itself);
the counts live in the default cache, which is Redis in production (shared by every gunicorn worker; the
deploy check `wuye.W001` warns when it is a per-process cache).
"""

import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse

from wuye.common.clientip import client_ip
from wuye.kernel.conf import county_setting

MESSAGE = "操作过于频繁，请稍后再试。"


def limit_for(scope: str) -> tuple[int, int]:
    value = county_setting("INTAKE_RATE_LIMITS")[scope]
    return int(value[0]), int(value[1])


def hit(scope: str, key: str) -> bool:
    """Count one request; True when it is within the limit."""
    limit, window = limit_for(scope)
    bucket = int(time.time() // window)
    cache_key = f"rl:{scope}:{key}:{bucket}"
    if cache.add(cache_key, 1, timeout=window + 1):
        return True
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.add(cache_key, 1, timeout=window + 1)
        return True
    return count <= limit


def rate_limited(
    scope: str, *, methods: tuple[str, ...] = ("GET", "POST"), json: bool = False
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method in methods and not hit(scope, client_ip(request)):
                _, window = limit_for(scope)
                if json:
                    response: HttpResponse = JsonResponse(
                        [{"code": 429, "description": MESSAGE}], safe=False, status=429
                    )
                else:
                    response = HttpResponse(MESSAGE, status=429, content_type="text/plain; charset=utf-8")
                response["Retry-After"] = str(window)
                return response
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
