"""The duties' section of the public estate page (/estates/<code>/): what owners should see."""

from typing import Any

from wuye.registry.models import Estate

from .selectors import public_summary


def duties(estate: Estate) -> dict[str, Any] | None:
    ctx = public_summary(estate)
    if ctx is None:
        return None
    return {
        "title": "物业服务信息公示与应急防范",
        "template": "duties/section.html",
        "context": ctx,
        "warning": False,
    }
