"""System checks for what a deployment must provide."""

from typing import Any

from django.conf import settings
from django.core.checks import Tags, Warning, register

PER_PROCESS_CACHES = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
)


@register(Tags.caches, deploy=True)
def check_shared_cache(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    """Rate-limit counts must be shared by every worker: a per-process cache multiplies each limit by the workers."""
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if backend in PER_PROCESS_CACHES:
        return [
            Warning(
                "The default cache is per process: each gunicorn worker keeps its own rate-limit counts.",
                hint="Set REDIS_URL so the counts are shared (wuye.intake.ratelimit).",
                id="wuye.W001",
            )
        ]
    return []
